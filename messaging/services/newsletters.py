"""Newsletters: double opt-in with proof of consent, preferences, one-click unsubscribe, and sending
an issue once to every matching subscriber, in batches over one SMTP connection each, at a set rate."""

import logging
from collections.abc import Iterable
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from clusters.markup import markdown_to_html
from clusters.models import Cluster, Topic

from ..consent import CONSENT_TEXT_VERSION, LIST_NAME
from ..models import ConsentRecord, Delivery, Newsletter, OutboundEmail, Subscriber
from ..selectors import newsletter_recipients
from ..tokens import confirm_url, subscriber_urls
from .outbox import email_render, message_id_new, outbox_dispatch, outbox_enqueue, outbox_save

logger = logging.getLogger(__name__)

# At most this many confirmation e-mails per address and day: the sign-up form cannot be used to
# flood somebody's inbox.
SIGNUP_REQUESTS_PER_DAY = 3
# Deliveries created per transaction while planning an issue.
PLAN_CHUNK_SIZE = 500
# A newsletter still "sending" without progress for this long is picked up again by the sweep.
PLAN_STALLED_AFTER = timedelta(minutes=2)
# Rendered once per language, replaced per recipient: rendering 10,000 templates would take seconds.
UNSUBSCRIBE_PLACEHOLDER = "__unsubscribe_url_9c4e__"
MANAGE_PLACEHOLDER = "__manage_url_9c4e__"


def _scope(*, clusters: Iterable[Cluster], topics: Iterable[Topic]) -> dict:
    return {
        "clusters": [{"id": c.pk, "name": c.short_name} for c in clusters],
        "topics": [{"id": t.pk, "name": t.name} for t in topics],
    }


# --- Subscribers ---------------------------------------------------------------------------------


@transaction.atomic
def subscriber_signup(
    *,
    email: str,
    clusters: Iterable[Cluster],
    topics: Iterable[Topic] = (),
    language: str,
    ip_address: str | None,
    user_agent: str = "",
    person=None,
    now=None,
) -> Subscriber:
    """Record a sign-up request and send the confirmation e-mail (double opt-in).

    Nothing changes for the subscriber until the link is followed: the preferences asked for are kept
    in the consent record and applied on confirmation. An address already subscribed gets a note with
    its preferences link instead. The answer to the visitor is the same in every case.
    """
    now = now or timezone.now()
    clusters, topics = list(clusters), list(topics)
    if not clusters:
        raise ValidationError(_("Choose at least one association."), code="no_clusters")
    email = email.strip()
    found, _created = Subscriber.objects.get_or_create(
        email__iexact=email, defaults={"email": email, "language": language, "person": person}
    )
    subscriber = Subscriber.objects.select_for_update().get(pk=found.pk)
    if person is not None and subscriber.person_id is None:
        subscriber.person = person
        subscriber.save(update_fields=["person"])
    if subscriber.status == Subscriber.Status.ACTIVE:
        if cache.add(f"messaging:newsletter-notice:{subscriber.pk}", 1, timeout=24 * 3600):
            outbox_enqueue(
                to=subscriber.email,
                template="messaging/emails/newsletter_already",
                context=subscriber_urls(subscriber_id=subscriber.pk),
                language=language,
            )
        return subscriber
    recent = subscriber.consents.filter(action=ConsentRecord.Action.REQUESTED, at__gte=now - timedelta(days=1))
    if recent.count() >= SIGNUP_REQUESTS_PER_DAY:
        logger.info("Newsletter sign-up for subscriber %s: daily limit of confirmation e-mails reached.", subscriber.pk)
        return subscriber
    record = ConsentRecord.objects.create(
        subscriber=subscriber,
        action=ConsentRecord.Action.REQUESTED,
        at=now,
        ip_address=ip_address,
        user_agent=user_agent[:300],
        list_name=LIST_NAME,
        consent_text_version=CONSENT_TEXT_VERSION,
        language=language,
        scope=_scope(clusters=clusters, topics=topics),
        via="web form",
    )
    outbox_enqueue(
        to=subscriber.email,
        template="messaging/emails/newsletter_confirm",
        context={
            "confirm_url": confirm_url(consent_id=record.pk),
            "clusters": clusters,
            "topics": topics,
        },
        language=language,
    )
    return subscriber


