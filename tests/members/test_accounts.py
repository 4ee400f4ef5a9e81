"""Accounts (allauth): sign-up with mandatory verification, no enumeration, rate limits, the portal's look."""

import re

import polib
import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.urls import reverse

from members import allauth_texts
from members.models import User
from messaging.models import OutboundEmail
from tests.members.factories import UserFactory, verified

pytestmark = pytest.mark.django_db

PASSWORD = "Kooperation-2019!"


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def sign_up(client, email):
    return client.post(reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD})


def link_in(message, path_prefix):
    return re.search(rf"https?://[^/\s]+({re.escape(path_prefix)}[^\s]+)", message.body).group(1)


def test_sign_up_verify_and_land_on_the_members_home(client, deliver_outbox):
    response = sign_up(client, "neu@example.org")
    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="neu@example.org")
    assert user.language == "en"  # the language the user signed up in
    assert not EmailAddress.objects.get(user=user).verified

    # Unverified: logging in only sends the user back to the verification notice.
    response = client.post(reverse("account_login"), {"login": "neu@example.org", "password": PASSWORD})
    assert response["Location"] == reverse("account_email_verification_sent")

    [message] = [m for m in deliver_outbox() if m.to == ["neu@example.org"]][:1]
    assert OutboundEmail.objects.filter(to_email="neu@example.org", status="sent").exists()
    confirm_url = link_in(message, "/accounts/confirm-email/")
    page = client.get(confirm_url)
    assert page.status_code == 200 and b"<form" in page.content  # confirming takes a POST (mail scanners GET)
    response = client.post(confirm_url)
    assert response.status_code == 302 and response["Location"] == reverse("members:home")
    assert EmailAddress.objects.get(user=user).verified
    assert "does not belong to a member organisation yet" in client.get(reverse("members:home")).content.decode()


def test_sign_up_does_not_reveal_existing_addresses(client, deliver_outbox):
    verified(UserFactory(email="bekannt@example.org"))
    known = sign_up(client, "bekannt@example.org")
    client.cookies.pop("sessionid", None)
    unknown = sign_up(client, "unbekannt@example.org")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    mails = {m.to[0]: m for m in deliver_outbox()}
    assert "already exists" in mails["bekannt@example.org"].body  # the owner is told, the visitor is not
    assert User.objects.filter(email__iexact="bekannt@example.org").count() == 1


def test_password_reset_answers_the_same_for_known_and_unknown(client, deliver_outbox):
    verified(UserFactory(email="bekannt@example.org"))
    responses = [
        client.post(reverse("account_reset_password"), {"email": email})
        for email in ("bekannt@example.org", "niemand@example.org")
    ]
    assert {(r.status_code, r["Location"]) for r in responses} == {(302, reverse("account_reset_password_done"))}
    mails = {m.to[0]: m for m in deliver_outbox()}
    reset_url = link_in(mails["bekannt@example.org"], "/accounts/password/reset/key/")
    response = client.get(reset_url, follow=True)
    assert response.status_code == 200
    response = client.post(
        response.redirect_chain[-1][0], {"password1": "Neu-Passwort-2026", "password2": "Neu-Passwort-2026"}
    )
    assert response.status_code == 302
    assert User.objects.get(email="bekannt@example.org").check_password("Neu-Passwort-2026")


def test_failed_logins_are_rate_limited(client):
    user = verified(UserFactory(email="ziel@example.org"))
    for _ in range(5):
        client.post(reverse("account_login"), {"login": user.email, "password": "falsch"})
    response = client.post(reverse("account_login"), {"login": user.email, "password": "correct horse battery staple"})
    assert response.status_code == 200  # even the right password is refused for a while
    assert "Too many failed login attempts" in response.content.decode()


def test_account_pages_use_the_portal_layout(client):
    for name in ("account_login", "account_signup", "account_reset_password"):
        page = client.get(reverse(name)).content.decode()
        assert 'class="navbar navbar-expand-lg navbar-dark bg-portal"' in page, name
        assert "form-control" in page and 'class="btn btn-primary"' in page, name
        assert "<script>" not in page  # no inline script (CSP)


def test_email_change_page(client):
    user = verified(UserFactory())
    client.force_login(user)
    page = client.get(reverse("account_email")).content.decode()
    assert f'value="{user.email}" disabled' in page and 'name="email"' in page and "form-control" in page


def test_logout_goes_home(client):
    client.force_login(UserFactory())
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302 and response["Location"] == reverse("clusters:home")


# --- Formal German for allauth's texts -------------------------------------------------------------

INFORMAL = re.compile(r"\b(du|dich|dir|dein\w*|Du|Dich|Dir|Dein\w*)\b")


def allauth_catalog():
    from pathlib import Path

    import allauth

    return polib.pofile(str(Path(allauth.__file__).parent / "locale" / "de" / "LC_MESSAGES" / "django.po"))


def test_every_overridden_text_still_exists_in_allauth():
    ids = {entry.msgid for entry in allauth_catalog() if not entry.obsolete}
    missing = [text for text in allauth_texts.ALLAUTH_TEXTS if text not in ids]
    assert missing == []


def test_our_german_for_allauths_texts_is_formal():
    """Once translated in our catalog (which wins over allauth's), no "du" may remain."""
    ours = {e.msgid: e.msgstr for e in polib.pofile(str(settings.BASE_DIR / "locale/de/LC_MESSAGES/django.po"))}
    informal = {
        text: ours[text] for text in allauth_texts.ALLAUTH_TEXTS if ours.get(text) and INFORMAL.search(ours[text])
    }
    assert informal == {}
