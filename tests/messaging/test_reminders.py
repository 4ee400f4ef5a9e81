"""Event reminders: the day before, each confirmed person once, never two, whatever runs twice."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from events.models import Registration
from messaging.models import EventReminder, OutboundEmail
from messaging.services import reminders as service
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2026, 3, 9, 9, 5, tzinfo=BERLIN)  # a Monday morning


def event_at(day: int, hour: int, **kwargs):
    starts = dt.datetime(2026, 3, day, hour, 0, tzinfo=BERLIN)
    return EventFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=2), **kwargs)


def test_confirmed_people_of_tomorrow_s_events_are_reminded_once():
    tomorrow = event_at(10, 8)
    late_tomorrow = event_at(10, 23)
    day_after = event_at(11, 0)
    confirmed = RegistrationFactory.create_batch(2, event=tomorrow)
    RegistrationFactory(event=tomorrow, status=Registration.Status.WAITING)
    RegistrationFactory(event=tomorrow, status=Registration.Status.CANCELLED)
    RegistrationFactory(event=tomorrow, person__email="")
    late = RegistrationFactory(event=late_tomorrow)
    RegistrationFactory(event=day_after)
    assert service.event_reminders_due(now=NOW) == 3
    assert service.event_reminders_due(now=NOW + dt.timedelta(hours=1)) == 0
    reminded = set(EventReminder.objects.values_list("registration_id", flat=True))
    assert reminded == {r.pk for r in [*confirmed, late]}
    rows = OutboundEmail.objects.filter(template="messaging/emails/event_reminder")
    assert sorted(rows.values_list("to_email", flat=True)) == sorted(r.person.email for r in [*confirmed, late])
    assert str(tomorrow) in rows.filter(to_email=confirmed[0].person.email).get().subject


def test_someone_confirmed_later_that_day_is_reminded_too():
    event = event_at(10, 18)
    RegistrationFactory(event=event)
    assert service.event_reminders_due(now=NOW) == 1
    RegistrationFactory(event=event)  # moved up from the waiting list in the afternoon
    assert service.event_reminders_due(now=NOW + dt.timedelta(hours=6)) == 1
    assert EventReminder.objects.count() == 2


def test_tomorrow_is_measured_in_berlin_time():
    event = event_at(10, 0)  # 00:00 in Berlin is still the 9th in UTC
    RegistrationFactory(event=event)
    late_evening = dt.datetime(2026, 3, 9, 23, 30, tzinfo=BERLIN)
    assert service.event_reminders_due(now=late_evening - dt.timedelta(days=1)) == 0
    assert service.event_reminders_due(now=late_evening) == 1
    assert timezone.localdate(late_evening) == dt.date(2026, 3, 9)
