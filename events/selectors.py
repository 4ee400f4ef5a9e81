"""Page-shaped reads of events. Audience rules live here and nowhere else."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from clusters.models import Cluster, Goal
from clusters.vocabulary import choices
from members.models import Membership, Person
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


# --- The event list --------------------------------------------------------------------------------

BERLIN = ZoneInfo("Europe/Berlin")
PAGE_SIZE = 12
SEARCH_FIELDS = ("title", "title_en", "description", "description_en", "venue", "city")


def event_filter_options(*, roles: PortalRoles, past: bool = False) -> dict:
    """Choices for the filters: the associations, the agreement goals, and the cities of visible events."""
    visible = events_visible(roles=roles)
    visible = visible.past() if past else visible.upcoming()
    return {
        "clusters": choices("clusters"),
        "goals": choices("goals"),
        "cities": list(visible.exclude(city="").order_by("city").values_list("city", flat=True).distinct()),
    }


def _berlin_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=BERLIN)


def events_filter(queryset: QuerySet[Event], *, filters: dict) -> QuerySet[Event]:
    """Apply the list filters (all optional): ``q`` (words, each in a title, description, venue or city),
    ``association`` (slug), ``format``, ``city``, ``joint``, ``goal`` (id), ``date_from``, ``date_to``
    (days in Europe/Berlin, inclusive)."""
    for word in (filters.get("q") or "").split()[:8]:
        matches = Q()
        for name in SEARCH_FIELDS:
            matches |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(matches)
    if filters.get("association"):
        queryset = queryset.filter(
            Exists(Organisers.objects.filter(event_id=OuterRef("pk"), cluster__slug=filters["association"]))
        )
    if filters.get("format"):
        queryset = queryset.filter(format=filters["format"])
    if filters.get("city"):
        queryset = queryset.filter(city=filters["city"])
    if filters.get("joint"):
        queryset = queryset.joint()
    if filters.get("goal"):
        queryset = queryset.filter(
            Exists(Event.goals.through.objects.filter(event_id=OuterRef("pk"), goal_id=filters["goal"]))
        )
    if filters.get("date_from"):
        queryset = queryset.filter(starts_at__gte=_berlin_midnight(filters["date_from"]))
    if filters.get("date_to"):
        queryset = queryset.filter(starts_at__lt=_berlin_midnight(filters["date_to"] + dt.timedelta(days=1)))
    return queryset


def event_list_page(*, roles: PortalRoles, filters: dict, past: bool = False, page: str | int | None = 1) -> Page:
    """One page of event cards the user may see: upcoming ones by date, or past ones latest first."""
    now = timezone.now()
    visible = events_visible(roles=roles)
    if past:
        queryset = visible.past(now).order_by("-starts_at", "-pk")
    else:
        queryset = visible.upcoming(now).order_by("starts_at", "pk")
    queryset = events_with_cards(events_filter(queryset, filters=filters))
    return Paginator(queryset, PAGE_SIZE).get_page(page)


# --- One event, and registrations -----------------------------------------------------------------


def waiting_position_expression():
    """Annotation: 1 for the first on the waiting list (by time of registration), ``None`` unless waiting."""
    ahead = (
        Registration.objects.filter(event_id=OuterRef("event_id"), status=Registration.Status.WAITING)
        .filter(Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk")))
        .order_by()
        .values("event_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Case(When(status=Registration.Status.WAITING, then=Coalesce(Subquery(ahead), 0) + 1), default=None)


def event_detail(*, roles: PortalRoles, slug: str) -> Event:
    """An event the user may see (raises ``Event.DoesNotExist`` otherwise), with cards data and goals."""
    return (
        events_with_cards(events_visible(roles=roles))
        .prefetch_related(Prefetch("goals", queryset=Goal.objects.order_by("number")))
        .get(slug=slug)
    )


def registration_of(*, event: Event, person: Person | None) -> Registration | None:
    """The person's active registration for the event, with ``waiting_position``."""
    if person is None:
        return None
    return (
        Registration.objects.filter(event=event, person=person)
        .exclude(status=Registration.Status.CANCELLED)
        .annotate(waiting_position=waiting_position_expression())
        .first()
    )


