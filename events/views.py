"""Event pages. Audience rules come from ``events.selectors.events_visible``."""

from django.http import Http404
from django.shortcuts import render

from members.selectors import request_roles

from .models import Event
from .selectors import events_visible, events_with_cards


def event_list(request):
    """Upcoming events the user may see. Context: ``events``. Template: ``events/event_list.html``."""
    events = events_with_cards(events_visible(roles=request_roles(request)).upcoming()).order_by("starts_at")
    return render(request, "events/event_list.html", {"events": events})


def event_detail(request, slug):
    """One event the user may see, else 404. Context: ``event``. Template: ``events/event_detail.html``."""
    try:
        event = events_with_cards(events_visible(roles=request_roles(request))).prefetch_related("goals").get(slug=slug)
    except Event.DoesNotExist:
        raise Http404 from None
    return render(request, "events/event_detail.html", {"event": event})
