"""Invitations: who an audience reaches (each person once, opt-outs out), one row and one e-mail per
person, answers by signed link (altered, expired, replayed: refused), one reminder, the admin."""

import datetime as dt

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clusters.models import Topic
from events.models import Event, Registration
from members.models import Organisation
from messaging.models import Invitation, InvitationRound, OutboundEmail
from messaging.selectors import events_with_invitation_counts, invitation_round_preview
from messaging.services import invitations as service
from messaging.tokens import INVITATION_SALT, invitation_token, invitation_urls
from tests.events.factories import EventFactory, RegistrationFactory
from tests.members.factories import MembershipFactory, OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def member_org(*clusters, kind=Organisation.Kind.COMPANY, **kwargs):
    organisation = OrganisationFactory(kind=kind, **kwargs)
    for cluster in clusters:
        MembershipFactory(organisation=organisation, cluster=cluster)
    return organisation


@pytest.fixture
def clusters(facts):
    return facts["clusters"]


@pytest.fixture
def event(clusters):
    return EventFactory(organisers=[clusters["acod"], clusters["cluster-it"]], capacity=2)


def new_round(event, *, clusters=(), kinds=(), topics=(), people=()) -> InvitationRound:
    round = InvitationRound.objects.create(event=event, organisation_kinds=list(kinds))
    round.clusters.set(clusters)
    round.topics.set(topics)
    round.people.set(people)
    return round


def test_a_person_in_two_clusters_is_invited_once_and_opt_outs_are_left_out(clusters, event):
    both = PersonFactory(organisation=member_org(clusters["acod"], clusters["cluster-it"]))
    acod_only = PersonFactory(organisation=member_org(clusters["acod"]))
    opted_out = PersonFactory(organisation=member_org(clusters["cluster-it"]), receives_invitations=False)
    no_email = PersonFactory(organisation=member_org(clusters["cluster-it"]), email="")
    PersonFactory(organisation=member_org(clusters["nlmd"]))  # not in the audience
    ended = member_org()
    MembershipFactory(organisation=ended, cluster=clusters["acod"], status="ended", until=timezone.localdate())
    PersonFactory(organisation=ended)  # former member
    preview = invitation_round_preview(round=new_round(event, clusters=[clusters["acod"], clusters["cluster-it"]]))
    assert sorted(p.pk for p in preview.recipients) == sorted([both.pk, acod_only.pk])
    assert (preview.matched, preview.opted_out, preview.without_email) == (4, 1, 1)
    assert opted_out not in preview.recipients and no_email not in preview.recipients


def test_dimensions_narrow_and_explicit_people_are_added(clusters, event):
    topic = Topic.objects.create(name="Künstliche Intelligenz", slug="ki")
    research = member_org(clusters["acod"], kind=Organisation.Kind.RESEARCH)
    research.offers.add(topic)
    company = member_org(clusters["acod"])
    company.seeks.add(topic)
    other_research = member_org(clusters["acod"], kind=Organisation.Kind.RESEARCH)
    r, c, o = (
        PersonFactory(organisation=research),
        PersonFactory(organisation=company),
        PersonFactory(organisation=other_research),
    )
    outsider = PersonFactory(organisation=None, email="gast@example.org")
    round = new_round(event, clusters=[clusters["acod"]], kinds=["research"], topics=[topic], people=[outsider])
    assert {p.pk for p in invitation_round_preview(round=round).recipients} == {r.pk, outsider.pk}
    round = new_round(event, topics=[topic])  # topic alone: members of any association offering or seeking it
    assert {p.pk for p in invitation_round_preview(round=round).recipients} == {r.pk, c.pk}
    assert o.pk not in {p.pk for p in invitation_round_preview(round=round).recipients}


def test_the_same_address_twice_gets_one_invitation(clusters, event):
    first = PersonFactory(organisation=member_org(clusters["acod"]), email="Consultant@example.org")
    PersonFactory(organisation=member_org(clusters["cluster-it"]), email="consultant@example.org")
    preview = invitation_round_preview(round=new_round(event, clusters=[clusters["acod"], clusters["cluster-it"]]))
    assert [p.pk for p in preview.recipients] == [first.pk]
    assert preview.same_email == 1


