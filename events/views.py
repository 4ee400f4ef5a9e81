"""Event pages, registration and calendar files. Audience rules come from ``events.selectors.events_visible``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from members.models import Person
from members.selectors import request_roles, roles_for_person

from . import selectors, services
from .calendar import calendar_bytes, event_ics, event_ics_filename
from .forms import EventFilterForm, RegisterForm
from .models import Event, Registration

# HTTP status of a refused registration, by the service's error code (default 400).
REFUSAL_STATUS = {"duplicate": 409, "forbidden": 403, "audience": 403, "no_organisation": 403}


def _list(request, *, past: bool):
    roles = request_roles(request)
    form = EventFilterForm(request.GET or None, options=selectors.event_filter_options(roles=roles, past=past))
    filters = form.filters() if form.is_bound else {}
    page = selectors.event_list_page(roles=roles, filters=filters, past=past, page=request.GET.get("page"))
    return render(request, "events/event_list.html", {"form": form, "page": page, "past": past})


@require_GET
def event_list(request):
    """Upcoming events the user may see, filtered and paginated.

    Context: ``form`` (``EventFilterForm``), ``page`` (a page of events with card data), ``past`` (False).
    Template: ``events/event_list.html``.
    """
    return _list(request, past=False)


@require_GET
def event_list_past(request):
    """Past events the user may see, latest first; same filters and context as ``event_list`` (``past`` True)."""
    return _list(request, past=True)


def _detail_context(request, event: Event) -> dict:
    roles = request_roles(request)
    person = roles.person
    context = {
        "event": event,
        "past": event.ends_at < timezone.now(),
        "registration": None,
        "colleagues": [],
        "register_form": None,
    }
    if person is not None and person.organisation_id:
        context["registration"] = selectors.registration_of(event=event, person=person)
        if roles.is_primary_contact:
            colleagues = selectors.colleagues_for_event(event=event, person=person)
            context["colleagues"] = colleagues
            context["register_form"] = RegisterForm(people=[p for p in colleagues if not p.registration_status])
    return context


def event_detail(request, slug):
    """One event the user may see, else 404.

    Context: ``event`` (with organisers, goals, seats), ``past``, ``registration`` (the user's own, with
    ``waiting_position``), ``colleagues`` and ``register_form`` (primary contacts only).
    Template: ``events/event_detail.html``.
    """
    try:
        event = selectors.event_detail(roles=request_roles(request), slug=slug)
    except Event.DoesNotExist:
        raise Http404 from None
    return render(request, "events/event_detail.html", _detail_context(request, event))


def _visible_event_or_404(request, slug) -> Event:
    try:
        return selectors.event_detail(roles=request_roles(request), slug=slug)
    except Event.DoesNotExist:
        raise Http404 from None


def _refused(request, event: Event, error: ValidationError, *, status: int = 400):
    """Show the event again with the reason a change was refused."""
    for message in error.messages:
        messages.error(request, message)
    return render(request, "events/event_detail.html", _detail_context(request, event), status=status)


@login_required
@require_POST
def event_register(request, slug):
    """Register the user, or (primary contact) a colleague chosen in ``RegisterForm``; then back to the event."""
    event = _visible_event_or_404(request, slug)
    roles = request_roles(request)
    if roles.person is None or roles.person.organisation_id is None:
        error = ValidationError(_("Please link your login to your organisation before registering."))
        return _refused(request, event, error, status=403)
    person = roles.person
    if request.POST.get("person"):
        colleagues = Person.objects.filter(organisation_id=person.organisation_id) if roles.is_primary_contact else []
        form = RegisterForm(request.POST, people=colleagues)
        if not form.is_valid():
            return _refused(request, event, ValidationError(_("Please choose a colleague from the list.")))
        person = next(p for p in colleagues if p.pk == form.cleaned_data["person"])
    try:
        registration = services.registration_create(event=event, person=person, registered_by=request.user)
    except ValidationError as error:
        return _refused(request, event, error, status=REFUSAL_STATUS.get(error.code, 400))
    if registration.status == Registration.Status.CONFIRMED:
        messages.success(
            request, _("%(name)s is registered. A confirmation is on its way by e-mail.") % {"name": person.full_name}
        )
    else:
        messages.warning(
            request,
            _("The event is fully booked: %(name)s is number %(position)d on the waiting list.")
            % {"name": person.full_name, "position": registration.waiting_position},
        )
    return redirect(event)


@login_required
@require_POST
def registration_cancel(request, pk):
    """Cancel one's own registration (or a colleague's, as primary contact); then back to ``next`` (a page of
    this site) or to "my registrations". Someone else's registration is a 404."""
    registration = get_object_or_404(Registration.objects.select_related("event", "person"), pk=pk)
    roles = request_roles(request)
    if (
        roles.person is None
        or registration.person is None
        or not services.may_act_for(user=request.user, person=registration.person)
    ):
        raise Http404
    try:
        services.registration_cancel(registration=registration, cancelled_by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return render(request, "events/registration_list.html", _mine_context(request), status=400)
    messages.success(
        request,
        _("The registration of %(name)s for “%(event)s” is cancelled.")
        % {"name": registration.person.full_name, "event": registration.event.tr("title")},
    )
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(next_url)
    return redirect("events:mine")


def _mine_context(request) -> dict:
    person = request_roles(request).person
    if person is None:
        return {"person": None, "upcoming": [], "past": [], "colleagues": []}
    return {
        "person": person,
        **selectors.registrations_of(person=person),
        "colleagues": selectors.registrations_of_colleagues(person=person),
        "feed_url": request.build_absolute_uri(reverse("events:feed", kwargs={"token": person.calendar_token})),
    }


@login_required
@require_GET
def registration_list(request):
    """ "My registrations": upcoming (with cancel buttons) and past; a primary contact also sees colleagues'.

    Context: ``person``, ``upcoming``, ``past``, ``colleagues`` (registrations), ``feed_url``.
    Template: ``events/registration_list.html``.
    """
    return render(request, "events/registration_list.html", _mine_context(request))


def _ics_response(content: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def event_calendar(request, slug):
    """The event as an iCalendar file (only for events the user may see)."""
    event = _visible_event_or_404(request, slug)
    return _ics_response(event_ics(event, language=get_language()), filename=event_ics_filename(event))


@require_GET
def calendar_feed(request, token):
    """A person's calendar feed (secret address, no login: calendar programs cannot log in).

    Lists the events the person holds a seat for and may still see. An unknown token is a 404.
    """
    person = selectors.person_by_calendar_token(token=token)
    if person is None:
        raise Http404
    language = person.user.language if person.user_id else "de"
    events = selectors.feed_events(person=person, roles=roles_for_person(person=person))
    with translation.override(language):
        name = _("Cluster cooperation – my events")
    content = calendar_bytes(events, language=language, name=name)
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="cluster-cooperation.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response
