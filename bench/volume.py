"""Seed a database with the benchmark's realistic volume, fast (bulk inserts), deterministic.

3 associations, 600 organisations (a third in two or three associations), 3,000 people, 500 events
(half joint, past and upcoming), 50,000 registrations, 10,000 newsletter subscribers, 60 projects,
and 200 member logins for the sign-up burst. Run inside a configured Django (see bench/run.py).
"""

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

BERLIN = ZoneInfo("Europe/Berlin")
PASSWORD = "bench-password-2019"

VOLUME = {
    "organisations": 600,
    "people": 3000,
    "events": 500,
    "registrations": 50_000,
    "subscribers": 10_000,
    "projects": 60,
    "burst_members": 200,
}


@transaction.atomic
def seed_volume(volume: dict = VOLUME) -> dict:
    from allauth.account.models import EmailAddress

    from clusters.seed import seed_facts
    from events.models import Event, Registration
    from members.models import Membership, Organisation, Person
    from projects.models import Milestone, Project

    rng = random.Random(2019)
    facts = seed_facts()
    clusters = list(facts["clusters"].values())
    goals = list(facts["goals"].values())
    today = timezone.localdate()

    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Bench Organisation {i:04d}", slug=f"bench-org-{i:04d}", city=rng.choice(CITIES))
        for i in range(volume["organisations"])
    )
    memberships = []
    for i, organisation in enumerate(organisations):
        count = 1 if i % 3 else rng.choice([2, 3])
        for cluster in rng.sample(clusters, count):
            memberships.append(Membership(organisation=organisation, cluster=cluster, since=dt.date(2015, 1, 1)))
    Membership.objects.bulk_create(memberships)

    User = get_user_model()
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        User(email=f"member{i:03d}@bench.example", password=password) for i in range(volume["burst_members"])
    )
    EmailAddress.objects.bulk_create(EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users)
    people = Person.objects.bulk_create(
        Person(
            organisation=organisations[i % len(organisations)],
            first_name=f"Vorname{i}",
            last_name=f"Nachname{i}",
            email=f"person{i:05d}@bench.example",
            is_primary_contact=i < len(organisations),
            user=users[i] if i < len(users) else None,
        )
        for i in range(volume["people"])
    )

    events = []
    for i in range(volume["events"]):
        offset = (i - volume["events"] // 2) * 2  # half past, half upcoming
        day = today + dt.timedelta(days=offset)
        starts = dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=BERLIN)
        events.append(
            Event(
                title=f"Bench-Veranstaltung {i:03d}",
                slug=f"bench-event-{i:03d}",
                format=rng.choice(list(Event.Format.values)),
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=4),
                city=rng.choice(CITIES),
                capacity=rng.choice([60, 100, 150]),  # some full, with a waiting list
                audience=rng.choice(list(Event.Audience.values)),
                registration_opens_at=starts - dt.timedelta(days=120),
                registration_closes_at=starts - dt.timedelta(hours=1),
                description="Benchmark-Veranstaltung.",
            )
        )
    events = Event.objects.bulk_create(events)
    Organisers = Event.organisers.through
    Goals = Event.goals.through
    organiser_rows, goal_rows = [], []
    for i, event in enumerate(events):
        for cluster in rng.sample(clusters, 2 if i % 2 == 0 else 1):  # half joint
            organiser_rows.append(Organisers(event_id=event.pk, cluster_id=cluster.pk))
        goal_rows.append(Goals(event_id=event.pk, goal_id=rng.choice(goals).pk))
    Organisers.objects.bulk_create(organiser_rows)
    Goals.objects.bulk_create(goal_rows)

    per_event = volume["registrations"] // len(events)
    past = timezone.now()
    registrations = []
    for event in events:
        for n, person in enumerate(rng.sample(people, per_event)):
            status = Registration.Status.CONFIRMED if n < event.capacity else Registration.Status.WAITING
            if event.ends_at < past and status == Registration.Status.CONFIRMED and n % 5:
                status = Registration.Status.ATTENDED
            registrations.append(
                Registration(
                    event=event,
                    person=person,
                    organisation_id=person.organisation_id,
                    status=status,
                    checked_in_at=event.starts_at if status == Registration.Status.ATTENDED else None,
                )
            )
    Registration.objects.bulk_create(registrations, batch_size=5000)

    projects = Project.objects.bulk_create(
        Project(
            title=f"Bench-Projekt {i:02d}",
            slug=f"bench-project-{i:02d}",
            lead_cluster=clusters[i % 3],
            status=list(Project.Status.values)[i % 5],
            starts_on=today - dt.timedelta(days=30 * i),
            is_public=i % 2 == 0,
        )
        for i in range(volume["projects"])
    )
    ProjectClusters, ProjectGoals = Project.clusters.through, Project.goals.through
    ProjectClusters.objects.bulk_create(
        ProjectClusters(project_id=p.pk, cluster_id=c.pk)
        for i, p in enumerate(projects)
        for c in clusters
        if c.pk != p.lead_cluster_id and i % 2 == 0  # half of them joint
    )
    ProjectGoals.objects.bulk_create(ProjectGoals(project_id=p.pk, goal_id=rng.choice(goals).pk) for p in projects)
    Milestone.objects.bulk_create(
        Milestone(project=p, title=f"Meilenstein {m}", due_on=today + dt.timedelta(days=30 * m))
        for p in projects
        for m in range(3)
    )
    subscribers = seed_subscribers(volume["subscribers"], clusters, rng)

    burst_event = Event.objects.create(
        title="Sign-up burst",
        slug="bench-burst",
        format=Event.Format.CONFERENCE,
        starts_at=timezone.now() + dt.timedelta(days=30),
        ends_at=timezone.now() + dt.timedelta(days=30, hours=4),
        city="Leipzig",
        capacity=50,
        audience=Event.Audience.ALL_MEMBERS,
        registration_opens_at=timezone.now() - dt.timedelta(days=1),
        registration_closes_at=timezone.now() + dt.timedelta(days=29),
        description="Zweihundert Mitglieder melden sich gleichzeitig für fünfzig Plätze an.",
    )
    burst_event.organisers.set(clusters[:2])
    burst_event_check(event=burst_event, users=users)
    return {
        "organisations": len(organisations),
        "people": len(people),
        "events": len(events),
        "registrations": len(registrations),
        "subscribers": subscribers,
        "projects": len(projects),
        "burst_event": burst_event.slug,
    }


