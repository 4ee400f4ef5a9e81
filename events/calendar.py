"""iCalendar files: one event (download, e-mail attachment) and a person's feed.

Times are written in Europe/Berlin with a VTIMEZONE built from the time-zone database, so calendar
programs show the right local time on both sides of a daylight-saving change. UIDs are stable, so a
re-import or a feed refresh updates an entry instead of duplicating it.
"""

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import translation

from .models import Event

BERLIN = ZoneInfo("Europe/Berlin")
PRODID = "-//Cluster-Kooperation//Portal//DE"


def event_uid(event: Event) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"event-{event.pk}@{host}"


def _location(event: Event) -> str:
    if event.city:
        return ", ".join(part for part in (event.venue, event.street, event.city) if part)
    return event.online_url


def _vevent(event: Event) -> icalendar.Event:
    url = f"{settings.SITE_URL}{event.get_absolute_url()}"
    component = icalendar.Event()
    component.add("uid", event_uid(event))
    component.add("dtstamp", event.updated_at.astimezone(dt.UTC))
    component.add("last-modified", event.updated_at.astimezone(dt.UTC))
    component.add("dtstart", event.starts_at.astimezone(BERLIN))
    component.add("dtend", event.ends_at.astimezone(BERLIN))
    component.add("summary", event.tr("title"))
    description = event.tr("description")
    component.add("description", f"{description}\n\n{url}".strip())
    component.add("location", _location(event))
    component.add("url", url)
    component.add("status", "CONFIRMED")
    return component


def calendar_bytes(events: Iterable[Event], *, language: str, name: str = "") -> bytes:
    """An iCalendar file with the events, texts in ``language``, Europe/Berlin times and their VTIMEZONE."""
    events = list(events)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", "Europe/Berlin")
        calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    with translation.override(language):
        for event in events:
            calendar.add_component(_vevent(event))
    if events:
        # Transitions only around the events: a compact VTIMEZONE that is still exact for every entry.
        first = min(e.starts_at for e in events).date() - dt.timedelta(days=366)
        last = max(e.ends_at for e in events).date() + dt.timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()


def event_ics(event: Event, *, language: str) -> bytes:
    return calendar_bytes([event], language=language)


def event_ics_filename(event: Event) -> str:
    return f"{event.slug}.ics"


def event_ics_attachment(event: Event, *, language: str) -> dict:
    """An outbox attachment (text, stored with the message)."""
    return {
        "filename": event_ics_filename(event),
        "content": event_ics(event, language=language).decode(),
        "mimetype": "text/calendar",
    }
