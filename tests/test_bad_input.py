"""Hostile and malformed input – in URL paths, query strings and forms – gets a 4xx or the form with a
message, never a 500; and a rejected request changes nothing stored. Property-based with hypothesis."""

from urllib.parse import quote, urlencode

import pytest
from django.apps import apps
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.models import Event, Registration
from tests.events.factories import EventFactory
from tests.members.factories import UserFactory, member_person

pytestmark = pytest.mark.django_db

# Text as attackers and broken clients send it: control characters (NUL included), huge numbers,
# SQL and template syntax, path tricks, very long strings.
NASTY = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "\x00", "' OR 1=1 --", "{{ 7*7 }}", "{% debug %}", "../../etc/passwd", "%00", "😀" * 50,
            "9" * 400, "-1", "0", "2026-02-30", "9999-12-31", "1e309", "NaN", "<script>alert(1)</script>",
            "a" * 5000, " ", "\r\n", "javascript:alert(1)", "null", "[]", "{}",
        ]
    ),
)  # fmt: skip
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for label in ("clusters", "members", "events", "projects", "messaging")
        for model in apps.get_app_config(label).get_models()
    }


@pytest.fixture
def world(facts):
    acod = facts["clusters"]["acod"]
    event = EventFactory(slug="netzwerkabend", capacity=5)
    event.organisers.set([acod])
    person = member_person(clusters=[acod], primary=True)
    staff = UserFactory(is_staff=True, is_superuser=True)
    return {"event": event, "person": person, "staff": staff, "acod": acod}


LIST_PAGES = [
    ("events:list", ["q", "association", "format", "city", "goal", "date_from", "date_to", "joint", "page"]),
    ("events:past", ["q", "association", "page", "date_from"]),
    ("members:directory", ["q", "cluster", "sector", "kind", "size", "city", "topic", "page"]),
    ("clusters:dashboard", ["kind", "year", "quarter", "start", "end", "export"]),
    ("events:check_in", ["q"]),
    ("projects:list", ["page"]),
    ("clusters:home", ["page", "next"]),
]


@pytest.mark.parametrize(("name", "params"), LIST_PAGES)
def test_query_strings_never_crash(client, world, name, params):
    client.force_login(world["staff"])
    kwargs = {"slug": world["event"].slug} if name == "events:check_in" else None
    url = reverse(name, kwargs=kwargs)

    @FUZZ
    @given(values=st.dictionaries(st.sampled_from(params), NASTY, max_size=len(params)))
    def check(values):
        response = client.get(f"{url}?{urlencode(values)}")
        assert response.status_code < 500, (url, values)

    check()


PATHS = [
    "/events/{}/",
    "/events/{}/calendar.ics",
    "/events/feed/{}.ics",
    "/events/registrations/{}/cancel/",
    "/associations/{}/",
    "/agreement/{}/",
    "/pages/{}/",
    "/projects/{}/",
    "/projects/documents/{}/",
    "/members/organisation/{}/",
    "/members/invitation/{}/",
    "/members/contact/{}/",
    "/members/partners/{}/contact/",
    "/newsletter/confirm/{}/",
    "/newsletter/preferences/{}/",
    "/newsletter/unsubscribe/{}/",
    "/invitations/{}/accept/",
    "/invitations/{}/decline/",
    "/accounts/confirm-email/{}/",
    "/events/netzwerkabend/check-in/{}/",
]


@pytest.mark.parametrize("pattern", PATHS)
def test_path_parameters_never_crash(client, world, pattern):
    client.force_login(world["person"].user)

    @FUZZ
    @given(value=NASTY)
    def check(value):
        path = pattern.format(quote(value, safe=""))
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code < 500, (method.__name__, path)

    check()


FORMS = [
    ("events:register", {"slug": "netzwerkabend"}, ["person"]),
    ("members:join", None, ["q", "organisation", "first_name", "last_name", "function", "message"]),
    ("members:invite", None, ["email", "first_name", "last_name", "function"]),
    ("members:language", None, ["language", "next"]),
    ("members:account_delete", None, ["password", "confirm"]),
    ("messaging:newsletter_signup", None, ["email", "clusters", "topics", "consent"]),
    ("set_language", None, ["language", "next"]),
]


@pytest.mark.parametrize(("name", "kwargs", "fields"), FORMS)
def test_forms_answer_bad_input_with_a_4xx_and_store_nothing(client, world, name, kwargs, fields):
    client.force_login(world["person"].user)
    url = reverse(name, kwargs=kwargs)

    @FUZZ
    @given(values=st.dictionaries(st.sampled_from(fields), NASTY, min_size=1, max_size=len(fields)))
    def check(values):
        before = row_counts()
        response = client.post(url, values)
        assert response.status_code < 500, (url, values)
        if response.status_code >= 400:
            assert row_counts() == before, (url, values)

    check()


def test_registering_twice_is_a_409_not_a_500(client, world):
    client.force_login(world["person"].user)
    url = reverse("events:register", args=["netzwerkabend"])
    assert client.post(url).status_code in (200, 302)
    assert client.post(url).status_code == 409
    assert Registration.objects.filter(event=world["event"]).count() == 1


def test_a_forged_email_confirmation_key_confirms_nothing(client, world):
    from allauth.account.models import EmailAddress

    user = UserFactory(email="neu@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    response = client.post("/accounts/confirm-email/Mg:forged:signature/")
    assert response.status_code < 500
    assert not EmailAddress.objects.get(user=user).verified


def test_capacity_cannot_be_set_negative_in_the_admin(client, world):
    client.force_login(world["staff"])
    event = world["event"]
    url = reverse("admin:events_event_change", args=[event.pk])
    response = client.post(url, {"title": "x", "capacity": "-5"})
    assert response.status_code == 200  # the form again, with its errors
    assert Event.objects.get(pk=event.pk).capacity == 5
