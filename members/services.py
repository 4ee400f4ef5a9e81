"""Writes about members: linking logins to organisations, inviting colleagues, calendar tokens.

Each function is one transaction; e-mails go through the outbox in the same transaction.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from messaging.services import outbox_enqueue

from .models import (
    ColleagueInvitation,
    ContactRequest,
    JoinRequest,
    Membership,
    Organisation,
    Person,
    User,
    new_calendar_token,
)
from .selectors import may_decide_join_request, roles_for_person, roles_resolve


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def person_recipient(person: Person) -> tuple[str, str]:
    """Where and in which language to write to a person: the login's address and language if there is a
    login, otherwise the recorded address in German. The address is empty when none is known."""
    if person.user_id:
        return person.user.email, person.user.language or settings.LANGUAGE_CODE
    return person.email, settings.LANGUAGE_CODE


def user_language_set(*, user: User, language: str) -> User:
    """The language of the user's e-mails (and the default of their pages)."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Please choose one of the offered languages."), code="language")
    user.language = language
    user.save(update_fields=["language"])
    return user


# --- Join requests -------------------------------------------------------------------------------


def _join_request_notify_deciders(join_request: JoinRequest) -> None:
    """Tell the organisation's primary contact (if they have a login), otherwise the staff of its associations."""
    organisation = join_request.organisation
    context = {
        "join_request": join_request,
        "organisation": organisation,
        "url": absolute_url(reverse("members:requests")),
    }
    contact = (
        Person.objects.select_related("user")
        .filter(organisation=organisation, is_primary_contact=True, user__isnull=False)
        .first()
    )
    if contact is not None:
        recipients = [(contact.user.email, contact.user.language)]
    else:
        staff = User.objects.filter(
            is_active=True,
            staff_clusters__memberships__organisation=organisation,
            staff_clusters__memberships__status=Membership.Status.ACTIVE,
        ).distinct()
        recipients = [(user.email, user.language) for user in staff]
    for email, language in recipients:
        outbox_enqueue(to=email, template="members/emails/join_request_received", context=context, language=language)


@transaction.atomic
def join_request_create(
    *,
    user: User,
    organisation: Organisation,
    first_name: str,
    last_name: str,
    function: str = "",
    message: str = "",
) -> JoinRequest:
    """Ask to be linked to a member organisation. One pending request per login."""
    # Lock the user's row: two submissions of the form at once give one request, not an IntegrityError.
    User.objects.select_for_update().filter(pk=user.pk).first()
    person = Person.objects.filter(user=user, organisation__isnull=False).select_related("organisation").first()
    if person is not None:
        raise ValidationError(
            _("Your login already belongs to %(organisation)s."),
            code="already_linked",
            params={"organisation": person.organisation},
        )
    if JoinRequest.objects.filter(user=user, status=JoinRequest.Status.PENDING).exists():
        raise ValidationError(
            _("You have already asked to join an organisation. Please wait for the answer or withdraw that request."),
            code="pending",
        )
    if not Membership.objects.active().filter(organisation=organisation).exists():
        raise ValidationError(
            _("%(organisation)s is not a member of any of the three associations."),
            code="not_a_member",
            params={"organisation": organisation},
        )
    join_request = JoinRequest.objects.create(
        user=user,
        organisation=organisation,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        function=function.strip(),
        message=message.strip(),
    )
    if not (user.first_name or user.last_name):
        user.first_name, user.last_name = join_request.first_name, join_request.last_name
        user.save(update_fields=["first_name", "last_name"])
    _join_request_notify_deciders(join_request)
    return join_request


def _join_request_for_decision(*, join_request: JoinRequest, decided_by: User) -> JoinRequest:
    join_request = (
        JoinRequest.objects.select_for_update(of=("self",))
        .select_related("organisation", "user")
        .get(pk=join_request.pk)
    )
    if not may_decide_join_request(roles=roles_resolve(user=decided_by), organisation_id=join_request.organisation_id):
        raise PermissionDenied(_("Only the organisation's primary contact or its associations' staff may decide."))
    if join_request.status != JoinRequest.Status.PENDING:
        raise ValidationError(_("This request has already been answered."), code="decided")
    return join_request


@transaction.atomic
def join_request_approve(*, join_request: JoinRequest, decided_by: User) -> Person:
    """Link the login to the organisation: to the login's own person record, to a record of the organisation
    with the same e-mail address and no login yet, or to a new record. The user is told by e-mail."""
    join_request = _join_request_for_decision(join_request=join_request, decided_by=decided_by)
    user, organisation = join_request.user, join_request.organisation
    person = Person.objects.select_for_update().filter(user=user).first()
    if person is not None and person.organisation_id not in (None, organisation.pk):
        raise ValidationError(_("This login already belongs to another organisation."), code="linked_elsewhere")
    if person is None:
        person = (
            Person.objects.select_for_update()
            .filter(organisation=organisation, user__isnull=True, email__iexact=user.email)
            .order_by("pk")
            .first()
        )
    if person is None:
        person = Person(
            first_name=join_request.first_name,
            last_name=join_request.last_name,
            function=join_request.function,
            email=user.email,
        )
    person.organisation = organisation
    person.user = user
    if not person.email:
        person.email = user.email
    person.save()
    join_request.status = JoinRequest.Status.APPROVED
    join_request.decided_at = timezone.now()
    join_request.decided_by = decided_by
    join_request.save(update_fields=["status", "decided_at", "decided_by"])
    outbox_enqueue(
        to=user.email,
        template="members/emails/join_request_approved",
        context={
            "join_request": join_request,
            "organisation": organisation,
            "url": absolute_url(reverse("members:home")),
        },
        language=user.language,
    )
    return person