def test_sending_writes_one_row_and_one_email_per_person_once(clusters, event):
    people = [PersonFactory(organisation=member_org(clusters["acod"], clusters["nlmd"])) for _ in range(3)]
    round = new_round(event, clusters=[clusters["acod"], clusters["nlmd"]])
    assert service.invitation_round_send(round=round) == 3
    invitations = Invitation.objects.filter(event=event)
    assert sorted(i.person_id for i in invitations) == sorted(p.pk for p in people)
    assert all(i.email and i.email.template == "messaging/emails/invitation" for i in invitations)
    assert OutboundEmail.objects.count() == 3
    with pytest.raises(ValidationError) as refused:
        service.invitation_round_send(round=round)
    assert refused.value.code == "already_sent"
    # A second round for the same event reaches only the newcomers.
    newcomer = PersonFactory(organisation=member_org(clusters["acod"]))
    assert service.invitation_round_send(round=new_round(event, clusters=[clusters["acod"]])) == 1
    assert Invitation.objects.get(event=event, person=newcomer)
    assert OutboundEmail.objects.count() == 4


def test_the_invitation_email_carries_both_personal_links(clusters, event):
    person = PersonFactory(organisation=member_org(clusters["acod"]), first_name="Petra", last_name="Berg")
    service.invitation_round_send(round=new_round(event, people=[person]))
    invitation = Invitation.objects.get()
    row = invitation.email
    urls = invitation_urls(invitation_id=invitation.pk, person_id=person.pk)
    assert urls["accept_url"] in row.body_text and urls["decline_url"] in row.body_text
    assert urls["accept_url"] in row.body_html
    assert "Petra Berg" in row.body_text
    assert str(event) in row.subject


def test_a_closed_registration_cannot_be_invited_to(clusters):
    past = EventFactory(starts_at=timezone.now() - dt.timedelta(days=1))
    person = PersonFactory(organisation=member_org(clusters["acod"]))
    with pytest.raises(ValidationError) as refused:
        service.invitation_round_send(round=new_round(past, people=[person]))
    assert refused.value.code == "closed"


# --- Answering by link -----------------------------------------------------------------------------


@pytest.fixture
def invited(clusters, event):
    person = PersonFactory(organisation=member_org(clusters["acod"]))
    service.invitation_round_send(round=new_round(event, people=[person]))
    invitation = Invitation.objects.get(person=person)
    token = invitation_token(invitation_id=invitation.pk, person_id=person.pk)
    return invitation, token


def accept_url(token):
    return reverse("messaging:invitation_accept", kwargs={"token": token})


def decline_url(token):
    return reverse("messaging:invitation_decline", kwargs={"token": token})


def test_get_only_shows_the_button_and_post_registers(client, invited):
    invitation, token = invited
    page = client.get(accept_url(token))
    assert page.status_code == 200 and '<form method="post"' in page.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.OPEN and not Registration.objects.exists()
    done = client.post(accept_url(token))  # no login, no CSRF cookie: the signed token is the key
    assert done.status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED and invitation.answered_at
    registration = Registration.objects.get(person=invitation.person, event=invitation.event)
    assert registration.status == Registration.Status.CONFIRMED and invitation.registration == registration


def test_accepting_a_full_event_puts_on_the_waiting_list(client, invited):
    invitation, token = invited
    RegistrationFactory.create_batch(2, event=invitation.event)  # capacity 2
    client.post(accept_url(token))
    assert Registration.objects.get(person=invitation.person).status == Registration.Status.WAITING


def test_accept_registers_through_the_events_service_with_its_confirmation(client, invited):
    invitation, token = invited
    client.post(accept_url(token))
    registration = Registration.objects.get(event=invitation.event, person=invitation.person)
    assert registration.status == Registration.Status.CONFIRMED
    assert OutboundEmail.objects.filter(template="events/emails/registration_confirmed").count() == 1


