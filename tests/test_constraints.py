"""Invariants hold in the database itself, whatever code writes the rows."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from events.models import Event, Registration
from members.models import Membership
from tests.events.factories import EventFactory, RegistrationFactory
from tests.members.factories import MembershipFactory, OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def refused(**kwargs):
    return pytest.raises(IntegrityError, **kwargs)


def test_one_active_registration_per_person_and_event():
    registration = RegistrationFactory()
    with refused(), transaction.atomic():
        Registration.objects.create(event=registration.event, person=registration.person)
    registration.status = Registration.Status.CANCELLED
    registration.save()
    # After a cancellation the person may register again.
    Registration.objects.create(event=registration.event, person=registration.person)


def test_event_must_end_after_it_starts():
    event = EventFactory()
    with refused(), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(ends_at=event.starts_at - dt.timedelta(minutes=1))


def test_capacity_cannot_be_negative():
    event = EventFactory()
    with refused(), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(capacity=-1)


def test_registration_window_must_close_before_the_event_ends():
    event = EventFactory()
    with refused(), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(registration_closes_at=event.ends_at + dt.timedelta(hours=1))


def test_attended_needs_a_check_in_time():
    registration = RegistrationFactory()
    with refused(), transaction.atomic():
        Registration.objects.filter(pk=registration.pk).update(status=Registration.Status.ATTENDED)


def test_membership_once_per_cluster(facts):
    organisation = OrganisationFactory()
    MembershipFactory(organisation=organisation, cluster=facts["clusters"]["acod"])
    with refused(), transaction.atomic():
        Membership.objects.create(organisation=organisation, cluster=facts["clusters"]["acod"])


def test_one_primary_contact_per_organisation():
    organisation = OrganisationFactory()
    PersonFactory(organisation=organisation, is_primary_contact=True)
    with refused(), transaction.atomic():
        PersonFactory(organisation=organisation, is_primary_contact=True)


def test_ended_membership_has_an_end_date(facts):
    with refused(), transaction.atomic():
        MembershipFactory(cluster=facts["clusters"]["nlmd"], status=Membership.Status.ENDED, until=None)
