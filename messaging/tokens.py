"""Signed tokens for the links in e-mails: invitation answers, newsletter confirmation and unsubscribe.

``django.core.signing`` with a salt per purpose: a token made for one purpose is refused for another,
an altered token fails its signature, and nothing needs to be stored. What "expired" and "used" mean
is decided by the services from the rows the token names (the event's registration window, the
invitation's answer, the latest sign-up request).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

INVITATION_SALT = "messaging.invitation"
CONFIRM_SALT = "messaging.newsletter.confirm"
SUBSCRIBER_SALT = "messaging.newsletter.subscriber"
# A confirmation link works for a week; a sign-up nobody confirmed is worth nothing after that.
CONFIRM_MAX_AGE = 7 * 24 * 3600


class InvalidToken(Exception):
    """The token was altered, made for another purpose, or is too old."""

    def __init__(self, *, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


@dataclass(frozen=True)
class InvitationKey:
    invitation_id: int
    person_id: int


def invitation_token(*, invitation_id: int, person_id: int) -> str:
    return signing.dumps([invitation_id, person_id], salt=INVITATION_SALT)


def invitation_token_read(token: str) -> InvitationKey:
    try:
        invitation_id, person_id = signing.loads(token, salt=INVITATION_SALT)
        return InvitationKey(int(invitation_id), int(person_id))
    except (signing.BadSignature, TypeError, ValueError):
        raise InvalidToken from None


def invitation_urls(*, invitation_id: int, person_id: int) -> dict[str, str]:
    token = invitation_token(invitation_id=invitation_id, person_id=person_id)
    return {
        "accept_url": settings.SITE_URL + reverse("messaging:invitation_accept", kwargs={"token": token}),
        "decline_url": settings.SITE_URL + reverse("messaging:invitation_decline", kwargs={"token": token}),
    }


def confirm_token(*, consent_id: int) -> str:
    return signing.dumps(consent_id, salt=CONFIRM_SALT)


def confirm_token_read(token: str) -> int:
    try:
        return int(signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE))
    except signing.SignatureExpired:
        raise InvalidToken(expired=True) from None
    except (signing.BadSignature, TypeError, ValueError):
        raise InvalidToken from None


def confirm_url(*, consent_id: int) -> str:
    token = confirm_token(consent_id=consent_id)
    return settings.SITE_URL + reverse("messaging:newsletter_confirm", kwargs={"token": token})


def subscriber_token(*, subscriber_id: int) -> str:
    """The token of a subscriber's unsubscribe and preferences links; valid as long as the subscriber exists."""
    return signing.dumps(subscriber_id, salt=SUBSCRIBER_SALT)


def subscriber_token_read(token: str) -> int:
    try:
        return int(signing.loads(token, salt=SUBSCRIBER_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        raise InvalidToken from None


def subscriber_urls(*, subscriber_id: int) -> dict[str, str]:
    token = subscriber_token(subscriber_id=subscriber_id)
    return {
        "unsubscribe_url": settings.SITE_URL + reverse("messaging:newsletter_unsubscribe", kwargs={"token": token}),
        "manage_url": settings.SITE_URL + reverse("messaging:newsletter_manage", kwargs={"token": token}),
    }
