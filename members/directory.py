"""Reads for the members' directory and the partner search across the three associations."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from clusters.models import Topic
from clusters.queries import SubqueryCount

from .models import Membership, Organisation

Offers = Organisation.offers.through
Seeks = Organisation.seeks.through


@dataclass(frozen=True)
class DirectoryFilters:
    """Every filter optional; ``cluster`` and ``topic`` are slugs."""

    q: str = ""
    cluster: str = ""
    sector: str = ""
    kind: str = ""
    size: str = ""
    city: str = ""
    topic: str = ""


def _with_cards(queryset: QuerySet[Organisation]) -> QuerySet[Organisation]:
    """What a directory card shows, in a fixed number of queries."""
    return queryset.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.active().select_related("cluster").order_by("cluster__short_name"),
            to_attr="active_memberships",
        ),
        Prefetch("offers", queryset=Topic.objects.order_by("name")),
        Prefetch("seeks", queryset=Topic.objects.order_by("name")),
    )


def members_active() -> QuerySet[Organisation]:
    """Organisations with at least one active membership."""
    return Organisation.objects.filter(Exists(Membership.objects.active().filter(organisation_id=OuterRef("pk"))))


def _text_search(queryset: QuerySet[Organisation], q: str) -> QuerySet[Organisation]:
    topic_match = Exists(Offers.objects.filter(organisation_id=OuterRef("pk"), topic__name__icontains=q)) | Exists(
        Seeks.objects.filter(organisation_id=OuterRef("pk"), topic__name__icontains=q)
    )
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = (
            SearchVector("name", weight="A", config="german")
            + SearchVector("city", weight="B", config="german")
            + SearchVector("description", weight="C", config="german")
        )
        query = SearchQuery(q, config="german", search_type="websearch")
        return (
            queryset.annotate(rank=SearchRank(vector, query))
            .filter(Q(rank__gt=0) | Q(name__icontains=q) | topic_match)
            .order_by("-rank", "name")
        )
    # Fallback for the embedded SQLite start: substring match.
    return queryset.filter(Q(name__icontains=q) | Q(city__icontains=q) | Q(description__icontains=q) | topic_match)


def directory_search(*, filters: DirectoryFilters) -> QuerySet[Organisation]:
    queryset = members_active()
    if filters.cluster:
        queryset = queryset.filter(
            Exists(Membership.objects.active().filter(organisation_id=OuterRef("pk"), cluster__slug=filters.cluster))
        )
    if filters.sector:
        queryset = queryset.filter(sector=filters.sector)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.size:
        queryset = queryset.filter(size=filters.size)
    if filters.city:
        queryset = queryset.filter(city__iexact=filters.city)
    if filters.topic:
        queryset = queryset.filter(
            Exists(Offers.objects.filter(organisation_id=OuterRef("pk"), topic__slug=filters.topic))
            | Exists(Seeks.objects.filter(organisation_id=OuterRef("pk"), topic__slug=filters.topic))
        )
    queryset = _text_search(queryset, filters.q) if filters.q else queryset.order_by("name")
    return _with_cards(queryset)


def directory_cities() -> list[str]:
    return list(members_active().exclude(city="").order_by("city").values_list("city", flat=True).distinct())


def partners_for(*, organisation: Organisation, limit: int = 30) -> list[Organisation]:
    """Organisations in the other associations, ranked by how well competences match both ways.

    ``they_offer`` counts topics they offer that we seek; ``they_seek`` topics they seek that we
    offer. Each result carries ``offer_matches`` and ``seek_matches`` (the matching topics).
    """
    my_clusters = Membership.objects.active().filter(organisation=organisation).values("cluster_id")
    we_seek = Seeks.objects.filter(organisation=organisation).values("topic_id")
    we_offer = Offers.objects.filter(organisation=organisation).values("topic_id")
    in_other_cluster = Exists(
        Membership.objects.active().filter(organisation_id=OuterRef("pk")).exclude(cluster_id__in=my_clusters)
    )
    candidates = (
        Organisation.objects.exclude(pk=organisation.pk)
        .filter(in_other_cluster)
        .annotate(
            they_offer=Coalesce(
                SubqueryCount(Offers.objects.filter(organisation_id=OuterRef("pk"), topic_id__in=we_seek).values("pk")),
                Value(0),
            ),
            they_seek=Coalesce(
                SubqueryCount(Seeks.objects.filter(organisation_id=OuterRef("pk"), topic_id__in=we_offer).values("pk")),
                Value(0),
            ),
        )
        .annotate(score=F("they_offer") * 2 + F("they_seek"))
        .filter(score__gt=0)
        .order_by("-score", "-they_offer", "name")
    )
    topics = Topic.objects.order_by("name")
    return list(
        candidates.prefetch_related(
            Prefetch("offers", queryset=topics.filter(pk__in=we_seek), to_attr="offer_matches"),
            Prefetch("seeks", queryset=topics.filter(pk__in=we_offer), to_attr="seek_matches"),
            Prefetch(
                "memberships",
                queryset=Membership.objects.active().select_related("cluster").order_by("cluster__short_name"),
                to_attr="active_memberships",
            ),
        )[:limit]
    )
