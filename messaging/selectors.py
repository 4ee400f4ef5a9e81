"""Reads of messaging: who an invitation round or a newsletter reaches, and how far sending got."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Lower

from events.models import Event, Registration
from members.models import Membership, Organisation, Person

from .models import Delivery, Invitation, InvitationRound, Newsletter, OutboundEmail, Subscriber

Offers = Organisation.offers.through
Seeks = Organisation.seeks.through


# --- Invitations ---------------------------------------------------------------------------------


@dataclass
class AudiencePreview:
    """Who an invitation round reaches, and why the others are left out."""

    matched: int = 0
    opted_out: int = 0
    without_email: int = 0
    already_invited: int = 0
    already_registered: int = 0
    same_email: int = 0
    recipients: list[Person] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.recipients)


def audience_people(
    *, cluster_ids: list[int], kinds: list[str], topic_ids: list[int], person_ids: list[int]
) -> QuerySet[Person]:
    """People matching an audience, each once, however many associations their organisation is in.

    Within a dimension the choices add up; across dimensions they narrow down; explicit people are added.
    """
    matched = Q(pk__in=[])
    if cluster_ids or kinds or topic_ids:
        memberships = Membership.objects.active().filter(organisation_id=OuterRef("organisation_id"))
        if cluster_ids:
            memberships = memberships.filter(cluster_id__in=cluster_ids)
        criteria = Q(Exists(memberships))
        if kinds:
            criteria &= Q(organisation__kind__in=kinds)
        if topic_ids:
            offers = Offers.objects.filter(organisation_id=OuterRef("organisation_id"), topic_id__in=topic_ids)
            seeks = Seeks.objects.filter(organisation_id=OuterRef("organisation_id"), topic_id__in=topic_ids)
            criteria &= Q(Exists(offers)) | Q(Exists(seeks))
        matched |= criteria
    if person_ids:
        matched |= Q(pk__in=person_ids)
    return Person.objects.filter(matched)


def invitation_round_preview(*, round: InvitationRound) -> AudiencePreview:
    """The people a draft round would invite after removing duplicates and opt-outs, with the reasons."""
    people = audience_people(
        cluster_ids=[c.pk for c in round.clusters.all()],
        kinds=list(round.organisation_kinds),
        topic_ids=[t.pk for t in round.topics.all()],
        person_ids=[p.pk for p in round.people.all()],
    )
    return audience_preview(event_id=round.event_id, people=people)


def audience_preview(*, event_id: int, people: QuerySet[Person]) -> AudiencePreview:
    invited = Invitation.objects.filter(event_id=event_id, person_id=OuterRef("pk"))
    registered = Registration.objects.active().filter(event_id=event_id, person_id=OuterRef("pk"))
    rows = (
        people.annotate(_invited=Exists(invited), _registered=Exists(registered), _email_key=Lower("email"))
        .select_related("organisation", "user")
        .order_by("pk")
    )
    invited_emails = set(
        Invitation.objects.filter(event_id=event_id, person__isnull=False)
        .annotate(key=Lower("person__email"))
        .values_list("key", flat=True)
    )
    preview = AudiencePreview()
    seen = set()
    for person in rows:
        preview.matched += 1
        if not person.receives_invitations:
            preview.opted_out += 1
        elif not person.email:
            preview.without_email += 1
        elif person._invited:
            preview.already_invited += 1
        elif person._registered:
            preview.already_registered += 1
        elif person._email_key in seen or person._email_key in invited_emails:
            preview.same_email += 1
        else:
            seen.add(person._email_key)
            preview.recipients.append(person)
    return preview


def _count(queryset) -> Coalesce:
    counted = queryset.filter(event_id=OuterRef("pk")).order_by().values("event_id").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")), 0)


def events_with_invitation_counts(queryset: QuerySet[Event]) -> QuerySet[Event]:
    """Per event: invited, sent, accepted, declined, no answer, reminded — correlated counts, no fan-out."""
    invitations = Invitation.objects.all()
    return queryset.annotate(
        invited=_count(invitations),
        sent=_count(invitations.filter(email__status=OutboundEmail.Status.SENT)),
        failed=_count(invitations.filter(email__status=OutboundEmail.Status.FAILED)),
        accepted=_count(invitations.filter(status=Invitation.Status.ACCEPTED)),
        declined=_count(invitations.filter(status=Invitation.Status.DECLINED)),
        open=_count(invitations.filter(status=Invitation.Status.OPEN)),
        reminded=_count(invitations.filter(reminded_at__isnull=False)),
        remindable=_count(
            invitations.filter(status=Invitation.Status.OPEN, reminded_at__isnull=True, person__isnull=False)
        ),
    )


# --- Newsletters ---------------------------------------------------------------------------------


def newsletter_recipients(*, newsletter: Newsletter) -> QuerySet[Subscriber]:
    """Active subscribers who want news from one of the newsletter's associations and, when it has
    topics, are interested in one of them or in all topics (no topic chosen)."""
    cluster_ids = list(newsletter.clusters.values_list("pk", flat=True))
    topic_ids = list(newsletter.topics.values_list("pk", flat=True))
    wants_cluster = Subscriber.clusters.through.objects.filter(subscriber_id=OuterRef("pk"), cluster_id__in=cluster_ids)
    recipients = Subscriber.objects.filter(Exists(wants_cluster), status=Subscriber.Status.ACTIVE)
    if topic_ids:
        any_topic = Subscriber.topics.through.objects.filter(subscriber_id=OuterRef("pk"))
        recipients = recipients.filter(~Exists(any_topic) | Exists(any_topic.filter(topic_id__in=topic_ids)))
    return recipients


STATUS_KEYS = {
    OutboundEmail.Status.QUEUED: "queued",
    OutboundEmail.Status.SENT: "sent",
    OutboundEmail.Status.FAILED: "failed",
    OutboundEmail.Status.CANCELLED: "cancelled",
}


def newsletter_progress(*, newsletter_id: int) -> dict[str, int]:
    """How many deliveries are queued, sent, failed and withdrawn (one query)."""
    counts = dict.fromkeys([*STATUS_KEYS.values(), "total"], 0)
    rows = (
        Delivery.objects.filter(newsletter_id=newsletter_id).values("email__status").annotate(n=Count("pk")).order_by()
    )
    for row in rows:
        key = STATUS_KEYS.get(row["email__status"], "queued")
        counts[key] += row["n"]
        counts["total"] += row["n"]
    return counts


def newsletters_with_progress(queryset: QuerySet[Newsletter]) -> QuerySet[Newsletter]:
    def counted(status=None):
        deliveries = Delivery.objects.filter(newsletter_id=OuterRef("pk"))
        if status:
            deliveries = deliveries.filter(email__status=status)
        deliveries = deliveries.order_by().values("newsletter_id").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(deliveries), 0)

    return queryset.annotate(
        delivery_total=counted(),
        delivery_sent=counted(OutboundEmail.Status.SENT),
        delivery_failed=counted(OutboundEmail.Status.FAILED),
        delivery_queued=counted(OutboundEmail.Status.QUEUED),
    )
