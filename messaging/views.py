"""Public pages of messaging: newsletter sign-up, confirmation, preferences, unsubscribe; invitation answers.

Links in e-mails carry signed tokens (``messaging.tokens``); a GET never changes anything, because
mail scanners follow links. The page shows one button that POSTs. The token is the authorisation,
so these POST endpoints need no CSRF cookie (RFC 8058 one-click POSTs come without one).
"""

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from members.selectors import person_for_user

from .forms import NewsletterSignupForm, PreferencesForm
from .models import Invitation, Subscriber
from .services import invitations, newsletters
from .tokens import InvalidToken, confirm_token_read, invitation_token_read, subscriber_token, subscriber_token_read

# Sign-up form posts per IP address and hour (a real cache shares the count between processes).
SIGNUPS_PER_IP_PER_HOUR = 20

# How each refusal is answered: HTTP status of the page.
STATUS_FOR_CODE = {
    "invalid": 400,
    "expired": 410,
    "gone": 410,
    "answered": 409,
    "superseded": 409,
    "withdrawn": 409,
    "not_yet": 409,
    "not_subscribed": 409,
    "closed": 410,
}


def _client(request) -> tuple[str | None, str]:
    from allauth.account.adapter import get_adapter

    try:
        ip_address = get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        ip_address = None
    return ip_address, request.META.get("HTTP_USER_AGENT", "")[:300]


def _language() -> str:
    return (translation.get_language() or "de")[:2]


def link_problem(request, *, title: str, message: str, status: int):
    """A refused link: a clear page in the user's language with a 4xx status."""
    return render(request, "messaging/link_problem.html", {"title": title, "message": message}, status=status)


def _invalid_link(request, error: InvalidToken | None = None):
    if error is not None and error.expired:
        return link_problem(
            request,
            title=_("This link has expired"),
            message=_("Please sign up again to get a new confirmation link."),
            status=410,
        )
    return link_problem(
        request,
        title=_("This link is not valid"),
        message=_("It may have been cut off or changed. Please open the link exactly as it is in the e-mail."),
        status=400,
    )


def _refused(request, error: ValidationError, title: str):
    code = getattr(error, "code", None) or "invalid"
    return link_problem(request, title=title, message=" ".join(error.messages), status=STATUS_FOR_CODE.get(code, 400))


