"""Admin for the outbox: staff see what went out, what waits, what failed and why, and resend failures.

Outbox rows of account e-mails contain password-reset and verification links. Only superusers read
message bodies and headers; other staff see the envelope (recipient, subject, state, error).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import truncatechars
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import OutboundEmail
from ..services import outbox_retry

ENVELOPE = [
    "to_email",
    "subject",
    "status",
    "attempts",
    "last_error",
    "template",
    "language",
    "message_id",
    "created_at",
    "due_at",
    "sent_at",
]
CONTENT = ["html_preview", "body_text", "headers", "attachments"]

# The sandbox a stored HTML e-mail is shown in: no script, no forms, nothing from our origin.
SANDBOX_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'self'"


def sandboxed_html(html: str) -> HttpResponse:
    """Stored e-mail HTML as a page that can only be framed by the admin and can run nothing."""
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to_email", "status", "attempts", "created_at", "sent_at", "error"]
    list_filter = ["status", "template", "language"]
    search_fields = ["to_email", "subject", "message_id"]
    date_hierarchy = "created_at"
    actions = ["resend_failed"]
    readonly_fields = ENVELOPE + CONTENT

    class Media:
        css = {"all": ["messaging/admin.css"]}

    def get_fields(self, request, obj=None):
        return ENVELOPE + CONTENT if request.user.is_superuser else ENVELOPE

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        return request.user.has_perm("messaging.resend_outboundemail")

    def get_urls(self):
        html = self.admin_site.admin_view(self.html_view)
        return [path("<int:pk>/html/", html, name="messaging_outboundemail_html"), *super().get_urls()]

    @admin.display(description=_("last error"))
    def error(self, obj):
        return truncatechars(obj.last_error, 80)

    @admin.display(description=_("HTML"))
    def html_preview(self, obj):
        if not obj.body_html:
            return "–"
        url = reverse("admin:messaging_outboundemail_html", args=[obj.pk])
        return format_html('<iframe src="{}" sandbox title="{}" class="email-preview"></iframe>', url, obj.subject)

    def html_view(self, request, pk):
        """The stored HTML part, for superusers only (it may hold a password-reset link)."""
        if not request.user.is_superuser:
            raise PermissionDenied
        return sandboxed_html(get_object_or_404(OutboundEmail, pk=pk).body_html)

    @admin.action(description=_("Send failed messages again"), permissions=["resend"])
    def resend_failed(self, request, queryset):
        count = outbox_retry(email_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d message queued again.", "%(count)d messages queued again.", count) % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
