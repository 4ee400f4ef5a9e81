"""axe-core (through Playwright in Debian's chromium) finds no serious or critical violations on the
portal's pages, for visitors and members; the pages work with the keyboard alone."""

import pytest
from django.core.management import call_command

from members.models import Person
from projects.models import Project
from tests.browser import assert_accessible, log_in
from tests.members.factories import PASSWORD, UserFactory, verified

pytestmark = pytest.mark.browser

PUBLIC = [
    "/",
    "/associations/",
    "/associations/nlmd/",
    "/agreement/kooperation-2019/",
    "/events/",
    "/events/?joint=on&association=acod",
    "/events/past/",
    "/events/it-trifft-logistik-2019/",
    "/projects/",
    "/newsletter/",
    "/pages/privacy/",
    "/pages/accessibility/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/no-such-page/",
]
MEMBER = [
    "/members/",
    "/events/my-registrations/",
    "/members/directory/",
    "/members/directory/?cluster=acod&q=Logistik",
    "/members/partners/",
    "/members/my-data/",
    "/accounts/email/",
    "/accounts/2fa/",
]


@pytest.fixture
def demo(live_server, db):
    call_command("seed", "--demo", "--organisations=24", verbosity=0)
    member = Person.objects.get(user__email="member@demo.example")
    verified(member.user)
    member.user.set_password(PASSWORD)
    member.user.save()
    return member


def test_public_and_member_pages_pass_axe(browser, live_server, demo):
    page = browser.new_page(locale="de-DE")
    base = live_server.url
    project = Project.objects.filter(is_public=True).first()
    for path in [*PUBLIC, project.get_absolute_url()]:
        page.goto(base + path)
        assert_accessible(page)
    log_in(page, base, "member@demo.example", PASSWORD)
    event = demo.registrations.select_related("event").first().event
    organisation_contact = f"/members/partners/{_partner_slug(demo)}/contact/"
    for path in [*MEMBER, event.get_absolute_url(), organisation_contact]:
        page.goto(base + path)
        assert_accessible(page)


def _partner_slug(person):
    from members.directory import members_active

    return members_active().exclude(pk=person.organisation_id).order_by("name").first().slug


def test_keyboard_alone(browser, live_server, demo):
    """Skip link first, focus moves into the main area, the language switch and the login form work by keys."""
    page = browser.new_page(locale="de-DE")
    base = live_server.url
    page.goto(base + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main" or page.url.endswith("#main")
    page.goto(base + "/accounts/login/")
    page.focus("input[name=login]")
    page.keyboard.type("member@demo.example")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/members/")
    # Reach the English switch with Tab only and press it.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.value") == "en":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("lang") == "en"


def test_staff_admin_login_by_keyboard(browser, live_server, demo):
    staff = verified(UserFactory(email="team@example.org", is_staff=True, is_superuser=True))
    page = browser.new_page(locale="de-DE")
    log_in(page, live_server.url, staff.email, PASSWORD)
    page.goto(live_server.url + "/admin/")
    assert "/admin/" in page.url and page.locator("#content").count() == 1
