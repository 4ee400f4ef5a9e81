"""Page-shaped reads of events. Audience rules live here and nowhere else."""

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest

from clusters.models import Cluster
from members.selectors import PortalRoles

from .models import Event, Registration

Organisers = Event.organisers.through


def events_visible(*, roles: PortalRoles) -> QuerySet[Event]:
    """Events the user may see: public ones for everybody; member-only ones for members of an
    organiser (or of any association when open to all memberships); their own for staff."""
    if roles.is_superuser:
        return Event.objects.all()
    published = Q(is_published=True)
    condition = published & Q(audience=Event.Audience.PUBLIC)
    if roles.is_member:
        organised_by_my_cluster = Exists(
            Organisers.objects.filter(event_id=OuterRef("pk"), cluster_id__in=roles.member_cluster_ids)
        )
        condition |= published & Q(audience=Event.Audience.ALL_MEMBERS)
        condition |= published & Q(audience=Event.Audience.ORGANISER_MEMBERS) & organised_by_my_cluster
    if roles.staff_cluster_ids:
        condition |= Exists(Organisers.objects.filter(event_id=OuterRef("pk"), cluster_id__in=roles.staff_cluster_ids))
    return Event.objects.filter(condition)


def _count_per_event(queryset) -> Coalesce:
    """A correlated COUNT subquery (no join fan-out, whatever the number of registrations)."""
    counted = queryset.filter(event_id=OuterRef("pk")).order_by().values("event_id").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")), 0)


def events_with_cards(queryset: QuerySet[Event]) -> QuerySet[Event]:
    """What an event card shows: organisers, organiser count, seats taken and waiting, in fixed queries."""
    return (
        queryset.with_organiser_count()
        .annotate(
            seats_taken=_count_per_event(Registration.objects.holding_seat()),
            waiting_count=_count_per_event(Registration.objects.filter(status=Registration.Status.WAITING)),
        )
        .annotate(seats_left=Greatest(F("capacity") - F("seats_taken"), 0))
        .prefetch_related(Prefetch("organisers", queryset=Cluster.objects.order_by("short_name")))
    )
