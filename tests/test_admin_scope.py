"""Staff of one association see and change only what belongs to it – by list, URL, search,
autocomplete, actions and forms. Joint items belong to every organiser; superusers see everything."""

import pytest
from django.urls import reverse

from events.models import Event, Registration
from members.models import Membership, Organisation, Person
from projects.models import Project
from tests.events.factories import EventFactory
from tests.members.factories import OrganisationFactory, PersonFactory, staff_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(facts):
    c = facts["clusters"]
    acod, it, nlmd = c["acod"], c["cluster-it"], c["nlmd"]
    acod_org = OrganisationFactory(name="Achsenwerk Zwickau GmbH")
    Membership.objects.create(organisation=acod_org, cluster=acod)
    it_org = OrganisationFactory(name="Codeschmiede Leipzig GmbH")
    Membership.objects.create(organisation=it_org, cluster=it)
    acod_person = PersonFactory(organisation=acod_org, last_name="Achsmann")
    it_person = PersonFactory(organisation=it_org, last_name="Codemann")
    acod_event = EventFactory(title="ACOD-Werkstatt")
    acod_event.organisers.set([acod])
    it_event = EventFactory(title="IT-Abend")
    it_event.organisers.set([it])
    joint = EventFactory(title="Gemeinsamer Abend")
    joint.organisers.set([acod, it])
    it_registration = Registration.objects.create(event=it_event, person=it_person, organisation=it_org)
    it_project = Project.objects.create(title="IT-Projekt", slug="it-projekt", lead_cluster=it)
    nlmd_project = Project.objects.create(title="Gemeinsam mit ACOD", slug="mit-acod", lead_cluster=nlmd)
    nlmd_project.clusters.set([acod])
    return {
        "acod_staff": staff_of(acod, "staff@acod.example"),
        "it_staff": staff_of(it, "staff@it.example"),
        "acod_org": acod_org,
        "it_org": it_org,
        "acod_person": acod_person,
        "it_person": it_person,
        "acod_event": acod_event,
        "it_event": it_event,
        "joint": joint,
        "it_registration": it_registration,
        "it_project": it_project,
        "nlmd_project": nlmd_project,
        **c,
    }


def changelist(client, model, **params):
    response = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"), params)
    assert response.status_code == 200
    return {str(obj) for obj in response.context["cl"].result_list}


def test_changelists_show_only_the_own_association(client, world):
    client.force_login(world["acod_staff"])
    assert changelist(client, Organisation) == {"Achsenwerk Zwickau GmbH"}
    # "Cybercrime" (2019) was organised by Cluster IT together with ACOD.
    assert changelist(client, Event) == {"ACOD-Werkstatt", "Gemeinsamer Abend", "Cybercrime"}
    assert changelist(client, Project) == {"Gemeinsam mit ACOD"}
    assert {p.split()[-1] for p in changelist(client, Person)} == {"Achsmann"}
    assert changelist(client, Registration) == set()
    assert changelist(client, Membership) == {"Achsenwerk Zwickau GmbH @ ACOD"}


def test_search_stays_in_scope(client, world):
    client.force_login(world["acod_staff"])
    assert changelist(client, Organisation, q="Codeschmiede") == set()
    assert changelist(client, Event, q="IT-Abend") == set()


@pytest.mark.parametrize("action", ["change", "delete"])
def test_other_associations_items_cannot_be_opened_by_url(client, world, action):
    client.force_login(world["acod_staff"])
    for key in ("it_org", "it_event", "it_project", "it_person", "it_registration"):
        obj = world[key]
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{action}", args=[obj.pk])
        response = client.get(url)
        assert response.status_code == 302, (key, response.status_code)
        assert response["Location"] == reverse("admin:index")
        assert client.post(url, {"post": "yes"}).status_code == 302
    assert Organisation.objects.filter(pk=world["it_org"].pk).exists()
    assert Event.objects.filter(pk=world["it_event"].pk).exists()


def test_joint_event_is_editable_by_every_organiser(client, world):
    url = reverse("admin:events_event_change", args=[world["joint"].pk])
    for staff in ("acod_staff", "it_staff"):
        client.force_login(world[staff])
        assert client.get(url).status_code == 200


