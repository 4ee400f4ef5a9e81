"""The outbox over real SMTP: sent once with a fixed Message-ID, transient errors retried with backoff,
permanent ones recorded, batches over one connection, the sweep, and who may read bodies in the admin."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from messaging import services
from messaging.models import OutboundEmail
from messaging.services import outbox as outbox_module
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


def write(to="anna@example.org", subject="Hallo", body="Text", **kwargs) -> OutboundEmail:
    return services.outbox_write(
        to=to, subject=subject, body_text=body, body_html=f"<p>{body}</p>", template="test", language="de", **kwargs
    )


def test_send_marks_sent_with_the_fixed_message_id_and_a_second_run_does_nothing(smtp_to_sink):
    row = write()
    assert services.outbox_send(email_id=row.pk) is True
    assert services.outbox_send(email_id=row.pk) is False
    [received] = smtp_to_sink.wait_for(1)
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.SENT and row.attempts == 1 and row.sent_at
    assert received.message_id == row.message_id
    assert received.to == ("anna@example.org",)
    assert received.part("text/plain").strip() == "Text"
    assert received.part("text/html").strip() == "<p>Text</p>"
    assert smtp_to_sink.count == 1


def test_transient_refusal_is_retried_later_with_backoff(smtp_to_sink, settings):
    settings.OUTBOX_RETRY_BACKOFF_SECONDS = 30
    row = write(to="busy@example.org")
    smtp_to_sink.refuse("busy@example.org", "451 4.3.0 Mailbox busy, try later", times=1)
    before = timezone.now()
    with pytest.raises(services.TransientSendError) as raised:
        services.outbox_send(email_id=row.pk)
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.QUEUED and row.attempts == 1
    assert "451" in row.last_error
    assert 24 <= raised.value.retry_in <= 36  # 30 s ± jitter
    assert row.due_at >= before + dt.timedelta(seconds=24)
    # The second attempt's wait doubles.
    assert 48 <= outbox_module.retry_delay(2) <= 72
    assert services.outbox_send(email_id=row.pk) is True
    assert len(smtp_to_sink.to("busy@example.org")) == 1


def test_permanent_refusal_is_recorded_and_not_retried(smtp_to_sink):
    row = write(to="nobody@example.org")
    smtp_to_sink.refuse("nobody@example.org", "550 5.1.1 No such user", times=5)
    assert services.outbox_send(email_id=row.pk) is False
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.FAILED
    assert "550" in row.last_error and "No such user" in row.last_error
    assert services.outbox_send(email_id=row.pk) is False  # failed rows are left alone
    assert smtp_to_sink.count == 0


def test_transient_errors_end_in_failed_after_the_last_attempt(smtp_to_sink):
    row = write(to="flaky@example.org")
    smtp_to_sink.refuse("flaky@example.org", "421 4.7.0 Try again later", times=100)
    for _ in range(services.MAX_ATTEMPTS - 1):
        with pytest.raises(services.TransientSendError):
            services.outbox_send(email_id=row.pk)
    assert services.outbox_send(email_id=row.pk) is False
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.FAILED and row.attempts == services.MAX_ATTEMPTS


def test_a_batch_goes_over_one_smtp_connection(smtp_to_sink):
    rows = [write(to=f"member{i}@example.org") for i in range(12)]
    report = services.outbox_send_many(email_ids=[r.pk for r in rows])
    assert report.sent == 12 and report.retry_ids == []
    smtp_to_sink.wait_for(12)
    assert smtp_to_sink.sessions == 1
    assert OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() == 12


def test_a_batch_keeps_going_past_one_bad_address_and_reports_transient_ones(smtp_to_sink):
    rows = [write(to=f"member{i}@example.org") for i in range(5)]
    smtp_to_sink.refuse("member1@example.org", "550 5.1.1 No such user")
    smtp_to_sink.refuse("member3@example.org", "452 4.2.2 Mailbox full")
    report = services.outbox_send_many(email_ids=[r.pk for r in rows])
    assert report.sent == 3
    assert report.retry_ids == [rows[3].pk]
    states = dict(OutboundEmail.objects.values_list("to_email", "status"))
    assert states["member1@example.org"] == "failed"
    assert states["member3@example.org"] == "queued"


def test_a_batch_gives_up_when_the_relay_is_down(settings, sink):
    from tests.mailsink import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.EMAIL_TIMEOUT = 2
    rows = [write(to=f"member{i}@example.org") for i in range(6)]
    report = services.outbox_send_many(email_ids=[r.pk for r in rows])
    assert report.sent == 0
    assert report.retry_ids == [r.pk for r in rows]
    assert report.retry_in > 0
    for row in OutboundEmail.objects.all():
        assert row.status == OutboundEmail.Status.QUEUED
        assert row.attempts == 0  # the relay's fault, not the message's
        assert "Connection refused" in row.last_error or "refused" in row.last_error.lower()
        assert row.due_at > timezone.now()


def test_rate_paces_a_batch(smtp_to_sink):
    import time

    rows = [write(to=f"member{i}@example.org") for i in range(5)]
    started = time.monotonic()
    services.outbox_send_many(email_ids=[r.pk for r in rows], rate=20)
    assert time.monotonic() - started >= 4 / 20


def test_sweep_requeues_only_rows_due_long_ago(settings, monkeypatch):
    settings.OUTBOX_REQUEUE_AFTER_SECONDS = 120
    handed = []
    monkeypatch.setattr(outbox_module, "outbox_dispatch", lambda *, email_ids, force: handed.extend(email_ids) or 0)
    old, _fresh, sent = write(), write(), write()
    OutboundEmail.objects.filter(pk=old.pk).update(due_at=timezone.now() - dt.timedelta(minutes=5))
    OutboundEmail.objects.filter(pk=sent.pk).update(
        due_at=timezone.now() - dt.timedelta(minutes=5), status=OutboundEmail.Status.SENT
    )
    services.outbox_requeue_stale()
    assert handed == [old.pk]
    old.refresh_from_db()
    assert old.due_at > timezone.now() - dt.timedelta(seconds=5)  # not handed again at the next sweep


def test_retry_puts_failed_rows_back_in_the_queue():
    row = write()
    OutboundEmail.objects.filter(pk=row.pk).update(status=OutboundEmail.Status.FAILED, attempts=8)
    assert services.outbox_retry(email_ids=[row.pk]) == 1
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.QUEUED and row.attempts == 0
    assert services.outbox_retry(email_ids=[row.pk]) == 0


def test_a_dead_broker_does_not_break_the_caller(settings, caplog):
    """Publishing fails fast, the caller's transaction stands, the row waits for the sweep."""
    from portal.celery import app
    from tests.mailsink import free_port

    dead = f"redis://127.0.0.1:{free_port()}/0"
    outbox_module.broker_pause_reset()
    previous = app.conf.broker_write_url
    app.conf.broker_write_url = dead
    app._pool = None
    app.amqp._producer_pool = None
    try:
        with transaction.atomic():
            row = write()
        assert outbox_module.outbox_dispatch(email_ids=[row.pk]) == 0
        assert "Broker unavailable" in caplog.text
        # During the pause nothing even tries; forced (the sweep) it does try.
        assert outbox_module.outbox_dispatch(email_ids=[row.pk]) == 0
    finally:
        app.conf.broker_write_url = previous
        app._pool = None
        app.amqp._producer_pool = None
        outbox_module.broker_pause_reset()
    assert OutboundEmail.objects.get(pk=row.pk).status == OutboundEmail.Status.QUEUED


