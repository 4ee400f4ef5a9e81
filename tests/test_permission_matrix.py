"""Every URL of the portal × every role → the expected HTTP status (GET).

The list of URLs is read from the URL configuration: a new URL without an entry here fails
``test_every_url_has_an_entry``. Admin URLs are generated per model and covered by
tests/test_admin.py and tests/test_admin_scope.py (every changelist/add page, scoping by URL,
search, autocomplete, actions); ``admin:index`` stands for them here.
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clusters.seed import staff_group_ensure
from events.models import Event, Registration
from members.models import ColleagueInvitation, ContactRequest, JoinRequest, Membership, Person
from messaging.models import ConsentRecord, Invitation, InvitationRound
from messaging.tokens import confirm_token, invitation_token, subscriber_token
from projects.models import Project, ProjectDocument
from tests.events.factories import EventFactory
from tests.members.factories import OrganisationFactory, PersonFactory, UserFactory, member_person
from tests.messaging.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member", "primary", "staff_acod", "staff_it", "board", "superuser"]
LOGGED_IN = ROLES[1:]


def every(status):
    return dict.fromkeys(ROLES, status)


def logged_in(status, anonymous=302):
    return {"anonymous": anonymous, **dict.fromkeys(LOGGED_IN, status)}


def roles(default, **overrides):
    return {**dict.fromkeys(ROLES, default), **overrides}


def url_names():
    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                yield from walk(
                    pattern.url_patterns, f"{namespace}:{inner}" if namespace and inner else inner or namespace
                )
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return {name for name in walk(get_resolver().url_patterns) if not name.startswith("admin:")} | {"admin:index"}


# name -> (kwargs built from the world, expected status per role).
# "POST only" URLs answer a GET with 405 (after the login check where they need a login).
MATRIX = {
    "health": (None, every(200)),
    "set_language": (None, every(302)),
    # Non-staff are sent to the admin login, which refuses logged-in non-staff with 403 (test_security).
    "admin:index": (None, roles(302, staff_acod=200, staff_it=200, superuser=200)),
    # Public pages.
    "clusters:home": (None, every(200)),
    "clusters:list": (None, every(200)),
    "clusters:detail": (lambda w: {"slug": "acod"}, every(200)),
    "clusters:agreement": (lambda w: {"slug": w["agreement"].slug}, every(200)),
    "clusters:agreement_document": (lambda w: {"slug": w["agreement"].slug}, every(200)),
    "clusters:page": (lambda w: {"key": "privacy"}, every(200)),
    "clusters:dashboard": (None, roles(403, anonymous=302, board=200, superuser=200)),
    # Events: the members-only event of ACOD is invisible to those outside ACOD.
    "events:list": (None, every(200)),
    "events:past": (None, every(200)),
    "events:detail": (lambda w: {"slug": w["members_event"].slug}, roles(200, anonymous=404, staff_it=404, board=404)),
    "events:calendar": (
        lambda w: {"slug": w["members_event"].slug},
        roles(200, anonymous=404, staff_it=404, board=404),
    ),
    "events:register": (lambda w: {"slug": w["members_event"].slug}, logged_in(405)),
    "events:mine": (None, logged_in(200)),
    "events:cancel": (lambda w: {"pk": w["registration"].pk}, logged_in(405)),
    "events:feed": (lambda w: {"token": w["member"].calendar_token}, every(200)),
    "events:attendees": (
        lambda w: {"slug": w["members_event"].slug, "fmt": "xlsx"},
        roles(403, anonymous=302, staff_acod=200, superuser=200),
    ),
    "events:check_in": (
        lambda w: {"slug": w["members_event"].slug},
        roles(403, anonymous=302, staff_acod=200, superuser=200),
    ),
    "events:check_in_toggle": (
        lambda w: {"slug": w["members_event"].slug, "pk": w["registration"].pk},
        logged_in(405),
    ),
    # Projects: members, staff and the board see all; the public only public ones.
    "projects:list": (None, every(200)),
    "projects:detail": (lambda w: {"slug": w["private_project"].slug}, roles(200, anonymous=404)),
    "projects:document": (lambda w: {"pk": w["document"].pk}, roles(200, anonymous=404)),
    # Members.
    "members:home": (None, logged_in(200)),
    "members:join": (None, roles(200, anonymous=302, member=302, primary=302)),
    "members:join_withdraw": (lambda w: {"pk": w["join_request"].pk}, logged_in(405)),
    "members:requests": (None, roles(200, anonymous=302, member=403, board=403)),
    "members:request_approve": (lambda w: {"pk": w["join_request"].pk}, logged_in(405)),
    "members:request_reject": (lambda w: {"pk": w["join_request"].pk}, logged_in(405)),
    "members:organisation": (
        lambda w: {"slug": w["organisation"].slug},
        roles(200, anonymous=302, staff_it=404, board=404),
    ),
    "members:invite": (None, roles(403, anonymous=302, primary=200)),
    "members:invitation": (lambda w: {"token": w["colleague_invitation"].token}, every(200)),
    "members:calendar_renew": (None, logged_in(405)),
    "members:language": (None, logged_in(405)),
    "members:directory": (None, roles(200, anonymous=302)),
    "members:partners": (None, roles(403, anonymous=302, member=200, primary=200)),
    "members:contact": (
        lambda w: {"slug": w["other_organisation"].slug},
        roles(403, anonymous=302, member=200, primary=200),
    ),
    "members:contact_answer": (lambda w: {"token": w["contact_request"].token}, every(200)),
    "members:privacy": (None, logged_in(200)),
    "members:data_export": (None, logged_in(200)),
    "members:account_delete": (None, logged_in(405)),
    # Newsletter and invitations: the signed link is the key, no login.
    "messaging:newsletter_signup": (None, every(200)),
    "messaging:newsletter_signup_done": (None, every(200)),
    "messaging:newsletter_confirm": (lambda w: {"token": w["confirm_token"]}, every(200)),
    "messaging:newsletter_manage": (lambda w: {"token": w["subscriber_token"]}, every(200)),
    "messaging:newsletter_unsubscribe": (lambda w: {"token": w["subscriber_token"]}, every(200)),
    "messaging:invitation_accept": (lambda w: {"token": w["invitation_token"]}, every(200)),
    "messaging:invitation_decline": (lambda w: {"token": w["invitation_token"]}, every(200)),
    # Accounts (allauth): logged-in users are sent on from login and sign-up pages.
    "account_login": (None, logged_in(302, anonymous=200)),
    "account_signup": (None, logged_in(302, anonymous=200)),
    "account_logout": (None, logged_in(200)),
    "account_inactive": (None, every(200)),
    "account_reauthenticate": (None, logged_in(200)),
    "account_email": (None, logged_in(200)),
    "account_email_verification_sent": (None, every(200)),
    "account_change_password": (None, logged_in(200)),
    "account_set_password": (None, logged_in(302)),
    "account_reset_password": (None, every(200)),
    "account_reset_password_done": (None, every(200)),
    "account_reset_password_from_key": (lambda w: {"uidb36": "zz", "key": "forged-key"}, every(200)),
    "account_reset_password_from_key_done": (None, every(200)),
    # allauth answers a forged key with its "invalid link" page (asserted in tests/members/test_accounts.py).
    "account_confirm_email": (lambda w: {"key": "forged-key"}, every(200)),
    "account_confirm_login_code": (None, logged_in(302, anonymous=302)),
    "mfa_index": (None, logged_in(200)),
    "mfa_authenticate": (None, logged_in(302, anonymous=302)),
    "mfa_reauthenticate": (None, logged_in(302)),
    "mfa_activate_totp": (None, logged_in(302)),  # asks to re-authenticate first (a fresh login)
    "mfa_deactivate_totp": (None, logged_in(404)),
    "mfa_view_recovery_codes": (None, logged_in(404)),
    "mfa_generate_recovery_codes": (None, logged_in(302)),
    "mfa_download_recovery_codes": (None, logged_in(404)),
}


@pytest.fixture
def world(facts, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    c = facts["clusters"]
    acod, it = c["acod"], c["cluster-it"]
    organisation = OrganisationFactory(name="Achsenwerk GmbH")
    Membership.objects.create(organisation=organisation, cluster=acod)
    member = member_person(organisation=organisation)
    primary = member_person(organisation=organisation, primary=True)
    other = OrganisationFactory(name="Datenwerk GmbH")
    Membership.objects.create(organisation=other, cluster=it)
    member_person(organisation=other, primary=True)

    users = {"member": member.user, "primary": primary.user}
    for key, cluster in (("staff_acod", acod), ("staff_it", it)):
        users[key] = UserFactory(is_staff=True)
        users[key].groups.add(staff_group_ensure())
        cluster.staff.add(users[key])
    users["board"] = UserFactory()
    Person.objects.filter(last_name="Kemser").update(user=users["board"])
    users["superuser"] = UserFactory(is_staff=True, is_superuser=True)

    members_event = EventFactory(audience=Event.Audience.ORGANISER_MEMBERS)
    members_event.organisers.set([acod])
    registration = Registration.objects.create(event=members_event, person=member, organisation=organisation)
    private_project = Project.objects.create(title="Intern", slug="intern", lead_cluster=acod, is_public=False)
    document = ProjectDocument(project=private_project, title="Plan")
    document.file.save("plan.pdf", ContentFile(b"%PDF-1.4 plan"), save=True)
    facts["agreement"].document.save("vereinbarung.pdf", ContentFile(b"%PDF-1.4 signed"), save=True)

    applicant = UserFactory()
    join_request = JoinRequest.objects.create(user=applicant, organisation=organisation, first_name="A", last_name="B")
    colleague = PersonFactory(organisation=organisation)
    colleague_invitation = ColleagueInvitation.objects.create(
        person=colleague, email="kollegin@example.org", invited_by=primary.user
    )
    contact_request = ContactRequest.objects.create(
        sender=member, sender_organisation=organisation, recipient_organisation=other, message="Hallo zusammen!"
    )
    subscriber = SubscriberFactory(clusters=[acod])
    consent = ConsentRecord.objects.create(
        subscriber=subscriber, action="requested", consent_text_version="1", language="de"
    )
    round_ = InvitationRound.objects.create(event=members_event)
    invitation = Invitation.objects.create(event=members_event, person=colleague, round=round_)
    return {
        **facts,
        "users": users,
        "organisation": organisation,
        "other_organisation": other,
        "member": member,
        "members_event": members_event,
        "registration": registration,
        "private_project": private_project,
        "document": document,
        "join_request": join_request,
        "colleague_invitation": colleague_invitation,
        "contact_request": contact_request,
        "confirm_token": confirm_token(consent_id=consent.pk),
        "subscriber_token": subscriber_token(subscriber_id=subscriber.pk),
        "invitation_token": invitation_token(invitation_id=invitation.pk, person_id=colleague.pk),
    }


def test_every_url_has_an_entry():
    assert url_names() - set(MATRIX) == set(), "add the new URLs to MATRIX with their expected statuses"
    assert set(MATRIX) - url_names() == set(), "remove URLs that no longer exist from MATRIX"


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, role):
    if role != "anonymous":
        client.force_login(world["users"][role])
    got, expected = {}, {}
    for name, (kwargs, statuses) in sorted(MATRIX.items()):
        url = reverse(name, kwargs=kwargs(world) if kwargs else None)
        got[name] = client.get(url).status_code
        expected[name] = statuses[role]
    assert got == expected
