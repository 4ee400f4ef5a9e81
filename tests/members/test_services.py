"""Linking logins to organisations: join requests, their answers, colleague invitations."""

import datetime as dt
from contextlib import contextmanager

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from members import services
from members.models import ColleagueInvitation, JoinRequest, Membership, Person
from messaging.models import OutboundEmail
from tests.members.factories import OrganisationFactory, PersonFactory, UserFactory, member_person

pytestmark = pytest.mark.django_db


@contextmanager
def refused(code):
    with pytest.raises(ValidationError) as info:
        yield info
    assert info.value.code == code, info.value


@pytest.fixture
def acod(facts):
    return facts["clusters"]["acod"]


@pytest.fixture
def organisation(acod):
    organisation = OrganisationFactory(name="Datenwerk Leipzig GmbH")
    Membership.objects.create(organisation=organisation, cluster=acod)
    return organisation


@pytest.fixture
def contact(organisation):
    return member_person(organisation=organisation, primary=True, language="en")


def ask(user, organisation, **kwargs):
    return services.join_request_create(
        user=user, organisation=organisation, first_name="Ines", last_name="Krause", function="IT", **kwargs
    )


def mails(template):
    return list(OutboundEmail.objects.filter(template=f"members/emails/{template}").order_by("pk"))


def test_request_notifies_the_primary_contact(organisation, contact):
    user = UserFactory(first_name="", last_name="")
    join_request = ask(user, organisation, message="Abteilung Logistik")
    assert join_request.status == JoinRequest.Status.PENDING
    [mail] = mails("join_request_received")
    assert mail.to_email == contact.user.email and mail.language == "en"
    assert "Ines Krause" in mail.body_text and user.email in mail.body_text and "/members/requests/" in mail.body_text
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Ines", "Krause")


def test_without_a_primary_contact_the_staff_are_told(organisation, staff_user):
    ask(UserFactory(), organisation)
    assert [m.to_email for m in mails("join_request_received")] == [staff_user.email]


def test_one_pending_request_at_a_time(organisation, acod):
    user = UserFactory()
    ask(user, organisation)
    other = OrganisationFactory()
    Membership.objects.create(organisation=other, cluster=acod)
    with refused("pending"):
        ask(user, other)


def test_only_member_organisations_can_be_joined(db):
    with refused("not_a_member"):
        ask(UserFactory(), OrganisationFactory())


def test_a_linked_login_cannot_ask_again(organisation, contact):
    with refused("already_linked"):
        ask(contact.user, organisation)


def test_primary_contact_approves(organisation, contact):
    user = UserFactory(language="en")
    join_request = ask(user, organisation)
    person = services.join_request_approve(join_request=join_request, decided_by=contact.user)
    assert (person.organisation, person.user, person.full_name, person.email) == (
        organisation,
        user,
        "Ines Krause",
        user.email,
    )
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.APPROVED and join_request.decided_by == contact.user
    [mail] = mails("join_request_approved")
    assert mail.to_email == user.email and "your login now belongs to Datenwerk Leipzig GmbH" in mail.body_text


def test_staff_of_a_cluster_of_the_organisation_approve(organisation, staff_user):
    join_request = ask(UserFactory(), organisation)
    assert services.join_request_approve(join_request=join_request, decided_by=staff_user).organisation == organisation


def test_others_may_not_decide(organisation, contact, facts):
    join_request = ask(UserFactory(), organisation)
    other_contact = member_person(clusters=[facts["clusters"]["nlmd"]], primary=True)
    plain_member = member_person(organisation=organisation)
    nlmd_staff = UserFactory(is_staff=True)
    facts["clusters"]["nlmd"].staff.add(nlmd_staff)
    for user in (other_contact.user, plain_member.user, nlmd_staff, join_request.user):
        with pytest.raises(PermissionDenied):
            services.join_request_approve(join_request=join_request, decided_by=user)
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.PENDING


def test_approval_links_an_existing_record_with_the_same_address(organisation, contact):
    user = UserFactory(email="ines.krause@example.org")
    existing = PersonFactory(organisation=organisation, email="Ines.Krause@Example.org", first_name="Ines")
    person = services.join_request_approve(join_request=ask(user, organisation), decided_by=contact.user)
    assert person.pk == existing.pk and person.user == user
    assert Person.objects.filter(organisation=organisation).count() == 2  # contact and Ines, no duplicate


def test_approval_gives_a_board_members_record_its_organisation(organisation, contact):
    user = UserFactory()
    board_person = PersonFactory(organisation=None, user=user, first_name="Jens", last_name="Heinrich")
    person = services.join_request_approve(join_request=ask(user, organisation), decided_by=contact.user)
    assert person.pk == board_person.pk and person.organisation == organisation