def test_the_invitation_is_the_permission_even_outside_the_audience(client, clusters):
    """Staff may invite a member of another association to a members-only event: accepting registers them."""
    event = EventFactory(organisers=[clusters["acod"]], audience="organiser_members", capacity=5)
    outsider = PersonFactory(organisation=member_org(clusters["nlmd"]))
    service.invitation_round_send(round=new_round(event, people=[outsider]))
    invitation = Invitation.objects.get(person=outsider)
    client.post(accept_url(invitation_token(invitation_id=invitation.pk, person_id=outsider.pk)))
    assert Registration.objects.get(event=event, person=outsider).status == Registration.Status.CONFIRMED


def test_decline(client, invited):
    invitation, token = invited
    assert client.post(decline_url(token)).status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.DECLINED and not Registration.objects.exists()


def test_an_altered_link_is_refused_with_400(client, invited):
    invitation, token = invited
    payload, signature = token.rsplit(":", 1)
    other = invitation_token(invitation_id=invitation.pk + 1, person_id=invitation.person_id).rsplit(":", 1)[0]
    for bad in (payload + ":" + signature[:-2] + "xx", other + ":" + signature, "guess", token + "a"):
        response = client.post(accept_url(bad))
        assert response.status_code == 400, bad
        assert "not valid" in response.content.decode()
    # A token signed for another purpose (another salt) is no invitation either.
    foreign = signing.dumps([invitation.pk, invitation.person_id], salt=INVITATION_SALT + ".other")
    assert client.post(accept_url(foreign)).status_code == 400
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.OPEN


def test_a_link_after_registration_closed_is_refused_with_410(client, invited):
    invitation, token = invited
    event = invitation.event
    event.registration_closes_at = timezone.now() - dt.timedelta(minutes=1)
    event.registration_opens_at = None
    event.save()
    for method in (client.get, client.post):
        response = method(accept_url(token))
        assert response.status_code == 410
        assert "closed" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.OPEN


def test_a_replayed_link_is_refused_with_409(client, invited):
    invitation, token = invited
    assert client.post(accept_url(token)).status_code == 200
    for url in (accept_url(token), decline_url(token)):
        response = client.post(url)
        assert response.status_code == 409
        assert "already" in response.content.decode()
    assert Registration.objects.count() == 1
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED


def test_a_deleted_person_s_link_is_gone(client, invited):
    invitation, token = invited
    Invitation.objects.filter(pk=invitation.pk).update(person=None)
    assert client.post(accept_url(token)).status_code == 410


# --- Reminder ------------------------------------------------------------------------------------


def test_one_reminder_to_those_who_have_not_answered(clusters, event):
    people = [PersonFactory(organisation=member_org(clusters["acod"])) for _ in range(3)]
    service.invitation_round_send(round=new_round(event, people=people))
    answered = Invitation.objects.get(person=people[0])
    service.invitation_answer(invitation_id=answered.pk, person_id=people[0].pk, accept=False)
    assert service.invitation_reminders_send(event=event) == 2
    assert service.invitation_reminders_send(event=event) == 0
    reminders = OutboundEmail.objects.filter(template="messaging/emails/invitation_reminder")
    assert sorted(reminders.values_list("to_email", flat=True)) == sorted(p.email for p in people[1:])
    # The reminder's links work like the invitation's.
    reminded = Invitation.objects.get(person=people[1])
    assert reminded.reminded_at and reminded.reminder_email.body_text.count("/invitations/") == 2


# --- Admin ---------------------------------------------------------------------------------------


def test_staff_compose_preview_and_send_a_round_in_the_admin(client, staff_user, clusters, event):
    both = PersonFactory(organisation=member_org(clusters["acod"], clusters["cluster-it"]))
    PersonFactory(organisation=member_org(clusters["cluster-it"]), receives_invitations=False)
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:messaging_invitationround_add"),
        {"event": event.pk, "clusters": [clusters["acod"].pk, clusters["cluster-it"].pk], "organisation_kinds": []},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    round = InvitationRound.objects.get()
    assert round.created_by == staff_user
    change = client.get(response["Location"]).content.decode()
    assert "1 person will be invited." in change
    assert "1 opted out of invitations" in change
    send_url = reverse("admin:messaging_invitationround_send", args=[round.pk])
    assert both.full_name in client.get(send_url).content.decode()
    response = client.post(send_url)
    assert response.status_code == 302
    assert Invitation.objects.filter(event=event).count() == 1
    again = client.post(send_url, follow=True)
    assert "already sent" in again.content.decode()
    assert Invitation.objects.filter(event=event).count() == 1
    figures = client.get(reverse("admin:messaging_eventinvitations_change", args=[event.pk]))
    assert figures.status_code == 200


