"""Calendar files: Europe/Berlin times with VTIMEZONE, stable UIDs, and the personal feed."""

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from events.calendar import event_ics
from events.models import Event, Registration
from members.models import Membership
from tests.events.factories import EventFactory, RegistrationFactory
from tests.members.factories import member_person

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def parse(content: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(content)


def next_date(month: int, day: int) -> dt.date:
    """The next such date that is at least a few days away."""
    today = timezone.localdate()
    candidate = dt.date(today.year, month, day)
    return candidate if candidate > today + dt.timedelta(days=3) else dt.date(today.year + 1, month, day)


@pytest.mark.parametrize(("month", "day", "offset"), [(7, 15, 2), (1, 15, 1)], ids=["summer-CEST", "winter-CET"])
def test_times_are_berlin_local_time_with_a_vtimezone(month, day, offset):
    day = next_date(month, day)
    starts = dt.datetime(day.year, day.month, day.day, 18, 30, tzinfo=BERLIN)
    event = EventFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=2), title="Netzwerkabend")
    content = event_ics(event, language="de")
    text = content.decode()

    assert f"DTSTART;TZID=Europe/Berlin:{day:%Y%m%d}T183000" in text
    assert f"DTEND;TZID=Europe/Berlin:{day:%Y%m%d}T203000" in text
    calendar = parse(content)
    [vtimezone] = calendar.walk("VTIMEZONE")
    assert vtimezone["TZID"] == "Europe/Berlin"
    assert {c.name for c in vtimezone.subcomponents} >= {"STANDARD", "DAYLIGHT"}
    [vevent] = calendar.walk("VEVENT")
    assert vevent.decoded("dtstart") == starts
    assert vevent.decoded("dtstart").utcoffset() == dt.timedelta(hours=offset)
    assert str(vevent["summary"]) == "Netzwerkabend"
    assert str(vevent["url"]).endswith(event.get_absolute_url())


def test_uid_is_stable_across_downloads_and_edits():
    event = EventFactory(title="Alt")
    first = parse(event_ics(event, language="de")).walk("VEVENT")[0]["uid"]
    event.title = "Neu"
    event.save()
    second = parse(event_ics(event, language="de")).walk("VEVENT")[0]["uid"]
    assert first == second == f"event-{event.pk}@127.0.0.1"


def test_texts_follow_the_language():
    event = EventFactory(title="Daten in der Lieferkette", title_en="Data in the supply chain", venue="Halle 3")
    summary = parse(event_ics(event, language="en")).walk("VEVENT")[0]["summary"]
    assert str(summary) == "Data in the supply chain"
    location = parse(event_ics(event, language="de")).walk("VEVENT")[0]["location"]
    assert str(location) == "Halle 3, Leipzig"


def test_online_event_location_is_the_link():
    event = EventFactory(city="", online_url="https://meet.example.org/raum")
    assert str(parse(event_ics(event, language="de")).walk("VEVENT")[0]["location"]) == "https://meet.example.org/raum"


def test_download_view_sends_an_attachment(client):
    event = EventFactory(audience=Event.Audience.PUBLIC)
    response = client.get(reverse("events:calendar", args=[event.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{event.slug}.ics"'
    assert parse(response.content).walk("VEVENT")[0]["uid"] == f"event-{event.pk}@127.0.0.1"


@pytest.fixture
def feed_world(facts):
    acod, nlmd = facts["clusters"]["acod"], facts["clusters"]["nlmd"]
    person = member_person(clusters=[acod], language="en")
    now = timezone.now()
    events = {
        "confirmed": EventFactory(organisers=[acod], audience=Event.Audience.ORGANISER_MEMBERS, title_en="Confirmed"),
        "attended": EventFactory(
            organisers=[acod], starts_at=now - dt.timedelta(days=30), ends_at=now - dt.timedelta(days=30, hours=-2)
        ),
        "long_ago": EventFactory(
            organisers=[acod], starts_at=now - dt.timedelta(days=400), ends_at=now - dt.timedelta(days=400, hours=-2)
        ),
        "waiting": EventFactory(organisers=[acod]),
        "cancelled": EventFactory(organisers=[acod]),
        "other_cluster": EventFactory(organisers=[nlmd], audience=Event.Audience.ORGANISER_MEMBERS),
    }
    RegistrationFactory(event=events["confirmed"], person=person)
    RegistrationFactory(event=events["attended"], person=person, status="attended", checked_in_at=now)
    RegistrationFactory(event=events["long_ago"], person=person, status="attended", checked_in_at=now)
    RegistrationFactory(event=events["waiting"], person=person, status="waiting")
    RegistrationFactory(event=events["cancelled"], person=person, status="cancelled")
    # A row the person should never have had (e.g. written in the admin): the feed still obeys the audience.
    RegistrationFactory(event=events["other_cluster"], person=person)
    return person, events


def feed_uids(client, token):
    response = client.get(reverse("events:feed", kwargs={"token": token}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return {str(e["uid"]) for e in parse(response.content).walk("VEVENT")}, response


def test_feed_lists_the_persons_seats_only(client, feed_world):
    person, events = feed_world
    uids, response = feed_uids(client, person.calendar_token)
    expected = {f"event-{events[k].pk}@127.0.0.1" for k in ("confirmed", "attended")}
    assert uids == expected
    assert b"X-WR-CALNAME:Cluster cooperation" in response.content  # the person's language (English)
    assert b"BEGIN:VTIMEZONE" in response.content


def test_feed_drops_events_once_the_membership_ends(client, feed_world):
    person, events = feed_world
    Membership.objects.filter(organisation=person.organisation).update(
        status=Membership.Status.ENDED, until=timezone.localdate()
    )
    uids, _response = feed_uids(client, person.calendar_token)
    assert f"event-{events['confirmed'].pk}@127.0.0.1" not in uids  # members only
    assert f"event-{events['attended'].pk}@127.0.0.1" in uids  # public


def test_unknown_token_is_404(client, db):
    assert client.get(reverse("events:feed", kwargs={"token": "not-a-token"})).status_code == 404


def test_renewing_the_token_revokes_the_old_address(client, feed_world):
    person, _events = feed_world
    old = person.calendar_token
    client.force_login(person.user)
    response = client.post(reverse("members:calendar_renew"), {"next": "mine"})
    assert response.status_code == 302 and response["Location"] == reverse("events:mine")
    person.refresh_from_db()
    assert person.calendar_token != old and len(person.calendar_token) >= 32
    assert client.get(reverse("events:feed", kwargs={"token": old})).status_code == 404
    assert feed_uids(client, person.calendar_token)[0]


def test_feed_address_is_shown_on_my_registrations(client, feed_world):
    person, _events = feed_world
    client.force_login(person.user)
    html = client.get(reverse("events:mine")).content.decode()
    assert f"{settings.SITE_URL.split('//')[0]}//testserver/events/feed/{person.calendar_token}.ics" in html


def test_registration_rows_keep_their_event_in_the_feed_after_a_title_change(client, feed_world):
    person, events = feed_world
    Event.objects.filter(pk=events["confirmed"].pk).update(title="Umbenannt", title_en="Renamed")
    uids, response = feed_uids(client, person.calendar_token)
    assert f"event-{events['confirmed'].pk}@127.0.0.1" in uids
    assert b"SUMMARY:Renamed" in response.content
    assert Registration.objects.filter(person=person).count() == 6