# --- Newsletter ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def newsletter_signup(request):
    """Sign-up with double opt-in. Context: ``form``. Template: ``messaging/newsletter_signup.html``."""
    person = person_for_user(user=request.user)
    initial = {"email": request.user.email} if request.user.is_authenticated else {}
    form = NewsletterSignupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        ip_address, user_agent = _client(request)
        key = f"messaging:signup-ip:{ip_address}"
        cache.add(key, 0, timeout=3600)
        if cache.incr(key) > SIGNUPS_PER_IP_PER_HOUR:
            form.add_error(None, _("Too many sign-ups from your network. Please try again in an hour."))
            return render(request, "messaging/newsletter_signup.html", {"form": form}, status=429)
        email = form.cleaned_data["email"]
        try:
            newsletters.subscriber_signup(
                email=email,
                clusters=form.cleaned_data["clusters"],
                topics=form.cleaned_data["topics"],
                language=_language(),
                ip_address=ip_address,
                user_agent=user_agent,
                person=person if person and person.email.lower() == email.lower() else None,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("messaging:newsletter_signup_done")
    status = 400 if form.errors else 200
    return render(request, "messaging/newsletter_signup.html", {"form": form}, status=status)


def newsletter_signup_done(request):
    """After signing up: look in your inbox. Template: ``messaging/newsletter_signup_done.html``."""
    return render(request, "messaging/newsletter_signup_done.html")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def newsletter_confirm(request, token):
    """The double opt-in link: GET shows a button, POST confirms.

    Context: ``confirmed`` (subscriber, after POST). Template: ``messaging/newsletter_confirm.html``.
    """
    try:
        consent_id = confirm_token_read(token)
    except InvalidToken as error:
        return _invalid_link(request, error)
    if request.method == "GET":
        return render(request, "messaging/newsletter_confirm.html", {"confirmed": None})
    ip_address, user_agent = _client(request)
    try:
        subscriber = newsletters.subscriber_confirm(consent_id=consent_id, ip_address=ip_address, user_agent=user_agent)
    except ValidationError as error:
        return _refused(request, error, _("The subscription was not confirmed"))
    return render(
        request,
        "messaging/newsletter_confirm.html",
        {"confirmed": subscriber, "manage_token": subscriber_token(subscriber_id=subscriber.pk)},
    )


def _subscriber_from(token: str) -> Subscriber | None:
    return Subscriber.objects.filter(pk=subscriber_token_read(token)).first()


@csrf_exempt
@require_http_methods(["GET", "POST"])
def newsletter_unsubscribe(request, token):
    """Unsubscribe without login. GET shows a button; POST unsubscribes, including the RFC 8058
    one-click POST mail clients send (body ``List-Unsubscribe=One-Click``).

    Context: ``subscriber``, ``done``. Template: ``messaging/newsletter_unsubscribe.html``.
    """
    try:
        subscriber = _subscriber_from(token)
    except InvalidToken as error:
        return _invalid_link(request, error)
    if subscriber is None:
        return link_problem(
            request, title=_("Not on the list"), message=_("This address is not on our newsletter list."), status=410
        )
    if request.method == "POST":
        ip_address, user_agent = _client(request)
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        subscriber = newsletters.subscriber_unsubscribe(
            subscriber_id=subscriber.pk,
            ip_address=ip_address,
            user_agent=user_agent,
            via="List-Unsubscribe one-click" if one_click else "unsubscribe page",
        )
    context = {"subscriber": subscriber, "done": subscriber.status == Subscriber.Status.UNSUBSCRIBED}
    return render(request, "messaging/newsletter_unsubscribe.html", context)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def newsletter_manage(request, token):
    """Preferences of a subscriber (associations, topics), without login.

    Context: ``subscriber``, ``form``, ``token``. Template: ``messaging/newsletter_manage.html``.
    """
    try:
        subscriber = _subscriber_from(token)
    except InvalidToken as error:
        return _invalid_link(request, error)
    if subscriber is None:
        return link_problem(
            request, title=_("Not on the list"), message=_("This address is not on our newsletter list."), status=410
        )
    active = subscriber.status == Subscriber.Status.ACTIVE
    initial = {"clusters": list(subscriber.clusters.all()), "topics": list(subscriber.topics.all())}
    form = PreferencesForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and active:
        if form.is_valid():
            ip_address, user_agent = _client(request)
            try:
                newsletters.subscriber_preferences_update(
                    subscriber_id=subscriber.pk,
                    clusters=form.cleaned_data["clusters"],
                    topics=form.cleaned_data["topics"],
                    ip_address=ip_address,
                    user_agent=user_agent,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your preferences are saved."))
                return redirect("messaging:newsletter_manage", token=token)
        status = 400
    context = {"subscriber": subscriber, "form": form, "token": token, "active": active}
    return render(request, "messaging/newsletter_manage.html", context, status=status)


# --- Invitations ---------------------------------------------------------------------------------


@csrf_exempt
@require_http_methods(["GET", "POST"])
def invitation_answer(request, token, action):
    """Accept or decline an invitation without login. GET shows the event and one button; POST answers.

    Context: ``invitation``, ``action``, ``answered`` (after POST). Template: ``messaging/invitation_answer.html``.
    """
    accept = action == "accept"
    try:
        key = invitation_token_read(token)
    except InvalidToken:
        return _invalid_link(request)
    invitation = (
        Invitation.objects.select_related("event", "person", "registration")
        .filter(pk=key.invitation_id, person_id=key.person_id)
        .first()
    )
    if invitation is None:
        return link_problem(
            request, title=_("Invitation not found"), message=_("This invitation no longer exists."), status=410
        )
    title = _("Your answer was not recorded")
    if invitation.status != Invitation.Status.OPEN:
        return _refused(request, ValidationError(_answered_message(invitation), code="answered"), title)
    if invitation.event.registration_state() == "closed":
        message = _("Registration for this event has closed.")
        return _refused(request, ValidationError(message, code="expired"), title)
    if request.method == "GET":
        return render(
            request,
            "messaging/invitation_answer.html",
            {"invitation": invitation, "accept": accept, "answered": False, "token": token},
        )
    try:
        invitation = invitations.invitation_answer(
            invitation_id=key.invitation_id, person_id=key.person_id, accept=accept
        )
    except ValidationError as error:
        return _refused(request, error, title)
    return render(
        request,
        "messaging/invitation_answer.html",
        {"invitation": invitation, "accept": accept, "answered": True, "token": token},
    )


def _answered_message(invitation: Invitation) -> str:
    if invitation.status == Invitation.Status.ACCEPTED:
        return _("You accepted this invitation already.")
    return _("You declined this invitation already.")
