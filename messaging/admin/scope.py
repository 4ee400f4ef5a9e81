"""Which associations a staff user acts for: superusers for all, other staff for the ones they staff."""

from django.db.models import Exists, OuterRef, QuerySet

from clusters.models import Cluster
from events.models import Event


def staff_cluster_ids(request) -> frozenset[int] | None:
    """Cluster ids the user staffs; None means no restriction (superuser). Resolved once per request."""
    if request.user.is_superuser:
        return None
    ids = getattr(request, "_messaging_cluster_ids", None)
    if ids is None:
        ids = request._messaging_cluster_ids = frozenset(request.user.staff_clusters.values_list("pk", flat=True))
    return ids


def clusters_for(request) -> QuerySet[Cluster]:
    ids = staff_cluster_ids(request)
    clusters = Cluster.objects.order_by("short_name")
    return clusters if ids is None else clusters.filter(pk__in=ids)


def events_for(request, queryset: QuerySet[Event] | None = None) -> QuerySet[Event]:
    """Events the user may invite to: those organised by one of their associations."""
    queryset = Event.objects.all() if queryset is None else queryset
    ids = staff_cluster_ids(request)
    if ids is None:
        return queryset
    organisers = Event.organisers.through.objects.filter(event_id=OuterRef("pk"), cluster_id__in=ids)
    return queryset.filter(Exists(organisers))
