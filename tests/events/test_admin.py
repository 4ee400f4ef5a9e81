"""Staff changes in the admin go through the registration services."""

import pytest
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from events.models import Event, Registration
from members.models import JoinRequest
from messaging.models import OutboundEmail
from tests.events.factories import EventFactory, RegistrationFactory
from tests.members.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def admin_request(user):
    request = RequestFactory().post("/admin/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_raising_the_capacity_moves_the_waiting_list_up(superuser):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    waiting = [RegistrationFactory(event=event, status="waiting") for _ in range(3)]
    event_admin = admin.site._registry[Event]
    event.capacity = 3

    class Form:
        changed_data = ["capacity"]

    event_admin.save_model(admin_request(superuser), event, Form(), change=True)
    statuses = [Registration.objects.get(pk=r.pk).status for r in waiting]
    assert statuses == ["confirmed", "confirmed", "waiting"]
    assert OutboundEmail.objects.filter(template="events/emails/registration_promoted").count() == 2


def test_cancel_action_promotes(superuser):
    event = EventFactory(capacity=1)
    confirmed = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status="waiting")
    registration_admin = admin.site._registry[Registration]
    registration_admin.cancel(admin_request(superuser), Registration.objects.filter(pk=confirmed.pk))
    assert Registration.objects.get(pk=confirmed.pk).status == "cancelled"
    assert Registration.objects.get(pk=waiting.pk).status == "confirmed"


def test_join_request_actions(superuser, facts):
    from members.models import Membership

    organisation = OrganisationFactory()
    Membership.objects.create(organisation=organisation, cluster=facts["clusters"]["acod"])
    join_request = JoinRequest.objects.create(
        user=UserFactory(), organisation=organisation, first_name="A", last_name="B"
    )
    admin.site._registry[JoinRequest].approve(admin_request(superuser), JoinRequest.objects.all())
    join_request.refresh_from_db()
    assert join_request.status == "approved" and join_request.user.person.organisation == organisation