def test_autocomplete_is_scoped(client, world):
    client.force_login(world["acod_staff"])
    params = {"app_label": "events", "model_name": "registration", "field_name": "person", "term": "mann"}
    response = client.get(reverse("admin:autocomplete"), params)
    assert response.status_code == 200
    names = {r["text"] for r in response.json()["results"]}
    assert any("Achsmann" in n for n in names) and not any("Codemann" in n for n in names)
    params = {"app_label": "members", "model_name": "person", "field_name": "organisation", "term": "GmbH"}
    names = {r["text"] for r in client.get(reverse("admin:autocomplete"), params).json()["results"]}
    assert names == {"Achsenwerk Zwickau GmbH"}


def test_bulk_delete_action_ignores_foreign_ids(client, world):
    client.force_login(world["acod_staff"])
    url = reverse("admin:members_organisation_changelist")
    client.post(url, {"action": "delete_selected", "_selected_action": [world["it_org"].pk], "post": "yes"})
    assert Organisation.objects.filter(pk=world["it_org"].pk).exists()


def test_forged_foreign_key_is_refused(client, world):
    client.force_login(world["acod_staff"])
    response = client.post(
        reverse("admin:events_registration_add"),
        {"event": world["acod_event"].pk, "person": world["it_person"].pk, "status": "confirmed",
         "created_at_0": "01.01.2026", "created_at_1": "10:00:00"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "person" in response.context["adminform"].form.errors
    assert not Registration.objects.filter(person=world["it_person"], event=world["acod_event"]).exists()


def test_event_must_keep_an_own_organiser(client, world):
    client.force_login(world["acod_staff"])
    response = client.post(
        reverse("admin:events_event_add"),
        {"title": "Fremd", "slug": "fremd", "format": "workshop", "organisers": [world["cluster-it"].pk],
         "audience": "public", "is_published": "on", "starts_at_0": "01.12.2030", "starts_at_1": "10:00",
         "ends_at_0": "01.12.2030", "ends_at_1": "12:00", "city": "Leipzig", "capacity": 10,
         "registrations-TOTAL_FORMS": 0, "registrations-INITIAL_FORMS": 0},
    )  # fmt: skip
    assert response.status_code == 200
    assert "organisers" in response.context["adminform"].form.errors
    assert not Event.objects.filter(slug="fremd").exists()


def test_organisation_added_by_staff_needs_an_own_membership(client, world):
    client.force_login(world["acod_staff"])
    data = {
        "name": "Neu GmbH", "slug": "neu-gmbh", "kind": "company",
        "memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0,
        "people-TOTAL_FORMS": 0, "people-INITIAL_FORMS": 0,
    }  # fmt: skip
    response = client.post(reverse("admin:members_organisation_add"), data)
    assert response.status_code == 200 and not Organisation.objects.filter(slug="neu-gmbh").exists()
    data.update({"memberships-TOTAL_FORMS": 1, "memberships-0-cluster": world["acod"].pk,
                 "memberships-0-status": "active", "memberships-0-since": "01.01.2026"})  # fmt: skip
    response = client.post(reverse("admin:members_organisation_add"), data)
    assert response.status_code == 302
    assert Organisation.objects.get(slug="neu-gmbh").memberships.get().cluster == world["acod"]


def test_membership_cannot_be_written_for_another_association(client, world):
    client.force_login(world["acod_staff"])
    response = client.post(
        reverse("admin:members_membership_add"),
        {"organisation": world["acod_org"].pk, "cluster": world["nlmd"].pk, "status": "active", "since": "01.01.2026"},
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(organisation=world["acod_org"], cluster=world["nlmd"]).exists()


def test_superuser_sees_everything(client, world):
    from members.models import User

    client.force_login(User.objects.create_superuser(email="root@example.org", password="x"))
    assert changelist(client, Organisation) == {"Achsenwerk Zwickau GmbH", "Codeschmiede Leipzig GmbH"}
    assert len(changelist(client, Event)) == 5  # three here and the two of 2019
