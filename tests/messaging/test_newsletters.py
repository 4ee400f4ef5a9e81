"""Newsletters: double opt-in with a consent record, preferences, one-click unsubscribe (RFC 8058),
sending once to the matching subscribers with sanitised HTML and list headers, scheduling, the admin."""

import datetime as dt
import re

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clusters.models import Topic
from messaging.consent import CONSENT_TEXT_VERSION
from messaging.models import ConsentRecord, Delivery, Newsletter, OutboundEmail, Subscriber
from messaging.selectors import newsletter_progress, newsletter_recipients
from messaging.services import newsletters as service
from messaging.tokens import CONFIRM_SALT, subscriber_token, subscriber_token_read
from tests.members.factories import UserFactory

from .factories import NewsletterFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clusters(facts):
    return facts["clusters"]


def confirm_link(row: OutboundEmail) -> str:
    return re.search(r"https?://\S+/newsletter/confirm/\S+/", row.body_text).group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def sign_up(client, clusters, email="leser@example.org", **extra):
    data = {"email": email, "clusters": [clusters["acod"].pk, clusters["nlmd"].pk], "consent": "on", **extra}
    return client.post(
        reverse("messaging:newsletter_signup"), data, REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Testbrowser/1.0"
    )


# --- Double opt-in -------------------------------------------------------------------------------


def test_sign_up_records_consent_and_sends_a_confirmation_link(client, clusters):
    response = sign_up(client, clusters)
    assert response.status_code == 302 and response["Location"] == reverse("messaging:newsletter_signup_done")
    subscriber = Subscriber.objects.get(email="leser@example.org")
    assert subscriber.status == Subscriber.Status.PENDING
    assert not subscriber.clusters.exists()  # nothing applies before the confirmation
    request = ConsentRecord.objects.get(subscriber=subscriber)
    assert request.action == ConsentRecord.Action.REQUESTED
    assert request.ip_address == "203.0.113.7" and request.user_agent == "Testbrowser/1.0"
    assert request.consent_text_version == CONSENT_TEXT_VERSION and request.list_name == "newsletter"
    assert [c["name"] for c in request.scope["clusters"]] == ["ACOD", "NLMD"]
    row = OutboundEmail.objects.get(template="messaging/emails/newsletter_confirm")
    assert row.to_email == "leser@example.org"
    assert confirm_link(row)


def test_following_the_link_confirms_with_a_post_only(client, clusters):
    sign_up(client, clusters)
    url = path_of(confirm_link(OutboundEmail.objects.get()))
    page = client.get(url)
    assert page.status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING  # a mail scanner's GET confirms nothing
    done = client.post(url, REMOTE_ADDR="198.51.100.4")
    assert done.status_code == 200
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.ACTIVE and subscriber.confirmed_at
    assert sorted(c.short_name for c in subscriber.clusters.all()) == ["ACOD", "NLMD"]
    confirmation = subscriber.consents.get(action=ConsentRecord.Action.CONFIRMED)
    assert confirmation.ip_address == "198.51.100.4" and confirmation.consent_text_version == CONSENT_TEXT_VERSION
    assert client.post(url).status_code == 200  # a second click changes nothing
    assert subscriber.consents.filter(action=ConsentRecord.Action.CONFIRMED).count() == 1


def test_sign_up_form_errors_are_shown_with_400(client, clusters):
    client.cookies["django_language"] = "en"
    response = client.post(reverse("messaging:newsletter_signup"), {"email": "not-an-address", "clusters": []})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address." in html and "Please agree" in html
    assert not Subscriber.objects.exists()


def test_confirmation_links_altered_superseded_or_expired_are_refused(client, clusters):
    sign_up(client, clusters)
    first = path_of(confirm_link(OutboundEmail.objects.get()))
    sign_up(client, clusters)  # a second request: only its link counts
    assert client.post(first[:-3] + "xx/").status_code == 400
    assert client.post(first).status_code == 409
    record = ConsentRecord.objects.filter(action=ConsentRecord.Action.REQUESTED).latest("pk")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("time.time", lambda: dt.datetime.now().timestamp() - 8 * 24 * 3600)
        old = signing.dumps(record.pk, salt=CONFIRM_SALT)
    response = client.post(reverse("messaging:newsletter_confirm", kwargs={"token": old}))
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_an_address_is_not_flooded_with_confirmation_mails(client, clusters):
    for _ in range(5):
        sign_up(client, clusters)
    assert OutboundEmail.objects.count() == service.SIGNUP_REQUESTS_PER_DAY


