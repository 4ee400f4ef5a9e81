"""The board's cooperation dashboard: figures for a period, aggregated in the database.

Every figure is one query (or a fixed few), whatever the number of events, registrations or
projects. Each section is a table (exportable as CSV) with a chart drawn from the same rows.
"""

from dataclasses import dataclass, field
from itertools import combinations

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Event, Registration
from members.models import Membership
from projects.models import Milestone, Project

from .charts import Chart, bars, stacked_bars
from .forms import Period
from .models import Cluster, CooperationAgreement, Goal
from .queries import SubqueryCount

Organisers = Event.organisers.through
ProjectClusters = Project.clusters.through


@dataclass
class Section:
    key: str
    title: str
    headers: list[str]
    rows: list[list]
    chart: Chart | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Dashboard:
    period: Period
    sections: list[Section]
    summary: dict

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def events_in(period: Period) -> QuerySet[Event]:
    return Event.objects.filter(is_published=True, starts_at__gte=period.start, starts_at__lt=period.end)


def projects_in(period: Period) -> QuerySet[Project]:
    """Projects whose time frame overlaps the period (undated ideas count where created in it)."""
    dated = Q(starts_on__lte=period.last_day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=period.first_day))
    undated = Q(starts_on__isnull=True, created_at__gte=period.start, created_at__lt=period.end)
    return Project.objects.filter(dated | undated)


def joint_events_section(period: Period, clusters: list[Cluster]) -> tuple[Section, dict]:
    events = events_in(period).with_organiser_count()
    pair_counts = {
        (row["cluster_id"], row["other"]): row["n"]
        for row in Organisers.objects.filter(event__in=events.values("pk"), cluster_id__lt=F("event__organisers"))
        .values("cluster_id", other=F("event__organisers"))
        .annotate(n=Count("event_id", distinct=True))
    }
    totals = events.aggregate(
        all=Count("pk"),
        joint=Count("pk", filter=Q(organiser_count__gte=2)),
        all_three=Count("pk", filter=Q(organiser_count__gte=3)),
    )
    rows = []
    for a, b in combinations(sorted(clusters, key=lambda c: c.pk), 2):
        rows.append([f"{a.short_name} + {b.short_name}", pair_counts.get((a.pk, b.pk), 0)])
    rows.sort(key=lambda r: (-r[1], r[0]))
    section = Section(
        key="pairs",
        title=_("Joint events per pair of associations"),
        headers=[_("Pair"), _("Joint events")],
        rows=rows,
        chart=bars(title=_("Joint events per pair of associations"), rows=[(r[0], r[1]) for r in rows]),
        notes=[
            _("%(joint)d of %(all)d events in the period were joint; %(three)d were organised by all three.")
            % {"joint": totals["joint"], "all": totals["all"], "three": totals["all_three"]},
            _("An event of all three associations counts for each of the three pairs."),
        ],
    )
    return section, totals


def registrations_section(period: Period, clusters: list[Cluster]) -> tuple[Section, dict]:
    now = timezone.now()
    registrations = Registration.objects.filter(event__in=events_in(period).values("pk"))
    status = Registration.Status
    aggregates = {
        "registered": Count("pk", filter=~Q(status=status.CANCELLED), distinct=True),
        "confirmed": Count("pk", filter=Q(status__in=[status.CONFIRMED, status.ATTENDED]), distinct=True),
        "waiting": Count("pk", filter=Q(status=status.WAITING), distinct=True),
        "cancelled": Count("pk", filter=Q(status=status.CANCELLED), distinct=True),
        "attended": Count("pk", filter=Q(status=status.ATTENDED), distinct=True),
        "past_seats": Count(
            "pk", filter=Q(status__in=[status.CONFIRMED, status.ATTENDED], event__ends_at__lt=now), distinct=True
        ),
    }
    totals = registrations.aggregate(**aggregates)
    per_cluster = {
        row["event__organisers"]: row
        for row in registrations.values("event__organisers").annotate(**aggregates).order_by()
    }
    rows = []
    for cluster in clusters:
        row = per_cluster.get(cluster.pk, dict.fromkeys(aggregates, 0))
        rows.append(
            [
                cluster.short_name,
                row["registered"],
                row["waiting"],
                row["cancelled"],
                row["attended"],
                percent(row["attended"], row["past_seats"]),
            ]
        )
    rows.append(
        [
            _("All events (each once)"),
            totals["registered"],
            totals["waiting"],
            totals["cancelled"],
            totals["attended"],
            percent(totals["attended"], totals["past_seats"]),
        ]
    )
    series = [_("Attended"), _("Registered, not (yet) attended")]
    chart = stacked_bars(
        title=_("Registrations and attendance by organising association"),
        rows=[(r[0], [r[4], r[1] - r[4]]) for r in rows[:-1]],
        series=series,
    )
    section = Section(
        key="registrations",
        title=_("Registrations and attendance"),
        headers=[
            _("Organising association"),
            _("Registered"),
            _("Waiting list"),
            _("Cancelled"),
            _("Attended"),
            _("Attendance rate (%)"),
        ],
        rows=rows,
        chart=chart,
        notes=[
            _(
                "Registered counts confirmed, waiting and attended registrations. The attendance rate is attended "
                "seats out of confirmed seats of events that have ended. A joint event counts for each organiser."
            )
        ],
    )
    return section, totals


