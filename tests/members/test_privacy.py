"""GDPR rights: a person downloads all data held about them and deletes their account; registrations are
anonymised so that the board's figures stay the same; consent records stay."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from clusters.dashboard import dashboard_build
from clusters.forms import Period
from events.models import Registration
from members.models import JoinRequest, Person, User
from messaging.models import ConsentRecord, OutboundEmail, Subscriber
from messaging.services import outbox_write
from tests.events.factories import EventFactory
from tests.members.factories import PASSWORD, OrganisationFactory, PersonFactory, member_person
from tests.messaging.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(facts):
    acod = facts["clusters"]["acod"]
    person = member_person(clusters=[acod], email="anna@werk.example")
    past = EventFactory(
        title="Vergangen",
        starts_at=timezone.now() - dt.timedelta(days=30),
        ends_at=timezone.now() - dt.timedelta(days=30, hours=-3),
    )
    past.organisers.set([acod, facts["clusters"]["nlmd"]])
    Registration.objects.create(
        event=past, person=person, organisation=person.organisation, status="attended", checked_in_at=past.starts_at
    )
    upcoming = EventFactory(title="Demnächst", capacity=1)
    upcoming.organisers.set([acod])
    Registration.objects.create(event=upcoming, person=person, organisation=person.organisation, status="confirmed")
    waiting = PersonFactory(organisation=person.organisation, email="bert@werk.example")
    Registration.objects.create(event=upcoming, person=waiting, organisation=person.organisation, status="waiting")
    subscriber = SubscriberFactory(email="Anna@Werk.example", person=person, clusters=[acod])
    ConsentRecord.objects.create(
        subscriber=subscriber, action="confirmed", consent_text_version="2026-1", language="de"
    )
    JoinRequest.objects.create(
        user=member_person(clusters=[]).user, organisation=OrganisationFactory(), first_name="x", last_name="y"
    )
    outbox_write(to="anna@werk.example", subject="Bestätigung", body_text="Hallo Anna", template="t", language="de")
    return {"person": person, "past": past, "upcoming": upcoming, "waiting": waiting, "subscriber": subscriber}


def test_export_holds_everything_about_the_person(client, member):
    url = reverse("members:data_export")
    assert client.get(url).status_code == 302
    client.force_login(member["person"].user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["account"]["email"] == "anna@werk.example"
    assert data["person"]["organisation"] == member["person"].organisation.name
    assert {r["event"] for r in data["registrations"]} == {"Vergangen", "Demnächst"}
    assert data["newsletter"][0]["consent_records"][0]["consent_text_version"] == "2026-1"
    assert data["emails_sent_to_you"][0]["subject"] == "Bestätigung"


def test_wrong_password_deletes_nothing(client, member):
    client.force_login(member["person"].user)
    response = client.post(reverse("members:account_delete"), {"password": "wrong", "confirm": "on"})
    assert response.status_code == 400
    assert User.objects.filter(email="anna@werk.example").exists()
    response = client.post(reverse("members:account_delete"), {"password": PASSWORD})  # not confirmed
    assert response.status_code == 400
    assert Person.objects.filter(pk=member["person"].pk).exists()


def test_deleting_the_account_anonymises_and_keeps_the_figures(client, member):
    period = Period(dt.date.today() - dt.timedelta(days=365), dt.date.today() + dt.timedelta(days=365), "x")
    before = [(s.key, s.rows) for s in dashboard_build(period=period).sections]
    client.force_login(member["person"].user)
    response = client.post(reverse("members:account_delete"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert not User.objects.filter(email="anna@werk.example").exists()
    assert not Person.objects.filter(pk=member["person"].pk).exists()
    past = Registration.objects.get(event=member["past"])
    assert past.person is None and past.organisation is not None and past.status == "attended"
    # The upcoming seat went to the first on the waiting list, who was told; the deleted person was not.
    assert Registration.objects.get(event=member["upcoming"], status="cancelled").person is None
    assert Registration.objects.get(person=member["waiting"]).status == "confirmed"
    assert OutboundEmail.objects.filter(to_email="bert@werk.example").exists()
    subscriber = Subscriber.objects.get(pk=member["subscriber"].pk)
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED and subscriber.consents.count() == 2
    assert not OutboundEmail.objects.filter(to_email__iexact="anna@werk.example").exists()
    after = [(s.key, s.rows) for s in dashboard_build(period=period).sections]
    registrations_before = dict(before)["registrations"]
    registrations_after = dict(after)["registrations"]
    # Only the cancellation of the upcoming registration changes the counts; attendance and reach stay.
    assert dict(before)["reach"] == dict(after)["reach"]
    assert dict(before)["pairs"] == dict(after)["pairs"]
    assert [r[4] for r in registrations_before] == [r[4] for r in registrations_after]


def test_a_board_member_stays_as_public_record_without_login(client, facts):
    from tests.members.factories import UserFactory

    user = UserFactory(email="kemser@example.org")
    kemser = Person.objects.get(last_name="Kemser")
    kemser.user, kemser.email = user, "kemser@example.org"
    kemser.save()
    client.force_login(user)
    assert client.post(reverse("members:account_delete"), {"password": PASSWORD, "confirm": "on"}).status_code == 302
    kemser.refresh_from_db()
    assert kemser.user is None and kemser.email == ""
    assert kemser.signatures.exists()
