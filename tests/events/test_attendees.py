"""Attendee lists and check-in at the door: staff of an organiser only; concurrent taps lose nothing."""

import threading
from io import BytesIO

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from events.models import Registration
from events.services import registration_check_in
from members.models import Membership
from tests.events.factories import EventFactory
from tests.members.factories import PersonFactory, staff_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(facts):
    event = EventFactory(title="Netzwerkabend", slug="netzwerkabend", capacity=10)
    event.organisers.set([facts["clusters"]["acod"], facts["clusters"]["nlmd"]])
    for n, (status, clusters) in enumerate(
        [("confirmed", ["acod", "cluster-it"]), ("confirmed", ["nlmd"]), ("waiting", []), ("cancelled", ["acod"])]
    ):
        person = PersonFactory(first_name=f"Vor{n}", last_name=f"Nach{n}", function='=HYPERLINK("x")')
        for slug in clusters:
            Membership.objects.create(organisation=person.organisation, cluster=facts["clusters"][slug])
        Registration.objects.create(event=event, person=person, organisation=person.organisation, status=status)
    return event


def test_only_staff_of_an_organiser_gets_the_lists(client, facts, event):
    urls = [
        reverse("events:check_in", args=[event.slug]),
        reverse("events:attendees", args=[event.slug, "csv"]),
        reverse("events:attendees", args=[event.slug, "xlsx"]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: to the login
    client.force_login(staff_of(facts["clusters"]["cluster-it"], "it@example.org"))
    for url in urls:
        assert client.get(url).status_code == 403
    client.force_login(staff_of(facts["clusters"]["nlmd"], "nlmd@example.org"))
    for url in urls:
        assert client.get(url).status_code == 200
    assert client.get(reverse("events:attendees", args=[event.slug, "pdf"])).status_code == 404
    assert client.get(reverse("events:check_in", args=["no-such-event"])).status_code == 404


def test_exports_hold_person_organisation_memberships_status(client, facts, event):
    client.force_login(staff_of(facts["clusters"]["acod"], "acod@example.org"))
    csv_text = client.get(reverse("events:attendees", args=[event.slug, "csv"])).content.decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert len(lines) == 5  # header + all four registrations, any status
    assert "ACOD, Cluster IT" in csv_text
    assert "'=HYPERLINK" in csv_text  # formula neutralised
    response = client.get(reverse("events:attendees", args=[event.slug, "xlsx"]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 5
    assert rows[1][0] == "Nach0" and rows[1][4] == "ACOD, Cluster IT"


def test_check_in_page_search_and_tap(client, facts, event):
    staff = staff_of(facts["clusters"]["acod"], "acod@example.org")
    client.force_login(staff)
    page = client.get(reverse("events:check_in", args=[event.slug]), {"q": "Nach1"})
    assert [r.person.last_name for r in page.context["registrations"]] == ["Nach1"]
    registration = Registration.objects.get(person__last_name="Nach1")
    url = reverse("events:check_in_toggle", args=[event.slug, registration.pk])
    response = client.post(url, HTTP_ACCEPT="application/json")
    assert response.json() == {"status": "attended", "attended": 1}
    registration.refresh_from_db()
    assert registration.checked_in_by == staff and registration.checked_in_at
    # A second tap changes nothing; undo takes it back.
    assert client.post(url, HTTP_ACCEPT="application/json").json()["attended"] == 1
    assert client.post(url, {"undo": "1"}).status_code == 302
    registration.refresh_from_db()
    assert registration.status == "confirmed" and registration.checked_in_at is None
    waiting = Registration.objects.get(status="waiting")
    response = client.post(
        reverse("events:check_in_toggle", args=[event.slug, waiting.pk]), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 409
    other_event = EventFactory()
    assert client.post(reverse("events:check_in_toggle", args=[event.slug, 10**9])).status_code == 404
    foreign = Registration.objects.create(event=other_event, person=PersonFactory())
    assert client.post(reverse("events:check_in_toggle", args=[event.slug, foreign.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_staff_checking_in_at_once_lose_nothing(facts):
    event = EventFactory(capacity=100)
    event.organisers.set([facts["clusters"]["acod"]])
    registrations = [
        Registration.objects.create(event=event, person=PersonFactory(), status="confirmed") for _ in range(40)
    ]
    halves = [registrations[0::2], registrations[1::2]]
    barrier = threading.Barrier(2)
    errors = []

    def tap_all(batch):
        try:
            barrier.wait()
            for registration in batch:
                registration_check_in(registration=registration, checked_in_by=None)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap_all, args=(half,)) for half in halves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Registration.objects.filter(event=event, status="attended").count() == 40