def _reach_counts(attendees) -> list[tuple]:
    """``(cluster_id or None for all events, attendees, outside, outside members)`` rows for the attendee rows
    of ``attendees`` (``event_id``, ``inside``, ``member_elsewhere``)."""
    sql, params = attendees.query.sql_with_params()
    organisers = connection.ops.quote_name(Organisers._meta.db_table)
    counts = (
        "COUNT(*), SUM(CASE WHEN NOT a.inside THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN NOT a.inside AND a.member_elsewhere THEN 1 ELSE 0 END)"
    )
    query = (
        f"WITH a AS ({sql}) "  # noqa: S608 (the ORM's own SQL with its parameters; no user text)
        f"SELECT o.cluster_id, {counts} FROM a JOIN {organisers} o ON o.event_id = a.event_id GROUP BY o.cluster_id "
        f"UNION ALL SELECT NULL, {counts} FROM a"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def reach_section(period: Period, clusters: list[Cluster]) -> tuple[Section, dict]:
    """Cross-cluster reach: attendees whose organisation was not a member of any organiser that day.

    One query, aggregated in the database: the two membership tests are evaluated once per attendee
    in a common table expression, which is then counted per organiser and in total.
    """
    member_on_day = Q(since__lte=OuterRef("event_day")) & (Q(until__isnull=True) | Q(until__gte=OuterRef("event_day")))
    attendees = (
        Registration.objects.filter(event__in=events_in(period).values("pk"), status=Registration.Status.ATTENDED)
        .annotate(event_day=TruncDate("event__starts_at"))
        .annotate(
            inside=Exists(
                Membership.objects.filter(
                    member_on_day, organisation_id=OuterRef("organisation_id"), cluster__events=OuterRef("event_id")
                )
            ),
            member_elsewhere=Exists(
                Membership.objects.filter(member_on_day, organisation_id=OuterRef("organisation_id"))
            ),
        )
        .values("event_id", "inside", "member_elsewhere")
        .order_by()
    )
    aggregates = ("attendees", "outside", "outside_members")
    totals = dict.fromkeys(aggregates, 0)
    per_cluster = {cluster.pk: dict.fromkeys(aggregates, 0) for cluster in clusters}
    for cluster_id, *counts in _reach_counts(attendees):
        target = totals if cluster_id is None else per_cluster.get(cluster_id)
        if target is not None:
            target.update(zip(aggregates, (int(c or 0) for c in counts), strict=True))
    rows = []
    for cluster in clusters:
        row = per_cluster[cluster.pk]
        rows.append(
            [
                cluster.short_name,
                row["attendees"],
                row["outside"],
                row["outside_members"],
                percent(row["outside"], row["attendees"]),
            ]
        )
    rows.append(
        [
            _("All events (each once)"),
            totals["attendees"],
            totals["outside"],
            totals["outside_members"],
            percent(totals["outside"], totals["attendees"]),
        ]
    )
    section = Section(
        key="reach",
        title=_("Cross-cluster reach"),
        headers=[
            _("Organising association"),
            _("Attendees"),
            _("From outside the organisers"),
            _("of them members of another association"),
            _("Reach (%)"),
        ],
        rows=rows,
        chart=bars(
            title=_("Share of attendees from outside the organising associations"),
            rows=[(r[0], r[4] or 0) for r in rows],
            unit=" %",
        ),
        notes=[
            _(
                "Reach is the share of attendees whose organisation was not a member of any organising association "
                "on the day of the event – the knowledge transfer the agreement aims at."
            )
        ],
    )
    return section, totals


def projects_section(period: Period, clusters: list[Cluster]) -> Section:
    projects = projects_in(period)
    statuses = list(Project.Status)
    involved = Q(lead_cluster=OuterRef("pk")) | Exists(
        ProjectClusters.objects.filter(project_id=OuterRef("pk"), cluster_id=OuterRef(OuterRef("pk")))
    )
    annotated = Cluster.objects.filter(pk__in=[c.pk for c in clusters]).annotate(
        **{
            f"status_{s.value}": SubqueryCount(projects.filter(involved, status=s.value).values("pk")) for s in statuses
        },
        led=SubqueryCount(projects.filter(lead_cluster=OuterRef("pk")).values("pk")),
    )
    by_pk = {c.pk: c for c in annotated}
    rows = []
    for cluster in clusters:
        counts = [getattr(by_pk[cluster.pk], f"status_{s.value}") for s in statuses]
        rows.append([cluster.short_name, *counts, sum(counts), by_pk[cluster.pk].led])
    totals = projects.aggregate(**{s.value: Count("pk", filter=Q(status=s.value)) for s in statuses})
    rows.append([_("All projects (each once)"), *[totals[s.value] for s in statuses], sum(totals.values()), ""])
    return Section(
        key="projects",
        title=_("Projects by status and association"),
        headers=[_("Association"), *[s.label for s in statuses], _("Total"), _("of them led")],
        rows=rows,
        chart=stacked_bars(
            title=_("Projects by status and association"),
            rows=[(r[0], r[1 : 1 + len(statuses)]) for r in rows[:-1]],
            series=[str(s.label) for s in statuses],
        ),
        notes=[
            _(
                "Projects whose time frame overlaps the period; an association counts projects it leads or "
                "takes part in."
            )
        ],
    )


def goals_section(period: Period, agreement: CooperationAgreement | None) -> tuple[Section, list[Goal]]:
    events = events_in(period).filter(goals=OuterRef("pk"))
    goals = list(
        Goal.objects.filter(agreement=agreement)
        .annotate(
            n_events=SubqueryCount(events.values("pk")),
            n_trade_fairs=SubqueryCount(events.filter(format=Event.Format.TRADE_FAIR).values("pk")),
            n_trainings=SubqueryCount(events.filter(format=Event.Format.TRAINING).values("pk")),
            n_projects=SubqueryCount(projects_in(period).filter(goals=OuterRef("pk")).values("pk")),
            n_milestones=SubqueryCount(
                Milestone.objects.filter(
                    project__goals=OuterRef("pk"),
                    done=True,
                    done_on__gte=period.first_day,
                    done_on__lte=period.last_day,
                ).values("pk")
            ),
        )
        .order_by("number")
    )
    idle = [g for g in goals if not (g.n_events or g.n_projects or g.n_milestones)]
    rows = [
        [
            str(g),
            g.n_events - g.n_trade_fairs - g.n_trainings,
            g.n_trade_fairs,
            g.n_trainings,
            g.n_projects,
            g.n_milestones,
        ]
        for g in goals
    ]
    series = [_("Other events"), _("Trade-fair appearances"), _("Trainings"), _("Projects"), _("Milestones reached")]
    notes = []
    if idle:
        notes.append(_("No activity in this period under: %(goals)s.") % {"goals": "; ".join(str(g) for g in idle)})
    else:
        notes.append(_("Every goal of the agreement saw activity in this period."))
    section = Section(
        key="goals",
        title=_("Activity under each goal of the agreement"),
        headers=[_("Goal"), *series],
        rows=rows,
        chart=stacked_bars(
            title=_("Activity under each goal of the agreement"),
            rows=[(f"{g.number}.", r[1:]) for g, r in zip(goals, rows, strict=True)],
            series=[str(s) for s in series],
        ),
        notes=notes,
    )
    return section, idle


def dashboard_build(*, period: Period) -> Dashboard:
    clusters = list(Cluster.objects.order_by("short_name"))
    agreement = CooperationAgreement.objects.order_by("-signed_on").first()
    pairs, event_totals = joint_events_section(period, clusters)
    registrations, registration_totals = registrations_section(period, clusters)
    reach, reach_totals = reach_section(period, clusters)
    goals, idle_goals = goals_section(period, agreement)
    return Dashboard(
        period=period,
        sections=[pairs, registrations, reach, projects_section(period, clusters), goals],
        summary={
            "events": event_totals["all"],
            "joint_events": event_totals["joint"],
            "registered": registration_totals["registered"],
            "attended": registration_totals["attended"],
            "reach": percent(reach_totals["outside"], reach_totals["attendees"]),
            "idle_goals": idle_goals,
            "agreement": agreement,
        },
    )