def test_signing_up_an_active_address_changes_nothing_and_says_so(client, clusters):
    subscriber = SubscriberFactory(email="leser@example.org", clusters=[clusters["acod"]])
    sign_up(client, clusters, email="LESER@example.org")
    subscriber.refresh_from_db()
    assert [c.short_name for c in subscriber.clusters.all()] == ["ACOD"]
    assert OutboundEmail.objects.get().template == "messaging/emails/newsletter_already"


def test_a_logged_in_member_is_linked_to_the_subscription(client, clusters):
    from tests.members.factories import PersonFactory

    person = PersonFactory(email="member@example.org", user=UserFactory(email="member@example.org"))
    client.force_login(person.user)
    assert 'value="member@example.org"' in client.get(reverse("messaging:newsletter_signup")).content.decode()
    sign_up(client, clusters, email="member@example.org")
    assert Subscriber.objects.get().person == person


# --- Preferences and unsubscribe -----------------------------------------------------------------


def test_preferences_change_without_login(client, clusters):
    topic = Topic.objects.create(name="Logistik 4.0", slug="logistik-40")
    subscriber = SubscriberFactory(clusters=[clusters["acod"]])
    url = reverse("messaging:newsletter_manage", kwargs={"token": subscriber_token(subscriber_id=subscriber.pk)})
    assert client.get(url).status_code == 200
    response = client.post(url, {"clusters": [clusters["nlmd"].pk], "topics": [topic.pk]})
    assert response.status_code == 302
    assert [c.short_name for c in subscriber.clusters.all()] == ["NLMD"]
    assert list(subscriber.topics.all()) == [topic]
    assert subscriber.consents.get().action == ConsentRecord.Action.PREFERENCES
    assert client.post(url, {"clusters": []}).status_code == 400