def burst_event_check(*, event, users) -> None:
    """Every burst member may register for the burst event: the event is open, and the audience rule
    (events.selectors.events_visible, as the registration service applies it) lets each of them see it."""
    from events.selectors import events_visible
    from members.selectors import roles_for_person

    assert event.is_open_for_registration(), "the burst event's registration window is not open"
    for user in users:
        person = user.person
        assert person.organisation_id, f"{user.email} belongs to no organisation"
        visible = events_visible(roles=roles_for_person(person=person)).filter(pk=event.pk).exists()
        assert visible, f"{user.email} may not register for {event.slug}"


def seed_subscribers(count: int, clusters, rng: random.Random) -> int:
    """Confirmed newsletter subscribers (double opt-in done), each with the consent records the sign-up
    and the confirmation link leave behind (messaging.services.newsletters), news from one to three
    associations."""
    from messaging.consent import CONSENT_TEXT_VERSION, LIST_NAME
    from messaging.models import ConsentRecord, Subscriber

    now = timezone.now()
    subscribers = Subscriber.objects.bulk_create(
        (
            Subscriber(
                email=f"subscriber{i:05d}@bench.example",
                language="de" if i % 4 else "en",
                status=Subscriber.Status.ACTIVE,
                created_at=now - dt.timedelta(days=1 + i % 700, minutes=5),
                confirmed_at=now - dt.timedelta(days=1 + i % 700),
            )
            for i in range(count)
        ),
        batch_size=5000,
    )
    Chosen = Subscriber.clusters.through
    chosen, consents = [], []
    for subscriber in subscribers:
        picked = rng.sample(clusters, rng.choice([1, 1, 2, 3]))
        chosen.extend(Chosen(subscriber_id=subscriber.pk, cluster_id=c.pk) for c in picked)
        scope = {"clusters": [{"id": c.pk, "name": c.short_name} for c in picked], "topics": []}
        for action, at, via in (
            (ConsentRecord.Action.REQUESTED, subscriber.created_at, "web form"),
            (ConsentRecord.Action.CONFIRMED, subscriber.confirmed_at, "confirmation link"),
        ):
            consents.append(
                ConsentRecord(
                    subscriber=subscriber,
                    action=action,
                    at=at,
                    ip_address="192.0.2.10",
                    user_agent="Mozilla/5.0 (bench)",
                    list_name=LIST_NAME,
                    consent_text_version=CONSENT_TEXT_VERSION,
                    language=subscriber.language,
                    scope=scope,
                    via=via,
                )
            )
    Chosen.objects.bulk_create(chosen, batch_size=5000)
    ConsentRecord.objects.bulk_create(consents, batch_size=5000)
    return len(subscribers)


CITIES = ["Leipzig", "Halle (Saale)", "Dresden", "Chemnitz", "Zwickau", "Magdeburg", "Erfurt", "Jena"]
