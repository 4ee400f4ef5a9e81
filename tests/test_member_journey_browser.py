"""The member journey, once, in a real browser (Debian's chromium, headless, driven by Playwright).

Sign up, open the verification link from the e-mail, ask to join an organisation, get approved by its
primary contact (in a second browser), find a joint event with the filter, register, see it under
"My registrations", download the .ics, cancel. Each page on the way is checked with axe-core.
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from events.models import Event, Registration
from members.models import JoinRequest, Membership, Person
from tests.browser import assert_accessible, submit
from tests.events.factories import EventFactory
from tests.members.factories import OrganisationFactory, member_person, verified

pytestmark = pytest.mark.browser

PASSWORD = "Kooperation-2019!"
CONTACT_PASSWORD = "correct horse battery staple"  # tests.members.factories.UserFactory


@pytest.fixture
def journey_world(live_server, facts):
    cluster_it, nlmd, acod = (facts["clusters"][k] for k in ("cluster-it", "nlmd", "acod"))
    organisation = OrganisationFactory(name="Frachtlogistik Halle GmbH", slug="frachtlogistik-halle", city="Halle")
    Membership.objects.create(organisation=organisation, cluster=nlmd)
    contact = member_person(organisation=organisation, primary=True, language="en")
    verified(contact.user)
    starts = timezone.now() + dt.timedelta(days=21)
    joint = EventFactory(
        title="IT trifft Logistik 2027",
        title_en="IT meets logistics 2027",
        slug="it-trifft-logistik-2027",
        organisers=[cluster_it, nlmd],
        audience=Event.Audience.ORGANISER_MEMBERS,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        capacity=30,
    )
    EventFactory(title="Nur ACOD", title_en="ACOD only", organisers=[acod], audience=Event.Audience.ALL_MEMBERS)
    return {"organisation": organisation, "contact": contact, "event": joint}


def test_member_journey(browser, live_server, journey_world, deliver_outbox, tmp_path):
    base = live_server.url
    event = journey_world["event"]
    newcomer = browser.new_context(locale="en-US", accept_downloads=True)
    page = newcomer.new_page()
    page.set_default_timeout(15_000)

    # 1. Sign up.
    page.goto(f"{base}/accounts/signup/")
    assert_accessible(page)
    page.get_by_label("Email").fill("ines.krause@example.org")
    page.get_by_label("Password", exact=False).first.fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    submit(page)
    assert page.url.endswith("/accounts/confirm-email/")

    # 2. Open the verification link from the captured e-mail and confirm.
    [message] = [m for m in deliver_outbox() if m.to == ["ines.krause@example.org"]]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    page.goto(link)
    submit(page)
    assert page.url == f"{base}/members/"
    assert page.get_by_text("does not belong to a member organisation yet").is_visible()
    assert_accessible(page)

    # 3. Ask to join the organisation, found by its name.
    page.get_by_role("link", name="Join your organisation").first.click()
    page.get_by_label("Name of your organisation").fill("fracht")
    submit(page)
    page.get_by_role("link", name="Ask to join Frachtlogistik Halle GmbH").click()
    assert_accessible(page)
    page.get_by_label("First name").fill("Ines")
    page.get_by_label("Last name").fill("Krause")
    submit(page)
    assert page.get_by_text("You asked to join Frachtlogistik Halle GmbH").is_visible()

    # 4. The primary contact approves in a second browser.
    deciding = browser.new_context(locale="en-US")
    contact_page = deciding.new_page()
    contact_page.set_default_timeout(15_000)
    contact_page.goto(f"{base}/accounts/login/")
    contact_page.get_by_label("Email").fill(journey_world["contact"].user.email)
    contact_page.locator("input[name=password]").fill(CONTACT_PASSWORD)
    submit(contact_page)
    contact_page.get_by_role("link", name=re.compile("request to join waits")).click()
    assert_accessible(contact_page)
    with contact_page.expect_navigation():
        contact_page.get_by_role("button", name="Approve Ines Krause").click()
    assert contact_page.get_by_text("Ines Krause now belongs to Frachtlogistik Halle GmbH").is_visible()
    deciding.close()
    assert JoinRequest.objects.get().status == JoinRequest.Status.APPROVED
    approval = [m for m in deliver_outbox() if m.to == ["ines.krause@example.org"]][-1]
    assert "Frachtlogistik Halle GmbH" in approval.subject

    # 5. Find the joint event with the filter and register.
    page.goto(f"{base}/events/")
    page.get_by_label("Association").select_option("nlmd")
    page.get_by_label("Joint events only").check()
    submit(page, "form.event-filters button[type=submit]")
    cards = page.locator(".event-results .card-title a")
    assert cards.all_inner_texts() == ["IT meets logistics 2027"]
    assert_accessible(page)
    cards.first.click()
    page.wait_for_url(f"{base}{event.get_absolute_url()}")
    submit(page, "#registration button[type=submit]")
    assert page.get_by_text("Ines Krause is registered.").is_visible()
    assert_accessible(page)
    person = Person.objects.get(user__email="ines.krause@example.org")
    assert Registration.objects.get(event=event, person=person).status == "confirmed"

    # 6. The .ics download.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == "it-trifft-logistik-2027.ics"
    ics = Path(download.path()).read_text()
    assert "BEGIN:VCALENDAR" in ics and f"UID:event-{event.pk}@" in ics and "TZID=Europe/Berlin" in ics

    # 7. "My registrations", and cancel there (the page asks first).
    page.get_by_role("link", name="My registrations").first.click()
    row = page.locator("table.registrations-upcoming tbody tr")
    assert row.count() == 1 and "IT meets logistics 2027" in row.inner_text() and "Confirmed" in row.inner_text()
    assert_accessible(page)
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        row.get_by_role("button", name=re.compile("Cancel")).click()
    assert page.get_by_text("is cancelled").is_visible()
    assert page.get_by_text("You are not registered for any upcoming event.").is_visible()
    assert Registration.objects.get(event=event, person=person).status == "cancelled"
    templates = [m.subject for m in deliver_outbox() if m.to == ["ines.krause@example.org"]]
    assert any("Registration confirmed" in s for s in templates) and any("cancelled" in s for s in templates)
    newcomer.close()
