"""Projects: dated status history, milestones, visibility of pages and documents."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from members.models import Membership
from projects.models import Project, ProjectDocument, ProjectStatusChange
from projects.services import project_status_change, project_status_record
from tests.members.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(facts):
    project = Project.objects.create(
        title="Datenraum", slug="datenraum", lead_cluster=facts["clusters"]["acod"], status=Project.Status.IDEA
    )
    project_status_record(project=project)
    return project


def test_status_change_is_recorded_with_its_date(project):
    change = project_status_change(project=project, status=Project.Status.RUNNING, changed_on=dt.date(2026, 3, 1))
    assert change.status == Project.Status.RUNNING and change.changed_on == dt.date(2026, 3, 1)
    project.refresh_from_db()
    assert project.status == Project.Status.RUNNING
    assert [c.status for c in project.status_changes.order_by("id")] == ["idea", "running"]
    # Setting the same status again records nothing.
    assert project_status_change(project=project, status=Project.Status.RUNNING) is None
    assert project.status_changes.count() == 2


def test_admin_status_edit_adds_history_and_milestone_done_date(client, facts, project):
    from members.models import User

    admin = User.objects.create_superuser(email="root@example.org", password="x")
    client.force_login(admin)
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = {
        "title": project.title, "title_en": "", "slug": project.slug, "status": "planned", "is_public": "on",
        "lead_cluster": facts["clusters"]["acod"].pk, "clusters": [facts["clusters"]["nlmd"].pk],
        "summary": "", "summary_en": "", "focus_topic": "", "goals": [facts["goals"][2].pk], "funding_note": "",
        "starts_on": "2026-01-01", "ends_on": "",
        "participants-TOTAL_FORMS": 0, "participants-INITIAL_FORMS": 0,
        "milestones-TOTAL_FORMS": 1, "milestones-INITIAL_FORMS": 0,
        "milestones-0-title": "Kick-off", "milestones-0-due_on": "2026-02-01", "milestones-0-done": "on",
        "status_changes-TOTAL_FORMS": 0, "status_changes-INITIAL_FORMS": 0,
        "documents-TOTAL_FORMS": 0, "documents-INITIAL_FORMS": 0,
    }  # fmt: skip
    for prefix in ("participants", "milestones", "status_changes", "documents"):
        data[f"{prefix}-MIN_NUM_FORMS"] = 0
        data[f"{prefix}-MAX_NUM_FORMS"] = 1000
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    latest = ProjectStatusChange.objects.filter(project=project).order_by("-id").first()
    assert (latest.status, latest.changed_by) == ("planned", admin)
    milestone = project.milestones.get()
    assert milestone.done and milestone.done_on is not None


def test_members_see_all_projects_public_sees_public_ones(client, facts, project):
    url = reverse("projects:detail", args=[project.slug])
    assert client.get(url).status_code == 404
    user = UserFactory()
    person = PersonFactory(user=user)
    Membership.objects.create(organisation=person.organisation, cluster=facts["clusters"]["nlmd"])
    client.force_login(user)
    assert client.get(url).status_code == 200
    client.logout()
    project.is_public = True
    project.save()
    assert client.get(url).status_code == 200


def test_document_is_served_as_attachment_only_to_who_may_see_the_project(client, facts, project, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = ProjectDocument(project=project, title="Plan")
    document.file.save("plan.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    url = reverse("projects:document", args=[document.pk])
    assert client.get(url).status_code == 404
    project.is_public = True
    project.save()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(reverse("projects:document", args=[999999])).status_code == 404
