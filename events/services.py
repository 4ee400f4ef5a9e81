"""Registrations: register, waiting list, cancel, promotion. Capacity is never exceeded.

Every change locks the event row first (``select_for_update``), then counts: sign-ups and
cancellations for one event run one after the other, whatever the concurrency. E-mails are written to
the outbox in the same transaction and sent after commit.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from members.models import Person, User
from members.selectors import roles_for_person
from members.services import absolute_url, person_recipient
from messaging.services import outbox_enqueue

from .calendar import event_ics_attachment
from .models import Event, Registration
from .selectors import events_visible

logger = logging.getLogger(__name__)

ACTIVE = (Registration.Status.CONFIRMED, Registration.Status.WAITING)


def _event_for_update(*, event_id: int) -> Event:
    """The event row, locked until the transaction ends: serialises every registration change of the event."""
    return Event.objects.select_for_update().get(pk=event_id)


def _seats_and_queue(*, event: Event) -> tuple[int, int]:
    """Seats taken (confirmed or attended) and people waiting, counted now (never a stored counter)."""
    registrations = Registration.objects.filter(event=event)
    taken = registrations.filter(status__in=Registration.SEAT_STATUSES).count()
    waiting = registrations.filter(status=Registration.Status.WAITING).count()
    return taken, waiting


def may_act_for(*, user: User | None, person: Person) -> bool:
    """A person acts for themselves; the primary contact of their organisation acts for colleagues."""
    if user is None:  # the system itself (admin actions, tasks)
        return True
    own = getattr(user, "person", None)
    if own is None:
        return False
    if own.pk == person.pk:
        return True
    return bool(own.is_primary_contact and own.organisation_id and own.organisation_id == person.organisation_id)


def waiting_position(*, registration: Registration) -> int | None:
    """1 for the first on the waiting list, and so on (ordered by time of registration)."""
    if registration.status != Registration.Status.WAITING:
        return None
    ahead = Registration.objects.filter(event_id=registration.event_id, status=Registration.Status.WAITING).filter(
        Q(created_at__lt=registration.created_at) | Q(created_at=registration.created_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def _email(*, registration: Registration, kind: str, position: int | None = None) -> None:
    """Write the e-mail about a registration change to the outbox (confirmed ones with an .ics attached)."""
    person = registration.person
    to, language = person_recipient(person)
    if not to:
        logger.info("No e-mail address for person %s; registration %s mail skipped.", person.pk, registration.pk)
        return
    event = registration.event
    attachments = []
    if kind in ("confirmed", "promoted"):
        attachments.append(event_ics_attachment(event, language=language))
    outbox_enqueue(
        to=to,
        template=f"events/emails/registration_{kind}",
        context={
            "registration": registration,
            "event": event,
            "person": person,
            "position": position,
            "event_url": absolute_url(event.get_absolute_url()),
            "registrations_url": absolute_url(reverse("events:mine")),
        },
        language=language,
        attachments=attachments,
    )


@transaction.atomic
def registration_create(
    *, event: Event, person: Person, registered_by: User | None, invited: bool = False
) -> Registration:
    """Register a person for an event: a seat if one is free, else a place on the waiting list.

    ``invited``: the person answers a staff invitation, which is their permission – the audience and
    membership checks do not apply. The returned registration carries ``waiting_position``
    (``None`` when confirmed).
    """
    event = _event_for_update(event_id=event.pk)
    if registered_by is not None and not may_act_for(user=registered_by, person=person):
        raise ValidationError(_("You may only register yourself or colleagues of your organisation."), code="forbidden")
    if person.organisation_id is None and not invited:
        raise ValidationError(
            _("Only people of a member organisation can register. Please link your login to your organisation."),
            code="no_organisation",
        )
    if not invited and not events_visible(roles=roles_for_person(person=person)).filter(pk=event.pk).exists():
        raise ValidationError(_("This event is open to members of the organising associations only."), code="audience")
    state = event.registration_state()
    if state == "not_yet":
        raise ValidationError(
            _("Registration opens on %(date)s."),
            code="not_yet",
            params={
                "date": formats.date_format(timezone.localtime(event.registration_opens_at), "SHORT_DATETIME_FORMAT")
            },
        )
    if state == "closed":
        raise ValidationError(_("Registration for this event is closed."), code="closed")
    existing = Registration.objects.filter(event=event, person=person, status__in=ACTIVE).first()
    if existing is not None:
        raise ValidationError(
            _("%(name)s is already registered for this event (%(status)s)."),
            code="duplicate",
            params={"name": person.full_name, "status": existing.get_status_display()},
        )
    taken, waiting = _seats_and_queue(event=event)
    # Nobody overtakes the waiting list: a free seat goes to a newcomer only when nobody waits.
    if taken < event.capacity and waiting == 0:
        status, position = Registration.Status.CONFIRMED, None
    else:
        status, position = Registration.Status.WAITING, waiting + 1
    now = timezone.now()
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                event=event,
                person=person,
                organisation_id=person.organisation_id,
                status=status,
                created_at=now,
                status_changed_at=now,
                registered_by=registered_by,
            )
    except IntegrityError:  # a row written without the event lock (e.g. in the admin) got there first
        raise ValidationError(
            _("%(name)s is already registered for this event."), code="duplicate", params={"name": person.full_name}
        ) from None
    registration.waiting_position = position
    _email(registration=registration, kind=status, position=position)
    return registration


def _promote(*, event: Event) -> list[Registration]:
    """Give free seats to the first on the waiting list, in order. The caller holds the event lock."""
    if event.starts_at <= timezone.now():
        return []
    taken, _waiting = _seats_and_queue(event=event)
    free = event.capacity - taken
    if free <= 0:
        return []
    promoted = list(
        Registration.objects.select_related("person__user", "event")
        .filter(event=event, status=Registration.Status.WAITING)
        .order_by("created_at", "pk")[:free]
    )
    now = timezone.now()
    for registration in promoted:
        registration.status = Registration.Status.CONFIRMED
        registration.status_changed_at = now
        registration.save(update_fields=["status", "status_changed_at"])
        if registration.person is not None:
            _email(registration=registration, kind="promoted")
    return promoted


@transaction.atomic
def registration_cancel(*, registration: Registration, cancelled_by: User | None, notify: bool = True) -> Registration:
    """Cancel a registration before the event starts; a freed seat goes to the first on the waiting list,
    who is told by e-mail. ``notify=False``: no confirmation to the person (their account is being deleted)."""
    event = _event_for_update(event_id=registration.event_id)
    registration = (
        Registration.objects.select_for_update(of=("self",)).select_related("person__user").get(pk=registration.pk)
    )
    if registration.person is None or (
        cancelled_by is not None and not may_act_for(user=cancelled_by, person=registration.person)
    ):
        raise ValidationError(_("You may only cancel your own registrations or your colleagues'."), code="forbidden")
    if registration.status not in ACTIVE:
        raise ValidationError(_("This registration is not active."), code="not_active")
    if event.starts_at <= timezone.now():
        raise ValidationError(
            _("The event has already started; the registration can no longer be cancelled."), code="started"
        )
    held_seat = registration.status == Registration.Status.CONFIRMED
    registration.status = Registration.Status.CANCELLED
    registration.status_changed_at = timezone.now()
    registration.save(update_fields=["status", "status_changed_at"])
    registration.event = event
    if notify:
        _email(registration=registration, kind="cancelled")
    if held_seat:
        _promote(event=event)
    return registration


@transaction.atomic
def waiting_list_fill(*, event: Event) -> list[Registration]:
    """After staff raised the capacity: confirm as many waiting people as there are free seats."""
    return _promote(event=_event_for_update(event_id=event.pk))


@transaction.atomic
def registration_check_in(*, registration: Registration, checked_in_by: User | None) -> Registration:
    """Mark a confirmed registration as attended. Locks only this row, so several staff can check in
    different people at once; a second tap on the same person changes nothing."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == Registration.Status.ATTENDED:
        return registration
    if registration.status != Registration.Status.CONFIRMED:
        raise ValidationError(
            _("Only confirmed registrations can be checked in (this one is: %(status)s)."),
            code="not_confirmed",
            params={"status": registration.get_status_display()},
        )
    registration.status = Registration.Status.ATTENDED
    registration.checked_in_at = timezone.now()
    registration.checked_in_by = checked_in_by
    registration.status_changed_at = registration.checked_in_at
    registration.save(update_fields=["status", "checked_in_at", "checked_in_by", "status_changed_at"])
    return registration


@transaction.atomic
def registration_check_in_undo(*, registration: Registration) -> Registration:
    """Take back a check-in tapped by mistake: the person holds a confirmed seat again."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != Registration.Status.ATTENDED:
        return registration
    registration.status = Registration.Status.CONFIRMED
    registration.checked_in_at = None
    registration.checked_in_by = None
    registration.status_changed_at = timezone.now()
    registration.save(update_fields=["status", "checked_in_at", "checked_in_by", "status_changed_at"])
    return registration
