"""Public pages render the seeded facts, in German by default and in English on request."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def get(client, url, language=None):
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        ("de", ["Die drei Verbände", "Kommende gemeinsame Veranstaltungen", "Die Vereinbarung in Kürze"]),
        ("en", ["The three associations", "Upcoming joint events", "The agreement in brief"]),
    ],
)
def test_home(client, facts, language, phrases):
    html = get(client, reverse("clusters:home"), language)
    assert f'<html lang="{language}">' in html
    for phrase in phrases:
        assert phrase in html
    for name in (
        "ACOD Automotive Cluster Ostdeutschland e.V.",
        "Cluster IT Mitteldeutschland e.V.",
        "Netzwerk Logistik Mitteldeutschland e.V.",
        "Hans-Peter Kemser",
        "Jens Heinrich",
        "Dierk Näther",
    ):
        assert name in html


def test_home_goals_follow_the_language(client, facts):
    assert "Gemeinsames Ausbildungsmarketing" in get(client, "/", "de")
    assert "Joint apprenticeship marketing" in get(client, "/", "en")


@pytest.mark.parametrize(("language", "label"), [("de", "Vorstandsvorsitz"), ("en", "Chair of the board")])
def test_cluster_detail_shows_board_and_joint_events(client, facts, language, label):
    html = get(client, reverse("clusters:detail", args=["cluster-it"]), language)
    assert "Cluster IT Mitteldeutschland e.V." in html
    assert "Jens Heinrich" in html and label in html
    # Both 2019 joint events were co-organised by Cluster IT.
    assert "Leipzig" in html and "Halle (Saale)" in html


def test_nlmd_detail_names_go_cluster_and_deputy_chair(client, facts):
    html = get(client, reverse("clusters:detail", args=["nlmd"]), "de")
    assert "go-cluster" in html
    assert "Dierk Näther" in html and "Stellvertretender Vorstandsvorsitz" in html
    assert "IT trifft Logistik" in html and "Cybercrime" not in html


@pytest.mark.parametrize(
    ("language", "date", "goal"),
    [
        ("de", "17. Juni 2019", "Gemeinsame Veranstaltungen und Messeauftritte"),
        ("en", "June 17, 2019", "Joint events and trade-fair appearances"),
    ],
)
def test_agreement_page(client, facts, language, date, goal):
    html = get(client, reverse("clusters:agreement", args=["kooperation-2019"]), language)
    assert date in html
    assert goal in html
    for signatory in ("Hans-Peter Kemser", "Jens Heinrich", "Dierk Näther"):
        assert signatory in html
    # The 2019 events are listed under the goals they serve (goal 3: joint events).
    goal_three = html.split('id="goal-3"')[1].split('id="goal-4"')[0]
    assert "IT trifft Logistik" in goal_three or "IT meets logistics" in goal_three
    assert "Cybercrime" in goal_three


def test_agreement_page_lists_the_latest_ten_per_goal_and_counts_all(client, facts):
    import datetime as dt

    from django.utils import timezone

    from tests.events.factories import EventFactory

    start = timezone.now() - dt.timedelta(days=400)
    for n in range(12):
        event = EventFactory(title=f"Ziel-Veranstaltung {n:02d}", starts_at=start + dt.timedelta(days=n))
        event.goals.set([facts["goals"][5]])
    html = get(client, reverse("clusters:agreement", args=["kooperation-2019"]), "en")
    goal_five = html.split('id="goal-5"')[1].split('id="goal-6"')[0]
    listed = [n for n in range(12) if f"Ziel-Veranstaltung {n:02d}" in goal_five]
    assert listed == list(range(2, 12))  # the latest ten
    total = facts["goals"][5].events.count()  # with the seeded 2019 events serving this goal
    assert total > 12 and f"{total} events in all" in goal_five
    assert f"/events/past/?goal={facts['goals'][5].pk}" in goal_five


def test_cluster_list(client, facts):
    html = get(client, reverse("clusters:list"), "en")
    assert html.count('class="card h-100"') == 3


def test_unknown_cluster_is_404(client, facts):
    assert client.get("/associations/does-not-exist/").status_code == 404


def test_language_switch_sets_the_cookie(client, facts):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Upcoming joint events" in client.get("/").content.decode()


def test_pages_load_bootstrap_from_the_app_not_a_cdn(client, facts):
    html = get(client, "/", "de")
    assert "/static/bootstrap/css/bootstrap.min.css" in html
    assert "https://" not in html.split("<body")[0]
