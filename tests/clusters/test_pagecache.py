"""The page cache: pages come from the cache until the content changes, never with somebody else's token,
personal data or rights, and never from a version older than the committed content."""

import re
import threading

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clusters import pagecache
from clusters.models import BoardPosition
from events.models import Event, Registration
from members.models import Membership
from tests.events.factories import EventFactory
from tests.members.factories import UserFactory, member_person

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(captured), response.content.decode()


@pytest.fixture(autouse=True)
def english(settings):
    """Pages in English: the assertions read the English texts."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def event(facts):
    return EventFactory(title="Werkstatt Datenräume", organisers=list(facts["clusters"].values())[:2])


def test_a_page_is_served_from_the_cache_until_the_content_changes(client, event):
    url = reverse("events:list")
    cold, html = queries(client, url)
    warm, again = queries(client, url)
    assert cold > 0 and warm == 0
    assert TOKEN.sub("", html) == TOKEN.sub("", again)
    event.title = "Werkstatt Datenräume 2"
    event.save()
    changed, html = queries(client, url)
    assert changed > 0
    assert "Werkstatt Datenräume 2" in html


def test_seats_follow_registrations_at_once(client, event):
    person = member_person(clusters=list(event.organisers.all()))
    url = event.get_absolute_url()
    assert "0 of 20 taken" in client.get(url).content.decode()
    Registration.objects.create(event=event, person=person, organisation=person.organisation)
    assert "1 of 20 taken" in client.get(url).content.decode()


def test_a_many_to_many_change_counts_as_a_change(client, facts, event):
    url = reverse("clusters:detail", args=["nlmd"])
    assert "Werkstatt Datenräume" not in client.get(url).content.decode()
    event.organisers.add(facts["clusters"]["nlmd"])
    assert "Werkstatt Datenräume" in client.get(url).content.decode()


def test_every_visitor_gets_their_own_csrf_token(event):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    tokens = []
    for client in (first, second, first):
        response = client.get(reverse("clusters:home"))
        found = TOKEN.findall(response.content.decode())
        assert found and str(pagecache.CSRF_PLACEHOLDER) not in response.content.decode()
        tokens.append((found[0], client.cookies["csrftoken"].value))
    assert tokens[0][1] != tokens[1][1]  # two visitors, two secrets
    # Each token posted back with its own cookie is accepted (the language switch form).
    for client in (first, second):
        page = client.get(reverse("clusters:home")).content.decode()
        response = client.post(
            reverse("set_language"), {"language": "en", "csrfmiddlewaretoken": TOKEN.findall(page)[0]}
        )
        assert response.status_code == 302


def test_personal_pages_are_never_shared_between_logins(facts, event):
    acod = facts["clusters"]["acod"]
    alice, bob = member_person(clusters=[acod]), member_person(clusters=[acod])
    Registration.objects.create(event=event, person=alice, organisation=alice.organisation)
    pages = {}
    for person in (alice, bob, alice):
        client = Client()
        client.force_login(person.user)
        pages.setdefault(person.pk, []).append(client.get(reverse("events:mine")).content.decode())
    assert "Werkstatt Datenräume" in pages[alice.pk][0] and "Werkstatt Datenräume" in pages[alice.pk][1]
    assert "Werkstatt Datenräume" not in pages[bob.pk][0]
    assert bob.user.email in pages[bob.pk][0] and alice.user.email not in pages[bob.pk][0]


def test_audience_rules_hold_when_rights_change(client, facts):
    acod, nlmd = facts["clusters"]["acod"], facts["clusters"]["nlmd"]
    members_only = EventFactory(title="Nur für ACOD", organisers=[acod], audience=Event.Audience.ORGANISER_MEMBERS)
    person = member_person(clusters=[acod])
    client.force_login(person.user)
    assert "Nur für ACOD" in client.get(reverse("events:list")).content.decode()
    assert client.get(members_only.get_absolute_url()).status_code == 200
    membership = Membership.objects.get(organisation=person.organisation, cluster=acod)
    membership.cluster = nlmd  # the organisation moved to another association
    membership.save()
    assert "Nur für ACOD" not in client.get(reverse("events:list")).content.decode()
    assert client.get(members_only.get_absolute_url()).status_code == 404
    assert "Nur für ACOD" not in Client().get(reverse("events:list")).content.decode()  # nor for visitors


def test_losing_the_board_seat_closes_the_cached_dashboard(client, facts):
    position = BoardPosition.objects.select_related("person").first()
    person = position.person
    person.user = UserFactory()
    person.save()
    client.force_login(person.user)
    assert client.get(reverse("clusters:dashboard")).status_code == 200
    position.until = position.since or facts["agreement"].signed_on
    position.save()
    assert client.get(reverse("clusters:dashboard")).status_code == 403


def test_pages_with_flash_messages_are_neither_served_from_nor_stored_in_the_cache(client, facts, event):
    person = member_person(clusters=[facts["clusters"]["acod"]])
    client.force_login(person.user)
    client.get(event.get_absolute_url())  # cached
    response = client.post(reverse("events:register", args=[event.slug]), follow=True)
    assert "is registered" in response.content.decode()
    assert "is registered" not in client.get(event.get_absolute_url()).content.decode()


def test_a_page_rendered_before_a_concurrent_commit_is_never_served(transactional_db, facts):
    """A request renders the event while another transaction changes it; the page it stores carries the
    version from before the commit and is not served afterwards."""
    event = EventFactory(title="Vorher", organisers=[facts["clusters"]["acod"]])
    url = event.get_absolute_url()
    rendered, committed = threading.Event(), threading.Event()

    def render_slowly():
        from django.db import connection as thread_connection

        original = pagecache._cacheable

        def waiting(response):
            rendered.set()
            committed.wait(10)  # the change commits after the page was rendered, before it is stored
            return original(response)

        pagecache._cacheable = waiting
        try:
            assert "Vorher" in Client().get(url).content.decode()
        finally:
            pagecache._cacheable = original
            thread_connection.close()

    thread = threading.Thread(target=render_slowly)
    thread.start()
    assert rendered.wait(10)
    with transaction.atomic():
        Event.objects.filter(pk=event.pk).update(title="Nachher")
        pagecache.content_changed()
    committed.set()
    thread.join(10)
    assert "Nachher" in Client().get(url).content.decode()


def test_a_write_without_signals_is_seen_after_content_changed(client, event):
    url = event.get_absolute_url()
    client.get(url)
    Event.objects.filter(pk=event.pk).update(title="Umbenannt")
    assert "Umbenannt" not in client.get(url).content.decode()  # update() sends no signal …
    pagecache.content_changed()  # … so such writes call this themselves
    assert "Umbenannt" in client.get(url).content.decode()


def test_the_cache_can_be_switched_off(client, settings, event):
    settings.PAGE_CACHE_SECONDS = 0
    client.get(reverse("events:list"))  # the filter vocabulary has a cache of its own
    first, _html = queries(client, reverse("events:list"))
    second, _html = queries(client, reverse("events:list"))
    assert first == second > 0


def test_a_lost_version_never_serves_older_pages(client, event):
    """The cache evicted the version number but kept pages: the fresh number matches none of them."""
    url = event.get_absolute_url()
    client.get(url)
    before = pagecache.content_version()
    cache.delete(pagecache.VERSION_KEY)
    Event.objects.filter(pk=event.pk).update(title="Nach dem Verlust")
    assert "Nach dem Verlust" in client.get(url).content.decode()
    assert pagecache.content_version() > before


def test_a_page_rendered_inside_the_window_before_the_commit_is_never_served(transactional_db, facts):
    """The change raised the version but has not committed yet when another request renders and stores the
    page (from the old data): the second raise at the commit keeps that page from being served."""
    event = EventFactory(title="Vorher", organisers=[facts["clusters"]["acod"]])
    url = event.get_absolute_url()

    def render():
        from django.db import connection as thread_connection

        try:
            assert "Vorher" in Client().get(url).content.decode()  # the change is not committed yet
        finally:
            thread_connection.close()

    with transaction.atomic():
        Event.objects.filter(pk=event.pk).update(title="Nachher")
        pagecache.content_changed()
        thread = threading.Thread(target=render)
        thread.start()
        thread.join(10)
    assert "Nachher" in Client().get(url).content.decode()


def test_a_change_of_the_login_itself_shows_at_once(client, facts):
    """The login is no content model: its row is part of the key of its pages."""
    person = member_person(clusters=[facts["clusters"]["acod"]], language="de")
    client.force_login(person.user)
    selected = re.compile(r'<option value="(\w+)" selected>')
    assert selected.findall(client.get(reverse("members:home")).content.decode()) == ["de"]
    response = client.post(reverse("members:language"), {"language": "en"}, follow=True)
    assert "Saved." in response.content.decode()  # with a message: rendered, not from the cache
    assert selected.findall(client.get(reverse("members:home")).content.decode()) == ["en"]