@transaction.atomic
def join_request_reject(*, join_request: JoinRequest, decided_by: User, reason: str = "") -> JoinRequest:
    """Turn the request down; the user is told by e-mail (with the reason, if one is given)."""
    join_request = _join_request_for_decision(join_request=join_request, decided_by=decided_by)
    join_request.status = JoinRequest.Status.REJECTED
    join_request.decided_at = timezone.now()
    join_request.decided_by = decided_by
    join_request.reason = reason.strip()
    join_request.save(update_fields=["status", "decided_at", "decided_by", "reason"])
    outbox_enqueue(
        to=join_request.user.email,
        template="members/emails/join_request_rejected",
        context={
            "join_request": join_request,
            "organisation": join_request.organisation,
            "url": absolute_url(reverse("members:home")),
        },
        language=join_request.user.language,
    )
    return join_request


@transaction.atomic
def join_request_withdraw(*, join_request: JoinRequest, user: User) -> JoinRequest:
    """The user takes back their own pending request."""
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if join_request.user_id != user.pk:
        raise PermissionDenied
    if join_request.status != JoinRequest.Status.PENDING:
        raise ValidationError(_("This request has already been answered."), code="decided")
    join_request.status = JoinRequest.Status.WITHDRAWN
    join_request.decided_at = timezone.now()
    join_request.save(update_fields=["status", "decided_at"])
    return join_request


# --- Colleagues ----------------------------------------------------------------------------------


def _primary_contact_of(user: User) -> Person:
    person = Person.objects.select_related("organisation").filter(user=user).first()
    if person is None or not person.is_primary_contact or person.organisation_id is None:
        raise PermissionDenied(_("Only the organisation's primary contact may do this."))
    return person


@transaction.atomic
def colleague_invite(
    *, invited_by: User, email: str, first_name: str, last_name: str, function: str = ""
) -> ColleagueInvitation:
    """The primary contact adds a colleague (or picks the existing record with that address) and sends them a
    personal link that connects their login to it. Inviting again replaces the earlier link."""
    inviter = _primary_contact_of(invited_by)
    organisation = inviter.organisation
    email = User.objects.normalize_email(email.strip()).lower()
    person = (
        Person.objects.select_for_update().filter(organisation=organisation, email__iexact=email).order_by("pk").first()
    )
    if person is not None and person.user_id:
        raise ValidationError(
            _("%(name)s already has a login for %(organisation)s."),
            code="already_linked",
            params={"name": person.full_name, "organisation": organisation},
        )
    if person is None:
        person = Person.objects.create(
            organisation=organisation,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            function=function.strip(),
            email=email,
        )
    ColleagueInvitation.objects.filter(person=person, status=ColleagueInvitation.Status.PENDING).update(
        status=ColleagueInvitation.Status.REVOKED
    )
    invitation = ColleagueInvitation.objects.create(person=person, email=email, invited_by=invited_by)
    existing_user = User.objects.filter(email__iexact=email).first()
    outbox_enqueue(
        to=email,
        template="members/emails/colleague_invitation",
        context={
            "invitation": invitation,
            "person": person,
            "inviter": inviter,
            "organisation": organisation,
            "url": absolute_url(reverse("members:invitation", kwargs={"token": invitation.token})),
        },
        language=existing_user.language if existing_user else settings.LANGUAGE_CODE,
    )
    return invitation


@transaction.atomic
def colleague_invitation_accept(*, token: str, user: User) -> Person:
    """Connect the login to the person record the invitation was made for."""
    invitation = (
        ColleagueInvitation.objects.select_for_update(of=("self",))
        .select_related("person__organisation")
        .filter(token=token)
        .first()
    )
    if invitation is None or invitation.status != ColleagueInvitation.Status.PENDING:
        raise ValidationError(_("This invitation link is not valid (any more)."), code="invalid")
    if invitation.is_expired():
        raise ValidationError(
            _("This invitation link has expired. Please ask your primary contact for a new one."), code="expired"
        )
    person = Person.objects.select_for_update().get(pk=invitation.person_id)
    own = Person.objects.filter(user=user).exclude(pk=person.pk).select_related("organisation").first()
    if own is not None:
        if own.organisation_id:
            raise ValidationError(
                _("Your login already belongs to %(organisation)s."),
                code="already_linked",
                params={"organisation": own.organisation},
            )
        raise ValidationError(
            _("Your login already has a person record. Please ask your association's staff to link it."),
            code="has_person",
        )
    if person.user_id and person.user_id != user.pk:
        raise ValidationError(_("This invitation has already been used by another login."), code="taken")
    person.user = user
    try:
        with transaction.atomic():
            person.save(update_fields=["user"])
    except IntegrityError:  # the login was linked to another record in the meantime
        raise ValidationError(_("Your login already has a person record."), code="has_person") from None
    invitation.status = ColleagueInvitation.Status.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["status", "accepted_at", "accepted_by"])
    JoinRequest.objects.filter(user=user, status=JoinRequest.Status.PENDING).update(
        status=JoinRequest.Status.WITHDRAWN, decided_at=timezone.now()
    )
    return person


