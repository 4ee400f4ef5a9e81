"""Capacity under concurrency, on PostgreSQL with one connection per thread.

40 people register at the same moment for the last 10 seats. With the event row locked, exactly 10 get a
seat and 30 go on the waiting list with positions 1..30. The same scenario without the lock (the service's
lock helper replaced by a plain read) overbooks the event: that proves the test can see the race.
"""

import threading
import time

import pytest
from django.db import connection

from events import services
from events.models import Event, Registration
from tests.events.factories import EventFactory, RegistrationFactory
from tests.members.factories import member_person

CAPACITY = 50
FREE = 10
RUNNERS = 40
# A pause between counting and inserting widens the window in which a race can happen; with the lock it only
# makes the run slower, without the lock every runner counts before anyone inserts.
PAUSE_AFTER_COUNT = 0.05


@pytest.fixture
def scenario(transactional_db, facts):
    """An event with CAPACITY seats of which FREE are left, and RUNNERS members who want one."""
    acod = facts["clusters"]["acod"]
    event = EventFactory(organisers=[acod], capacity=CAPACITY, audience=Event.Audience.ORGANISER_MEMBERS)
    for _ in range(CAPACITY - FREE):
        RegistrationFactory(event=event, status=Registration.Status.CONFIRMED)
    people = [member_person(clusters=[acod]) for _ in range(RUNNERS)]
    return event, people


def run_at_once(event, people) -> tuple[list[Registration], list[BaseException]]:
    """Each person registers in their own thread and connection; all start together at a barrier."""
    barrier = threading.Barrier(len(people))
    results, errors = [], []
    lock = threading.Lock()

    def runner(person):
        try:
            connection.ensure_connection()  # connect before the barrier so that all start together
            barrier.wait(timeout=30)
            registration = services.registration_create(event=event, person=person, registered_by=person.user)
            with lock:
                results.append(registration)
        except BaseException as error:  # collected and asserted on
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a runner hung"
    return results, errors


@pytest.fixture
def slow_count(monkeypatch):
    counted = services._seats_and_queue

    def counting_then_pausing(*, event):
        result = counted(event=event)
        time.sleep(PAUSE_AFTER_COUNT)
        return result

    monkeypatch.setattr(services, "_seats_and_queue", counting_then_pausing)


def test_forty_at_once_for_the_last_ten_seats(scenario, slow_count):
    event, people = scenario
    results, errors = run_at_once(event, people)

    assert errors == []
    assert len(results) == RUNNERS
    confirmed = [r for r in results if r.status == Registration.Status.CONFIRMED]
    waiting = [r for r in results if r.status == Registration.Status.WAITING]
    assert (len(confirmed), len(waiting)) == (FREE, RUNNERS - FREE)
    # The positions the runners were told: 1..30, no gaps, no repeats.
    assert sorted(r.waiting_position for r in waiting) == list(range(1, RUNNERS - FREE + 1))
    # The database agrees: capacity held, and the waiting list read back in order gives the same positions.
    rows = Registration.objects.filter(event=event)
    assert rows.filter(status__in=Registration.SEAT_STATUSES).count() == CAPACITY
    queue = rows.filter(status=Registration.Status.WAITING).order_by("created_at", "pk")
    assert [services.waiting_position(registration=r) for r in queue] == list(range(1, RUNNERS - FREE + 1))
    told = {r.pk: r.waiting_position for r in waiting}
    assert [told[r.pk] for r in queue] == list(range(1, RUNNERS - FREE + 1))


def test_without_the_lock_the_event_is_overbooked(scenario, slow_count, monkeypatch):
    """The control experiment: the same runners, the event row read without FOR UPDATE."""
    event, people = scenario
    monkeypatch.setattr(services, "_event_for_update", lambda *, event_id: Event.objects.get(pk=event_id))
    results, errors = run_at_once(event, people)

    assert errors == []
    seats_taken = Registration.objects.filter(event=event, status__in=Registration.SEAT_STATUSES).count()
    positions = [r.waiting_position for r in results if r.status == Registration.Status.WAITING]
    overbooked = seats_taken > CAPACITY
    positions_repeat = len(positions) != len(set(positions))
    assert overbooked or positions_repeat, (seats_taken, positions)
