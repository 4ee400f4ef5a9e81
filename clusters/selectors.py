"""Page-shaped reads for the public pages: home, associations, the agreement."""

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from events.selectors import events_visible, events_with_cards
from members.selectors import PortalRoles
from projects.selectors import projects_visible

from .models import BoardPosition, Cluster, CooperationAgreement, Goal, Signatory
from .queries import SubqueryCount


def clusters_with_counts() -> QuerySet[Cluster]:
    return Cluster.objects.annotate(
        member_count=Count("memberships", filter=Q(memberships__status="active"), distinct=True)
    ).order_by("short_name")


def agreement_current() -> CooperationAgreement | None:
    return CooperationAgreement.objects.order_by("-signed_on").first()


def home_data(*, roles: PortalRoles) -> dict:
    """Upcoming joint events the user may see, the three associations, the agreement in brief."""
    upcoming_joint = events_with_cards(
        events_visible(roles=roles).upcoming().with_organiser_count().filter(organiser_count__gte=2)
    ).order_by("starts_at")[:6]
    agreement = (
        CooperationAgreement.objects.order_by("-signed_on")
        .prefetch_related(
            Prefetch("goals", queryset=Goal.objects.order_by("number")),
            Prefetch("signatories", queryset=Signatory.objects.select_related("person", "cluster")),
        )
        .first()
    )
    return {"events": list(upcoming_joint), "clusters": list(clusters_with_counts()), "agreement": agreement}


def cluster_detail(*, slug: str, roles: PortalRoles) -> dict:
    """An association: board, member count, its joint events (upcoming and recent) and its projects."""
    cluster = clusters_with_counts().prefetch_related(
        Prefetch(
            "board_positions",
            queryset=BoardPosition.objects.filter(until__isnull=True).select_related("person__organisation"),
        )
    )
    cluster = cluster.get(slug=slug)
    joint = events_visible(roles=roles).with_organiser_count().filter(organiser_count__gte=2, organisers=cluster)
    now = timezone.now()
    projects = (
        projects_visible(roles=roles)
        .filter(Q(lead_cluster=cluster) | Q(clusters=cluster))
        .distinct()
        .select_related("lead_cluster")
        .order_by("-starts_on", "title")
    )
    # Both lists' organisers in one query.
    upcoming = list(events_with_cards(joint.upcoming(now)).prefetch_related(None).order_by("starts_at")[:10])
    past = list(events_with_cards(joint.past(now)).prefetch_related(None).order_by("-starts_at")[:10])
    prefetch_related_objects(upcoming + past, Prefetch("organisers", queryset=Cluster.objects.order_by("short_name")))
    return {"cluster": cluster, "upcoming_events": upcoming, "past_events": past, "projects": list(projects[:20])}


# Under each goal the agreement page lists this many of the latest events and projects (and counts all).
GOAL_LIST_LENGTH = 10


def agreement_detail(*, slug: str, roles: PortalRoles) -> CooperationAgreement:
    """The agreement with parties, signatories and, under each goal, the latest events and projects serving
    it (``latest_events``, ``latest_projects``; ``event_count`` and ``project_count`` count all of them)."""
    events = events_visible(roles=roles).order_by("-starts_at", "-pk")
    projects = projects_visible(roles=roles).order_by("-starts_on", "title", "pk")
    goals = Goal.objects.order_by("number").annotate(
        event_count=SubqueryCount(events.filter(goals=OuterRef("pk")).values("pk")),
        project_count=SubqueryCount(projects.filter(goals=OuterRef("pk")).values("pk")),
    )
    return CooperationAgreement.objects.prefetch_related(
        Prefetch("parties", queryset=Cluster.objects.order_by("short_name")),
        Prefetch(
            "signatories",
            queryset=Signatory.objects.select_related("cluster", "person").order_by("cluster__short_name"),
        ),
        Prefetch(
            "goals",
            queryset=goals.prefetch_related(
                Prefetch("events", queryset=events[:GOAL_LIST_LENGTH], to_attr="latest_events"),
                Prefetch("projects", queryset=projects[:GOAL_LIST_LENGTH], to_attr="latest_projects"),
            ),
        ),
    ).get(slug=slug)
