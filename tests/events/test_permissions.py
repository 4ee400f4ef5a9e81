"""Audience everywhere: list, detail, .ics, feed and register, for each kind of visitor and event.

Visitors: anonymous, a login without organisation, a member of a non-organising association, a member of
an organiser. Events: members of the organisers only (joint, ACOD + Cluster IT), all members (ACOD), public.
"""

import pytest
from django.urls import reverse

from events.models import Event, Registration
from tests.events.factories import EventFactory, RegistrationFactory
from tests.members.factories import UserFactory, member_person

pytestmark = pytest.mark.django_db

VISITORS = ["anonymous", "unlinked", "outsider", "organiser_member"]
EVENTS = ["members_only", "all_members", "public"]

# Who sees each event (list, search, detail, .ics, feed).
SEES = {
    "members_only": {"organiser_member"},
    "all_members": {"outsider", "organiser_member"},
    "public": {"anonymous", "unlinked", "outsider", "organiser_member"},
}
# What a registration attempt gives: "login" (redirect to log in), 404 (cannot see it), 403 (sees it but has no
# organisation), "ok" (registered).
REGISTER = {
    ("anonymous", "members_only"): "login",
    ("anonymous", "all_members"): "login",
    ("anonymous", "public"): "login",
    ("unlinked", "members_only"): 404,
    ("unlinked", "all_members"): 404,
    ("unlinked", "public"): 403,
    ("outsider", "members_only"): 404,
    ("outsider", "all_members"): "ok",
    ("outsider", "public"): "ok",
    ("organiser_member", "members_only"): "ok",
    ("organiser_member", "all_members"): "ok",
    ("organiser_member", "public"): "ok",
}


@pytest.fixture
def world(facts):
    acod, cluster_it, nlmd = (facts["clusters"][k] for k in ("acod", "cluster-it", "nlmd"))
    events = {
        "members_only": EventFactory(
            title="Nur Mitglieder", organisers=[acod, cluster_it], audience=Event.Audience.ORGANISER_MEMBERS
        ),
        "all_members": EventFactory(title="Alle Mitglieder", organisers=[acod], audience=Event.Audience.ALL_MEMBERS),
        "public": EventFactory(title="Öffentlich", organisers=[acod], audience=Event.Audience.PUBLIC),
    }
    people = {
        "outsider": member_person(clusters=[nlmd]),
        "organiser_member": member_person(clusters=[cluster_it]),
    }
    users = {"anonymous": None, "unlinked": UserFactory(), **{k: p.user for k, p in people.items()}}
    return events, people, users


def as_visitor(client, users, visitor):
    if users[visitor] is not None:
        client.force_login(users[visitor])
    return client


@pytest.mark.parametrize("visitor", VISITORS)
def test_list_and_search(client, world, visitor):
    events, _people, users = world
    as_visitor(client, users, visitor)
    html = client.get(reverse("events:list")).content.decode()
    shown = {name for name, event in events.items() if f">{event.title}</a>" in html}
    assert shown == {name for name in EVENTS if visitor in SEES[name]}
    for name, event in events.items():
        found = f">{event.title}</a>" in client.get(reverse("events:list"), {"q": event.title}).content.decode()
        assert found == (visitor in SEES[name]), name


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("name", EVENTS)
def test_detail_and_ics(client, world, visitor, name):
    events, _people, users = world
    as_visitor(client, users, visitor)
    event = events[name]
    expected = 200 if visitor in SEES[name] else 404
    assert client.get(reverse("events:detail", args=[event.slug])).status_code == expected
    assert client.get(reverse("events:calendar", args=[event.slug])).status_code == expected


@pytest.mark.parametrize("visitor", ["outsider", "organiser_member"])
def test_feed(client, world, visitor):
    """Even a registration row the person should not have (e.g. from the admin) stays out of the feed."""
    events, people, _users = world
    person = people[visitor]
    for event in events.values():
        RegistrationFactory(event=event, person=person)
    content = client.get(reverse("events:feed", kwargs={"token": person.calendar_token})).content.decode()
    listed = {name for name, event in events.items() if f"UID:event-{event.pk}@" in content}
    assert listed == {name for name in EVENTS if visitor in SEES[name]}


@pytest.mark.parametrize(("visitor", "name"), list(REGISTER))
def test_register(client, world, visitor, name):
    events, people, users = world
    as_visitor(client, users, visitor)
    event = events[name]
    response = client.post(reverse("events:register", args=[event.slug]))
    expected = REGISTER[(visitor, name)]
    if expected == "login":
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    elif expected == "ok":
        assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    else:
        assert response.status_code == expected
    registered = Registration.objects.filter(event=event).exists()
    assert registered == (expected == "ok")


def test_the_register_service_enforces_the_audience_too(world):
    """The view's 404 is not the only guard: the service refuses on its own."""
    from django.core.exceptions import ValidationError

    from events.services import registration_create

    events, people, _users = world
    with pytest.raises(ValidationError) as info:
        registration_create(event=events["members_only"], person=people["outsider"], registered_by=None)
    assert info.value.code == "audience"


def test_cancel_someone_elses_registration_is_404(client, world):
    events, people, users = world
    registration = RegistrationFactory(event=events["public"], person=people["organiser_member"])
    client.force_login(users["outsider"])
    assert client.post(reverse("events:cancel", args=[registration.pk])).status_code == 404
    registration.refresh_from_db()
    assert registration.status == "confirmed"


def test_member_pages_need_a_login(client, db):
    for name in ("events:mine", "members:home", "members:join", "members:requests", "members:invite"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login")), name
