"""Query counts per page do not grow with the data: at most 10 on public and member pages, at most 15 on
admin changelists (as superuser and as association staff), the same count for small and larger data.

Every page is rendered (the page cache is off), after one request that fills what production keeps cached
for minutes – the small filter vocabulary, the login's cached copy – so the counts are those of a visitor
after a change of the content.
The event list and detail, the dashboard and the directory have their own tests beside their pages.
"""

import datetime as dt
from itertools import count

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clusters.models import BoardPosition, Topic
from clusters.seed import staff_group_ensure
from events.models import Registration
from members.models import ColleagueInvitation, ContactRequest, JoinRequest, Membership
from messaging.models import (
    ConsentRecord,
    Delivery,
    EventReminder,
    Invitation,
    InvitationRound,
    OutboundEmail,
)
from projects.models import Milestone, Project, ProjectDocument, ProjectParticipant, ProjectStatusChange
from tests.events.factories import EventFactory
from tests.members.factories import OrganisationFactory, PersonFactory, UserFactory, member_person
from tests.messaging.factories import NewsletterFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

PAGE_LIMIT = 10
ADMIN_LIMIT = 15
SMALL, LARGE = 2, 25

serial = count()


def outbox_row(to: str) -> OutboundEmail:
    n = next(serial)
    return OutboundEmail.objects.create(
        to_email=to, subject=f"Betreff {n}", body_text="Text", template="bench/query-counts", message_id=f"<{n}@t>"
    )


def grow(facts, n: int, *, member, staff_user) -> None:
    """``n`` more of everything the pages and changelists show, around the member under test."""
    clusters = list(facts["clusters"].values())
    goals = list(facts["goals"].values())
    acod = facts["clusters"]["acod"]
    now = timezone.now()
    tag = next(serial)
    topic = Topic.objects.create(name=f"Thema {tag}", slug=f"thema-{tag}")
    organisations = [OrganisationFactory() for _ in range(n)]
    for i, organisation in enumerate(organisations):
        for cluster in clusters[: 1 + i % 3]:
            Membership.objects.create(organisation=organisation, cluster=cluster)
        organisation.offers.set([topic])
    people = [PersonFactory(organisation=organisations[i]) for i in range(n)]
    colleagues = [PersonFactory(organisation=member.organisation) for _ in range(2)]
    for i, person in enumerate(people[:3]):
        BoardPosition.objects.create(cluster=clusters[i % 3], person=person, role=BoardPosition.Role.MEMBER)

    round_ = InvitationRound.objects.create(
        event=EventFactory(organisers=[acod]), status=InvitationRound.Status.SENT, sent_at=now, created_by=staff_user
    )
    round_.clusters.set([acod])
    for i in range(n):
        upcoming = i % 2 == 0
        starts = now + dt.timedelta(days=3 + i) if upcoming else now - dt.timedelta(days=30 + i)
        event = EventFactory(
            organisers=clusters[: 2 + i % 2],
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=3),
            capacity=2,
            audience=["public", "all_members", "organiser_members"][i % 3],
        )
        event.goals.set(goals[:2])
        event.topics.set([topic])
        seat = Registration.Status.CONFIRMED if upcoming else Registration.Status.ATTENDED
        for j, person in enumerate([member, *colleagues, *people[:2]]):
            registration = Registration.objects.create(
                event=event,
                person=person,
                organisation=person.organisation,
                status=seat if j < event.capacity else Registration.Status.WAITING,
                checked_in_at=None if upcoming else starts,
            )
            if j == 0:
                EventReminder.objects.create(registration=registration, email=outbox_row(person.email or "x@t"))
        Invitation.objects.create(
            event=round_.event, person=people[i], round=round_, email=outbox_row(f"inv{tag}-{i}@example.org")
        )

    for i in range(n):
        project = Project.objects.create(
            title=f"Projekt {tag}-{i}",
            slug=f"projekt-{tag}-{i}",
            lead_cluster=clusters[i % 3],
            status=list(Project.Status.values)[i % 5],
            starts_on=now.date() - dt.timedelta(days=i),
            is_public=i % 2 == 0,
            focus_topic=topic,
        )
        project.clusters.set(clusters)
        project.goals.set(goals[:3])
        for m in range(2):
            Milestone.objects.create(project=project, title=f"M{m}", due_on=now.date() + dt.timedelta(days=m))
        ProjectParticipant.objects.create(project=project, organisation=organisations[i])
        ProjectStatusChange.objects.create(project=project, status=project.status, changed_by=staff_user)
        ProjectDocument.objects.create(project=project, title="Konzept", file=f"projects/konzept-{tag}-{i}.pdf")

    newsletter = NewsletterFactory(clusters=[acod], created_by=staff_user)
    for i in range(n):
        subscriber = SubscriberFactory(clusters=clusters[: 1 + i % 3], topics=[topic])
        ConsentRecord.objects.create(
            subscriber=subscriber, action="confirmed", consent_text_version="v1", language="de", scope={}
        )
        Delivery.objects.create(newsletter=newsletter, subscriber=subscriber, email=outbox_row(subscriber.email))
        user = UserFactory()
        JoinRequest.objects.create(user=user, organisation=organisations[i], first_name="A", last_name=f"B{i}")
        ColleagueInvitation.objects.create(person=people[i], email=f"kollege{tag}-{i}@example.org", invited_by=user)
        ContactRequest.objects.create(
            sender=people[i],
            sender_organisation=organisations[i],
            recipient_organisation=member.organisation,
            message="Hallo",
        )


