"""Event reminders: the day before an event, one e-mail per confirmed registration, never two."""

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from events.models import Event, Registration

from ..models import EventReminder
from .invitations import person_language
from .outbox import outbox_build, outbox_save


def events_starting_tomorrow(*, now=None):
    """Events whose start falls on tomorrow's date in the portal's time zone (Europe/Berlin)."""
    tomorrow = timezone.localdate(now or timezone.now()) + dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time.min))
    return Event.objects.filter(starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1))


@transaction.atomic
def event_reminders_send(*, event: Event) -> int:
    """Remind every confirmed person of ``event`` who was not reminded yet. Returns the number reminded.

    The event row lock serialises two runs; the one-to-one ``EventReminder.registration`` makes a
    second reminder impossible even without it.
    """
    event = Event.objects.select_for_update().get(pk=event.pk)
    reminded = EventReminder.objects.filter(registration_id=OuterRef("pk"))
    registrations = list(
        Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED, person__isnull=False)
        .exclude(person__email="")
        .filter(~Exists(reminded))
        .select_related("person__user", "person__organisation")
        .order_by("pk")
    )
    if not registrations:
        return 0
    emails = outbox_save(
        rows=[
            outbox_build(
                to=registration.person.email,
                template="messaging/emails/event_reminder",
                context={"person_name": registration.person.full_name, "event": event},
                language=person_language(registration.person),
            )
            for registration in registrations
        ]
    )
    EventReminder.objects.bulk_create(
        [EventReminder(registration=r, email=e) for r, e in zip(registrations, emails, strict=True)]
    )
    return len(registrations)


def event_reminders_due(*, now=None) -> int:
    """Beat: remind the confirmed people of tomorrow's events (each event in its own transaction)."""
    return sum(event_reminders_send(event=event) for event in events_starting_tomorrow(now=now))
