"""Member pages: home in each state, joining, answering requests, colleagues, organisation page."""

import pytest
from django.conf import settings
from django.urls import reverse

from members.models import ColleagueInvitation, JoinRequest, Membership, Person
from tests.members.factories import OrganisationFactory, UserFactory, member_person, verified

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def organisation(facts):
    organisation = OrganisationFactory(name="Frachtlogistik Halle GmbH", slug="frachtlogistik-halle")
    Membership.objects.create(organisation=organisation, cluster=facts["clusters"]["nlmd"])
    return organisation


@pytest.fixture
def contact(organisation):
    return member_person(organisation=organisation, primary=True)


def html(response, status=200):
    assert response.status_code == status
    return response.content.decode()


def test_login_lands_on_the_members_home(client, contact):
    verified(contact.user)
    response = client.post(
        reverse("account_login"), {"login": contact.user.email, "password": "correct horse battery staple"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("members:home")


def test_home_of_a_member(client, contact):
    client.force_login(contact.user)
    page = html(client.get(reverse("members:home")))
    assert "Frachtlogistik Halle GmbH" in page and "NLMD" in page and "Primary contact" in page
    assert f"/events/feed/{contact.calendar_token}.ics" in page


def test_home_of_an_unlinked_user(client, db):
    client.force_login(UserFactory())
    page = html(client.get(reverse("members:home")))
    assert "does not belong to a member organisation yet" in page
    assert reverse("members:join") in page


def test_join_by_searching_the_name(client, organisation, contact):
    OrganisationFactory(name="Frachtkontor ohne Mitgliedschaft")
    user = UserFactory(first_name="Ines", last_name="Krause")
    client.force_login(user)
    page = html(client.get(reverse("members:join"), {"q": "fracht"}))
    assert "Frachtlogistik Halle GmbH" in page and "NLMD" in page
    assert "Frachtkontor ohne Mitgliedschaft" not in page  # only member organisations

    form = html(client.get(reverse("members:join"), {"organisation": organisation.pk}))
    assert 'value="Ines"' in form and 'value="Krause"' in form

    response = client.post(
        reverse("members:join"),
        {"organisation": organisation.pk, "first_name": "Ines", "last_name": "Krause", "function": "IT"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("members:home")
    assert JoinRequest.objects.get(user=user).organisation == organisation
    home = html(client.get(reverse("members:home")))
    assert "You asked to join Frachtlogistik Halle GmbH" in home and "Withdraw the request" in home
    again = html(client.get(reverse("members:join")))
    assert "You have already asked to join Frachtlogistik Halle GmbH" in again


def test_join_form_errors_and_bad_ids(client, organisation):
    client.force_login(UserFactory())
    assert "Ensure this value has at least 2 characters" in html(client.get(reverse("members:join"), {"q": "x"}))
    assert client.get(reverse("members:join"), {"organisation": "abc"}).status_code == 404
    non_member = OrganisationFactory()
    assert client.get(reverse("members:join"), {"organisation": non_member.pk}).status_code == 404
    response = client.post(reverse("members:join"), {"organisation": organisation.pk, "first_name": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert not JoinRequest.objects.exists()


def test_linked_users_are_sent_home_from_the_join_page(client, contact):
    client.force_login(contact.user)
    response = client.get(reverse("members:join"), follow=True)
    assert "Your login already belongs to Frachtlogistik Halle GmbH." in html(response)


def test_primary_contact_answers_requests(client, organisation, contact):
    approve_me = JoinRequest.objects.create(
        user=UserFactory(), organisation=organisation, first_name="Anna", last_name="Meyer"
    )
    reject_me = JoinRequest.objects.create(
        user=UserFactory(), organisation=organisation, first_name="Uwe", last_name="Wolf"
    )
    client.force_login(contact.user)
    assert "2 requests to join wait for your answer" in html(client.get(reverse("members:home")))
    page = html(client.get(reverse("members:requests")))
    assert "Anna Meyer" in page and "Uwe Wolf" in page

    response = client.post(reverse("members:request_approve", args=[approve_me.pk]), follow=True)
    assert "Anna Meyer now belongs to Frachtlogistik Halle GmbH" in html(response)
    response = client.post(reverse("members:request_reject", args=[reject_me.pk]), {"reason": "Unbekannt"}, follow=True)
    assert "has been rejected" in html(response)
    assert Person.objects.get(user=approve_me.user).organisation == organisation
    reject_me.refresh_from_db()
    assert (reject_me.status, reject_me.reason) == ("rejected", "Unbekannt")
    # Answering twice: a clear message and a 404, nothing changes.
    assert client.post(reverse("members:request_approve", args=[reject_me.pk])).status_code == 404


def test_rejected_user_sees_the_reason(client, organisation):
    user = UserFactory()
    JoinRequest.objects.create(
        user=user,
        organisation=organisation,
        first_name="Uwe",
        last_name="Wolf",
        status="rejected",
        reason="Not one of ours",
        decided_at="2026-01-01T10:00Z",
    )
    client.force_login(user)
    page = html(client.get(reverse("members:home")))
    assert "was not approved" in page and "Not one of ours" in page and reverse("members:join") in page


def test_requests_page_is_for_deciders_only(client, organisation, contact, facts):
    join_request = JoinRequest.objects.create(
        user=UserFactory(), organisation=organisation, first_name="A", last_name="B"
    )
    client.force_login(member_person(organisation=organisation).user)  # a plain colleague
    assert client.get(reverse("members:requests")).status_code == 403
    other_contact = member_person(clusters=[facts["clusters"]["acod"]], primary=True)
    client.force_login(other_contact.user)
    assert "Frachtlogistik" not in html(client.get(reverse("members:requests")))
    assert client.post(reverse("members:request_approve", args=[join_request.pk])).status_code == 404
    join_request.refresh_from_db()
    assert join_request.status == "pending"


def test_staff_answer_requests_of_their_members(client, facts, staff_user):
    organisation = OrganisationFactory()
    Membership.objects.create(organisation=organisation, cluster=facts["clusters"]["acod"])
    join_request = JoinRequest.objects.create(
        user=UserFactory(), organisation=organisation, first_name="A", last_name="B"
    )
    client.force_login(staff_user)
    assert "A B" in html(client.get(reverse("members:requests")))
    client.post(reverse("members:request_approve", args=[join_request.pk]))
    join_request.refresh_from_db()
    assert join_request.status == "approved"


def test_invite_a_colleague(client, organisation, contact):
    client.force_login(contact.user)
    response = client.post(
        reverse("members:invite"), {"first_name": "Greta", "last_name": "Vogel", "email": "greta@example.org"}
    )
    assert response.status_code == 302 and response["Location"] == organisation.get_absolute_url()
    page = html(client.get(organisation.get_absolute_url()))
    assert "Greta Vogel" in page and "invited on" in page
    bad = client.post(reverse("members:invite"), {"first_name": "G", "last_name": "V", "email": "not-an-address"})
    assert bad.status_code == 400 and "Enter a valid email address." in bad.content.decode()


def test_only_primary_contacts_invite(client, organisation):
    client.force_login(member_person(organisation=organisation).user)
    assert client.get(reverse("members:invite")).status_code == 403


def test_invitation_link(client, organisation, contact):
    from members.services import colleague_invite

    invitation = colleague_invite(invited_by=contact.user, email="greta@example.org", first_name="G", last_name="V")
    url = reverse("members:invitation", args=[invitation.token])
    anonymous = html(client.get(url))
    assert "Frachtlogistik Halle GmbH" in anonymous and reverse("account_signup") in anonymous
    assert client.post(url)["Location"].startswith(reverse("account_login"))

    user = UserFactory()
    client.force_login(user)
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("members:home")
    assert Person.objects.get(user=user).organisation == organisation
    assert ColleagueInvitation.objects.get().status == "accepted"
    used = client.post(url)
    assert used.status_code == 400 and "not valid (any more)" in used.content.decode()
    assert client.get(reverse("members:invitation", args=["unknown-token"])).status_code == 404


def test_organisation_page_visibility(client, organisation, contact, facts):
    colleague = member_person(organisation=organisation)
    client.force_login(colleague.user)
    page = html(client.get(organisation.get_absolute_url()))
    assert "Frachtlogistik Halle GmbH" in page and contact.full_name not in page  # no people list for colleagues
    client.force_login(contact.user)
    assert colleague.full_name in html(client.get(organisation.get_absolute_url()))
    client.force_login(member_person(clusters=[facts["clusters"]["acod"]]).user)
    assert client.get(organisation.get_absolute_url()).status_code == 404


def test_language_of_the_mails(client, contact):
    client.force_login(contact.user)
    client.post(reverse("members:language"), {"language": "en"})
    contact.user.refresh_from_db()
    assert contact.user.language == "en"
    response = client.post(reverse("members:language"), {"language": "xx"}, follow=True)
    assert "Please choose one of the offered languages." in html(response)


def test_an_invited_colleague_finds_the_invitation_on_their_page(client, organisation, contact):
    from members.services import colleague_invite

    colleague_invite(invited_by=contact.user, email="Greta@Example.org", first_name="Greta", last_name="Vogel")
    user = UserFactory(email="greta@example.org")
    client.force_login(user)
    page = html(client.get(reverse("members:home")))
    assert "has invited you to join Frachtlogistik Halle GmbH" in page
    token = ColleagueInvitation.objects.get().token
    client.post(reverse("members:invitation", args=[token]))
    assert Person.objects.get(user=user).full_name == "Greta Vogel"
    client.force_login(UserFactory(email="someone.else@example.org"))
    assert "has invited you" not in html(client.get(reverse("members:home")))
