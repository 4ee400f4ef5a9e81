"""Every admin changelist and add page loads for staff; anonymous users get no admin."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from members.models import User

pytestmark = pytest.mark.django_db

# Rows written by the portal only (outbox, join requests, colleague invitations, invitations, subscribers after
# double opt-in, deliveries, reminders; the per-event invitation figures): there is no add page by design.
NO_ADD_PAGE = {
    "admin:messaging_outboundemail_add",
    "admin:members_joinrequest_add",
    "admin:members_colleagueinvitation_add",
    "admin:members_contactrequest_add",
    "admin:messaging_invitation_add",
    "admin:messaging_eventinvitations_add",
    "admin:messaging_subscriber_add",
    "admin:messaging_delivery_add",
    "admin:messaging_eventreminder_add",
}


def admin_url_names():
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        yield f"{prefix}_changelist"
        yield f"{prefix}_add"


@pytest.fixture
def demo(db):
    call_command("seed", "--demo", "--organisations=12", verbosity=0)


def statuses(client, names):
    return {name: client.get(reverse(name)).status_code for name in names}


def test_superuser_loads_every_changelist_and_add_page(client, demo):
    client.force_login(User.objects.get(email="admin@demo.example"))
    got = statuses(client, admin_url_names())
    expected = {name: 403 if name in NO_ADD_PAGE else 200 for name in got}
    assert got == expected


def test_staff_user_works_in_the_admin(client, demo, staff_user):
    client.force_login(staff_user)
    names = [
        "admin:members_organisation_changelist",
        "admin:members_organisation_add",
        "admin:members_person_changelist",
        "admin:members_person_add",
        "admin:members_membership_changelist",
        "admin:events_event_changelist",
        "admin:events_event_add",
        "admin:events_registration_changelist",
        "admin:projects_project_changelist",
        "admin:projects_project_add",
        "admin:clusters_cluster_changelist",
        "admin:clusters_cooperationagreement_changelist",
    ]
    assert statuses(client, names) == dict.fromkeys(names, 200)


def test_anonymous_gets_no_admin(client):
    for name in admin_url_names():
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith("/admin/login/"), name
