"""Page-shaped reads of projects."""

from django.db.models import Prefetch, QuerySet

from clusters.models import Cluster, Goal
from members.selectors import PortalRoles

from .models import Milestone, Project, ProjectDocument, ProjectParticipant, ProjectStatusChange


def projects_visible(*, roles: PortalRoles) -> QuerySet[Project]:
    """Public projects for everybody; all projects for members, staff and the board (read-only)."""
    if roles.is_member or roles.is_staff or roles.is_board:
        return Project.objects.all()
    return Project.objects.filter(is_public=True)


def project_list(*, roles: PortalRoles) -> QuerySet[Project]:
    return (
        projects_visible(roles=roles)
        .select_related("lead_cluster", "focus_topic")
        .prefetch_related(Prefetch("clusters", queryset=Cluster.objects.order_by("short_name")))
        .order_by("-starts_on", "title")
    )


def project_detail(*, slug: str, roles: PortalRoles) -> Project:
    return (
        projects_visible(roles=roles)
        .select_related("lead_cluster", "focus_topic")
        .prefetch_related(
            Prefetch("clusters", queryset=Cluster.objects.order_by("short_name")),
            Prefetch("goals", queryset=Goal.objects.order_by("number")),
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "id")),
            Prefetch(
                "participants",
                queryset=ProjectParticipant.objects.select_related("organisation").order_by("organisation__name"),
            ),
            Prefetch("documents", queryset=ProjectDocument.objects.order_by("-uploaded_at")),
            Prefetch("status_changes", queryset=ProjectStatusChange.objects.order_by("-changed_on", "-id")),
        )
        .get(slug=slug)
    )


def project_document(*, pk: int, roles: PortalRoles) -> ProjectDocument:
    """A document of a project the user may see (raises ``ProjectDocument.DoesNotExist`` otherwise)."""
    return ProjectDocument.objects.select_related("project").get(pk=pk, project__in=projects_visible(roles=roles))
