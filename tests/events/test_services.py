"""Registration services: every state change, its rules and its e-mails."""

import datetime as dt
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from events import services
from events.models import Event, Registration
from messaging.models import OutboundEmail
from tests.events.factories import EventFactory, RegistrationFactory
from tests.members.factories import PersonFactory, member_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def acod(facts):
    return facts["clusters"]["acod"]


@pytest.fixture
def event(acod):
    return EventFactory(organisers=[acod], capacity=2, audience=Event.Audience.ORGANISER_MEMBERS)


def register(event, person, by="self"):
    return services.registration_create(event=event, person=person, registered_by=person.user if by == "self" else by)


@contextmanager
def refused(code):
    """Expect a ValidationError with this code."""
    with pytest.raises(ValidationError) as info:
        yield info
    assert info.value.code == code, info.value


def emails(template):
    return list(OutboundEmail.objects.filter(template=f"events/emails/registration_{template}").order_by("pk"))


def test_free_seat_confirms_and_mails_an_ics(event, acod):
    person = member_person(clusters=[acod])
    registration = register(event, person)
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.waiting_position is None
    assert registration.organisation == person.organisation
    assert registration.registered_by == person.user
    [mail] = emails("confirmed")
    assert mail.to_email == person.user.email
    assert mail.body_html and event.title in mail.body_text
    [attachment] = mail.attachments
    assert attachment["mimetype"] == "text/calendar"
    calendar = icalendar.Calendar.from_ical(attachment["content"])
    assert [e["uid"] for e in calendar.walk("VEVENT")] == [f"event-{event.pk}@127.0.0.1"]


def test_full_event_puts_people_on_the_waiting_list_in_order(event, acod):
    for _ in range(2):
        register(event, member_person(clusters=[acod]))
    third, fourth = member_person(clusters=[acod], language="en"), member_person(clusters=[acod], language="en")
    assert (register(event, third).waiting_position, register(event, fourth).waiting_position) == (1, 2)
    waiting = Registration.objects.filter(status="waiting").order_by("created_at", "pk")
    assert [r.person for r in waiting] == [third, fourth]
    assert [services.waiting_position(registration=r) for r in waiting] == [1, 2]
    [first_mail, second_mail] = emails("waiting")
    assert "You are number 1 on the waiting list" in first_mail.body_text and first_mail.attachments == []
    assert "You are number 2 on the waiting list" in second_mail.body_text
    assert Registration.objects.filter(status="confirmed").count() == event.capacity


def test_waiting_mail_names_the_position(event, acod):
    for _ in range(2):
        register(event, member_person(clusters=[acod]))
    english = member_person(clusters=[acod], language="en")
    register(event, english)
    [mail] = emails("waiting")
    assert "You are number 1 on the waiting list" in mail.body_text
    assert mail.language == "en"


def test_cancel_promotes_the_first_on_the_waiting_list(event, acod):
    first, second = member_person(clusters=[acod]), member_person(clusters=[acod])
    waiting_one, waiting_two = member_person(clusters=[acod], language="en"), member_person(clusters=[acod])
    confirmed = register(event, first)
    register(event, second)
    promoted = register(event, waiting_one)
    still_waiting = register(event, waiting_two)

    services.registration_cancel(registration=confirmed, cancelled_by=first.user)

    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert statuses[confirmed.pk] == "cancelled"
    assert statuses[promoted.pk] == "confirmed"
    assert statuses[still_waiting.pk] == "waiting"
    still_waiting.refresh_from_db()
    assert services.waiting_position(registration=still_waiting) == 1
    [cancel_mail] = emails("cancelled")
    assert cancel_mail.to_email == first.user.email
    [promotion] = emails("promoted")
    assert promotion.to_email == waiting_one.user.email
    assert promotion.language == "en" and "a seat has become free" in promotion.body_text
    assert promotion.attachments[0]["filename"] == f"{event.slug}.ics"


