"""Security headers on real responses, cookies, the admin login through allauth, uploads."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clusters.validators import validate_document, validate_logo

pytestmark = pytest.mark.django_db


def csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize(
    "url", ["/", "/events/", "/associations/acod/", "/accounts/login/", "/accounts/password/reset/", "/pages/privacy/"]
)
def test_security_headers(client, facts, url):
    response = client.get(url, secure=True)
    assert response.status_code == 200
    policy = csp(response)
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy.get("style-src", [])
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_cookies_are_secure_and_http_only(client, facts):
    response = client.get(reverse("account_login"), secure=True)
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, secure=True)
    language = response.cookies["django_language"]
    assert language["secure"] and language["httponly"]


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_logged_in_member_gets_no_admin_login(client, db):
    from tests.members.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get("/admin/login/").status_code == 403
    assert client.get("/admin/").status_code in (302, 403)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("agreement.pdf", b"<html><script>alert(1)</script></html>", "file_content"),
        ("agreement.html", b"<html></html>", "file_type"),
        ("agreement.svg", b"<svg onload=alert(1)>", "file_type"),
        ("plan.docx", b"%PDF-1.4 not a zip", "file_content"),
        ("huge.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 + 1), "file_too_large"),
    ],
)
def test_uploads_are_checked(name, content, code):
    with pytest.raises(ValidationError) as error:
        validate_document(SimpleUploadedFile(name, content))
    assert error.value.code == code


def test_logos_must_be_raster_images():
    with pytest.raises(ValidationError):
        validate_logo(SimpleUploadedFile("logo.svg", b"<svg></svg>"))
    validate_logo(SimpleUploadedFile("logo.png", b"\x89PNG\r\n\x1a\n"))


def test_agreement_document_is_an_attachment(client, facts, settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    agreement = facts["agreement"]
    agreement.document.save("vereinbarung.pdf", ContentFile(b"%PDF-1.4 signed"), save=True)
    response = client.get(reverse("clusters:agreement_document", args=[agreement.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="vereinbarung')
    assert "sandbox" in response["Content-Security-Policy"]


def test_site_pages_render_sanitised_markdown(client, facts):
    from clusters.models import SitePage

    page = SitePage.objects.get(key="privacy")
    page.body = "Hallo **Welt** <script>alert(1)</script> [x](javascript:alert(1))"
    page.save()
    html = client.get(reverse("clusters:page", args=["privacy"])).content.decode()
    assert "<strong>Welt</strong>" in html
    assert "<script>alert" not in html and "javascript:" not in html
    for key in ("imprint", "accessibility"):
        assert client.get(reverse("clusters:page", args=[key])).status_code == 200
    assert client.get(reverse("clusters:page", args=["nope"])).status_code == 404


@pytest.mark.parametrize(
    "url", ["/", "/events/", "/associations/nlmd/", "/agreement/kooperation-2019/", "/projects/", "/newsletter/"]
)
def test_no_third_party_requests_and_only_necessary_cookies(client, facts, url):
    """Nothing is loaded from elsewhere (scripts, styles, images, fonts, frames); a visitor gets no cookie
    beyond the CSRF token of a form – nothing that would need a consent banner."""
    import re

    response = client.get(url)
    html = response.content.decode()
    sources = re.findall(r'<(?:script|img|iframe|source|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert set(response.cookies) <= {"csrftoken"}
