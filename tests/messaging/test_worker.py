"""With a real Celery worker process, real Redis and a real SMTP sink: a newsletter arrives once per
subscriber, transient refusals are retried, a worker killed mid-send loses nothing and duplicates at
most its in-flight messages (same Message-ID), and a dead broker costs nothing but time."""

import contextlib
import datetime as dt
import time
from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone

from clusters.models import Cluster
from messaging.models import Delivery, Invitation, Newsletter, OutboundEmail, Subscriber
from messaging.services import newsletters, outbox
from messaging.tokens import invitation_token
from tests.events.factories import EventFactory
from tests.mailsink import free_port
from tests.members.factories import MembershipFactory, OrganisationFactory, PersonFactory, UserFactory

from .factories import NewsletterFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acod(transactional_db):
    from clusters.seed import seed_facts

    return seed_facts()["clusters"]["acod"]


def subscribers_bulk(count: int, cluster: Cluster, *, prefix: str, status=Subscriber.Status.ACTIVE) -> list[str]:
    now = timezone.now()
    confirmed = now if status != Subscriber.Status.PENDING else None
    rows = Subscriber.objects.bulk_create(
        [
            Subscriber(email=f"{prefix}{i:05d}@example.org", status=status, confirmed_at=confirmed, language="de")
            for i in range(count)
        ]
    )
    Subscriber.clusters.through.objects.bulk_create(
        [Subscriber.clusters.through(subscriber_id=s.pk, cluster_id=cluster.pk) for s in rows]
    )
    return [s.email for s in rows]


def wait_until(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.1)


def test_a_newsletter_arrives_once_per_subscriber_and_a_busy_mailbox_gets_it_on_retry(start_worker, sink, acod):
    readers = subscribers_bulk(40, acod, prefix="reader")
    sink.refuse(readers[7], "451 4.2.1 Mailbox busy, try again later", times=2)
    newsletter = NewsletterFactory(clusters=[acod])
    start_worker()
    newsletters.newsletter_send(newsletter=newsletter)
    wait_until(lambda: set(sink.message_ids_per_recipient()) >= set(readers), timeout=60, what="all readers")
    time.sleep(1)  # nothing else may arrive
    seen = sink.message_ids_per_recipient()
    assert all(sum(ids.values()) == 1 for ids in seen.values()), seen
    busy = OutboundEmail.objects.get(to_email=readers[7])
    assert busy.status == OutboundEmail.Status.SENT and busy.attempts == 3
    deliveries = Delivery.objects.select_related("email", "subscriber")
    assert {d.subscriber.email: d.email.message_id for d in deliveries} == {
        a: next(iter(ids)) for a, ids in seen.items()
    }
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SENT and newsletter.recipient_count == 40
    [message] = sink.to(readers[0])
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/newsletter/unsubscribe/")


def test_worker_killed_mid_send_loses_nothing_and_duplicates_only_in_flight_messages(start_worker, sink, acod):
    concurrency = 2
    readers = subscribers_bulk(2000, acod, prefix="reader")
    gone = subscribers_bulk(60, acod, prefix="gone", status=Subscriber.Status.UNSUBSCRIBED)
    never_confirmed = subscribers_bulk(20, acod, prefix="pending", status=Subscriber.Status.PENDING)
    newsletter = NewsletterFactory(clusters=[acod])

    first = start_worker(concurrency=concurrency, name="doomed")
    started = time.monotonic()
    newsletters.newsletter_send(newsletter=newsletter)
    sink.wait_for(600, timeout=60)
    first.kill()  # SIGKILL to the main process and both pool processes, mid-batch
    at_kill = sink.count
    # Unsubscribing while the worker is dead: what is still queued for them is withdrawn, never sent.
    late_leavers = [s for s in readers[-50:] if s not in sink.message_ids_per_recipient()][:10]
    for email in late_leavers:
        newsletters.subscriber_unsubscribe(
            subscriber_id=Subscriber.objects.get(email=email).pk, ip_address=None, via="test"
        )

    start_worker(concurrency=concurrency, name="rescue")
    # The beat sweeps, run now instead of in a minute: requeue outbox rows, resume a stalled planner.
    outbox.outbox_requeue_stale(older_than_seconds=0)
    newsletters.newsletters_sweep(now=timezone.now() + newsletters.PLAN_STALLED_AFTER + dt.timedelta(seconds=1))
    expected = set(readers) - set(late_leavers)
    wait_until(lambda: set(sink.message_ids_per_recipient()) >= expected, timeout=90, what="all readers after kill")
    time.sleep(1.5)
    elapsed = time.monotonic() - started

    seen = sink.message_ids_per_recipient()
    message_ids = {
        d.subscriber.email: d.email.message_id for d in Delivery.objects.select_related("email", "subscriber")
    }
    duplicates = {address: ids for address, ids in seen.items() if sum(ids.values()) > 1}
    print(
        f"\nWorker killed after {at_kill} of {len(readers)} messages; all {len(expected)} delivered in {elapsed:.1f}s; "
        f"duplicates: {len(duplicates)} {[(a, dict(ids)) for a, ids in duplicates.items()]}"
    )
    assert set(seen) == expected  # everybody, and nobody who unsubscribed or never confirmed
    assert not set(seen) & (set(gone) | set(never_confirmed) | set(late_leavers))
    for address, ids in seen.items():
        assert list(ids) == [message_ids[address]], address  # one Message-ID per person, the outbox row's
    assert len(duplicates) <= concurrency  # at most one in-flight message per killed pool process
    states = Counter(OutboundEmail.objects.filter(delivery__isnull=False).values_list("status", flat=True))
    assert states["sent"] == len(expected) and set(states) <= {"sent", "cancelled"}
    # A late leaver's issue was withdrawn, or never planned if the planner died before reaching them.
    withdrawn = OutboundEmail.objects.filter(delivery__subscriber__email__in=late_leavers)
    assert set(withdrawn.values_list("status", flat=True)) <= {"cancelled"}
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SENT