def test_cancelling_from_the_waiting_list_promotes_nobody(event, acod):
    people = [member_person(clusters=[acod]) for _ in range(4)]
    registrations = [register(event, p) for p in people]
    services.registration_cancel(registration=registrations[2], cancelled_by=people[2].user)
    assert emails("promoted") == []
    registrations[3].refresh_from_db()
    assert registrations[3].status == "waiting"
    assert services.waiting_position(registration=registrations[3]) == 1


def test_no_promotion_once_the_event_has_started(event, acod):
    people = [member_person(clusters=[acod]) for _ in range(3)]
    registrations = [register(event, p) for p in people]
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=5))
    with refused("started"):
        services.registration_cancel(registration=registrations[0], cancelled_by=people[0].user)
    assert Registration.objects.get(pk=registrations[2].pk).status == "waiting"


def test_a_newcomer_never_overtakes_the_waiting_list(event, acod):
    people = [member_person(clusters=[acod]) for _ in range(3)]
    for p in people:
        register(event, p)
    # Staff raise the capacity directly (no promotion): the free seat still belongs to the one waiting.
    Event.objects.filter(pk=event.pk).update(capacity=3)
    late = register(event, member_person(clusters=[acod]))
    assert late.status == "waiting" and late.waiting_position == 2


def test_waiting_list_fill_after_capacity_raise(event, acod):
    people = [member_person(clusters=[acod]) for _ in range(5)]
    for p in people:
        register(event, p)
    Event.objects.filter(pk=event.pk).update(capacity=4)
    promoted = services.waiting_list_fill(event=event)
    assert [r.person for r in promoted] == people[2:4]
    assert Registration.objects.filter(status="confirmed").count() == 4
    assert len(emails("promoted")) == 2


@pytest.mark.parametrize(
    ("opens", "closes", "code"),
    [
        (dt.timedelta(days=1), None, "not_yet"),
        (None, -dt.timedelta(minutes=1), "closed"),
    ],
)
def test_the_registration_window_is_honoured(acod, opens, closes, code):
    now = timezone.now()
    event = EventFactory(
        organisers=[acod],
        registration_opens_at=now + opens if opens else None,
        registration_closes_at=now + closes if closes else None,
    )
    person = member_person(clusters=[acod])
    with refused(code):
        register(event, person)
    assert not Registration.objects.exists() and not OutboundEmail.objects.exists()


def test_registration_closes_when_the_event_starts(acod):
    event = EventFactory(organisers=[acod], starts_at=timezone.now() - dt.timedelta(minutes=1))
    with refused("closed"):
        register(event, member_person(clusters=[acod]))


def test_one_active_registration_per_person(event, acod):
    person = member_person(clusters=[acod])
    register(event, person)
    with refused("duplicate") as info:
        register(event, person)
    assert person.full_name in info.value.messages[0]
    assert Registration.objects.count() == 1


def test_registering_again_after_cancelling(event, acod):
    person = member_person(clusters=[acod])
    first = register(event, person)
    services.registration_cancel(registration=first, cancelled_by=person.user)
    again = register(event, person)
    assert again.pk != first.pk and again.status == "confirmed"


def test_a_row_the_pre_check_misses_still_gives_a_clear_duplicate(event, acod, monkeypatch):
    person = member_person(clusters=[acod])
    RegistrationFactory(event=event, person=person)
    # Even if the pre-check missed the row, the database constraint turns into the same clear error.
    monkeypatch.setattr(services, "ACTIVE", ())
    with refused("duplicate"):
        register(event, person)


def test_members_only_event_refuses_other_associations(event, facts):
    outsider = member_person(clusters=[facts["clusters"]["nlmd"]])
    with refused("audience"):
        register(event, outsider)


def test_all_members_event_admits_any_association(acod, facts):
    event = EventFactory(organisers=[acod], audience=Event.Audience.ALL_MEMBERS)
    registration = register(event, member_person(clusters=[facts["clusters"]["nlmd"]]))
    assert registration.status == "confirmed"


def test_unpublished_event_takes_no_registrations(acod):
    event = EventFactory(organisers=[acod], is_published=False)
    with refused("audience"):
        register(event, member_person(clusters=[acod]))


