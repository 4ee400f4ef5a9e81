"""Admin for newsletters: compose in Markdown, preview, send a test to yourself, send now or schedule,
and watch the progress; subscribers with their consent records (read-only); deliveries."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..forms import NewsletterForm
from ..models import ConsentRecord, Delivery, EventReminder, Newsletter, Subscriber
from ..selectors import newsletter_progress, newsletter_recipients, newsletters_with_progress
from ..services import newsletters
from ..services.newsletters import MANAGE_PLACEHOLDER, UNSUBSCRIBE_PLACEHOLDER
from .outbox import sandboxed_html
from .scope import clusters_for, events_for, staff_cluster_ids

BUTTONS = ("_preview", "_send_test", "_schedule", "_unschedule", "_send_now")


def newsletters_for(request, queryset):
    """Newsletters for one of the user's associations, or written by them; all for superusers."""
    ids = staff_cluster_ids(request)
    if ids is None:
        return queryset
    mine = Newsletter.clusters.through.objects.filter(newsletter_id=OuterRef("pk"), cluster_id__in=ids)
    return queryset.filter(Q(Exists(mine)) | Q(created_by=request.user))


@admin.register(Newsletter)
class NewsletterAdmin(admin.ModelAdmin):
    form = NewsletterForm
    list_display = ["subject", "status", "audience", "scheduled_for", "started_at", "progress_short", "created_by"]
    list_filter = ["status", "clusters"]
    search_fields = ["subject"]
    date_hierarchy = "created_at"
    list_select_related = ["created_by"]
    autocomplete_fields = ["topics"]
    readonly_fields = ["status", "progress", "started_at", "started_by", "planned_at", "recipient_count", "created_by"]
    fieldsets = [
        (None, {"fields": ["subject", "body"]}),
        (_("Audience"), {"fields": ["clusters", "topics"]}),
        (_("Sending"), {"fields": ["scheduled_for", "status", "progress"]}),
    ]
    sent_fieldsets = [
        (None, {"fields": ["subject", "body"]}),
        (_("Audience"), {"fields": ["clusters", "topics"]}),
        (
            _("Sending"),
            {"fields": ["status", "progress", "started_at", "started_by", "planned_at", "recipient_count"]},
        ),
    ]

    class Media:
        css = {"all": ["messaging/admin.css"]}

    def get_queryset(self, request):
        queryset = newsletters_with_progress(super().get_queryset(request)).prefetch_related("clusters")
        return newsletters_for(request, queryset)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class ScopedForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, allowed_clusters=clusters_for(request), **inner)

        return ScopedForm

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "clusters":
            kwargs["widget"] = forms.CheckboxSelectMultiple()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        return self.fieldsets if obj is None or obj.is_editable else self.sent_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return ["subject", "body", "clusters", "topics", *self.readonly_fields]
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return False  # sending or sent: the page shows the progress, read-only
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return False  # the deliveries are the record of what went to whom
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", view(self.preview_view), name="messaging_newsletter_preview"),
            path("<int:pk>/preview/html/", view(self.preview_html_view), name="messaging_newsletter_preview_html"),
            path("<int:pk>/send/", view(self.send_view), name="messaging_newsletter_send"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "buttons": self.has_change_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "buttons": self.has_add_permission(request)}
        return super().add_view(request, form_url, extra_context)

    def response_add(self, request, obj, post_url_continue=None):
        if any(button in request.POST for button in BUTTONS):
            return self._button(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if any(button in request.POST for button in BUTTONS):
            return self._button(request, obj)
        return super().response_change(request, obj)

    def _button(self, request, obj):
        """The extra buttons of the change form; the form was saved before."""
        change_url = reverse("admin:messaging_newsletter_change", args=[obj.pk])
        try:
            if "_preview" in request.POST:
                return redirect("admin:messaging_newsletter_preview", pk=obj.pk)
            if "_send_now" in request.POST:
                return redirect("admin:messaging_newsletter_send", pk=obj.pk)
            if "_send_test" in request.POST:
                if not request.user.email:
                    raise ValidationError(_("Your login has no e-mail address."), code="no_email")
                newsletters.newsletter_send_test(
                    newsletter=obj, to_email=request.user.email, language=getattr(request.user, "language", "de")
                )
                self.message_user(
                    request, _("A test is on its way to %(email)s.") % {"email": request.user.email}, messages.SUCCESS
                )
            elif "_schedule" in request.POST:
                newsletters.newsletter_schedule(newsletter=obj, when=obj.scheduled_for)
                self.message_user(request, _("The newsletter is scheduled."), messages.SUCCESS)
            elif "_unschedule" in request.POST:
                newsletters.newsletter_unschedule(newsletter=obj)
                self.message_user(request, _("The newsletter is a draft again."), messages.SUCCESS)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        return redirect(change_url)

    @admin.display(description=_("audience"))
    def audience(self, obj):
        return ", ".join(c.short_name for c in obj.clusters.all())

    @admin.display(description=_("progress"))
    def progress_short(self, obj):
        if not obj.delivery_total:
            return "–"
        return _("%(sent)d of %(total)d sent, %(failed)d failed") % {
            "sent": obj.delivery_sent,
            "total": obj.delivery_total,
            "failed": obj.delivery_failed,
        }

    @admin.display(description=_("progress"))
    def progress(self, obj):
        if obj is None or obj.pk is None:
            return _("Not sent yet.")
        if obj.is_editable:
            count = newsletter_recipients(newsletter=obj).count()
            return ngettext(
                "Not sent yet. Sent now, it would go to %(count)d subscriber.",
                "Not sent yet. Sent now, it would go to %(count)d subscribers.",
                count,
            ) % {"count": count}
        counts = newsletter_progress(newsletter_id=obj.pk)
        done = counts["sent"] + counts["failed"] + counts["cancelled"]
        return format_html(
            '<progress class="messaging-progress" max="{}" value="{}"></progress>'
            '<ul class="messaging-figures"><li><strong>{}</strong>{}</li><li><strong>{}</strong>{}</li>'
            "<li><strong>{}</strong>{}</li><li><strong>{}</strong>{}</li><li><strong>{}</strong>{}</li></ul>",
            max(counts["total"], 1),
            done,
            counts["total"],
            _("recipients so far") if obj.status == Newsletter.Status.SENDING else _("recipients"),
            counts["queued"],
            _("queued"),
            counts["sent"],
            _("sent"),
            counts["failed"],
            _("failed"),
            counts["cancelled"],
            _("withdrawn (unsubscribed)"),
        )

    def _get(self, request, pk) -> Newsletter:
        newsletter = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, newsletter):
            raise PermissionDenied
        return newsletter

    def preview_view(self, request, pk):
        """How the newsletter looks: subject, HTML (sandboxed frame), plain text, and how many receive it."""
        newsletter = self._get(request, pk)
        language = getattr(request.user, "language", "de")
        subject, body_text, _html = newsletters.newsletter_render(newsletter=newsletter, language=language)
        personal = str(_("(personal link)"))
        body_text = body_text.replace(UNSUBSCRIBE_PLACEHOLDER, personal).replace(MANAGE_PLACEHOLDER, personal)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Preview: %(subject)s") % {"subject": subject},
            "opts": self.opts,
            "original": newsletter,
            "subject": subject,
            "body_text": body_text,
            "recipients": newsletter_recipients(newsletter=newsletter).count() if newsletter.is_editable else None,
            "html_url": reverse("admin:messaging_newsletter_preview_html", args=[newsletter.pk]),
            "change_url": reverse("admin:messaging_newsletter_change", args=[newsletter.pk]),
        }
        return TemplateResponse(request, "admin/messaging/newsletter/preview.html", context)

    def preview_html_view(self, request, pk):
        newsletter = self._get(request, pk)
        _subject, _text, html = newsletters.newsletter_render(
            newsletter=newsletter, language=getattr(request.user, "language", "de")
        )
        return sandboxed_html(html.replace(UNSUBSCRIBE_PLACEHOLDER, "#").replace(MANAGE_PLACEHOLDER, "#"))

    def send_view(self, request, pk):
        """Confirm and send now: GET shows how many will receive it; POST starts sending (once)."""
        newsletter = self._get(request, pk)
        if not self.has_change_permission(request):
            raise PermissionDenied
        change_url = reverse("admin:messaging_newsletter_change", args=[newsletter.pk])
        if request.method == "POST":
            try:
                newsletters.newsletter_send(newsletter=newsletter, sent_by=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, _("Sending started. Progress shows below."), messages.SUCCESS)
            return redirect(change_url)
        count = newsletter_recipients(newsletter=newsletter).count()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Send the newsletter now"),
            "opts": self.opts,
            "original": newsletter,
            "count": count,
            "count_text": ngettext("It goes to %(count)d subscriber.", "It goes to %(count)d subscribers.", count)
            % {"count": count},
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/messaging/newsletter/send_confirmation.html", context)