@contextlib.contextmanager
def broker_down():
    """Point this process's Celery app at a port nobody listens on (the shared Redis stays up for others)."""
    from portal.celery import app

    previous = app.conf.broker_write_url

    def point(url):
        app.conf.broker_write_url = url
        app._pool = None
        app.amqp._producer_pool = None
        outbox.broker_pause_reset()

    point(f"redis://127.0.0.1:{free_port()}/0")
    try:
        yield
    finally:
        point(previous)


def test_broker_down_requests_succeed_nothing_is_lost_and_each_mail_arrives_once(start_worker, sink, acod, client):
    event = EventFactory(organisers=[acod], capacity=10)
    invitees = []
    for i in range(2):
        organisation = OrganisationFactory()
        MembershipFactory(organisation=organisation, cluster=acod)
        invitees.append(PersonFactory(organisation=organisation, email=f"invitee{i}@example.org"))
    staff = UserFactory(is_staff=True, is_superuser=True, email="staff@example.org")
    subscribers_bulk(3, acod, prefix="reader")
    newsletter = NewsletterFactory(clusters=[acod])
    start_worker()

    with broker_down():
        client.force_login(staff)
        response = client.post(
            reverse("admin:messaging_invitationround_add"), {"event": event.pk, "clusters": [acod.pk]}
        )
        assert response.status_code == 302
        round_id = response["Location"].rstrip("/").split("/")[-2]
        assert client.post(reverse("admin:messaging_invitationround_send", args=[round_id])).status_code == 302
        invitation = Invitation.objects.get(person=invitees[0])
        token = invitation_token(invitation_id=invitation.pk, person_id=invitees[0].pk)
        assert client.post(reverse("messaging:invitation_accept", kwargs={"token": token})).status_code == 200
        assert client.post(reverse("admin:messaging_newsletter_send", args=[newsletter.pk])).status_code == 302
        client.logout()
        signup = client.post(
            reverse("messaging:newsletter_signup"), {"email": "new@example.org", "clusters": [acod.pk], "consent": "on"}
        )
        assert signup.status_code == 302
        time.sleep(1)
        assert sink.count == 0
        queued = list(OutboundEmail.objects.values_list("to_email", flat=True))
        # Two invitations, the registration's confirmation, the newsletter sign-up's confirmation.
        assert sorted(queued) == sorted(
            ["invitee0@example.org", "invitee1@example.org", "invitee0@example.org", "new@example.org"]
        )
        assert Newsletter.objects.get().status == Newsletter.Status.SENDING and not Delivery.objects.exists()

    # The broker is back: the beat's sweeps hand everything over.
    outbox.outbox_requeue_stale(older_than_seconds=0)
    newsletters.newsletters_sweep(now=timezone.now() + newsletters.PLAN_STALLED_AFTER + dt.timedelta(seconds=1))
    expected = OutboundEmail.objects.count() + 3  # and the three readers' newsletters, planned by the worker
    sink.wait_for(expected, timeout=60)
    outbox.outbox_requeue_stale(older_than_seconds=0)  # a second sweep finds nothing left to send
    time.sleep(1.5)
    rows = OutboundEmail.objects.all()
    assert rows.count() == expected
    assert set(rows.values_list("status", flat=True)) == {OutboundEmail.Status.SENT}
    assert Counter(m.message_id for m in sink.messages) == Counter(rows.values_list("message_id", flat=True))
    assert sink.count == expected
