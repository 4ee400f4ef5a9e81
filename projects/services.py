"""Writes on projects: status changes keep a dated history."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from .models import Project, ProjectStatusChange


@transaction.atomic
def project_status_record(
    *, project: Project, changed_by=None, note: str = "", changed_on: dt.date | None = None
) -> ProjectStatusChange | None:
    """Append the project's current status to its history unless the latest entry already says so."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    latest = project.status_changes.order_by("-changed_on", "-id").first()
    if latest is not None and latest.status == project.status:
        return None
    return ProjectStatusChange.objects.create(
        project=project,
        status=project.status,
        changed_on=changed_on or timezone.localdate(),
        note=note,
        changed_by=changed_by,
    )


@transaction.atomic
def project_status_change(
    *, project: Project, status: str, changed_by=None, note: str = "", changed_on: dt.date | None = None
) -> ProjectStatusChange | None:
    """Move a project to ``status`` and record the change with its date."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.status == status:
        return None
    locked.status = status
    locked.save(update_fields=["status", "updated_at"])
    return project_status_record(project=locked, changed_by=changed_by, note=note, changed_on=changed_on)
