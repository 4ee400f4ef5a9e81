"""Staff and board, once, in a real browser: a staff user creates a project with a milestone in the
admin, a board member sees it counted on the dashboard; check-in at the door on a phone-sized screen."""

import datetime as dt

import pytest
from django.utils import timezone

from clusters.models import Goal
from clusters.seed import staff_group_ensure
from events.models import Registration
from members.models import Person
from projects.models import Project
from tests.browser import assert_accessible, log_in, submit
from tests.events.factories import EventFactory
from tests.members.factories import PersonFactory, UserFactory, verified

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"  # tests.members.factories.UserFactory


@pytest.fixture
def people(live_server, facts):
    acod = facts["clusters"]["acod"]
    staff = verified(UserFactory(email="team@acod.example", is_staff=True, first_name="Team", last_name="ACOD"))
    staff.groups.add(staff_group_ensure())
    acod.staff.add(staff)
    board = verified(UserFactory(email="vorstand@acod.example"))
    kemser = Person.objects.get(last_name="Kemser")
    kemser.user = board
    kemser.save()
    return {"staff": staff, "board": board, "acod": acod}


def test_staff_creates_a_project_and_the_board_sees_it(browser, live_server, people):
    base = live_server.url
    today = timezone.localdate()
    staff_page = browser.new_page(locale="de-DE")
    log_in(staff_page, base, "team@acod.example", PASSWORD)
    staff_page.goto(f"{base}/admin/projects/project/add/")
    staff_page.locator("#id_title").press_sequentially("Datenraum Werkslogistik")
    assert staff_page.input_value("#id_slug") == "datenraum-werkslogistik"  # filled in from the title
    staff_page.select_option("#id_status", "running")
    staff_page.select_option("#id_lead_cluster", label="ACOD")
    goal = Goal.objects.get(number=2)
    staff_page.select_option("#id_goals_from", str(goal.pk))
    staff_page.click("#id_goals_add")
    staff_page.fill("#id_starts_on", today.replace(month=1, day=1).strftime("%d.%m.%Y"))
    staff_page.fill("#id_milestones-0-title", "Pilot im Werk Zwickau")
    staff_page.fill("#id_milestones-0-due_on", today.strftime("%d.%m.%Y"))
    staff_page.check("#id_milestones-0-done")
    with staff_page.expect_navigation():
        staff_page.click("input[name=_save]")
    errors = staff_page.locator(".errorlist, .errornote").all_inner_texts()
    assert errors == [], errors
    project = Project.objects.get(slug="datenraum-werkslogistik")
    assert project.milestones.get().done_on == today
    assert project.status_changes.get().changed_by == people["staff"]

    board_page = browser.new_page(locale="de-DE")
    log_in(board_page, base, "vorstand@acod.example", PASSWORD)
    board_page.goto(f"{base}/board/?kind=year&year={today.year}")
    projects_row = board_page.locator("#projects tbody tr", has_text="ACOD").first
    cells = projects_row.locator("td").all_inner_texts()
    assert cells[2] == "1"  # running
    goal_row = board_page.locator("#goals tbody tr").nth(1)  # goal 2
    assert goal_row.locator("td").all_inner_texts()[-2:] == ["1", "1"]  # projects, milestones reached
    assert_accessible(board_page)


def test_check_in_at_the_door_on_a_phone(browser, live_server, people):
    base = live_server.url
    event = EventFactory(title="Netzwerkabend", slug="netzwerkabend", starts_at=timezone.now() + dt.timedelta(hours=1))
    event.organisers.set([people["acod"]])
    for last_name in ("Arndt", "Berger"):
        Registration.objects.create(event=event, person=PersonFactory(last_name=last_name), status="confirmed")
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    log_in(page, base, "team@acod.example", PASSWORD)
    page.goto(f"{base}/events/netzwerkabend/check-in/")
    assert_accessible(page)
    page.fill("#check-in-q", "Berg")
    submit(page, "main form[role=search] button")
    row = page.locator("[data-row]", has_text="Berger")
    row.locator("button").tap()
    page.locator("[data-attended]", has_text="1").wait_for()
    assert "✓" in row.locator("button").inner_text()
    assert Registration.objects.get(person__last_name="Berger").status == "attended"
    assert Registration.objects.get(person__last_name="Arndt").status == "confirmed"
    phone.close()
