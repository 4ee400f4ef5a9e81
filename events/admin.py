"""Admin for events and registrations."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clusters.admin_scope import OWN_CLUSTER_MESSAGE, ClusterScopedAdmin, ScopedInlineMixin, require_own_cluster
from clusters.queries import SubqueryCount

from . import services
from .models import Event, Registration


class RegistrationInline(ScopedInlineMixin, admin.TabularInline):
    model = Registration
    extra = 0
    fields = ["person", "organisation", "status", "created_at", "checked_in_at"]
    readonly_fields = ["created_at", "checked_in_at"]
    autocomplete_fields = ["person", "organisation"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "organisation")


class JointFilter(admin.SimpleListFilter):
    title = _("joint")
    parameter_name = "joint"

    def lookups(self, request, model_admin):
        return [("yes", _("joint (two or more organisers)")), ("no", _("one organiser"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(_organiser_count__gte=2)
        if self.value() == "no":
            return queryset.filter(_organiser_count__lt=2)
        return queryset


@admin.register(Event)
class EventAdmin(ClusterScopedAdmin):
    scope = staticmethod(lambda ids: Q(organisers__in=ids))
    list_display = ["title", "starts_at", "city", "format", "organiser_list", "seats", "is_published"]
    list_filter = ["format", "audience", "is_published", JointFilter, "organisers", "city"]
    search_fields = ["title", "title_en", "city", "venue"]
    date_hierarchy = "starts_at"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["organisers", "goals"]
    autocomplete_fields = ["topics"]
    inlines = [RegistrationInline]
    readonly_fields = ["attendee_tools"]
    fieldsets = [
        (None, {"fields": ["title", "title_en", "slug", "format", "organisers", "audience", "is_published"]}),
        (_("Attendees"), {"fields": ["attendee_tools"]}),
        (_("Date and place"), {"fields": ["starts_at", "ends_at", "venue", "street", "city", "online_url"]}),
        (_("Registration"), {"fields": ["capacity", "registration_opens_at", "registration_closes_at"]}),
        (_("Content"), {"fields": ["description", "description_en", "goals", "topics"]}),
    ]

    def save_model(self, request, obj, form, change):
        """Saving a larger capacity gives the new seats to the waiting list at once (and tells them)."""
        super().save_model(request, obj, form, change)
        if change and "capacity" in form.changed_data:
            promoted = services.waiting_list_fill(event=obj)
            if promoted:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d person moved up from the waiting list.",
                        "%(count)d people moved up from the waiting list.",
                        len(promoted),
                    )
                    % {"count": len(promoted)},
                    messages.SUCCESS,
                )

    def get_queryset(self, request):
        # Correlated counts, not COUNT over organisers × registrations joins: that fan-out (and its GROUP BY)
        # would reach the changelist's count, date and filter queries as well.
        organisers = Event.organisers.through.objects.filter(event_id=OuterRef("pk")).values("pk")
        seats = Registration.objects.holding_seat().filter(event_id=OuterRef("pk")).values("pk")
        return (
            super()
            .get_queryset(request)
            .annotate(_organiser_count=SubqueryCount(organisers), _taken=SubqueryCount(seats))
            .prefetch_related("organisers")
            .order_by("-starts_at")
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class EventForm(form_class):
            def clean(self):
                data = super().clean()
                try:
                    require_own_cluster(
                        request=request, clusters=data.get("organisers") or [], message=OWN_CLUSTER_MESSAGE
                    )
                except ValidationError as error:
                    self.add_error("organisers", error)
                return data

        return EventForm

    @admin.display(description=_("attendee list and check-in"))
    def attendee_tools(self, obj):
        if obj is None or obj.pk is None:
            return _("Available once the event is saved.")
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("events:check_in", args=[obj.slug]),
            _("Check-in at the door"),
            reverse("events:attendees", args=[obj.slug, "xlsx"]),
            _("Attendee list (XLSX)"),
            reverse("events:attendees", args=[obj.slug, "csv"]),
            _("Attendee list (CSV)"),
        )

    @admin.display(description=_("organisers"))
    def organiser_list(self, obj):
        return ", ".join(c.short_name for c in obj.organisers.all())

    @admin.display(description=_("seats taken"))
    def seats(self, obj):
        return f"{obj._taken} / {obj.capacity}"


@admin.register(Registration)
class RegistrationAdmin(ClusterScopedAdmin):
    scope = staticmethod(lambda ids: Q(event__organisers__in=ids))
    list_display = ["person", "organisation", "event", "status", "created_at", "checked_in_at"]
    list_filter = ["status", "event__organisers"]
    search_fields = ["person__first_name", "person__last_name", "organisation__name", "event__title"]
    autocomplete_fields = ["event", "person", "organisation"]
    list_select_related = ["person", "organisation", "event"]
    date_hierarchy = "created_at"
    # Newest first, along the index on created_at (the model's order, by the event's date, sorts every row).
    ordering = ["-created_at", "-id"]
    readonly_fields = ["registered_by", "checked_in_by", "status_changed_at"]
    actions = ["cancel"]

    @admin.action(
        description=_("Cancel the selected registrations (the waiting list moves up)"), permissions=["change"]
    )
    def cancel(self, request, queryset):
        done = 0
        for registration in queryset.filter(status__in=services.ACTIVE):
            try:
                services.registration_cancel(registration=registration, cancelled_by=None)
            except ValidationError as error:
                self.message_user(request, f"{registration}: {' '.join(error.messages)}", messages.ERROR)
            else:
                done += 1
        self.message_user(
            request,
            ngettext("%(count)d registration cancelled.", "%(count)d registrations cancelled.", done) % {"count": done},
            messages.SUCCESS,
        )
