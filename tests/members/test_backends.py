"""The login of a session comes from a cached copy (members.backends), which never outlives a change."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.backends import ModelBackend
from tests.members.factories import UserFactory, member_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(facts):
    return member_person(clusters=[facts["clusters"]["acod"]])


def test_a_cached_page_for_a_login_needs_no_query(client, person):
    client.force_login(person.user)
    client.get(reverse("events:mine"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("events:mine"))
    assert response.status_code == 200
    assert person.user.email in response.content.decode()
    assert len(queries) == 0


def test_a_new_password_ends_the_other_sessions_at_once(person):
    other = Client()
    other.force_login(person.user)
    assert other.get(reverse("members:home")).status_code == 200
    user = get_user_model().objects.get(pk=person.user.pk)
    user.set_password("ein-ganz-neues-passwort-2019")
    user.save()
    response = other.get(reverse("members:home"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_a_deactivated_login_is_logged_out_at_its_next_request(client, person):
    client.force_login(person.user)
    assert client.get(reverse("members:home")).status_code == 200
    person.user.is_active = False
    person.user.save()
    assert client.get(reverse("members:home")).status_code == 302


def test_a_changed_address_shows_at_once(client, person):
    client.force_login(person.user)
    client.get(reverse("members:home"))
    person.user.email = "neu@example.org"
    person.user.save()
    assert "neu@example.org" in client.get(reverse("members:home")).content.decode()


def test_a_deleted_login_is_gone(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("members:home")).status_code == 200
    user.delete()
    assert client.get(reverse("members:home")).status_code == 302


def test_a_copy_read_before_a_commit_is_not_used_after_it(transactional_db):
    """A request reads the login while a password change is written but not committed; the copy it keeps
    has the old password hash and must not be used once the change is committed."""
    user = UserFactory()
    old_hash = user.password
    backend = ModelBackend()
    seen = {}

    def read():
        from django.db import connection as thread_connection

        try:
            seen["user"] = backend.get_user(user.pk)
        finally:
            thread_connection.close()

    with transaction.atomic():
        user.set_password("ein-ganz-neues-passwort-2019")
        user.save()
        thread = threading.Thread(target=read)
        thread.start()
        thread.join(10)
    assert seen["user"].password == old_hash  # the thread read the committed (old) row
    assert backend.get_user(user.pk).password == user.password != old_hash
