"""The seed loads exactly the press release's facts, and a second run changes nothing."""

import datetime as dt

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command

from clusters.models import BoardPosition, Cluster, CooperationAgreement, Goal, Signatory
from events.models import Event

pytestmark = pytest.mark.django_db


def snapshot() -> str:
    """Every row of every portal table, serialised (timestamps included)."""
    objects = []
    for label in ("clusters", "members", "events", "projects"):
        for model in apps.get_app_config(label).get_models():
            objects.extend(model.objects.order_by("pk"))
    return serializers.serialize("json", objects)


def test_facts_are_the_press_release():
    call_command("seed", verbosity=0)
    clusters = {c.short_name: c for c in Cluster.objects.all()}
    assert set(clusters) == {"ACOD", "Cluster IT", "NLMD"}
    assert clusters["ACOD"].name == "ACOD Automotive Cluster Ostdeutschland e.V."
    assert clusters["Cluster IT"].name == "Cluster IT Mitteldeutschland e.V."
    assert clusters["NLMD"].name == "Netzwerk Logistik Mitteldeutschland e.V."
    assert [clusters[k].sector for k in ("ACOD", "Cluster IT", "NLMD")] == ["automotive", "it", "logistics"]
    assert "go-cluster" in clusters["NLMD"].programme_note

    board = {(p.cluster.short_name, p.person.full_name, p.role) for p in BoardPosition.objects.select_related()}
    assert board == {
        ("ACOD", "Hans-Peter Kemser", "chair"),
        ("Cluster IT", "Jens Heinrich", "chair"),
        ("NLMD", "Dierk Näther", "deputy_chair"),
    }

    agreement = CooperationAgreement.objects.get()
    assert agreement.signed_on == dt.date(2019, 6, 17)
    assert set(agreement.parties.values_list("short_name", flat=True)) == {"ACOD", "Cluster IT", "NLMD"}
    signatories = {(s.person.full_name, s.cluster.short_name) for s in Signatory.objects.select_related()}
    assert signatories == {("Hans-Peter Kemser", "ACOD"), ("Jens Heinrich", "Cluster IT"), ("Dierk Näther", "NLMD")}
    assert list(Goal.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6, 7]
    assert "Industrie 4.0" in Goal.objects.get(number=6).title
    assert "Ausbildungsmarketing" in Goal.objects.get(number=7).title

    events = {e.title: e for e in Event.objects.prefetch_related("organisers")}
    assert set(events) == {"IT trifft Logistik", "Cybercrime"}
    it_logistics, cybercrime = events["IT trifft Logistik"], events["Cybercrime"]
    assert (it_logistics.city, it_logistics.starts_at.astimezone(dt.UTC).date()) == ("Leipzig", dt.date(2019, 2, 13))
    assert {c.short_name for c in it_logistics.organisers.all()} == {"Cluster IT", "NLMD"}
    assert (cybercrime.city, cybercrime.starts_at.date()) == ("Halle (Saale)", dt.date(2019, 3, 19))
    assert {c.short_name for c in cybercrime.organisers.all()} == {"Cluster IT", "ACOD"}


def test_seed_is_idempotent():
    call_command("seed", verbosity=0)
    first = snapshot()
    call_command("seed", verbosity=0)
    assert snapshot() == first


def test_demo_seed_is_idempotent_and_realistic():
    call_command("seed", "--demo", "--organisations=30", verbosity=0)
    first = snapshot()
    call_command("seed", "--demo", "--organisations=30", verbosity=0)
    assert snapshot() == first
    from members.models import Organisation

    in_two_or_more = [o for o in Organisation.objects.prefetch_related("memberships") if o.memberships.count() >= 2]
    assert in_two_or_more, "some demo organisations are members of two or three associations"
    assert Event.objects.joint().upcoming().exists()
