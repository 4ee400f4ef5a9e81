"""Event pages: filters, search, pagination, past events, detail, register/cancel views, query counts."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import Event, Registration
from messaging.models import OutboundEmail
from tests.events.factories import EventFactory, RegistrationFactory
from tests.members.factories import PersonFactory, member_person

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(autouse=True)
def english(client):
    """Pages in English: the assertions read the English texts."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def titles(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'class="stretched-link[^"]*" href="[^"]+">([^<]+)</a>', response.content.decode())


@pytest.fixture
def catalogue(facts):
    acod, cluster_it, nlmd = (facts["clusters"][k] for k in ("acod", "cluster-it", "nlmd"))
    goals = facts["goals"]
    now = timezone.now()
    day = (now + dt.timedelta(days=30)).astimezone(BERLIN).replace(hour=10, minute=0, second=0, microsecond=0)
    joint = EventFactory(
        title="KI in der Intralogistik",
        organisers=[cluster_it, nlmd],
        format=Event.Format.WORKSHOP,
        city="Leipzig",
        starts_at=day,
        ends_at=day + dt.timedelta(hours=3),
        description="Roboter und Daten im Lager.",
    )
    joint.goals.set([goals[2]])
    single = EventFactory(
        title="Branchenfrühstück Elektromobilität",
        organisers=[acod],
        format=Event.Format.NETWORKING,
        city="Zwickau",
        starts_at=day + dt.timedelta(days=10),
        ends_at=day + dt.timedelta(days=10, hours=2),
    )
    single.goals.set([goals[1]])
    webinar = EventFactory(
        title="IT-Sicherheit in der Produktion",
        organisers=[acod, cluster_it],
        format=Event.Format.WEBINAR,
        city="",
        online_url="https://meet.example.org/x",
        starts_at=day + dt.timedelta(days=20),
        ends_at=day + dt.timedelta(days=20, hours=1),
    )
    past = EventFactory(
        title="IT trifft Logistik 2025",
        organisers=[cluster_it, nlmd],
        starts_at=now - dt.timedelta(days=40),
        ends_at=now - dt.timedelta(days=40, hours=-3),
    )
    return {"joint": joint, "single": single, "webinar": webinar, "past": past}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["joint", "single", "webinar"]),
        ({"association": "acod"}, ["single", "webinar"]),
        ({"format": "workshop"}, ["joint"]),
        ({"city": "Zwickau"}, ["single"]),
        ({"joint": "on"}, ["joint", "webinar"]),
        ({"goal": "GOAL2"}, ["joint"]),
        ({"q": "lager roboter"}, ["joint"]),  # words anywhere in title or description, any case
        ({"q": "sicherheit", "association": "cluster-it"}, ["webinar"]),
        ({"q": "nichts dergleichen"}, []),
    ],
)
def test_filters(client, catalogue, facts, params, expected):
    if params.get("goal") == "GOAL2":
        params = {**params, "goal": facts["goals"][2].pk}
    assert titles(client.get(reverse("events:list"), params)) == [catalogue[k].title for k in expected]


def test_date_range_is_inclusive_in_berlin_days(client, catalogue):
    day = catalogue["single"].starts_at.astimezone(BERLIN).date()
    got = titles(client.get(reverse("events:list"), {"date_from": day.isoformat(), "date_to": day.isoformat()}))
    assert got == [catalogue["single"].title]
    got = titles(client.get(reverse("events:list"), {"date_from": (day + dt.timedelta(days=1)).isoformat()}))
    assert got == [catalogue["webinar"].title]


