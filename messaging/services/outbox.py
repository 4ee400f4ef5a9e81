"""Writing to the outbox and sending from it.

``outbox_enqueue`` renders a message in the recipient's language and writes it in the caller's
transaction; the send task is queued only after that transaction commits, with the row id only.
``outbox_send`` locks the row, skips it unless it is still queued, sends and marks it sent, so a
second run of the same task does nothing. The row lock is held while the relay takes the message:
a worker killed between the relay's "250 OK" and the commit leaves the row queued, and the copy
sent again later carries the same Message-ID (the only duplicate this design allows).
"""

import logging
import random
import smtplib
import socket
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ..models import OutboundEmail

logger = logging.getLogger(__name__)

# After this many failed attempts a message is marked failed even when the error looked transient.
MAX_ATTEMPTS = 8
# A batch gives up (and is retried later as a whole) after this many transient errors in a row:
# the relay is down, there is no point in trying the other hundred messages now.
BATCH_GIVE_UP_AFTER = 3
# After a failed publish, a process does not try the broker again for this long: requests stay fast
# during an outage, and the sweep hands the rows over once the broker is back.
BROKER_PAUSE_SECONDS = 10.0
_broker_paused_until = 0.0


class TransientSendError(Exception):
    """The relay could not take the message now; try again in ``retry_in`` seconds."""

    def __init__(self, message: str, retry_in: float):
        super().__init__(message)
        self.retry_in = retry_in


@dataclass
class BatchReport:
    sent: int = 0
    retry_ids: list[int] = field(default_factory=list)
    retry_in: float = 0.0


def message_id_new() -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "localhost"
    return make_msgid(domain=domain)


def retry_delay(attempt: int) -> float:
    """Seconds before attempt ``attempt + 1``: exponential from OUTBOX_RETRY_BACKOFF_SECONDS, capped at an hour."""
    base = settings.OUTBOX_RETRY_BACKOFF_SECONDS
    delay = min(base * 2 ** max(attempt - 1, 0), 3600)
    return delay * random.uniform(0.8, 1.2)  # noqa: S311 (jitter, not security)