def test_a_person_without_organisation_cannot_register(acod):
    event = EventFactory(organisers=[acod], audience=Event.Audience.PUBLIC)
    loner = member_person(clusters=[acod])
    loner.organisation = None
    loner.save()
    with refused("no_organisation"):
        register(event, loner)


def test_primary_contact_registers_a_colleague_without_login(event, acod):
    contact = member_person(clusters=[acod], primary=True)
    colleague = PersonFactory(organisation=contact.organisation, email="kollegin@example.org")
    registration = register(event, colleague, by=contact.user)
    assert registration.registered_by == contact.user
    [mail] = emails("confirmed")
    assert mail.to_email == "kollegin@example.org" and mail.language == "de"
    assert contact.user.email in mail.body_text  # "… registered you."


def test_a_plain_member_cannot_register_a_colleague(event, acod):
    member = member_person(clusters=[acod])
    colleague = PersonFactory(organisation=member.organisation)
    with refused("forbidden"):
        register(event, colleague, by=member.user)


def test_a_primary_contact_cannot_register_people_of_another_organisation(event, acod):
    contact = member_person(clusters=[acod], primary=True)
    stranger = member_person(clusters=[acod])
    with refused("forbidden"):
        register(event, stranger, by=contact.user)


def test_cancel_rules(event, acod):
    person = member_person(clusters=[acod])
    other = member_person(clusters=[acod])
    registration = register(event, person)
    with refused("forbidden"):
        services.registration_cancel(registration=registration, cancelled_by=other.user)
    services.registration_cancel(registration=registration, cancelled_by=person.user)
    with refused("not_active"):
        services.registration_cancel(registration=registration, cancelled_by=person.user)


def test_primary_contact_cancels_for_a_colleague(event, acod):
    contact = member_person(clusters=[acod], primary=True)
    colleague = member_person(clusters=[acod], organisation=contact.organisation)
    registration = register(event, colleague)
    services.registration_cancel(registration=registration, cancelled_by=contact.user)
    registration.refresh_from_db()
    assert registration.status == "cancelled"


def test_people_without_address_are_registered_without_mail(event, acod):
    contact = member_person(clusters=[acod], primary=True)
    colleague = PersonFactory(organisation=contact.organisation, email="")
    assert register(event, colleague, by=contact.user).status == "confirmed"
    assert not OutboundEmail.objects.exists()


def test_mail_and_registration_commit_or_roll_back_together(event, acod):
    person = member_person(clusters=[acod])
    with pytest.raises(RuntimeError), transaction.atomic():
        register(event, person)
        raise RuntimeError("the caller's transaction fails after the service")
    assert not Registration.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_mails_are_sent_from_the_outbox_in_both_formats(event, acod, deliver_outbox):
    person = member_person(clusters=[acod], language="en")
    register(event, person)
    [message] = deliver_outbox()
    assert message.to == [person.user.email]
    assert message.subject == f"Registration confirmed: {event.title}"
    assert [mimetype for _content, mimetype in message.alternatives] == ["text/html"]
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"{event.slug}.ics", "text/calendar")
    assert "BEGIN:VTIMEZONE" in content


def test_mails_follow_the_users_language(event, acod):
    german, english = member_person(clusters=[acod], language="de"), member_person(clusters=[acod], language="en")
    register(event, german)
    register(event, english)
    assert list(OutboundEmail.objects.order_by("pk").values_list("to_email", "language")) == [
        (german.user.email, "de"),
        (english.user.email, "en"),
    ]


def test_mail_names_the_date_and_time_in_berlin(acod, deliver_outbox):
    starts = dt.datetime(2031, 3, 4, 17, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    event = EventFactory(organisers=[acod], starts_at=starts, ends_at=starts + dt.timedelta(hours=2), venue="Halle 3")
    register(event, member_person(clusters=[acod], language="en"))
    [message] = deliver_outbox()
    assert "When: Tuesday, March 4, 2031, 17:30–19:30 (Berlin time)" in message.body
    assert "Where: Halle 3, Leipzig" in message.body