def test_a_request_is_answered_once(organisation, contact):
    join_request = ask(UserFactory(), organisation)
    services.join_request_reject(join_request=join_request, decided_by=contact.user, reason="Unbekannt")
    with refused("decided"):
        services.join_request_approve(join_request=join_request, decided_by=contact.user)


def test_rejection_tells_the_user_with_the_reason(organisation, contact):
    user = UserFactory(language="en")
    join_request = ask(user, organisation)
    services.join_request_reject(join_request=join_request, decided_by=contact.user, reason="Not in our staff list")
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.REJECTED and join_request.reason == "Not in our staff list"
    [mail] = mails("join_request_rejected")
    assert mail.to_email == user.email and "Not in our staff list" in mail.body_text
    assert not Person.objects.filter(user=user).exists()
    # After a rejection the user may ask again.
    assert ask(user, organisation).status == JoinRequest.Status.PENDING


def test_withdraw(organisation):
    user = UserFactory()
    join_request = ask(user, organisation)
    with pytest.raises(PermissionDenied):
        services.join_request_withdraw(join_request=join_request, user=UserFactory())
    services.join_request_withdraw(join_request=join_request, user=user)
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.WITHDRAWN and join_request.decided_at


# --- Colleague invitations -----------------------------------------------------------------------


def invite(contact, email="greta.vogel@example.org"):
    return services.colleague_invite(
        invited_by=contact.user, email=email, first_name="Greta", last_name="Vogel", function="Einkauf"
    )


def test_invitation_creates_the_colleague_and_mails_a_link(organisation, contact):
    invitation = invite(contact, email="Greta.Vogel@Example.org")
    person = invitation.person
    assert (person.organisation, person.full_name, person.email, person.user) == (
        organisation,
        "Greta Vogel",
        "greta.vogel@example.org",
        None,
    )
    [mail] = mails("colleague_invitation")
    assert mail.to_email == "greta.vogel@example.org" and mail.language == "de"
    assert f"/members/invitation/{invitation.token}/" in mail.body_text


def test_only_a_primary_contact_invites(organisation):
    member = member_person(organisation=organisation)
    with pytest.raises(PermissionDenied):
        invite(member)


def test_inviting_again_replaces_the_link(organisation, contact):
    first = invite(contact)
    second = invite(contact)
    first.refresh_from_db()
    assert first.status == ColleagueInvitation.Status.REVOKED and second.person == first.person
    assert Person.objects.filter(email="greta.vogel@example.org").count() == 1
    with refused("invalid"):
        services.colleague_invitation_accept(token=first.token, user=UserFactory())


def test_colleagues_with_a_login_are_not_invited(organisation, contact):
    member_person(organisation=organisation, email="greta.vogel@example.org")
    with refused("already_linked"):
        invite(contact)


def test_accepting_links_the_login(organisation, contact):
    invitation = invite(contact)
    user = UserFactory()
    ask_elsewhere = JoinRequest.objects.create(user=user, organisation=organisation, first_name="G", last_name="V")
    person = services.colleague_invitation_accept(token=invitation.token, user=user)
    assert person.user == user and person.organisation == organisation
    invitation.refresh_from_db()
    assert invitation.status == ColleagueInvitation.Status.ACCEPTED and invitation.accepted_by == user
    ask_elsewhere.refresh_from_db()
    assert ask_elsewhere.status == JoinRequest.Status.WITHDRAWN
    with refused("invalid"):
        services.colleague_invitation_accept(token=invitation.token, user=UserFactory())


def test_expired_invitation(organisation, contact):
    invitation = invite(contact)
    ColleagueInvitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - dt.timedelta(days=15))
    with refused("expired"):
        services.colleague_invitation_accept(token=invitation.token, user=UserFactory())


def test_a_login_of_another_organisation_cannot_accept(organisation, contact, acod):
    invitation = invite(contact)
    elsewhere = member_person(clusters=[acod])
    with refused("already_linked"):
        services.colleague_invitation_accept(token=invitation.token, user=elsewhere.user)
    assert Person.objects.get(pk=invitation.person_id).user is None


def test_calendar_token_renew(organisation, contact):
    old = contact.calendar_token
    services.person_calendar_token_renew(person=contact)
    contact.refresh_from_db()
    assert contact.calendar_token != old


def test_user_language(db):
    user = UserFactory(language="de")
    services.user_language_set(user=user, language="en")
    user.refresh_from_db()
    assert user.language == "en"
    with refused("language"):
        services.user_language_set(user=user, language="fr")