def test_one_click_unsubscribe_post_as_mail_clients_send_it(clusters):
    from django.test import Client

    subscriber = SubscriberFactory(clusters=[clusters["acod"]])
    newsletter = NewsletterFactory(clusters=[clusters["acod"]])
    service.newsletter_send(newsletter=newsletter)
    service.newsletter_plan(newsletter_id=newsletter.pk)
    row = Delivery.objects.get(subscriber=subscriber).email
    url = re.search(r"<(.+)>", row.headers["List-Unsubscribe"]).group(1)
    assert row.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    mail_client = Client(enforce_csrf_checks=True)  # no cookies, no CSRF token, like a mail provider
    response = mail_client.post(
        path_of(url), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED and subscriber.unsubscribed_at
    withdrawal = subscriber.consents.get(action=ConsentRecord.Action.WITHDRAWN)
    assert withdrawal.via == "List-Unsubscribe one-click"
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.CANCELLED  # the queued issue is withdrawn too
    assert (
        mail_client.post(
            path_of(url), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        ).status_code
        == 200
    )


def test_the_unsubscribe_page_asks_before_it_acts(client, clusters):
    subscriber = SubscriberFactory(clusters=[clusters["acod"]])
    url = reverse("messaging:newsletter_unsubscribe", kwargs={"token": subscriber_token(subscriber_id=subscriber.pk)})
    assert client.get(url).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE
    assert client.post(url).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert client.post(reverse("messaging:newsletter_unsubscribe", kwargs={"token": "forged:token"})).status_code == 400


def test_an_old_confirmation_link_does_not_resubscribe_after_unsubscribing(client, clusters):
    sign_up(client, clusters)
    url = path_of(confirm_link(OutboundEmail.objects.get()))
    subscriber = Subscriber.objects.get()
    service.subscriber_unsubscribe(subscriber_id=subscriber.pk, ip_address=None, via="test")
    assert client.post(url).status_code == 409
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED


# --- Sending -------------------------------------------------------------------------------------


def test_recipients_follow_associations_topics_and_status(clusters):
    ai = Topic.objects.create(name="KI", slug="ki")
    logistics = Topic.objects.create(name="Logistik", slug="logistik")
    everything = SubscriberFactory(clusters=[clusters["acod"]])
    ai_fan = SubscriberFactory(clusters=[clusters["acod"], clusters["nlmd"]], topics=[ai])
    logistics_fan = SubscriberFactory(clusters=[clusters["acod"]], topics=[logistics])
    SubscriberFactory(clusters=[clusters["nlmd"]])  # other association
    SubscriberFactory(clusters=[clusters["acod"]], status=Subscriber.Status.PENDING, confirmed_at=None)
    SubscriberFactory(clusters=[clusters["acod"]], status=Subscriber.Status.UNSUBSCRIBED)
    newsletter = NewsletterFactory(clusters=[clusters["acod"]])
    assert set(newsletter_recipients(newsletter=newsletter)) == {everything, ai_fan, logistics_fan}
    newsletter.topics.set([ai])
    assert set(newsletter_recipients(newsletter=newsletter)) == {everything, ai_fan}


def test_an_issue_goes_once_to_each_recipient_with_sanitised_html_and_list_headers(clusters):
    readers = SubscriberFactory.create_batch(7, clusters=[clusters["acod"]])
    SubscriberFactory(clusters=[clusters["acod"]], language="en", email="reader@example.com")
    newsletter = NewsletterFactory(
        clusters=[clusters["acod"]],
        body="# Hallo\n\n<script>alert(1)</script> **fett** [Link](javascript:alert(1)) [Portal](/events/)",
    )
    service.newsletter_send(newsletter=newsletter)
    with pytest.raises(ValidationError) as refused:
        service.newsletter_send(newsletter=newsletter)
    assert refused.value.code == "already_sent"
    created = service.newsletter_plan_chunk(newsletter_id=newsletter.pk, chunk_size=5)
    assert created == 5
    # The planner died here; the next run continues where the last commit ended.
    assert service.newsletter_plan(newsletter_id=newsletter.pk) == 3
    assert service.newsletter_plan(newsletter_id=newsletter.pk) == 0
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SENT and newsletter.recipient_count == 8
    deliveries = Delivery.objects.filter(newsletter=newsletter).select_related("email", "subscriber")
    assert sorted(d.subscriber_id for d in deliveries) == sorted(
        [r.pk for r in readers] + [Subscriber.objects.get(language="en").pk]
    )
    row = deliveries[0].email
    assert "<script>" not in row.body_html and "javascript:" not in row.body_html
    assert "<strong>fett</strong>" in row.body_html and 'href="http://127.0.0.1:8000/events/"' in row.body_html
    assert "**fett**" in row.body_text  # the plain-text part is the Markdown itself
    # The token carries its signing time: read it back instead of comparing with a freshly signed one.
    token = row.headers["List-Unsubscribe"].split("/newsletter/unsubscribe/")[1].rstrip("/>")
    assert subscriber_token_read(token) == deliveries[0].subscriber_id
    assert token in row.body_html and token in row.body_text
    assert "newsletter." in row.headers["List-Id"]
    assert len({d.email.message_id for d in deliveries}) == 8
    assert newsletter_progress(newsletter_id=newsletter.pk) == {
        "queued": 8, "sent": 0, "failed": 0, "cancelled": 0, "total": 8,
    }  # fmt: skip


def test_rate_spreads_batches_over_time(clusters, settings):
    settings.NEWSLETTER_BATCH_SIZE = 2
    settings.NEWSLETTER_RATE_PER_SECOND = 1
    SubscriberFactory.create_batch(6, clusters=[clusters["acod"]])
    newsletter = NewsletterFactory(clusters=[clusters["acod"]])
    service.newsletter_send(newsletter=newsletter)
    service.newsletter_plan(newsletter_id=newsletter.pk)
    started = Newsletter.objects.get().started_at
    offsets = sorted(
        round((row.due_at - started).total_seconds()) for row in OutboundEmail.objects.filter(delivery__isnull=False)
    )
    assert offsets == [0, 0, 2, 2, 4, 4]  # batch k of 2 starts 2k seconds in


def test_scheduled_issues_start_when_due(clusters):
    SubscriberFactory(clusters=[clusters["acod"]])
    newsletter = NewsletterFactory(clusters=[clusters["acod"]])
    with pytest.raises(ValidationError):
        service.newsletter_schedule(newsletter=newsletter, when=timezone.now() - dt.timedelta(minutes=1))
    when = timezone.now() + dt.timedelta(hours=1)
    service.newsletter_schedule(newsletter=newsletter, when=when)
    assert service.newsletters_sweep(now=when - dt.timedelta(minutes=1))["started"] == 0
    assert service.newsletters_sweep(now=when + dt.timedelta(seconds=30))["started"] == 1
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SENDING
    assert service.newsletters_sweep(now=when + dt.timedelta(minutes=1))["started"] == 0


def test_the_sweep_resumes_a_planner_that_stalled(clusters, monkeypatch):
    newsletter = NewsletterFactory(clusters=[clusters["acod"]])
    service.newsletter_send(newsletter=newsletter)
    resumed = []
    monkeypatch.setattr(
        service, "newsletter_plan_dispatch", lambda *, newsletter_id: resumed.append(newsletter_id) or True
    )
    assert service.newsletters_sweep()["resumed"] == 0
    later = timezone.now() + dt.timedelta(minutes=3)
    assert service.newsletters_sweep(now=later)["resumed"] == 1
    assert service.newsletters_sweep(now=later + dt.timedelta(seconds=30))["resumed"] == 0
    assert resumed == [newsletter.pk]


# --- Admin ---------------------------------------------------------------------------------------


@pytest.fixture
def staff(client, staff_user):
    client.force_login(staff_user)
    return staff_user


def test_staff_compose_preview_test_and_send(client, staff, clusters):
    SubscriberFactory.create_batch(3, clusters=[clusters["acod"]])
    response = client.post(
        reverse("admin:messaging_newsletter_add"),
        {"subject": "Herbst-Ausgabe", "body": "Hallo **alle**", "clusters": [clusters["acod"].pk], "_preview": "1"},
    )
    newsletter = Newsletter.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:messaging_newsletter_preview", args=[newsletter.pk])
    preview = client.get(response["Location"]).content.decode()
    assert "Herbst-Ausgabe" in preview and "Hallo **alle**" in preview and "3 subscribers" in preview
    frame = client.get(reverse("admin:messaging_newsletter_preview_html", args=[newsletter.pk]))
    assert b"<strong>alle</strong>" in frame.content and frame["Content-Security-Policy"].startswith("sandbox")
    change_url = reverse("admin:messaging_newsletter_change", args=[newsletter.pk])
    form = {"subject": "Herbst-Ausgabe", "body": "Hallo **alle**", "clusters": [clusters["acod"].pk]}
    client.post(change_url, {**form, "_send_test": "1"})
    test_mail = OutboundEmail.objects.get()
    assert test_mail.to_email == staff.email and test_mail.subject.startswith("[Test]")
    assert not Delivery.objects.exists()
    response = client.post(change_url, {**form, "_send_now": "1"})
    send_url = reverse("admin:messaging_newsletter_send", args=[newsletter.pk])
    assert response["Location"] == send_url
    assert "3 subscribers" in client.get(send_url).content.decode()
    client.post(send_url)
    newsletter.refresh_from_db()
    assert newsletter.status != Newsletter.Status.DRAFT and newsletter.started_by == staff
    again = client.post(send_url, follow=True)
    assert "already sent" in again.content.decode()
    page = client.get(change_url)
    assert page.status_code == 200


def test_staff_schedule_in_the_admin(client, staff, clusters):
    newsletter = NewsletterFactory(clusters=[clusters["acod"]], created_by=staff)
    change_url = reverse("admin:messaging_newsletter_change", args=[newsletter.pk])
    when = timezone.localtime() + dt.timedelta(days=1)
    form = {
        "subject": newsletter.subject,
        "body": newsletter.body,
        "clusters": [clusters["acod"].pk],
        "scheduled_for_0": when.strftime("%Y-%m-%d"),
        "scheduled_for_1": when.strftime("%H:%M:%S"),
    }
    client.post(change_url, {**form, "_schedule": "1"})
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SCHEDULED
    client.post(change_url, {**form, "_unschedule": "1"})
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.DRAFT


def test_staff_write_only_to_their_own_associations_subscribers(client, staff, clusters):
    response = client.post(
        reverse("admin:messaging_newsletter_add"),
        {"subject": "Nur NLMD", "body": "x", "clusters": [clusters["nlmd"].pk]},
    )
    assert response.status_code == 200 and not Newsletter.objects.exists()


def test_subscribers_are_read_only_and_show_their_consent(client, staff, clusters):
    subscriber = SubscriberFactory(clusters=[clusters["acod"]])
    ConsentRecord.objects.create(
        subscriber=subscriber, action="confirmed", ip_address="203.0.113.9", consent_text_version="v", language="de"
    )
    page = client.get(reverse("admin:messaging_subscriber_change", args=[subscriber.pk]))
    assert page.status_code == 200 and "203.0.113.9" in page.content.decode()
    assert client.get(reverse("admin:messaging_subscriber_add")).status_code == 403


def test_newsletter_and_subscriber_lists_have_fixed_query_counts(client, staff, clusters):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n):
        for _ in range(n):
            newsletter = NewsletterFactory(clusters=[clusters["acod"], clusters["nlmd"]], created_by=staff)
            SubscriberFactory(clusters=[clusters["acod"], clusters["nlmd"]])
            service.newsletter_send(newsletter=newsletter)
            service.newsletter_plan(newsletter_id=newsletter.pk)

    urls = [
        reverse("admin:messaging_newsletter_changelist"),
        reverse("admin:messaging_subscriber_changelist"),
        reverse("admin:messaging_delivery_changelist"),
    ]
    add(1)
    client.get(urls[0])  # the first request after the login reads the login itself (members.backends)
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[url] = len(queries)
    add(4)
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) == counts[url], url