# --- Calendar feed -------------------------------------------------------------------------------


@transaction.atomic
def person_calendar_token_renew(*, person: Person) -> Person:
    """A new secret for the personal calendar feed; the old feed address stops working at once."""
    person.calendar_token = new_calendar_token()
    person.save(update_fields=["calendar_token"])
    return person


# --- Contact requests (partner search) -----------------------------------------------------------

CONTACT_REQUESTS_PER_DAY = 10


@transaction.atomic
def contact_request_create(*, sender: Person, organisation: Organisation, message: str) -> ContactRequest:
    """Ask another member organisation's primary contact to get in touch. The sender's address is not
    shown to them (nor theirs to the sender) until they accept."""
    sender = Person.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=sender.pk)
    if sender.organisation_id is None or not roles_for_person(person=sender).is_member:
        raise ValidationError(_("Only people of a member organisation can send contact requests."), code="no_member")
    if organisation.pk == sender.organisation_id:
        raise ValidationError(_("This is your own organisation."), code="own")
    if not Membership.objects.active().filter(organisation=organisation).exists():
        raise ValidationError(_("This organisation is not a member any more."), code="not_member")
    contact = Person.objects.select_related("user").filter(organisation=organisation, is_primary_contact=True).first()
    address, language = person_recipient(contact) if contact else ("", settings.LANGUAGE_CODE)
    if not address:
        raise ValidationError(
            _("This organisation has no primary contact we could write to yet. Please try again later."),
            code="no_contact",
        )
    since = timezone.now() - dt.timedelta(days=1)
    if ContactRequest.objects.filter(sender=sender, created_at__gte=since).count() >= CONTACT_REQUESTS_PER_DAY:
        raise ValidationError(
            _("You have sent %(count)d contact requests today; please wait until tomorrow."),
            code="rate_limit",
            params={"count": CONTACT_REQUESTS_PER_DAY},
        )
    if ContactRequest.objects.filter(
        sender_organisation_id=sender.organisation_id,
        recipient_organisation=organisation,
        status=ContactRequest.Status.PENDING,
    ).exists():
        raise ValidationError(
            _("Your organisation has already asked %(name)s; they have not answered yet."),
            code="pending",
            params={"name": organisation.name},
        )
    request = ContactRequest.objects.create(
        sender=sender,
        sender_organisation_id=sender.organisation_id,
        recipient_organisation=organisation,
        recipient=contact,
        message=message.strip(),
    )
    outbox_enqueue(
        to=address,
        template="members/emails/contact_request_received",
        context={
            "contact_request": request,
            "sender": sender,
            "sender_organisation": sender.organisation,
            "url": absolute_url(reverse("members:contact_answer", kwargs={"token": request.token})),
        },
        language=language,
    )
    return request


@transaction.atomic
def contact_request_answer(*, token: str, accept: bool) -> ContactRequest:
    """Accept (both sides get each other's name and address) or decline (the sender is told politely)."""
    request = (
        ContactRequest.objects.select_for_update(of=("self",))
        .select_related("sender__user", "sender_organisation", "recipient__user", "recipient_organisation")
        .filter(token=token)
        .first()
    )
    if request is None:
        raise ValidationError(_("This link is not valid."), code="invalid")
    if request.status != ContactRequest.Status.PENDING:
        raise ValidationError(_("This request has already been answered."), code="answered")
    request.status = ContactRequest.Status.ACCEPTED if accept else ContactRequest.Status.DECLINED
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answered_at"])
    sender_address, sender_language = person_recipient(request.sender)
    if accept and request.recipient is not None:
        recipient_address, recipient_language = person_recipient(request.recipient)
        context = {"contact_request": request}
        outbox_enqueue(
            to=sender_address,
            template="members/emails/contact_request_accepted",
            context={**context, "person": request.recipient, "address": recipient_address,
                     "organisation": request.recipient_organisation},
            language=sender_language,
        )  # fmt: skip
        outbox_enqueue(
            to=recipient_address,
            template="members/emails/contact_request_accepted",
            context={**context, "person": request.sender, "address": sender_address,
                     "organisation": request.sender_organisation},
            language=recipient_language,
        )  # fmt: skip
    elif sender_address:
        outbox_enqueue(
            to=sender_address,
            template="members/emails/contact_request_declined",
            context={"contact_request": request, "organisation": request.recipient_organisation},
            language=sender_language,
        )
    return request