@pytest.fixture
def world(facts, staff_user):
    acod = facts["clusters"]["acod"]
    member = member_person(clusters=[acod], primary=True)
    superuser = UserFactory(is_staff=True, is_superuser=True)
    return {"facts": facts, "member": member, "staff_user": staff_user, "superuser": superuser}


@pytest.fixture(autouse=True)
def uncached_pages(settings):
    settings.PAGE_CACHE_SECONDS = 0


def cold_count(client, url: str) -> int:
    client.get(url)  # fills the vocabulary and the login's cached copy (members.backends)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def counts_small_and_large(client, world, urls) -> dict:
    counts = {}
    for size in (SMALL, LARGE):
        grow(world["facts"], size, member=world["member"], staff_user=world["staff_user"])
        counts[size] = {name: cold_count(client, url() if callable(url) else url) for name, url in urls.items()}
    return counts


def public_urls(world) -> dict:
    agreement = world["facts"]["agreement"]
    return {
        "home": reverse("clusters:home"),
        "associations": reverse("clusters:list"),
        "association detail": reverse("clusters:detail", args=["acod"]),
        "agreement": agreement.get_absolute_url(),
        "past events": reverse("events:past"),
        "project list": reverse("projects:list"),
        "project detail": lambda: Project.objects.filter(is_public=True).order_by("-pk").first().get_absolute_url(),
    }


def member_urls(world) -> dict:
    return {
        "my registrations": reverse("events:mine"),
        "members' home": reverse("members:home"),
        "organisation": world["member"].organisation.get_absolute_url(),
    }


@pytest.mark.parametrize("visitor", ["anonymous", "member", "staff"])
def test_public_pages(client, world, visitor):
    if visitor == "member":
        client.force_login(world["member"].user)
    elif visitor == "staff":
        client.force_login(world["staff_user"])
    counts = counts_small_and_large(client, world, public_urls(world))
    assert max(counts[LARGE].values()) <= PAGE_LIMIT, counts[LARGE]
    assert counts[SMALL] == counts[LARGE]


def test_member_pages(client, world):
    client.force_login(world["member"].user)
    counts = counts_small_and_large(client, world, member_urls(world))
    assert max(counts[LARGE].values()) <= PAGE_LIMIT, counts[LARGE]
    assert counts[SMALL] == counts[LARGE]
    # The pages did show the growing data (registrations of the member and of the colleagues).
    page = client.get(reverse("events:mine")).content.decode()
    assert page.count('class="badge text-bg-success"') >= LARGE


def changelists():
    for model in admin.site._registry:
        yield model._meta.label, f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"


def admin_counts(client, world) -> tuple[dict, dict]:
    """Queries per changelist the user may open (403s are left out), and the rows each listed."""
    counts, rows = {}, {}
    for size in (SMALL, LARGE):
        grow(world["facts"], size, member=world["member"], staff_user=world["staff_user"])
        counts[size] = {}
        for label, name in changelists():
            client.get(reverse(name))  # the login's cached copy, as above
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse(name))
            if response.status_code == 403:
                continue
            assert response.status_code == 200, (name, response.status_code)
            counts[size][label] = len(queries)
            rows[label] = response.context["cl"].result_count
    return counts, rows


# Changelists whose rows grow with ``grow`` inside ACOD's scope: the counts above are of full pages.
GROWING = {"events.Event", "events.Registration", "members.Organisation", "members.Person", "projects.Project"}


def test_admin_changelists_as_superuser(client, world):
    client.force_login(world["superuser"])
    counts, rows = admin_counts(client, world)
    assert set(counts[LARGE]) == {label for label, _name in changelists()}
    assert {k: v for k, v in counts[LARGE].items() if v > ADMIN_LIMIT} == {}
    assert counts[SMALL] == counts[LARGE]
    assert all(rows[label] > LARGE for label in GROWING), rows


def test_admin_changelists_as_association_staff(client, world):
    staff = world["staff_user"]
    assert staff.groups.filter(pk=staff_group_ensure().pk).exists()
    client.force_login(staff)
    counts, rows = admin_counts(client, world)
    assert set(counts[LARGE]) >= GROWING
    assert {k: v for k, v in counts[LARGE].items() if v > ADMIN_LIMIT} == {}
    assert counts[SMALL] == counts[LARGE]
    assert all(rows[label] > LARGE for label in GROWING), rows