class ConsentRecordInline(admin.TabularInline):
    model = ConsentRecord
    extra = 0
    can_delete = False
    fields = ["at", "action", "ip_address", "consent_text_version", "language", "scope", "via", "user_agent"]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("messaging.view_subscriber")  # the records belong to the subscriber

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    """Subscribers come only through double opt-in, so nobody adds or edits them here. Superusers may
    unsubscribe an address on request or delete it (erasure), which deletes its consent records too."""

    list_display = ["email", "status", "language", "cluster_list", "created_at", "confirmed_at", "unsubscribed_at"]
    list_filter = ["status", "clusters", "topics", "language"]
    search_fields = ["email", "person__first_name", "person__last_name"]
    date_hierarchy = "created_at"
    list_select_related = ["person"]
    fields = ["email", "status", "language", "person", "clusters", "topics", "created_at", "confirmed_at"]
    readonly_fields = [*fields, "unsubscribed_at"]
    inlines = [ConsentRecordInline]
    actions = ["unsubscribe"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("clusters")
        ids = staff_cluster_ids(request)
        if ids is None:
            return queryset
        wants = Subscriber.clusters.through.objects.filter(subscriber_id=OuterRef("pk"), cluster_id__in=ids)
        return queryset.filter(Exists(wants))  # staff see the subscribers of their associations

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_unsubscribe_permission(self, request):
        return request.user.is_superuser

    @admin.display(description=_("news from"))
    def cluster_list(self, obj):
        return ", ".join(c.short_name for c in obj.clusters.all())

    @admin.action(description=_("Unsubscribe (at the subscriber's request)"), permissions=["unsubscribe"])
    def unsubscribe(self, request, queryset):
        count = 0
        for subscriber_id in queryset.exclude(status=Subscriber.Status.UNSUBSCRIBED).values_list("pk", flat=True):
            newsletters.subscriber_unsubscribe(
                subscriber_id=subscriber_id, ip_address=None, via=f"admin: {request.user.email}"
            )
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d address unsubscribed.", "%(count)d addresses unsubscribed.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Did subscriber X get newsletter Y? One row per recipient and issue."""

    list_display = ["newsletter", "subscriber", "email_status", "sent_at", "created_at"]
    list_filter = ["email__status", ("newsletter", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["subscriber__email", "newsletter__subject"]
    list_select_related = ["newsletter", "subscriber", "email"]
    readonly_fields = ["newsletter", "subscriber", "email", "created_at"]

    def get_queryset(self, request):
        visible = newsletters_for(request, Newsletter.objects.all()).values("pk")
        return super().get_queryset(request).filter(newsletter__in=visible)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("e-mail"), ordering="email__status")
    def email_status(self, obj):
        return obj.email.get_status_display() if obj.email else "–"

    @admin.display(description=_("sent"), ordering="email__sent_at")
    def sent_at(self, obj):
        return obj.email.sent_at if obj.email else None


@admin.register(EventReminder)
class EventReminderAdmin(admin.ModelAdmin):
    """The reminders sent the day before events: one per registration."""

    list_display = ["registration", "event", "email_status", "created_at"]
    list_filter = [("registration__event", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["registration__person__last_name", "registration__event__title"]
    list_select_related = ["registration__person", "registration__event", "email"]
    readonly_fields = ["registration", "email", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(registration__event__in=events_for(request).values("pk"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("event"), ordering="registration__event__starts_at")
    def event(self, obj):
        return obj.registration.event

    @admin.display(description=_("e-mail"), ordering="email__status")
    def email_status(self, obj):
        return obj.email.get_status_display() if obj.email else "–"