def email_render(*, template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Render ``<template>_subject.txt``, ``_body.txt`` and ``_body.html`` in ``language``."""
    context = {"site_url": settings.SITE_URL, "language": language, **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body_text = render_to_string(f"{template}_body.txt", context)
        body_html = render_to_string(f"{template}_body.html", context)
    return subject, body_text, body_html


def outbox_build(
    *,
    to: str,
    template: str,
    context: dict,
    language: str = "de",
    headers: dict | None = None,
    attachments: Iterable[dict] = (),
) -> OutboundEmail:
    """Render a message into an unsaved outbox row (for callers that write many rows at once)."""
    subject, body_text, body_html = email_render(template=template, context=context, language=language)
    return _outbox_row(
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        template=template,
        language=language,
        headers=headers,
        attachments=attachments,
    )


def outbox_enqueue(
    *,
    to: str,
    template: str,
    context: dict,
    language: str = "de",
    headers: dict | None = None,
    attachments: Iterable[dict] = (),
) -> OutboundEmail:
    """Render a message in ``language`` and write it to the outbox (see ``outbox_write``)."""
    row = outbox_build(
        to=to, template=template, context=context, language=language, headers=headers, attachments=attachments
    )
    return outbox_save(rows=[row])[0]


def outbox_write(
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    template: str,
    language: str,
    headers: dict | None = None,
    attachments: Iterable[dict] = (),
) -> OutboundEmail:
    """Write one already rendered message to the outbox, in the caller's transaction."""
    row = _outbox_row(
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        template=template,
        language=language,
        headers=headers,
        attachments=attachments,
    )
    return outbox_save(rows=[row])[0]


def _outbox_row(*, to, subject, body_text, body_html, template, language, headers, attachments) -> OutboundEmail:
    """An unsaved row with its Message-ID fixed now, so every copy of it carries the same one."""
    return OutboundEmail(
        to_email=to,
        subject=subject[:300],
        body_text=body_text,
        body_html=body_html,
        headers=headers or {},
        attachments=list(attachments),
        template=template,
        language=language,
        message_id=message_id_new(),
    )


def outbox_save(*, rows: Sequence[OutboundEmail], countdown: float = 0) -> list[OutboundEmail]:
    """Insert rows in the caller's transaction; hand them to the broker once it commits.

    With ``countdown`` the rows are due that many seconds later (the sweep leaves them alone until then).
    """
    due = timezone.now() + timedelta(seconds=countdown)
    for row in rows:
        row.due_at = due
    saved = OutboundEmail.objects.bulk_create(rows)
    ids = [row.pk for row in saved]
    if ids:
        transaction.on_commit(lambda: outbox_dispatch(email_ids=ids, countdown=countdown), robust=True)
    return saved


def broker_pause_reset() -> None:
    global _broker_paused_until
    _broker_paused_until = 0.0


def outbox_dispatch(*, email_ids: Iterable[int], countdown: float = 0, rate: float = 0, force: bool = False) -> int:
    """Hand messages to the broker: one task for a single message, batch tasks (one SMTP connection
    each, ``NEWSLETTER_BATCH_SIZE`` messages) for more. A broker outage is logged, not raised: the rows
    stay queued and the sweep hands them over later. Returns the number of messages handed over.
    """
    from ..tasks import outbox_send_batch_task, outbox_send_task

    global _broker_paused_until
    ids = list(email_ids)
    if not ids:
        return 0
    if not force and time.monotonic() < _broker_paused_until:
        logger.info("Broker paused after an error; %d outbox e-mails wait for the sweep.", len(ids))
        return 0
    size = max(settings.NEWSLETTER_BATCH_SIZE, 1)
    handed = 0
    try:
        if len(ids) == 1 and not rate:
            outbox_send_task.apply_async((ids[0],), countdown=countdown or None)
            handed = 1
        else:
            for start in range(0, len(ids), size):
                batch = ids[start : start + size]
                outbox_send_batch_task.apply_async((batch,), {"rate": rate}, countdown=countdown or None)
                handed += len(batch)
    except Exception:  # kombu raises several types for a dead broker
        _broker_paused_until = time.monotonic() + BROKER_PAUSE_SECONDS
        logger.warning("Broker unavailable; %d outbox e-mails stay queued for the sweep.", len(ids) - handed)
    return handed


def _as_message(row: OutboundEmail, connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.to_email],
        headers={**row.headers, "Message-ID": row.message_id},
        connection=connection,
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    for attachment in row.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    return message


def is_transient(error: Exception) -> bool:
    """4xx replies, lost connections and timeouts are worth another try; 5xx replies are not."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code < 500 for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code < 500
    return isinstance(error, (smtplib.SMTPException, OSError, socket.timeout))


def outbox_send(*, email_id: int, connection=None) -> bool:
    """Send one queued message. Returns True if it was sent now, False if there was nothing to do
    (already sent, failed, withdrawn, gone) or it failed for good.

    Raises ``TransientSendError`` when the relay should be tried again later.
    """
    with transaction.atomic():
        row = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if row is None or row.status != OutboundEmail.Status.QUEUED:
            return False
        row.attempts += 1
        try:
            _as_message(row, connection or get_connection()).send()
        except Exception as error:
            row.last_error = f"{type(error).__name__}: {error}"[:2000]
            transient = is_transient(error) and row.attempts < MAX_ATTEMPTS
            if transient:
                retry_in = retry_delay(row.attempts)
                row.due_at = timezone.now() + timedelta(seconds=retry_in)
                logger.info("Outbox e-mail %s: transient error, retry in %.0fs: %s", row.pk, retry_in, row.last_error)
            else:
                row.status = OutboundEmail.Status.FAILED
                logger.error("Outbox e-mail %s failed for good: %s", row.pk, row.last_error)
            row.save(update_fields=["attempts", "last_error", "status", "due_at"])
        else:
            row.status = OutboundEmail.Status.SENT
            row.sent_at = timezone.now()
            row.last_error = ""
            row.save(update_fields=["attempts", "status", "sent_at", "last_error"])
            return True
    if transient:
        raise TransientSendError(row.last_error, retry_in)
    return False


def outbox_send_many(*, email_ids: Iterable[int], rate: float = 0, attempt: int = 1) -> BatchReport:
    """Send several messages over one SMTP connection, each under its own row lock.

    ``rate`` (messages per second, 0 = unlimited) paces the batch. Messages that hit a transient error,
    and the rest of the batch once the relay looks down, come back in ``retry_ids``.
    """
    ids = list(email_ids)
    report = BatchReport()
    connection = get_connection()
    started = time.monotonic()
    errors_in_a_row = 0
    last_error = ""
    try:
        for index, email_id in enumerate(ids):
            if errors_in_a_row >= BATCH_GIVE_UP_AFTER:
                report.retry_ids.extend(ids[index:])
                _postpone(
                    ids[index:], reason=f"not tried, relay unavailable: {last_error}", retry_in=retry_delay(attempt)
                )
                break
            if rate:
                wait = started + index / rate - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            try:
                connection.open()  # no-op while the connection is open
            except Exception as error:  # the relay refuses connections: not the message's fault
                errors_in_a_row += 1
                last_error = f"{type(error).__name__}: {error}"
                report.retry_ids.append(email_id)
                _postpone([email_id], reason=last_error, retry_in=retry_delay(attempt))
                connection.close()
                continue
            try:
                report.sent += outbox_send(email_id=email_id, connection=connection)
                errors_in_a_row = 0
            except TransientSendError as error:
                errors_in_a_row += 1
                last_error = str(error)
                report.retry_ids.append(email_id)
                connection.close()  # the session may be unusable; the next message opens a new one
    finally:
        connection.close()
    if report.retry_ids:
        report.retry_in = retry_delay(attempt)
    return report


def _postpone(email_ids: list[int], *, reason: str, retry_in: float) -> None:
    """Record why messages were not tried and when they are due, without counting an attempt."""
    OutboundEmail.objects.filter(pk__in=email_ids, status=OutboundEmail.Status.QUEUED).update(
        last_error=reason[:2000], due_at=timezone.now() + timedelta(seconds=retry_in)
    )


@transaction.atomic
def outbox_retry(*, email_ids: Iterable[int]) -> int:
    """Put failed messages back in the queue (staff action) and hand them to the broker."""
    ids = list(
        OutboundEmail.objects.select_for_update()
        .filter(pk__in=list(email_ids), status=OutboundEmail.Status.FAILED)
        .values_list("pk", flat=True)
    )
    OutboundEmail.objects.filter(pk__in=ids).update(
        status=OutboundEmail.Status.QUEUED, attempts=0, due_at=timezone.now()
    )
    transaction.on_commit(lambda: outbox_dispatch(email_ids=ids, force=True), robust=True)
    return len(ids)


@transaction.atomic
def outbox_cancel(*, email_ids: Iterable[int]) -> int:
    """Withdraw messages that are still queued (the recipient unsubscribed). A message being sent
    right now holds its row lock: the update waits for it and then finds it sent, and leaves it."""
    return OutboundEmail.objects.filter(pk__in=list(email_ids), status=OutboundEmail.Status.QUEUED).update(
        status=OutboundEmail.Status.CANCELLED, last_error="withdrawn: the recipient unsubscribed"
    )


def outbox_requeue_stale(*, older_than_seconds: int | None = None, limit: int = 5000) -> int:
    """Hand messages to the broker again that were due longer ago than OUTBOX_REQUEUE_AFTER_SECONDS
    (the broker was down at commit, a worker died holding them). Messages being sent are skipped."""
    age = settings.OUTBOX_REQUEUE_AFTER_SECONDS if older_than_seconds is None else older_than_seconds
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(status=OutboundEmail.Status.QUEUED, due_at__lte=now - timedelta(seconds=age))
            .order_by("due_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        OutboundEmail.objects.filter(pk__in=ids).update(due_at=now)
    if ids:
        logger.info("Outbox sweep: %d e-mails handed to the broker again.", len(ids))
    return outbox_dispatch(email_ids=ids, force=True)