@transaction.atomic
def subscriber_confirm(*, consent_id: int, ip_address: str | None, user_agent: str = "", now=None) -> Subscriber:
    """Follow the confirmation link: the subscription becomes active with the preferences asked for.

    Only the latest request's link works, and not once the address unsubscribed after asking.
    A second click on the same link changes nothing.
    """
    now = now or timezone.now()
    request = ConsentRecord.objects.filter(pk=consent_id, action=ConsentRecord.Action.REQUESTED).first()
    if request is None:
        raise ValidationError(_("This confirmation link is not valid."), code="invalid")
    subscriber = Subscriber.objects.select_for_update().get(pk=request.subscriber_id)
    if subscriber.status == Subscriber.Status.ACTIVE and subscriber.confirmed_at >= request.at:
        return subscriber  # confirmed already, with this link or a later one
    latest = subscriber.consents.filter(action=ConsentRecord.Action.REQUESTED).latest("at", "pk")
    if latest.pk != request.pk:
        raise ValidationError(
            _("This link was replaced by a newer one. Please use the link in the latest e-mail."), code="superseded"
        )
    if subscriber.unsubscribed_at and subscriber.unsubscribed_at > request.at:
        raise ValidationError(_("You unsubscribed after asking for this link."), code="withdrawn")
    subscriber.clusters.set([c["id"] for c in request.scope.get("clusters", [])])
    subscriber.topics.set([t["id"] for t in request.scope.get("topics", [])])
    subscriber.status = Subscriber.Status.ACTIVE
    subscriber.confirmed_at = now
    subscriber.unsubscribed_at = None
    subscriber.language = request.language
    subscriber.save(update_fields=["status", "confirmed_at", "unsubscribed_at", "language"])
    ConsentRecord.objects.create(
        subscriber=subscriber,
        action=ConsentRecord.Action.CONFIRMED,
        at=now,
        ip_address=ip_address,
        user_agent=user_agent[:300],
        list_name=request.list_name,
        consent_text_version=request.consent_text_version,
        language=request.language,
        scope=request.scope,
        via="confirmation link",
    )
    return subscriber


@transaction.atomic
def subscriber_preferences_update(
    *,
    subscriber_id: int,
    clusters: Iterable[Cluster],
    topics: Iterable[Topic],
    ip_address: str | None,
    user_agent: str = "",
    now=None,
) -> Subscriber:
    """Change which associations and topics an active subscriber hears about."""
    clusters, topics = list(clusters), list(topics)
    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.status != Subscriber.Status.ACTIVE:
        raise ValidationError(_("This address is not subscribed (any more)."), code="not_subscribed")
    if not clusters:
        raise ValidationError(_("Choose at least one association, or unsubscribe."), code="no_clusters")
    subscriber.clusters.set(clusters)
    subscriber.topics.set(topics)
    ConsentRecord.objects.create(
        subscriber=subscriber,
        action=ConsentRecord.Action.PREFERENCES,
        at=now or timezone.now(),
        ip_address=ip_address,
        user_agent=user_agent[:300],
        list_name=LIST_NAME,
        consent_text_version=CONSENT_TEXT_VERSION,
        language=subscriber.language,
        scope=_scope(clusters=clusters, topics=topics),
        via="preferences page",
    )
    return subscriber


@transaction.atomic
def subscriber_unsubscribe(
    *, subscriber_id: int, ip_address: str | None, user_agent: str = "", via: str, now=None
) -> Subscriber:
    """Withdraw consent: nothing more is sent, including newsletters already queued for this address.
    Unsubscribing twice is fine (mail clients repeat the one-click POST)."""
    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    if subscriber is None:
        raise ValidationError(_("This address is not on the list."), code="gone")
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        return subscriber
    now = now or timezone.now()
    subscriber.status = Subscriber.Status.UNSUBSCRIBED
    subscriber.unsubscribed_at = now
    subscriber.save(update_fields=["status", "unsubscribed_at"])
    ConsentRecord.objects.create(
        subscriber=subscriber,
        action=ConsentRecord.Action.WITHDRAWN,
        at=now,
        ip_address=ip_address,
        user_agent=user_agent[:300],
        list_name=LIST_NAME,
        consent_text_version=CONSENT_TEXT_VERSION,
        language=subscriber.language,
        via=via,
    )
    queued = Delivery.objects.filter(subscriber=subscriber, email__status=OutboundEmail.Status.QUEUED)
    OutboundEmail.objects.filter(pk__in=queued.values("email_id"), status=OutboundEmail.Status.QUEUED).update(
        status=OutboundEmail.Status.CANCELLED, last_error="withdrawn: the recipient unsubscribed"
    )
    return subscriber


# --- Issues --------------------------------------------------------------------------------------


def _newsletter_lock(newsletter: Newsletter) -> Newsletter:
    return Newsletter.objects.select_for_update().get(pk=newsletter.pk)


