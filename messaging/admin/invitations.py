"""Admin for invitations: compose a round (event + audience), preview who it reaches, send it once;
per event, see invited / sent / accepted / declined / no answer, and remind those who have not answered."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clusters.models import Cluster

from ..forms import InvitationRoundForm
from ..models import EventInvitations, Invitation, InvitationRound
from ..selectors import events_with_invitation_counts, invitation_round_preview
from ..services.invitations import invitation_reminders_send, invitation_round_send
from .scope import events_for

PREVIEW_NAMES = 30


@admin.register(InvitationRound)
class InvitationRoundAdmin(admin.ModelAdmin):
    form = InvitationRoundForm
    list_display = ["event", "status", "audience", "invited", "created_by", "created_at", "sent_at"]
    list_filter = ["status", "event__organisers"]
    search_fields = ["event__title", "event__title_en"]
    autocomplete_fields = ["event", "topics", "people"]
    list_select_related = ["event", "created_by"]
    date_hierarchy = "created_at"
    readonly_fields = ["preview", "status", "created_by", "created_at", "sent_at", "sent_by"]
    fieldsets = [
        (None, {"fields": ["event"]}),
        (_("Audience"), {"fields": ["clusters", "organisation_kinds", "topics", "people"]}),
        (_("Who receives it"), {"fields": ["preview"]}),
        (_("State"), {"fields": ["status", "created_by", "created_at", "sent_at", "sent_by"]}),
    ]

    class Media:
        css = {"all": ["messaging/admin.css"]}

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .annotate(_invited=Count("invitations", distinct=True))
            .prefetch_related("clusters", "topics")
        )
        return queryset.filter(event__in=events_for(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "event":  # staff invite to their own association's events
            kwargs["queryset"] = events_for(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "clusters":  # the audience may be any association's members
            kwargs["widget"] = forms.CheckboxSelectMultiple()
            kwargs["queryset"] = Cluster.objects.order_by("short_name")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != InvitationRound.Status.DRAFT:
            return ["event", "clusters", "organisation_kinds_display", "topics", "people", *self.readonly_fields]
        return self.readonly_fields

    def get_fieldsets(self, request, obj=None):
        if obj is not None and obj.status != InvitationRound.Status.DRAFT:
            return [
                (None, {"fields": ["event"]}),
                (_("Audience"), {"fields": ["clusters", "organisation_kinds_display", "topics", "people"]}),
                (_("State"), {"fields": ["status", "created_by", "created_at", "sent_at", "sent_by"]}),
            ]
        if obj is None:
            return self.fieldsets[:2]
        return self.fieldsets

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status != InvitationRound.Status.DRAFT:
            return False  # sent: a record of who was invited, read-only
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status != InvitationRound.Status.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        send = self.admin_site.admin_view(self.send_view)
        return [path("<int:pk>/send/", send, name="messaging_invitationround_send"), *super().get_urls()]

    def response_add(self, request, obj, post_url_continue=None):
        # A new round goes straight to its change page, where the preview is.
        if "_addanother" not in request.POST and "_popup" not in request.POST:
            request.POST = request.POST.copy()
            request.POST["_continue"] = "1"
        return super().response_add(request, obj, post_url_continue)

    @admin.display(description=_("audience"))
    def audience(self, obj):
        parts = [", ".join(c.short_name for c in obj.clusters.all()), ", ".join(obj.kind_labels)]
        parts.append(", ".join(str(t) for t in obj.topics.all()))
        return " · ".join(p for p in parts if p) or _("explicit people")

    @admin.display(description=_("invited"), ordering="_invited")
    def invited(self, obj):
        return obj._invited

    @admin.display(description=_("organisation types"))
    def organisation_kinds_display(self, obj):
        return ", ".join(obj.kind_labels) or _("all types")

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if obj is None or obj.pk is None:
            return _("Save to see who this round reaches.")
        if obj.status != InvitationRound.Status.DRAFT:
            return "–"
        preview = invitation_round_preview(round=obj)
        send_url = reverse("admin:messaging_invitationround_send", args=[obj.pk])
        names = format_html_join(
            "", "<li>{} ({})</li>", ((p.full_name, p.organisation or "–") for p in preview.recipients[:PREVIEW_NAMES])
        )
        more = preview.count - PREVIEW_NAMES
        return format_html(
            "<p><strong>{}</strong></p><p>{}</p><ul class='messaging-names'>{}</ul>{}"
            '<p><a class="button" href="{}">{}</a></p>',
            ngettext("%(count)d person will be invited.", "%(count)d people will be invited.", preview.count)
            % {"count": preview.count},
            _breakdown(preview),
            names,
            format_html("<p>{}</p>", _("… and %(count)d more.") % {"count": more}) if more > 0 else "",
            send_url,
            _("Send the invitations …"),
        )

    def send_view(self, request, pk):
        """Confirm and send a round: GET shows who will be invited, POST sends (once)."""
        round = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request):
            raise PermissionDenied
        change_url = reverse("admin:messaging_invitationround_change", args=[round.pk])
        if request.method == "POST":
            try:
                count = invitation_round_send(round=round, sent_by=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return redirect(change_url)
            self.message_user(
                request,
                ngettext("%(count)d invitation is on its way.", "%(count)d invitations are on their way.", count)
                % {"count": count},
                messages.SUCCESS,
            )
            return redirect(reverse("admin:messaging_eventinvitations_change", args=[round.event_id]))
        preview = invitation_round_preview(round=round)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Send invitations"),
            "opts": self.opts,
            "original": round,
            "preview": preview,
            "breakdown": _breakdown(preview),
            "names": preview.recipients[:PREVIEW_NAMES],
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/messaging/invitationround/send_confirmation.html", context)


def _breakdown(preview) -> str:
    return _(
        "%(matched)d matched; left out: %(opted_out)d opted out of invitations, %(without_email)d without "
        "e-mail address, %(already_invited)d already invited, %(already_registered)d already registered, "
        "%(same_email)d with an e-mail address that is invited already."
    ) % {
        "matched": preview.matched,
        "opted_out": preview.opted_out,
        "without_email": preview.without_email,
        "already_invited": preview.already_invited,
        "already_registered": preview.already_registered,
        "same_email": preview.same_email,
    }


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["person", "organisation", "event", "status", "email_status", "answered_at", "reminded_at"]
    list_filter = ["status", "email__status", ("event", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["person__first_name", "person__last_name", "person__email", "person__organisation__name"]
    list_select_related = ["person__organisation", "event", "email"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "event",
        "person",
        "round",
        "status",
        "answered_at",
        "registration",
        "email",
        "reminded_at",
        "reminder_email",
        "created_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(event__in=events_for(request))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("organisation"), ordering="person__organisation__name")
    def organisation(self, obj):
        return obj.person.organisation if obj.person else "–"

    @admin.display(description=_("e-mail"), ordering="email__status")
    def email_status(self, obj):
        return obj.email.get_status_display() if obj.email else "–"


@admin.register(EventInvitations)
class EventInvitationsAdmin(admin.ModelAdmin):
    """Per event: the invitation figures, and the one reminder to those who have not answered."""

    list_display = ["title", "starts_at", "invited", "sent", "failed", "accepted", "declined", "no_answer", "reminded"]
    list_filter = ["organisers"]
    search_fields = ["title", "title_en"]
    date_hierarchy = "starts_at"
    actions = ["send_reminders"]
    fields = ["title", "starts_at", "registration_closes_at", "figures"]
    readonly_fields = fields

    class Media:
        css = {"all": ["messaging/admin.css"]}

    def get_queryset(self, request):
        with_invitations = Invitation.objects.filter(event_id=OuterRef("pk"))
        queryset = events_with_invitation_counts(super().get_queryset(request).filter(Exists(with_invitations)))
        return events_for(request, queryset)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_remind_permission(self, request):
        return request.user.has_perm("messaging.add_invitationround")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST" and "_remind" in request.POST:
            event = get_object_or_404(self.get_queryset(request), pk=object_id)
            if not self.has_remind_permission(request):
                raise PermissionDenied
            self._remind(request, [event])
            return redirect(request.path)
        extra_context = {**(extra_context or {}), "can_remind": self.has_remind_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _link(self, obj, count, **filters):
        url = (
            reverse("admin:messaging_invitation_changelist") + "?" + urlencode({"event__id__exact": obj.pk, **filters})
        )
        return format_html('<a href="{}">{}</a>', url, count)

    @admin.display(description=_("invited"), ordering="invited")
    def invited(self, obj):
        return self._link(obj, obj.invited)

    @admin.display(description=_("sent"), ordering="sent")
    def sent(self, obj):
        return self._link(obj, obj.sent, email__status__exact="sent")

    @admin.display(description=_("failed"), ordering="failed")
    def failed(self, obj):
        return self._link(obj, obj.failed, email__status__exact="failed")

    @admin.display(description=_("accepted"), ordering="accepted")
    def accepted(self, obj):
        return self._link(obj, obj.accepted, status__exact="accepted")

    @admin.display(description=_("declined"), ordering="declined")
    def declined(self, obj):
        return self._link(obj, obj.declined, status__exact="declined")

    @admin.display(description=_("no answer"), ordering="open")
    def no_answer(self, obj):
        return self._link(obj, obj.open, status__exact="open")

    @admin.display(description=_("reminded"), ordering="reminded")
    def reminded(self, obj):
        return obj.reminded

    @admin.display(description=_("figures"))
    def figures(self, obj):
        items = [
            (_("invited"), obj.invited),
            (_("sent"), obj.sent),
            (_("failed"), obj.failed),
            (_("accepted"), obj.accepted),
            (_("declined"), obj.declined),
            (_("no answer"), obj.open),
            (_("reminded"), obj.reminded),
            (_("can still be reminded"), obj.remindable),
        ]
        add_url = reverse("admin:messaging_invitationround_add") + "?" + urlencode({"event": obj.pk})
        return format_html(
            '<ul class="messaging-figures">{}</ul><p><a href="{}">{}</a> · <a href="{}">{}</a></p>',
            format_html_join("", "<li><strong>{}</strong>{}</li>", ((count, label) for label, count in items)),
            reverse("admin:messaging_invitation_changelist") + "?" + urlencode({"event__id__exact": obj.pk}),
            _("All invitations of this event"),
            add_url,
            _("Invite more people to this event"),
        )

    @admin.action(description=_("Remind those who have not answered (once per person)"), permissions=["remind"])
    def send_reminders(self, request, queryset):
        self._remind(request, list(queryset))

    def _remind(self, request, events):
        total = 0
        for event in events:
            try:
                total += invitation_reminders_send(event=event)
            except ValidationError as error:
                self.message_user(request, f"{event}: {' '.join(error.messages)}", messages.ERROR)
        self.message_user(
            request,
            ngettext("%(count)d reminder is on its way.", "%(count)d reminders are on their way.", total)
            % {"count": total},
            messages.SUCCESS if total else messages.WARNING,
        )
