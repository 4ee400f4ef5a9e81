"""The board dashboard: figures checked against hand-computed values, access, bad input, query count."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from clusters.dashboard import dashboard_build
from clusters.forms import Period
from clusters.models import BoardPosition
from events.models import Event, Registration
from members.models import Membership, Person
from projects.models import Milestone, Project
from tests.events.factories import EventFactory
from tests.members.factories import OrganisationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
YEAR_2026 = Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31), "2026")


def at(year, month, day, hour=18):
    return dt.datetime(year, month, day, hour, tzinfo=BERLIN)


def member(cluster_list, since=dt.date(2015, 1, 1), name=None):
    organisation = OrganisationFactory(name=name) if name else OrganisationFactory()
    for cluster in cluster_list:
        Membership.objects.create(organisation=organisation, cluster=cluster, since=since)
    return PersonFactory(organisation=organisation)


def register(event, person, status):
    return Registration.objects.create(
        event=event,
        person=person,
        organisation=person.organisation,
        status=status,
        checked_in_at=event.starts_at if status == Registration.Status.ATTENDED else None,
    )


@pytest.fixture
def world(facts):
    c = facts["clusters"]
    acod, it, nlmd = c["acod"], c["cluster-it"], c["nlmd"]
    goals = facts["goals"]
    o1 = member([acod])
    o2 = member([it])
    o3 = member([nlmd])
    o4 = member([acod, it])
    o5 = PersonFactory()  # organisation without any membership
    o6 = member([it], since=dt.date(2026, 6, 1))  # joined after the first event
    extra = [member([acod]) for _ in range(2)]

    e1 = EventFactory(starts_at=at(2026, 3, 10), ends_at=at(2026, 3, 10, 21), format=Event.Format.TRAINING)
    e1.organisers.set([acod, it])
    e1.goals.set([goals[6]])
    for person in (o1, o2, o3, o5, o6):
        register(e1, person, Registration.Status.ATTENDED)
    register(e1, o4, Registration.Status.CONFIRMED)
    register(e1, extra[0], Registration.Status.WAITING)
    register(e1, extra[1], Registration.Status.CANCELLED)

    e2 = EventFactory(starts_at=at(2026, 5, 5), ends_at=at(2026, 5, 7), format=Event.Format.TRADE_FAIR)
    e2.organisers.set([acod, it, nlmd])
    e2.goals.set([goals[3]])
    register(e2, o1, Registration.Status.ATTENDED)
    register(e2, o3, Registration.Status.ATTENDED)

    e3 = EventFactory(starts_at=at(2026, 9, 1), ends_at=at(2026, 9, 1, 21), format=Event.Format.CONFERENCE)
    e3.organisers.set([acod])
    e3.goals.set([goals[1]])
    register(e3, o3, Registration.Status.ATTENDED)
    register(e3, o1, Registration.Status.ATTENDED)

    outside_period = EventFactory(starts_at=at(2025, 11, 1), ends_at=at(2025, 11, 1, 21))
    outside_period.organisers.set([it, nlmd])
    outside_period.goals.set([goals[5]])
    register(outside_period, o2, Registration.Status.ATTENDED)
    unpublished = EventFactory(starts_at=at(2026, 4, 1), ends_at=at(2026, 4, 1, 21), is_published=False)
    unpublished.organisers.set([it, nlmd])

    p1 = Project.objects.create(
        title="P1", slug="p1", lead_cluster=acod, status=Project.Status.RUNNING,
        starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31),
    )  # fmt: skip
    p1.clusters.set([nlmd])
    p1.goals.set([goals[2]])
    Milestone.objects.create(project=p1, title="M", due_on=dt.date(2026, 4, 1), done=True, done_on=dt.date(2026, 4, 1))
    p2 = Project.objects.create(
        title="P2", slug="p2", lead_cluster=it, status=Project.Status.COMPLETED,
        starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2025, 6, 30),
    )  # fmt: skip
    p2.goals.set([goals[4]])
    return facts


def rows(section):
    return {row[0]: row[1:] for row in section.rows}


def test_joint_events_per_pair(world):
    board = dashboard_build(period=YEAR_2026)
    assert rows(board.section("pairs")) == {
        "ACOD + Cluster IT": [2],
        "ACOD + NLMD": [1],
        "Cluster IT + NLMD": [1],
    }
    assert (board.summary["events"], board.summary["joint_events"]) == (3, 2)


def test_registrations_and_attendance(world):
    section = dashboard_build(period=YEAR_2026).section("registrations")
    table = rows(section)
    # registered (not cancelled), waiting, cancelled, attended, attendance rate of ended events
    assert table["ACOD"] == [11, 1, 1, 9, round(100 * 9 / 10, 1)]
    assert table["Cluster IT"] == [9, 1, 1, 7, round(100 * 7 / 8, 1)]
    assert table["NLMD"] == [2, 0, 0, 2, 100.0]
    assert section.rows[-1][1:] == [11, 1, 1, 9, 90.0]  # all events, each once


def test_cross_cluster_reach(world):
    board = dashboard_build(period=YEAR_2026)
    section = board.section("reach")
    table = rows(section)
    # E1 (ACOD+IT): NLMD member, unaffiliated, and an IT member who joined only after the event → 3 outside.
    # E2 (all three): nobody outside. E3 (ACOD): the NLMD member → 1 outside. 4 of 9 attendees.
    assert section.rows[-1][1:] == [9, 4, 2, round(100 * 4 / 9, 1)]  # all events, each once
    assert table["ACOD"] == [9, 4, 2, round(100 * 4 / 9, 1)]
    assert table["Cluster IT"] == [7, 3, 1, round(100 * 3 / 7, 1)]
    assert table["NLMD"] == [2, 0, 0, 0.0]
    assert board.summary["reach"] == 44.4


def test_projects_by_status_and_association(world):
    table = rows(dashboard_build(period=YEAR_2026).section("projects"))
    # columns: idea, planned, running, completed, stopped, total, led
    assert table["ACOD"] == [0, 0, 1, 0, 0, 1, 1]
    assert table["NLMD"] == [0, 0, 1, 0, 0, 1, 0]
    assert table["Cluster IT"] == [0, 0, 0, 0, 0, 0, 0]


def test_activity_per_goal_and_idle_goals_named(world):
    board = dashboard_build(period=YEAR_2026)
    by_number = {int(row[0].split(".")[0]): row[1:] for row in board.section("goals").rows}
    # other events, trade fairs, trainings, projects, milestones reached
    assert by_number[1] == [1, 0, 0, 0, 0]
    assert by_number[2] == [0, 0, 0, 1, 1]
    assert by_number[3] == [0, 1, 0, 0, 0]
    assert by_number[6] == [0, 0, 1, 0, 0]
    assert [g.number for g in board.summary["idle_goals"]] == [4, 5, 7]
    assert "4. " in board.section("goals").notes[0] and "7. " in board.section("goals").notes[0]


def test_quarter_period(world):
    q1 = Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31), "Q1 2026")
    assert rows(dashboard_build(period=q1).section("pairs"))["ACOD + Cluster IT"] == [1]


@pytest.fixture
def board_user(world):
    user = UserFactory(email="vorstand@example.org")
    person = Person.objects.get(last_name="Kemser")
    person.user = user
    person.save()
    assert BoardPosition.objects.filter(person=person).exists()
    return user


def test_access(client, world, board_user, staff_user):
    url = reverse("clusters:dashboard")
    assert client.get(url).status_code == 302
    client.force_login(staff_user)
    assert client.get(url).status_code == 403
    member_user = UserFactory()
    PersonFactory(user=member_user, organisation=Membership.objects.first().organisation)
    client.force_login(member_user)
    assert client.get(url).status_code == 403
    client.force_login(board_user)
    response = client.get(url, {"kind": "year", "year": 2026})
    assert response.status_code == 200
    html = response.content.decode()
    assert "ACOD + Cluster IT" in html and "<svg" in html
    assert "Keine Aktivität in diesem Zeitraum" in html or "No activity in this period" in html


def test_csv_export(client, world, board_user):
    client.force_login(board_user)
    response = client.get(reverse("clusters:dashboard"), {"kind": "year", "year": 2026, "export": "reach"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 5
    assert lines[-1].endswith(";9;4;2;44.4")


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "custom", "start": "2026-05-01", "end": "2026-04-01"},
        {"kind": "custom", "start": "2026-13-01", "end": "2026-14-01"},
        {"kind": "year", "year": "zwanzig"},
        {"kind": "year", "year": "1800"},
        {"kind": "quarter", "year": "2026", "quarter": "9"},
        {"kind": "decade"},
        {"kind": "year", "year": "2026", "export": "../../etc/passwd"},
    ],
)
def test_bad_input_is_a_400_with_a_message(client, world, board_user, params):
    client.force_login(board_user)
    response = client.get(reverse("clusters:dashboard"), params)
    assert response.status_code == 400


def test_query_count_does_not_grow_with_the_data(client, world, board_user, django_assert_num_queries, settings):
    settings.PAGE_CACHE_SECONDS = 0  # the page itself, as its first visitor after a change gets it
    client.force_login(board_user)
    url = reverse("clusters:dashboard")
    params = {"kind": "year", "year": 2026}
    client.get(url, params)  # warm caches (content types, session)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url, params)
    acod = world["clusters"]["acod"]
    for n in range(40):
        event = EventFactory(starts_at=at(2026, 6, 1 + n % 28), ends_at=at(2026, 6, 1 + n % 28, 22))
        event.organisers.set([acod, world["clusters"]["nlmd"]])
        event.goals.set([world["goals"][7]])
        for _ in range(3):
            register(event, member([acod]), Registration.Status.ATTENDED)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url, params)
    assert rows(response.context["dashboard"].section("pairs"))["ACOD + NLMD"] == [41]