def _require_audience(newsletter: Newsletter) -> None:
    if not newsletter.clusters.exists():
        raise ValidationError(_("Choose at least one association the newsletter is for."), code="no_audience")


@transaction.atomic
def newsletter_send(*, newsletter: Newsletter, sent_by=None, now=None) -> Newsletter:
    """Start sending now. A newsletter is sent once: a second call is refused."""
    newsletter = _newsletter_lock(newsletter)
    if not newsletter.is_editable:
        raise ValidationError(_("This newsletter was already sent."), code="already_sent")
    _require_audience(newsletter)
    now = now or timezone.now()
    newsletter.status = Newsletter.Status.SENDING
    newsletter.started_at = now
    newsletter.started_by = sent_by
    newsletter.heartbeat_at = now
    newsletter.save(update_fields=["status", "started_at", "started_by", "heartbeat_at"])
    newsletter_id = newsletter.pk
    transaction.on_commit(lambda: newsletter_plan_dispatch(newsletter_id=newsletter_id), robust=True)
    return newsletter


@transaction.atomic
def newsletter_schedule(*, newsletter: Newsletter, when, now=None) -> Newsletter:
    """Send at ``when`` (the beat sweep starts it). Rescheduling is allowed until it starts."""
    newsletter = _newsletter_lock(newsletter)
    if not newsletter.is_editable:
        raise ValidationError(_("This newsletter was already sent."), code="already_sent")
    if when is None or when <= (now or timezone.now()):
        raise ValidationError(_("Choose a time in the future."), code="past")
    _require_audience(newsletter)
    newsletter.status = Newsletter.Status.SCHEDULED
    newsletter.scheduled_for = when
    newsletter.save(update_fields=["status", "scheduled_for"])
    return newsletter


@transaction.atomic
def newsletter_unschedule(*, newsletter: Newsletter) -> Newsletter:
    newsletter = _newsletter_lock(newsletter)
    if newsletter.status != Newsletter.Status.SCHEDULED:
        raise ValidationError(_("This newsletter is not scheduled."), code="not_scheduled")
    newsletter.status = Newsletter.Status.DRAFT
    newsletter.save(update_fields=["status"])
    return newsletter


def newsletter_plan_dispatch(*, newsletter_id: int) -> bool:
    """Queue the planning task; a dead broker is logged, and the sweep starts it later."""
    from ..tasks import newsletter_plan_task

    try:
        newsletter_plan_task.delay(newsletter_id)
    except Exception:
        logger.warning("Broker unavailable; newsletter %s starts with the next sweep.", newsletter_id)
        return False
    return True


def _list_headers(unsubscribe_url: str) -> dict:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return {
        "List-Id": f'"Cluster-Kooperation Newsletter" <newsletter.{domain}>',
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Precedence": "bulk",
    }


def newsletter_render(*, newsletter: Newsletter, language: str) -> tuple[str, str, str]:
    """Subject, text and HTML of an issue in a subscriber language, with placeholders for personal links."""
    return email_render(
        template="messaging/emails/newsletter",
        context={
            "newsletter": newsletter,
            "body_html": markdown_to_html(newsletter.body, for_email=True),
            "body_text": newsletter.body,
            "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
            "manage_url": MANAGE_PLACEHOLDER,
        },
        language=language,
    )


def _personalise(text: str, urls: dict, *, html: bool) -> str:
    quote = escape if html else str
    return text.replace(UNSUBSCRIBE_PLACEHOLDER, quote(urls["unsubscribe_url"])).replace(
        MANAGE_PLACEHOLDER, quote(urls["manage_url"])
    )


