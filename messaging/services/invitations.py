"""Invitations: send a round, answer by signed link, remind those who have not answered (once).

Lock order everywhere: the event row first, then invitation rows (the event's registration service
locks the event too), so a reminder and an answer never deadlock.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from events.models import Event, Registration
from events.services import registration_create
from members.models import Person

from ..models import Invitation, InvitationRound
from ..selectors import invitation_round_preview
from ..tokens import invitation_urls
from .outbox import outbox_build, outbox_save

logger = logging.getLogger(__name__)


def person_language(person: Person) -> str:
    """The language a person reads e-mails in: their login's language, else German."""
    user = person.user if person.user_id else None
    return (getattr(user, "language", "") or "de")[:2]


def _invitation_email(*, invitation: Invitation, person: Person, event: Event, template: str):
    return outbox_build(
        to=person.email,
        template=template,
        context={
            "person_name": person.full_name,
            "event": event,
            "closes_at": event.registration_closes_at or event.starts_at,
            **invitation_urls(invitation_id=invitation.pk, person_id=person.pk),
        },
        language=person_language(person),
    )


@transaction.atomic
def invitation_round_send(*, round: InvitationRound, sent_by=None) -> int:
    """Invite everybody the round's audience reaches who is not invited to the event yet: one row and
    one personal e-mail per person. Returns the number invited. A round is sent once."""
    event = Event.objects.select_for_update().get(pk=round.event_id)  # serialises the event's rounds
    round = InvitationRound.objects.select_for_update().get(pk=round.pk)
    if round.status != InvitationRound.Status.DRAFT:
        raise ValidationError(_("These invitations were already sent."), code="already_sent")
    if event.registration_state() == "closed":
        raise ValidationError(_("Registration for this event has closed; nobody can accept now."), code="closed")
    preview = invitation_round_preview(round=round)
    if not preview.recipients:
        raise ValidationError(
            _("Nobody to invite: the audience is empty or everybody is invited already."), code="empty"
        )
    now = timezone.now()
    invitations = Invitation.objects.bulk_create(
        [Invitation(event=event, person=person, round=round, created_at=now) for person in preview.recipients]
    )
    emails = outbox_save(
        rows=[
            _invitation_email(invitation=invitation, person=person, event=event, template="messaging/emails/invitation")
            for invitation, person in zip(invitations, preview.recipients, strict=True)
        ]
    )
    for invitation, email in zip(invitations, emails, strict=True):
        invitation.email = email
    Invitation.objects.bulk_update(invitations, ["email"])
    round.status = InvitationRound.Status.SENT
    round.sent_at = now
    round.sent_by = sent_by
    round.save(update_fields=["status", "sent_at", "sent_by"])
    return len(invitations)


@transaction.atomic
def invitation_answer(*, invitation_id: int, person_id: int, accept: bool, now=None) -> Invitation:
    """Accept (register, or join the waiting list) or decline, once, while registration is open."""
    now = now or timezone.now()
    event_id = (
        Invitation.objects.filter(pk=invitation_id, person_id=person_id).values_list("event_id", flat=True).first()
    )
    if event_id is None:
        raise ValidationError(_("This invitation no longer exists."), code="gone")
    event = Event.objects.select_for_update().get(pk=event_id)
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("person__organisation", "person__user")
        .get(pk=invitation_id)
    )
    if invitation.status != Invitation.Status.OPEN:
        raise ValidationError(_("This invitation has already been answered."), code="answered")
    state = event.registration_state(now)
    if state == "closed":
        raise ValidationError(_("Registration for this event has closed."), code="expired")
    if accept:
        if state == "not_yet":
            raise ValidationError(
                _("Registration opens on %(date)s. Please use the link again then.")
                % {"date": formats.date_format(timezone.localtime(event.registration_opens_at), "DATETIME_FORMAT")},
                code="not_yet",
            )
        invitation.registration = registration_for_invitation(event=event, person=invitation.person)
        invitation.status = Invitation.Status.ACCEPTED
    else:
        invitation.status = Invitation.Status.DECLINED
    invitation.answered_at = now
    invitation.save(update_fields=["status", "answered_at", "registration"])
    return invitation


def registration_for_invitation(*, event: Event, person: Person) -> Registration:
    """Register ``person`` for ``event`` on their invitation (an existing active registration is kept).

    ``events.services.registration_create`` confirms or puts on the waiting list and writes its e-mails.
    """
    existing = Registration.objects.active().filter(event=event, person=person).first()
    if existing is not None:
        return existing
    return registration_create(event=event, person=person, registered_by=None, invited=True)


@transaction.atomic
def invitation_reminders_send(*, event: Event, now=None) -> int:
    """Remind everybody invited to ``event`` who has not answered and was not reminded yet. Returns the count."""
    now = now or timezone.now()
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.registration_state(now) == "closed":
        raise ValidationError(
            _("Registration for this event has closed; a reminder would come too late."), code="closed"
        )
    invitations = list(
        Invitation.objects.select_for_update(of=("self",))
        .filter(event=event, status=Invitation.Status.OPEN, reminded_at__isnull=True, person__isnull=False)
        .exclude(person__email="")
        .filter(person__receives_invitations=True)
        .select_related("person__user")
        .order_by("pk")
    )
    if not invitations:
        return 0
    emails = outbox_save(
        rows=[
            _invitation_email(
                invitation=invitation,
                person=invitation.person,
                event=event,
                template="messaging/emails/invitation_reminder",
            )
            for invitation in invitations
        ]
    )
    for invitation, email in zip(invitations, emails, strict=True):
        invitation.reminded_at = now
        invitation.reminder_email = email
    Invitation.objects.bulk_update(invitations, ["reminded_at", "reminder_email"])
    return len(invitations)
