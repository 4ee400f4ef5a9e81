"""Event pages, registration and calendar files. Audience rules come from ``events.selectors.events_visible``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from clusters.exports import csv_response, xlsx_response
from clusters.pagecache import page_cached
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
@page_cached
def event_list(request):
    """Upcoming events the user may see, filtered and paginated.

    Context: ``form`` (``EventFilterForm``), ``page`` (a page of events with card data), ``past`` (False).
    Template: ``events/event_list.html``.
    """
    return _list(request, past=False)


@require_GET
@page_cached
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


@page_cached
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
@page_cached
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


ATTENDEE_HEADERS = [
    _lazy("Last name"),
    _lazy("First name"),
    _lazy("Function"),
    _lazy("Organisation"),
    _lazy("Memberships"),
    _lazy("Status"),
    _lazy("Registered at"),
    _lazy("Checked in at"),
]


def _attendee_rows(registrations):
    tz = timezone.get_current_timezone()
    for registration in registrations:
        person, organisation = registration.person, registration.organisation
        memberships = getattr(organisation, "active_memberships", []) if organisation else []
        yield [
            person.last_name if person else _("(deleted)"),
            person.first_name if person else "",
            person.function if person else "",
            organisation.name if organisation else "",
            ", ".join(m.cluster.short_name for m in memberships),
            registration.get_status_display(),
            registration.created_at.astimezone(tz).strftime("%d.%m.%Y %H:%M"),
            registration.checked_in_at.astimezone(tz).strftime("%d.%m.%Y %H:%M") if registration.checked_in_at else "",
        ]


@login_required
@require_GET
def attendee_export(request, slug, fmt):
    """Attendee list of an event as CSV or XLSX, for staff of an organiser (all registrations, any status)."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    try:
        event = selectors.event_for_staff(slug=slug, roles=request_roles(request))
    except Event.DoesNotExist:
        raise Http404 from None
    registrations = selectors.attendees(event=event, include_all=True)
    headers = [str(h) for h in ATTENDEE_HEADERS]
    filename = f"{_('attendees')}-{event.slug}"
    if fmt == "xlsx":
        return xlsx_response(
            filename=filename, title=str(event)[:31], headers=headers, rows=_attendee_rows(registrations)
        )
    return csv_response(filename=filename, headers=headers, rows=_attendee_rows(registrations))


@login_required
@require_GET
def check_in(request, slug):
    """Check-in at the door: search by name, one tap per person; for staff of an organiser.

    Context: ``event``, ``registrations`` (seat holders matching ``q``), ``q``, ``attended``, ``expected``.
    Template: ``events/event_check_in.html``.
    """
    try:
        event = selectors.event_for_staff(slug=slug, roles=request_roles(request))
    except Event.DoesNotExist:
        raise Http404 from None
    q = request.GET.get("q", "")[:100].replace("\x00", "").strip()  # NUL cannot be in a name (nor in SQL)
    registrations = list(selectors.attendees(event=event, q=q))
    counts = Registration.objects.filter(event=event).aggregate(
        attended=Count("pk", filter=Q(status=Registration.Status.ATTENDED)),
        expected=Count("pk", filter=Q(status__in=Registration.SEAT_STATUSES)),
    )
    return render(
        request, "events/event_check_in.html", {"event": event, "registrations": registrations, "q": q, **counts}
    )


@login_required
@require_POST
def check_in_toggle(request, slug, pk):
    """One tap: check a person in (or, with ``undo``, take it back). Answers JSON to the page's script,
    or redirects back to the list when scripts are off."""
    try:
        event = selectors.event_for_staff(slug=slug, roles=request_roles(request))
    except Event.DoesNotExist:
        raise Http404 from None
    registration = get_object_or_404(Registration, pk=pk, event=event)
    try:
        if request.POST.get("undo"):
            registration = services.registration_check_in_undo(registration=registration)
        else:
            registration = services.registration_check_in(registration=registration, checked_in_by=request.user)
    except ValidationError as error:
        if request.headers.get("Accept") == "application/json":
            return JsonResponse({"error": " ".join(error.messages)}, status=409)
        messages.error(request, " ".join(error.messages))
        return redirect(_check_in_url(event, request.POST.get("q", "")))
    if request.headers.get("Accept") == "application/json":
        attended = Registration.objects.filter(event=event, status=Registration.Status.ATTENDED).count()
        return JsonResponse({"status": registration.status, "attended": attended})
    return redirect(_check_in_url(event, request.POST.get("q", "")))


def _check_in_url(event, q: str) -> str:
    url = reverse("events:check_in", args=[event.slug])
    return f"{url}?{urlencode({'q': q})}" if q else url