def newsletter_plan_chunk(*, newsletter_id: int, chunk_size: int = PLAN_CHUNK_SIZE, now=None) -> int | None:
    """Create deliveries and outbox rows for the next subscribers without one, in one transaction,
    and hand them to the broker in batches after commit. Returns how many, or None when done.

    The newsletter row lock serialises planners; the subscriber rows are locked too, so an
    unsubscribe either happens first (the subscriber is skipped) or waits and then withdraws the
    queued message. Safe to run again after a crash: it continues where the last commit ended.
    """
    with transaction.atomic():
        newsletter = Newsletter.objects.select_for_update().filter(pk=newsletter_id).first()
        if newsletter is None or newsletter.status != Newsletter.Status.SENDING:
            return None
        now = now or timezone.now()
        done = Delivery.objects.filter(newsletter=newsletter, subscriber_id=OuterRef("pk"))
        subscribers = list(
            newsletter_recipients(newsletter=newsletter)
            .filter(~Exists(done))
            .order_by("pk")
            .select_for_update()[:chunk_size]
        )
        offset = newsletter.deliveries.count()
        if not subscribers:
            newsletter.status = Newsletter.Status.SENT
            newsletter.planned_at = now
            newsletter.heartbeat_at = now
            newsletter.recipient_count = offset
            newsletter.save(update_fields=["status", "planned_at", "heartbeat_at", "recipient_count"])
            return None

        rendered = {}
        rate = settings.NEWSLETTER_RATE_PER_SECOND
        batch_size = max(settings.NEWSLETTER_BATCH_SIZE, 1)
        rows, schedule = [], []
        for index, subscriber in enumerate(subscribers):
            if subscriber.language not in rendered:
                rendered[subscriber.language] = newsletter_render(newsletter=newsletter, language=subscriber.language)
            subject, body_text, body_html = rendered[subscriber.language]
            urls = subscriber_urls(subscriber_id=subscriber.pk)
            if index % batch_size == 0:
                # Batch k of the whole issue starts k × batch / rate seconds after sending started.
                eta = newsletter.started_at + timedelta(seconds=(offset + index) / rate) if rate else now
                schedule.append(([], max((eta - now).total_seconds(), 0)))
            due = now + timedelta(seconds=schedule[-1][1])
            rows.append(
                OutboundEmail(
                    to_email=subscriber.email,
                    subject=subject,
                    body_text=_personalise(body_text, urls, html=False),
                    body_html=_personalise(body_html, urls, html=True),
                    headers=_list_headers(urls["unsubscribe_url"]),
                    template="messaging/emails/newsletter",
                    language=subscriber.language,
                    message_id=message_id_new(),
                    due_at=due,
                )
            )
        rows = OutboundEmail.objects.bulk_create(rows)
        Delivery.objects.bulk_create(
            [
                Delivery(newsletter=newsletter, subscriber=subscriber, email=row, created_at=now)
                for subscriber, row in zip(subscribers, rows, strict=True)
            ]
        )
        for index, row in enumerate(rows):
            schedule[index // batch_size][0].append(row.pk)
        newsletter.heartbeat_at = now
        newsletter.save(update_fields=["heartbeat_at"])

        def dispatch():
            for ids, countdown in schedule:
                outbox_dispatch(email_ids=ids, countdown=countdown, rate=rate)

        transaction.on_commit(dispatch, robust=True)
        return len(rows)


def newsletter_plan(*, newsletter_id: int) -> int:
    """Plan a whole issue, chunk by chunk. Returns the number of deliveries created by this call."""
    created = 0
    while (count := newsletter_plan_chunk(newsletter_id=newsletter_id)) is not None:
        created += count
    return created


def newsletter_send_test(*, newsletter: Newsletter, to_email: str, language: str) -> OutboundEmail:
    """Send the issue as it will look to ``to_email`` only; its personal links lead to the sign-up page."""
    subject, body_text, body_html = newsletter_render(newsletter=newsletter, language=language)
    signup = settings.SITE_URL + reverse("messaging:newsletter_signup")
    urls = {"unsubscribe_url": signup, "manage_url": signup}
    row = OutboundEmail(
        to_email=to_email,
        subject=f"[{_('Test')}] {subject}"[:300],
        body_text=_personalise(body_text, urls, html=False),
        body_html=_personalise(body_html, urls, html=True),
        template="messaging/emails/newsletter",
        language=language,
        message_id=message_id_new(),
    )
    with transaction.atomic():
        return outbox_save(rows=[row])[0]


def newsletters_sweep(*, now=None) -> dict[str, int]:
    """Beat: start scheduled newsletters that are due, and resume planning that stalled (a worker died,
    the broker was down when sending started)."""
    now = now or timezone.now()
    started = resumed = 0
    for newsletter in Newsletter.objects.filter(status=Newsletter.Status.SCHEDULED, scheduled_for__lte=now):
        try:
            newsletter_send(newsletter=newsletter, now=now)
            started += 1
        except ValidationError as error:
            logger.warning("Scheduled newsletter %s not started: %s", newsletter.pk, error)
    stalled = Newsletter.objects.filter(status=Newsletter.Status.SENDING, heartbeat_at__lte=now - PLAN_STALLED_AFTER)
    for newsletter_id in stalled.values_list("pk", flat=True):
        # Touch first: a planner waiting behind a long queue is not sent a twin every minute.
        Newsletter.objects.filter(pk=newsletter_id).update(heartbeat_at=now)
        resumed += newsletter_plan_dispatch(newsletter_id=newsletter_id)
    return {"started": started, "resumed": resumed}