def colleagues_for_event(*, event: Event, person: Person) -> list[Person]:
    """The primary contact's colleagues, each with ``registration_status`` for the event (``None`` if not
    registered)."""
    status = Registration.objects.filter(event=event, person=OuterRef("pk")).exclude(
        status=Registration.Status.CANCELLED
    )
    return list(
        Person.objects.filter(organisation_id=person.organisation_id)
        .exclude(pk=person.pk)
        .annotate(registration_status=Subquery(status.values("status")[:1]))
        .order_by("last_name", "first_name")
    )


def _registrations_of(person: Person) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(person=person)
        .select_related("event")
        .prefetch_related(Prefetch("event__organisers", queryset=Cluster.objects.order_by("short_name")))
        .annotate(waiting_position=waiting_position_expression())
    )


def registrations_upcoming(*, person: Person, now=None) -> list[Registration]:
    """The person's active registrations (a seat or the waiting list) for events that have not ended."""
    return list(
        _registrations_of(person)
        .filter(
            event__ends_at__gte=now or timezone.now(),
            status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITING],
        )
        .order_by("event__starts_at", "pk")
    )


def registrations_of(*, person: Person, now=None) -> dict:
    """ "My registrations": active ones for coming events, and (the latest 50) seats at past events."""
    now = now or timezone.now()
    past = _registrations_of(person).filter(event__ends_at__lt=now, status__in=Registration.SEAT_STATUSES)
    return {
        "upcoming": registrations_upcoming(person=person, now=now),
        "past": list(past.order_by("-event__starts_at")[:50]),
    }


def registrations_of_colleagues(*, person: Person, now=None) -> list[Registration]:
    """For a primary contact: the colleagues' active registrations for coming events."""
    if not (person.is_primary_contact and person.organisation_id):
        return []
    return list(
        Registration.objects.filter(
            organisation_id=person.organisation_id,
            event__ends_at__gte=now or timezone.now(),
            status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITING],
        )
        .exclude(person=person)
        .select_related("event", "person")
        .annotate(waiting_position=waiting_position_expression())
        .order_by("event__starts_at", "person__last_name")
    )


# --- Calendar feed ----------------------------------------------------------------------------------

FEED_PAST_DAYS = 180


def person_by_calendar_token(*, token: str) -> Person | None:
    return Person.objects.select_related("user").filter(calendar_token=token).first()


def feed_events(*, person: Person, roles: PortalRoles, now=None) -> QuerySet[Event]:
    """The person's events with a seat (confirmed or attended), from half a year back, that they may still see."""
    since = (now or timezone.now()) - dt.timedelta(days=FEED_PAST_DAYS)
    seat = Registration.objects.filter(event_id=OuterRef("pk"), person=person, status__in=Registration.SEAT_STATUSES)
    return events_visible(roles=roles).filter(Exists(seat), ends_at__gte=since).order_by("starts_at")


def event_for_staff(*, slug: str, roles: PortalRoles) -> Event:
    """An event whose attendees the user may manage: staff of an organiser, or a superuser.

    Raises ``Event.DoesNotExist`` for unknown events and ``PermissionDenied`` for anyone else.
    """
    event = Event.objects.prefetch_related("organisers").get(slug=slug)
    if not roles.is_superuser and not {c.pk for c in event.organisers.all()} & roles.staff_cluster_ids:
        raise PermissionDenied
    return event


def attendees(*, event: Event, q: str = "", include_all: bool = False) -> QuerySet[Registration]:
    """Registrations of an event with person, organisation and its active memberships (fixed queries).

    By default those holding a seat (confirmed, attended); ``include_all`` adds waiting and cancelled.
    """
    queryset = Registration.objects.filter(event=event)
    if not include_all:
        queryset = queryset.filter(status__in=Registration.SEAT_STATUSES)
    if q:
        for word in q.split()[:5]:
            queryset = queryset.filter(
                Q(person__first_name__icontains=word)
                | Q(person__last_name__icontains=word)
                | Q(organisation__name__icontains=word)
            )
    return (
        queryset.select_related("person", "organisation")
        .prefetch_related(
            Prefetch(
                "organisation__memberships",
                queryset=Membership.objects.active().select_related("cluster").order_by("cluster__short_name"),
                to_attr="active_memberships",
            )
        )
        .order_by("person__last_name", "person__first_name", "pk")
    )