def test_an_empty_audience_is_a_form_error(client, staff_user, event):
    client.force_login(staff_user)
    response = client.post(reverse("admin:messaging_invitationround_add"), {"event": event.pk})
    assert response.status_code == 200
    assert "Choose an audience" in response.content.decode()
    assert not InvitationRound.objects.exists()


def test_staff_invite_only_to_their_own_associations_events(client, staff_user, clusters):
    foreign = EventFactory(organisers=[clusters["nlmd"]])
    client.force_login(staff_user)  # ACOD staff
    response = client.post(
        reverse("admin:messaging_invitationround_add"), {"event": foreign.pk, "clusters": [clusters["nlmd"].pk]}
    )
    assert response.status_code == 200 and not InvitationRound.objects.exists()


def test_per_event_figures_and_the_reminder_button(client, staff_user, clusters, event):
    people = [PersonFactory(organisation=member_org(clusters["acod"])) for _ in range(4)]
    service.invitation_round_send(round=new_round(event, people=people))
    first, second = Invitation.objects.filter(person__in=people[:2]).order_by("pk")
    service.invitation_answer(invitation_id=first.pk, person_id=first.person_id, accept=True)
    service.invitation_answer(invitation_id=second.pk, person_id=second.person_id, accept=False)
    OutboundEmail.objects.filter(pk=first.email_id).update(status=OutboundEmail.Status.SENT)
    figures = events_with_invitation_counts(Event.objects.filter(pk=event.pk)).get()
    got = [figures.invited, figures.sent, figures.failed, figures.accepted, figures.declined, figures.open]
    assert got == [4, 1, 0, 1, 1, 2]
    assert (figures.reminded, figures.remindable) == (0, 2)
    client.force_login(staff_user)
    listing = client.get(reverse("admin:messaging_eventinvitations_changelist")).content.decode()
    assert f"?event__id__exact={event.pk}&amp;status__exact=open" in listing
    change_url = reverse("admin:messaging_eventinvitations_change", args=[event.pk])
    client.post(change_url, {"_remind": "1"})
    client.post(change_url, {"_remind": "1"})
    assert OutboundEmail.objects.filter(template="messaging/emails/invitation_reminder").count() == 2


def test_invitation_list_pages_have_fixed_query_counts(client, staff_user, clusters):
    client.force_login(staff_user)
    urls = [
        reverse("admin:messaging_eventinvitations_changelist"),
        reverse("admin:messaging_invitation_changelist"),
        reverse("admin:messaging_invitationround_changelist"),
    ]

    def add_event_with_invitations(n):
        event = EventFactory(organisers=[clusters["acod"]])
        people = [PersonFactory(organisation=member_org(clusters["acod"])) for _ in range(n)]
        service.invitation_round_send(round=new_round(event, clusters=[clusters["acod"]], people=people))

    add_event_with_invitations(2)
    client.get(urls[0])  # the first request after the login reads the login itself (members.backends)
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[url] = len(queries)
    for _ in range(3):
        add_event_with_invitations(3)
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) == counts[url], url


def test_an_event_with_invitations_can_still_be_deleted_but_a_sent_round_cannot(clusters, event):
    from django.db.models import RestrictedError

    person = PersonFactory(organisation=member_org(clusters["acod"]))
    round = new_round(event, people=[person])
    service.invitation_round_send(round=round)
    with pytest.raises(RestrictedError):
        round.delete()
    event.delete()
    assert not Invitation.objects.exists() and not InvitationRound.objects.exists()
