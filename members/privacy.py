"""People's data rights (GDPR Art. 15, 17, 20): download everything held about you, delete your account.

Deleting an account keeps what the associations need and may keep: registrations stay as anonymous
rows (organisation and status, no person) so that the board's figures do not change; proof of
newsletter consent stays as long as the law requires (Art. 7(1) GDPR), the subscription itself is
withdrawn; copies of e-mails sent to the person are emptied.
"""

import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Registration
from events.services import registration_cancel
from messaging.models import Invitation, OutboundEmail, Subscriber
from messaging.services.newsletters import subscriber_unsubscribe

from .models import ColleagueInvitation, ContactRequest, JoinRequest, Person, User

ERASED_ADDRESS = "erased@erased.invalid"


def _when(value):
    return value.isoformat() if value else None


def _addresses(user: User) -> set[str]:
    from allauth.account.models import EmailAddress

    return {
        user.email.lower(),
        *(e.lower() for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)),
    }


def personal_data_export(*, user: User) -> dict:
    """Everything the portal holds about a login and its person, as plain JSON-able data."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    person = Person.objects.select_related("organisation").filter(user=user).first()
    addresses = _addresses(user)
    subscribers = Q(email__iregex=_any_of(addresses)) | (Q(person=person) if person else Q(pk__in=[]))
    data = {
        "exported_at": _when(timezone.now()),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "language": user.language,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
            "email_addresses": [
                {"email": e.email, "verified": e.verified, "primary": e.primary}
                for e in EmailAddress.objects.filter(user=user).order_by("email")
            ],
            "second_factors": [
                {"type": a.type, "created_at": _when(a.created_at)} for a in Authenticator.objects.filter(user=user)
            ],
            "staff_of": list(user.staff_clusters.values_list("name", flat=True)),
        },
        "person": None,
        "registrations": [],
        "join_requests": [
            {
                "organisation": r.organisation.name,
                "first_name": r.first_name,
                "last_name": r.last_name,
                "function": r.function,
                "message": r.message,
                "status": r.status,
                "created_at": _when(r.created_at),
                "decided_at": _when(r.decided_at),
                "reason": r.reason,
            }
            for r in JoinRequest.objects.filter(user=user).select_related("organisation")
        ],
        "newsletter": [
            {
                "email": s.email,
                "status": s.status,
                "created_at": _when(s.created_at),
                "confirmed_at": _when(s.confirmed_at),
                "unsubscribed_at": _when(s.unsubscribed_at),
                "associations": [c.short_name for c in s.clusters.all()],
                "topics": [t.name for t in s.topics.all()],
                "consent_records": [
                    {
                        "action": c.action,
                        "at": _when(c.at),
                        "ip_address": c.ip_address,
                        "user_agent": c.user_agent,
                        "consent_text_version": c.consent_text_version,
                        "via": c.via,
                    }
                    for c in s.consents.all()
                ],
            }
            for s in Subscriber.objects.filter(subscribers)
            .prefetch_related("clusters", "topics", "consents")
            .distinct()
        ],
        "emails_sent_to_you": [
            {
                "subject": m.subject,
                "to": m.to_email,
                "status": m.status,
                "created_at": _when(m.created_at),
                "sent_at": _when(m.sent_at),
            }
            for m in OutboundEmail.objects.filter(to_email__iregex=_any_of(addresses)).order_by("created_at")
        ],
    }
    if person is not None:
        data["person"] = {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "function": person.function,
            "email": person.email,
            "phone": person.phone,
            "organisation": person.organisation.name if person.organisation else None,
            "primary_contact": person.is_primary_contact,
            "receives_invitations": person.receives_invitations,
            "board_positions": [
                {"association": b.cluster.short_name, "role": b.role, "since": _when(b.since), "until": _when(b.until)}
                for b in person.board_positions.select_related("cluster")
            ],
        }
        data["registrations"] = [
            {
                "event": r.event.title,
                "starts_at": _when(r.event.starts_at),
                "city": r.event.city,
                "status": r.status,
                "registered_at": _when(r.created_at),
                "checked_in_at": _when(r.checked_in_at),
            }
            for r in Registration.objects.filter(person=person).select_related("event").order_by("created_at")
        ]
        data["event_invitations"] = [
            {"event": i.event.title, "status": i.status, "answered_at": _when(i.answered_at)}
            for i in Invitation.objects.filter(person=person).select_related("event")
        ]
        data["contact_requests_sent"] = [
            {
                "to": c.recipient_organisation.name,
                "message": c.message,
                "status": c.status,
                "created_at": _when(c.created_at),
            }
            for c in ContactRequest.objects.filter(sender=person).select_related("recipient_organisation")
        ]
    return data


def _any_of(addresses: set[str]) -> str:
    """A case-insensitive regular expression matching exactly one of the addresses."""
    return "^(" + "|".join(re.escape(a) for a in sorted(addresses)) + ")$"


@transaction.atomic
def account_delete(*, user: User, password: str) -> None:
    """Delete a login and the person behind it, after checking the password.

    Upcoming registrations are cancelled (freed seats go to the waiting list); past ones stay as
    anonymous rows. A person who signed the agreement or sits on a board stays as that public record,
    without login and without contact data.
    """
    if not user.has_usable_password() or not user.check_password(password):
        raise ValidationError(_("The password is not correct."), code="password")
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    addresses = _addresses(user)
    person = Person.objects.filter(user=user).first()
    if person is not None:
        for registration in Registration.objects.filter(
            person=person, status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITING],
            event__starts_at__gt=timezone.now(),
        ):  # fmt: skip
            registration_cancel(registration=registration, cancelled_by=None, notify=False)
        for subscriber in Subscriber.objects.filter(person=person):
            subscriber_unsubscribe(subscriber_id=subscriber.pk, ip_address=None, via="account deleted")
        if person.board_positions.exists() or person.signatures.exists():
            person.user = None
            person.email = person.phone = ""
            person.save(update_fields=["user", "email", "phone"])
        else:
            ColleagueInvitation.objects.filter(person=person).delete()
            person.delete()  # registrations, invitations, subscriptions keep their rows without the person
    for subscriber in Subscriber.objects.filter(email__iregex=_any_of(addresses)).exclude(
        status=Subscriber.Status.UNSUBSCRIBED
    ):
        subscriber_unsubscribe(subscriber_id=subscriber.pk, ip_address=None, via="account deleted")
    ColleagueInvitation.objects.filter(email__iregex=_any_of(addresses)).delete()
    OutboundEmail.objects.filter(to_email__iregex=_any_of(addresses)).update(
        to_email=ERASED_ADDRESS, subject="", body_text="", body_html="", headers={}, attachments=[]
    )
    user.delete()  # e-mail addresses, second factors, join requests and sessions go with it