def test_bad_filter_input_is_a_message_not_an_error(client, catalogue):
    response = client.get(
        reverse("events:list"),
        {"date_from": "2030-05-10", "date_to": "2030-05-01", "format": "circus", "goal": "x", "page": "abc"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The end of the date range lies before its start." in html or "Zeitraums" in html
    assert "is-invalid" in html  # the format and goal fields show their errors
    assert len(titles(response)) == 3  # the valid rest of the filters (none) still applies


def test_past_events_view(client, catalogue):
    # Latest first: the one from last month, then the two joint events of 2019 from the seed.
    assert titles(client.get(reverse("events:past"))) == [catalogue["past"].title, "Cybercrime", "IT meets logistics"]
    assert catalogue["past"].title not in titles(client.get(reverse("events:list")))


def test_cards_show_organisers_time_city_and_seats(client, catalogue):
    full = EventFactory(title="Ausgebucht", capacity=1, city="Halle (Saale)")
    RegistrationFactory(event=full)
    html = client.get(reverse("events:list")).content.decode()
    joint = catalogue["joint"]
    card = html.split(joint.title)[0].rsplit("<article", 1)[1] + html.split(joint.title)[1].split("</article>")[0]
    assert joint.starts_at.astimezone(BERLIN).strftime("%d.%m.%Y · 10:00") in card
    assert "Leipzig" in card and "Cluster IT, NLMD" in card and "20 seats left" in card
    full_card = html.split("Ausgebucht")[1].split("</article>")[0]
    assert "waiting list" in full_card


def test_pagination_keeps_the_filters(client, facts):
    acod = facts["clusters"]["acod"]
    for n in range(30):
        EventFactory(title=f"Reihe {n:02d}", organisers=[acod], starts_at=timezone.now() + dt.timedelta(days=n + 1))
    first = client.get(reverse("events:list"), {"association": "acod"})
    assert titles(first) == [f"Reihe {n:02d}" for n in range(12)]
    assert 'href="?association=acod&amp;page=2"' in first.content.decode()
    third = client.get(reverse("events:list"), {"association": "acod", "page": 3})
    assert titles(third) == [f"Reihe {n:02d}" for n in range(24, 30)]
    assert titles(client.get(reverse("events:list"), {"page": 99})) == titles(third)  # last page, not a 404


def test_detail_shows_what_the_issue_asks_for(client, catalogue, facts):
    event = catalogue["joint"]
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        registration_opens_at=now - dt.timedelta(days=1), registration_closes_at=event.starts_at - dt.timedelta(days=1)
    )
    html = client.get(event.get_absolute_url()).content.decode()
    for text in (
        "Cluster IT Mitteldeutschland e.V.",
        "Netzwerk Logistik Mitteldeutschland e.V.",
        "Roboter und Daten im Lager.",
        "Leipzig",
        "0 of 20 taken",
        "Who may register",
        "Registration",
        str(facts["goals"][2].tr("title")),
        reverse("events:calendar", args=[event.slug]),
        "10:00",
    ):
        assert text in html, text


@pytest.fixture
def member(facts):
    return member_person(clusters=[facts["clusters"]["acod"]], language="en")


def test_register_and_cancel_through_the_pages(client, member):
    event = EventFactory(organisers=[member.organisation.clusters.first()], capacity=1)
    client.force_login(member.user)
    response = client.post(reverse("events:register", args=[event.slug]), follow=True)
    assert "is registered. A confirmation is on its way by e-mail." in response.content.decode()
    registration = Registration.objects.get(event=event, person=member)
    assert "Cancel my registration" in response.content.decode()

    again = client.post(reverse("events:register", args=[event.slug]))
    assert again.status_code == 409
    assert "is already registered for this event" in again.content.decode()

    mine = client.get(reverse("events:mine")).content.decode()
    assert event.title in mine and "Confirmed" in mine

    response = client.post(reverse("events:cancel", args=[registration.pk]), {"next": event.get_absolute_url()})
    assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    assert set(OutboundEmail.objects.values_list("template", flat=True)) == {
        "events/emails/registration_confirmed",
        "events/emails/registration_cancelled",
    }


def test_waiting_list_position_is_shown(client, member, facts):
    event = EventFactory(organisers=[facts["clusters"]["acod"]], capacity=1)
    RegistrationFactory(event=event)
    client.force_login(member.user)
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Join the waiting list" in page
    response = client.post(reverse("events:register", args=[event.slug]), follow=True)
    html = response.content.decode()
    assert "is number 1 on the waiting list" in html
    assert "You are number 1 on the waiting list" in html
    assert "Waiting list, no. 1" in client.get(reverse("events:mine")).content.decode()


def test_closed_registration_is_refused_with_400(client, member, facts):
    event = EventFactory(
        organisers=[facts["clusters"]["acod"]], registration_closes_at=timezone.now() - dt.timedelta(hours=1)
    )
    client.force_login(member.user)
    assert "Registration for this event is closed." in client.get(event.get_absolute_url()).content.decode()
    response = client.post(reverse("events:register", args=[event.slug]))
    assert response.status_code == 400
    assert "Registration for this event is closed." in response.content.decode()
    assert not Registration.objects.exists()


def test_cancel_after_the_start_is_refused_with_400(client, member, facts):
    now = timezone.now()
    event = EventFactory(organisers=[facts["clusters"]["acod"]])
    registration = RegistrationFactory(event=event, person=member)
    Event.objects.filter(pk=event.pk).update(starts_at=now - dt.timedelta(minutes=1))
    client.force_login(member.user)
    response = client.post(reverse("events:cancel", args=[registration.pk]))
    assert response.status_code == 400
    assert "can no longer be cancelled" in response.content.decode()


def test_cancel_ignores_a_foreign_next(client, member, facts):
    registration = RegistrationFactory(event=EventFactory(organisers=[facts["clusters"]["acod"]]), person=member)
    client.force_login(member.user)
    response = client.post(reverse("events:cancel", args=[registration.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("events:mine")


def test_register_needs_post(client, member, facts):
    event = EventFactory(organisers=[facts["clusters"]["acod"]])
    client.force_login(member.user)
    assert client.get(reverse("events:register", args=[event.slug])).status_code == 405


def test_primary_contact_registers_a_colleague_from_the_event_page(client, facts):
    acod = facts["clusters"]["acod"]
    contact = member_person(clusters=[acod], primary=True, language="en")
    colleague = PersonFactory(organisation=contact.organisation, first_name="Greta", last_name="Vogel")
    stranger = PersonFactory(first_name="Fremd", last_name="Person")
    event = EventFactory(organisers=[acod])
    client.force_login(contact.user)
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Register a colleague" in page and "Greta Vogel" in page and "Fremd" not in page

    response = client.post(reverse("events:register", args=[event.slug]), {"person": colleague.pk}, follow=True)
    assert "Greta Vogel is registered." in response.content.decode()
    assert Registration.objects.get(person=colleague).registered_by == contact.user
    assert "Greta Vogel: Confirmed" in response.content.decode()

    refused = client.post(reverse("events:register", args=[event.slug]), {"person": stranger.pk})
    assert refused.status_code == 400
    assert not Registration.objects.filter(person=stranger).exists()

    mine = client.get(reverse("events:mine")).content.decode()
    assert "Registrations of your colleagues" in mine and "Greta Vogel" in mine


def test_a_plain_member_cannot_register_a_colleague_by_posting(client, member):
    colleague = PersonFactory(organisation=member.organisation)
    event = EventFactory(organisers=[member.organisation.clusters.first()])
    client.force_login(member.user)
    response = client.post(reverse("events:register", args=[event.slug]), {"person": colleague.pk})
    assert response.status_code == 400
    assert not Registration.objects.exists()


# --- Query counts ----------------------------------------------------------------------------------

MAX_QUERIES = 10


def make_events(facts, count: int, *, registrations_per_event: int = 5):
    clusters = list(facts["clusters"].values())
    goals = list(facts["goals"].values())
    people = [PersonFactory() for _ in range(registrations_per_event)]
    events = []
    for n in range(count):
        event = EventFactory(organisers=clusters[: 2 + n % 2], capacity=3)
        event.goals.set(goals[:3])
        events.append(event)
    Registration.objects.bulk_create(
        Registration(
            event=event,
            person=person,
            organisation=person.organisation,
            status="confirmed" if i < 3 else "waiting",
        )
        for event in events
        for i, person in enumerate(people)
    )
    return events


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("visitor", ["anonymous", "member", "primary_contact", "staff"])
def test_query_counts_do_not_grow_with_the_data(
    client, facts, visitor, django_assert_max_num_queries, staff_user, settings
):
    settings.PAGE_CACHE_SECONDS = 0  # the pages themselves, as their first visitor after a change gets them
    acod = facts["clusters"]["acod"]
    if visitor == "member":
        client.force_login(member_person(clusters=[acod]).user)
    elif visitor == "primary_contact":
        contact = member_person(clusters=[acod], primary=True)
        PersonFactory.create_batch(3, organisation=contact.organisation)
        client.force_login(contact.user)
    elif visitor == "staff":
        client.force_login(staff_user)

    client.get(reverse("events:list"))  # warm the cached filter vocabulary (kept for minutes in production)
    counts = {}
    for total in (10, 200):
        events = make_events(facts, total - Event.objects.count())
        detail = reverse("events:detail", args=[events[-1].slug])
        counts[total] = (
            count_queries(client, reverse("events:list")),
            count_queries(client, reverse("events:list") + "?joint=on&q=Veranstaltung&page=2"),
            count_queries(client, detail),
        )
        with django_assert_max_num_queries(MAX_QUERIES):
            client.get(reverse("events:list"))
        with django_assert_max_num_queries(MAX_QUERIES):
            client.get(detail)
    assert counts[10] == counts[200], counts
