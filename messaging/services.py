"""Writing to the outbox and sending from it.

``outbox_enqueue`` renders a message in the recipient's language and writes it in the caller's
transaction; the send task is queued only after that transaction commits, with the row id only.
``outbox_send`` locks the row, skips it unless it is still queued, sends and marks it sent, so a
second run of the same task does nothing.
"""

import logging
import smtplib
import socket
from collections.abc import Iterable
from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import OutboundEmail

logger = logging.getLogger(__name__)

# After this many failed attempts a message is marked failed even when the error looked transient.
MAX_ATTEMPTS = 8


class TransientSendError(Exception):
    """The relay could not take the message now; try again later."""


def message_id_new() -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "localhost"
    return make_msgid(domain=domain)


def email_render(*, template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Render ``<template>_subject.txt``, ``_body.txt`` and ``_body.html`` in ``language``."""
    context = {"site_url": settings.SITE_URL, "language": language, **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body_text = render_to_string(f"{template}_body.txt", context)
        body_html = render_to_string(f"{template}_body.html", context)
    return subject, body_text, body_html


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
    subject, body_text, body_html = email_render(template=template, context=context, language=language)
    return outbox_write(
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        template=template,
        language=language,
        headers=headers,
        attachments=attachments,
    )


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
    """Write one message to the outbox, in the caller's transaction; queue its sending on commit."""
    row = OutboundEmail.objects.create(
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
    transaction.on_commit(lambda: outbox_dispatch(email_ids=[row.pk]), robust=True)
    return row


def outbox_dispatch(*, email_ids: Iterable[int]) -> int:
    """Hand messages to the broker. A broker outage is logged, not raised: the sweep retries."""
    from .tasks import outbox_send_task

    handed = 0
    for email_id in email_ids:
        try:
            outbox_send_task.delay(email_id)
        except Exception:  # kombu raises several types for a dead broker
            logger.warning("Broker unavailable; outbox e-mail %s stays queued for the sweep.", email_id)
            break
        handed += 1
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
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code < 500 for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code < 500
    return isinstance(error, (smtplib.SMTPException, OSError, socket.timeout))


def outbox_send(*, email_id: int, connection=None) -> bool:
    """Send one queued message. Returns True if it was sent now, False if there was nothing to do.

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
            if not transient:
                row.status = OutboundEmail.Status.FAILED
                logger.error("Outbox e-mail %s failed for good: %s", row.pk, row.last_error)
            row.save(update_fields=["attempts", "last_error", "status"])
        else:
            row.status = OutboundEmail.Status.SENT
            row.sent_at = timezone.now()
            row.last_error = ""
            row.save(update_fields=["attempts", "status", "sent_at", "last_error"])
            return True
    if transient:
        raise TransientSendError(row.last_error)
    return False


def outbox_send_many(*, email_ids: Iterable[int]) -> int:
    """Send several messages over one SMTP connection, each under its own row lock."""
    sent = 0
    connection = get_connection()
    with connection:
        for email_id in email_ids:
            try:
                sent += outbox_send(email_id=email_id, connection=connection)
            except TransientSendError:
                continue
    return sent


@transaction.atomic
def outbox_retry(*, email_ids: Iterable[int]) -> int:
    """Put failed messages back in the queue (staff action) and hand them to the broker."""
    ids = list(
        OutboundEmail.objects.select_for_update()
        .filter(pk__in=list(email_ids), status=OutboundEmail.Status.FAILED)
        .values_list("pk", flat=True)
    )
    OutboundEmail.objects.filter(pk__in=ids).update(
        status=OutboundEmail.Status.QUEUED, attempts=0, queued_at=timezone.now()
    )
    transaction.on_commit(lambda: outbox_dispatch(email_ids=ids), robust=True)
    return len(ids)


def outbox_requeue_stale(*, older_than_seconds: int | None = None) -> int:
    """Hand messages that stayed queued too long (the broker was down, a worker died) to the broker again."""
    age = settings.OUTBOX_REQUEUE_AFTER_SECONDS if older_than_seconds is None else older_than_seconds
    cutoff = timezone.now() - timedelta(seconds=age)
    with transaction.atomic():
        ids = list(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(status=OutboundEmail.Status.QUEUED, queued_at__lte=cutoff)
            .values_list("pk", flat=True)[:5000]
        )
        OutboundEmail.objects.filter(pk__in=ids).update(queued_at=timezone.now())
    return outbox_dispatch(email_ids=ids)
