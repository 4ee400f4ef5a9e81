"""Member pages: the members' home, joining an organisation, answering join requests, colleagues, calendar."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clusters.pagecache import page_cached
from events.selectors import registrations_upcoming

from . import selectors, services
from .directory import DirectoryFilters, directory_search, partners_for
from .forms import (
    AccountDeleteForm,
    ColleagueInviteForm,
    ContactRequestForm,
    DirectoryFilterForm,
    JoinRequestForm,
    LanguageForm,
    OrganisationSearchForm,
    RejectForm,
)
from .models import ContactRequest, JoinRequest, Membership, Organisation
from .privacy import account_delete as account_delete_service
from .privacy import personal_data_export
from .selectors import request_roles


def _error_messages(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
@page_cached
def home(request):
    """The member's start page after login.

    Context: ``person``, ``organisation`` (with ``active_memberships``), ``join_request`` (latest, when not
    linked), ``invitations`` (colleague invitations to the login's address, when not linked), ``upcoming`` (own active registrations), ``requests_to_decide`` (count), ``feed_url``,
    ``language_form``. Template: ``members/home.html``.
    """
    roles = request_roles(request)
    person = roles.person
    organisation = selectors.organisation_with_memberships(roles=roles)
    context = {
        "person": person,
        "organisation": organisation,
        "join_request": None if organisation else selectors.join_request_latest(user=request.user),
        "invitations": [] if organisation else selectors.invitations_for_user(user=request.user),
        "upcoming": registrations_upcoming(person=person) if organisation else [],
        "requests_to_decide": (
            selectors.join_requests_to_decide(roles=roles).count()
            if roles.is_primary_contact or roles.staff_cluster_ids or roles.is_superuser
            else 0
        ),
        "feed_url": (
            request.build_absolute_uri(reverse("events:feed", kwargs={"token": person.calendar_token}))
            if person
            else ""
        ),
        "language_form": LanguageForm(instance=request.user),
    }
    return render(request, "members/home.html", context)


@login_required
def organisation_join(request):
    """Find one's organisation by name and ask to join it.

    GET ``q``: search results; GET ``organisation`` (id): the request form for that member organisation;
    POST: write the request (``members.services.join_request_create``) and go home.
    Context: ``search_form``, ``results``, ``organisation``, ``form``, ``pending`` (the user's pending request).
    Template: ``members/organisation_join.html``.
    """
    roles = request_roles(request)
    if roles.organisation is not None:
        messages.info(request, _("Your login already belongs to %(name)s.") % {"name": roles.organisation})
        return redirect("members:home")
    pending = JoinRequest.objects.filter(user=request.user, status=JoinRequest.Status.PENDING).first()
    search_form = OrganisationSearchForm(request.GET if "q" in request.GET else None)
    results = selectors.organisations_search(query=search_form.cleaned_data["q"]) if search_form.is_valid() else []
    organisation, form, status = None, None, 200
    organisation_id = request.POST.get("organisation") or request.GET.get("organisation")
    if organisation_id and not pending:
        member_organisations = Organisation.objects.filter(memberships__status=Membership.Status.ACTIVE).distinct()
        try:
            organisation = member_organisations.get(pk=int(organisation_id))
        except (ValueError, Organisation.DoesNotExist):
            raise Http404 from None
        initial = {
            "organisation": organisation.pk,
            "first_name": request.user.first_name,
            "last_name": request.user.last_name,
        }
        form = JoinRequestForm(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST":
            if form.is_valid():
                try:
                    services.join_request_create(
                        user=request.user,
                        organisation=organisation,
                        **{k: form.cleaned_data[k] for k in ("first_name", "last_name", "function", "message")},
                    )
                except ValidationError as error:
                    _error_messages(request, error)
                    status = 400
                else:
                    messages.success(
                        request,
                        _(
                            "Your request to join %(name)s has been sent. We will tell you by e-mail when it is answered."
                        )
                        % {"name": organisation.name},
                    )
                    return redirect("members:home")
            else:
                status = 400
    elif request.method == "POST":
        messages.error(request, _("You have already asked to join an organisation."))
        status = 400
    context = {
        "search_form": search_form,
        "results": results,
        "organisation": organisation,
        "form": form,
        "pending": pending,
    }
    return render(request, "members/organisation_join.html", context, status=status)


@login_required
@require_POST
def join_request_withdraw(request, pk):
    """Take back one's own pending join request."""
    join_request = get_object_or_404(JoinRequest, pk=pk, user=request.user)
    try:
        services.join_request_withdraw(join_request=join_request, user=request.user)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("Your request has been withdrawn."))
    return redirect("members:home")


def _deciders_only(request):
    roles = request_roles(request)
    if not (roles.is_primary_contact or roles.staff_cluster_ids or roles.is_superuser):
        raise PermissionDenied
    return roles


@login_required
def join_request_list(request):
    """Pending join requests the user may answer (primary contact: their organisation; staff: their members).

    Context: ``join_requests``. Template: ``members/join_request_list.html``.
    """
    roles = _deciders_only(request)
    context = {"join_requests": list(selectors.join_requests_to_decide(roles=roles))}
    return render(request, "members/join_request_list.html", context)


def _decidable_or_404(request, pk) -> JoinRequest:
    roles = _deciders_only(request)
    join_request = selectors.join_requests_to_decide(roles=roles).filter(pk=pk).first()
    if join_request is None:
        messages.error(request, _("This request has already been answered or is not yours to answer."))
        raise Http404
    return join_request


@login_required
@require_POST
def join_request_approve(request, pk):
    """Approve a pending join request (``members.services.join_request_approve``)."""
    join_request = _decidable_or_404(request, pk)
    try:
        person = services.join_request_approve(join_request=join_request, decided_by=request.user)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(
            request,
            _("%(name)s now belongs to %(organisation)s and has been told by e-mail.")
            % {"name": person.full_name, "organisation": join_request.organisation.name},
        )
    return redirect("members:requests")


@login_required
@require_POST
def join_request_reject(request, pk):
    """Reject a pending join request with an optional reason (``members.services.join_request_reject``)."""
    join_request = _decidable_or_404(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The reason is too long."))
        return redirect("members:requests")
    try:
        services.join_request_reject(
            join_request=join_request, decided_by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(
            request,
            _("The request of %(name)s has been rejected; they have been told by e-mail.")
            % {"name": join_request.full_name},
        )
    return redirect("members:requests")


@login_required
def organisation_detail(request, slug):
    """An organisation for its people and its managers: associations; for managers the people, pending
    invitations and (primary contact) the invitation form.

    Context: ``organisation``, ``may_invite``. Template: ``members/organisation_detail.html``.
    """
    roles = request_roles(request)
    try:
        organisation = selectors.organisation_detail(slug=slug, roles=roles)
    except Organisation.DoesNotExist:
        raise Http404 from None
    may_invite = roles.is_primary_contact and roles.person.organisation_id == organisation.pk
    return render(request, "members/organisation_detail.html", {"organisation": organisation, "may_invite": may_invite})


@login_required
def colleague_invite(request):
    """The primary contact invites a colleague by e-mail (``members.services.colleague_invite``).

    GET shows the form; POST writes the invitation and goes back to the organisation page.
    Context: ``form``, ``organisation``. Template: ``members/colleague_invite.html``.
    """
    roles = request_roles(request)
    if not roles.is_primary_contact:
        raise PermissionDenied
    form = ColleagueInviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                invitation = services.colleague_invite(invited_by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
                status = 400
            else:
                messages.success(
                    request,
                    _("An invitation has been sent to %(email)s.") % {"email": invitation.email},
                )
                return redirect(roles.organisation.get_absolute_url())
        else:
            status = 400
    return render(
        request, "members/colleague_invite.html", {"form": form, "organisation": roles.organisation}, status=status
    )


def invitation(request, token):
    """A colleague's invitation link: explains, asks to log in or sign up, and links the login on POST.

    Context: ``invitation`` (or None when unknown), ``login_url``, ``signup_url``.
    Template: ``members/invitation.html``.
    """
    found = selectors.invitation_by_token(token=token)
    if found is None:
        raise Http404
    back = urlencode({"next": request.path})
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?{back}")
        try:
            person = services.colleague_invitation_accept(token=token, user=request.user)
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, _("Welcome! Your login now belongs to %(name)s.") % {"name": person.organisation})
            return redirect("members:home")
    context = {
        "invitation": found,
        "login_url": f"{reverse('account_login')}?{back}",
        "signup_url": f"{reverse('account_signup')}?{back}",
    }
    return render(request, "members/invitation.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def calendar_token_renew(request):
    """Give the personal calendar feed a new secret address; the old one stops working."""
    person = request_roles(request).person
    if person is None:
        raise Http404
    services.person_calendar_token_renew(person=person)
    messages.success(
        request, _("Your calendar feed has a new address. Subscribe to it again; the old address no longer works.")
    )
    return redirect("events:mine" if request.POST.get("next") == "mine" else "members:home")


@login_required
@require_POST
def language_set(request):
    """The language of the user's e-mails."""
    form = LanguageForm(request.POST, instance=request.user)
    if form.is_valid():
        services.user_language_set(user=request.user, language=form.cleaned_data["language"])
        messages.success(request, _("Saved. We will write to you in this language."))
    else:
        messages.error(request, _("Please choose one of the offered languages."))
    return redirect("members:home")


# --- Directory and partner search ----------------------------------------------------------------


def _may_browse_directory(roles) -> bool:
    return roles.is_member or roles.is_staff or roles.is_board


@login_required
def directory(request):
    """Members-only directory of the member organisations with search and filters.

    Context: ``form`` (``DirectoryFilterForm``), ``page`` (organisations with ``active_memberships``,
    ``offers``, ``seeks``), ``own_organisation_id``. Template: ``members/directory.html`` (400 on bad filters).
    """
    roles = request_roles(request)
    if not _may_browse_directory(roles):
        raise PermissionDenied(_("The directory is open to people of member organisations."))
    form = DirectoryFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "members/directory.html", {"form": form, "page": None}, status=400)
    data = form.cleaned_data if form.is_bound else {}
    filters = DirectoryFilters(**{key: value for key, value in data.items() if value})
    paginator = Paginator(directory_search(filters=filters), 24)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "members/directory.html",
        {"form": form, "page": page, "own_organisation_id": roles.person.organisation_id if roles.person else None},
    )


@login_required
def partners(request):
    """Organisations in the other associations that offer what my organisation seeks (and the reverse).

    Context: ``organisation`` (mine, with its offers and seeks), ``partners`` (ranked, with ``offer_matches``,
    ``seek_matches``, ``active_memberships``). Template: ``members/partners.html``.
    """
    roles = request_roles(request)
    if not roles.is_member:
        raise PermissionDenied(_("The partner search is open to people of member organisations."))
    organisation = Organisation.objects.prefetch_related("offers", "seeks").get(pk=roles.person.organisation_id)
    return render(
        request,
        "members/partners.html",
        {"organisation": organisation, "partners": partners_for(organisation=organisation)},
    )


@login_required
def contact_request_new(request, slug):
    """Write to another member organisation's primary contact (``members.services.contact_request_create``).

    Context: ``organisation``, ``form``. Template: ``members/contact_request_form.html``.
    """
    roles = request_roles(request)
    if not roles.is_member:
        raise PermissionDenied(_("Contact requests are open to people of member organisations."))
    organisation = get_object_or_404(directory_search(filters=DirectoryFilters()), slug=slug)
    form = ContactRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.contact_request_create(
                    sender=roles.person, organisation=organisation, message=form.cleaned_data["message"]
                )
            except ValidationError as error:
                form.add_error(None, error)
                status = 409 if getattr(error, "code", "") in ("pending", "rate_limit") else 400
            else:
                messages.success(
                    request,
                    _("Your request has been sent to %(name)s. You will hear from us by e-mail once they answer.")
                    % {"name": organisation.name},
                )
                return redirect("members:partners")
        else:
            status = 400
    return render(
        request, "members/contact_request_form.html", {"organisation": organisation, "form": form}, status=status
    )


def contact_request_answer(request, token):
    """The recipient's answer, from the link in their e-mail (no login): GET shows the request with two
    buttons, POST ``answer`` = ``accept`` or ``decline`` answers it.

    Context: ``contact_request``, ``answered``. Template: ``members/contact_request_answer.html``.
    """
    contact_request = (
        ContactRequest.objects.select_related("sender", "sender_organisation", "recipient_organisation")
        .filter(token=token)
        .first()
    )
    if contact_request is None:
        return render(request, "members/contact_request_answer.html", {"invalid": True}, status=404)
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer not in ("accept", "decline"):
            return render(
                request, "members/contact_request_answer.html", {"contact_request": contact_request}, status=400
            )
        try:
            contact_request = services.contact_request_answer(token=token, accept=answer == "accept")
        except ValidationError as error:
            _error_messages(request, error)
            return render(
                request, "members/contact_request_answer.html", {"contact_request": contact_request}, status=409
            )
        return render(
            request, "members/contact_request_answer.html", {"contact_request": contact_request, "answered": True}
        )
    return render(request, "members/contact_request_answer.html", {"contact_request": contact_request})


# --- Privacy -------------------------------------------------------------------------------------


@login_required
def privacy(request):
    """The user's data rights: download everything held about them, delete the account.

    Context: ``form`` (``AccountDeleteForm``). Template: ``members/privacy.html``.
    """
    return render(request, "members/privacy.html", {"form": AccountDeleteForm()})


@login_required
@require_GET
def data_export(request):
    """All data held about the user as a JSON download (``members.privacy.personal_data_export``)."""
    data = personal_data_export(user=request.user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="my-data-cluster-cooperation.json"'
    return response


@login_required
@require_POST
def account_delete(request):
    """Delete the login after the password was confirmed; then log out and go home."""
    form = AccountDeleteForm(request.POST)
    if form.is_valid():
        try:
            account_delete_service(user=request.user, password=form.cleaned_data["password"])
        except ValidationError as error:
            form.add_error("password", error)
        else:
            logout(request)
            messages.success(request, _("Your account has been deleted. Thank you for having been with us."))
            return redirect("clusters:home")
    return render(request, "members/privacy.html", {"form": form}, status=400)
