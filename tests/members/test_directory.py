"""Directory search and partner matching across the associations."""

import pytest

from clusters.models import Topic
from members.directory import DirectoryFilters, directory_search, partners_for
from tests.members.factories import member_organisation

pytestmark = pytest.mark.django_db


def topic(name):
    return Topic.objects.create(name=name, slug=name.lower())


def org(name, clusters, offers=(), seeks=(), city="Dresden", **fields):
    return member_organisation(*clusters, offers=offers, seeks=seeks, name=name, city=city, **fields)


@pytest.fixture
def world(facts):
    c = facts["clusters"]
    x, y, z = topic("Robotik"), topic("Telematik"), topic("Leichtbau")
    mine = org("Mein Werk", [c["acod"]], offers=[z], seeks=[x, y])
    return {
        "mine": mine,
        "b": org("Bytes GmbH", [c["cluster-it"]], offers=[x, y], city="Leipzig", description="Software für Roboter"),
        "c": org("Cargo AG", [c["nlmd"]], seeks=[z], city="Halle (Saale)"),
        "d": org("Dieselwerk", [c["acod"]], offers=[x]),
        "e": org("Embedded KG", [c["cluster-it"], c["acod"]], offers=[x]),
        "f": org("Fern GmbH", [c["nlmd"]]),
        "x": x,
        **c,
    }


def test_partners_are_ranked_and_from_other_associations(world):
    partners = partners_for(organisation=world["mine"])
    assert [p.name for p in partners] == ["Bytes GmbH", "Embedded KG", "Cargo AG"]
    bytes_ = partners[0]
    assert [t.name for t in bytes_.offer_matches] == ["Robotik", "Telematik"]
    assert [t.name for t in partners[2].seek_matches] == ["Leichtbau"]


def test_directory_filters(world):
    names = lambda f: [o.name for o in directory_search(filters=f)]  # noqa: E731
    assert names(DirectoryFilters(cluster="nlmd")) == ["Cargo AG", "Fern GmbH"]
    assert names(DirectoryFilters(city="leipzig")) == ["Bytes GmbH"]
    assert names(DirectoryFilters(topic=world["x"].slug)) == ["Bytes GmbH", "Dieselwerk", "Embedded KG", "Mein Werk"]


def test_directory_full_text_search_uses_postgres(world):
    found = [o.name for o in directory_search(filters=DirectoryFilters(q="Roboter"))]
    assert found[0] == "Bytes GmbH"  # German stemming: "Roboter" in the description
    # Topics match whether offered (Bytes) or sought (Mein Werk).
    assert [o.name for o in directory_search(filters=DirectoryFilters(q="Telematik"))] == ["Bytes GmbH", "Mein Werk"]