# --- Admin -----------------------------------------------------------------------------------------


@pytest.fixture
def reset_mail(db):
    return services.outbox_write(
        to="anna@example.org",
        subject="Passwort zurücksetzen",
        body_text="Link: https://portal.example.org/accounts/password/reset/key/SECRET-KEY-123/",
        body_html="<p>https://portal.example.org/accounts/password/reset/key/SECRET-KEY-123/</p>",
        template="account/email/password_reset_key",
        language="de",
    )


def test_staff_see_the_envelope_but_not_the_body(client, staff_user, reset_mail):
    client.force_login(staff_user)
    change = client.get(reverse("admin:messaging_outboundemail_change", args=[reset_mail.pk]))
    assert change.status_code == 200
    html = change.content.decode()
    assert "Passwort zurücksetzen" in html and "anna@example.org" in html
    assert "SECRET-KEY-123" not in html
    frame = client.get(reverse("admin:messaging_outboundemail_html", args=[reset_mail.pk]))
    assert frame.status_code == 403
    listing = client.get(reverse("admin:messaging_outboundemail_changelist"))
    assert listing.status_code == 200 and "SECRET-KEY-123" not in listing.content.decode()


def test_superusers_read_the_body_in_a_sandbox(client, reset_mail):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    change = client.get(reverse("admin:messaging_outboundemail_change", args=[reset_mail.pk]))
    assert "SECRET-KEY-123" in change.content.decode()
    frame = client.get(reverse("admin:messaging_outboundemail_html", args=[reset_mail.pk]))
    assert frame.status_code == 200 and b"SECRET-KEY-123" in frame.content
    assert frame["Content-Security-Policy"].startswith("sandbox")


def test_staff_resend_failed_messages(client, staff_user, reset_mail):
    OutboundEmail.objects.filter(pk=reset_mail.pk).update(status=OutboundEmail.Status.FAILED)
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:messaging_outboundemail_changelist"),
        {"action": "resend_failed", "_selected_action": [reset_mail.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert OutboundEmail.objects.get(pk=reset_mail.pk).status == OutboundEmail.Status.QUEUED


def test_outbox_changelist_query_count_does_not_grow(client, staff_user):
    client.force_login(staff_user)
    url = reverse("admin:messaging_outboundemail_changelist") + "?status__exact=queued"
    for i in range(3):
        write(to=f"a{i}@example.org")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(30):
        write(to=f"b{i}@example.org")
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
