"""Admin for associations, topics and the cooperation agreement."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from .models import BoardPosition, Cluster, CooperationAgreement, Goal, Signatory, SitePage, Topic


class BoardPositionInline(admin.TabularInline):
    model = BoardPosition
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "sector", "region", "member_count"]
    list_filter = ["sector"]
    search_fields = ["name", "short_name", "region"]
    prepopulated_fields = {"slug": ["short_name"]}
    filter_horizontal = ["staff"]
    inlines = [BoardPositionInline]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "slug", "legal_form", "sector", "region", "seat", "website"]}),
        (_("Texts"), {"fields": ["description", "description_en", "programme_note", "logo"]}),
        (_("Staff"), {"fields": ["staff"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_member_count=Count("memberships", filter=Q(memberships__status="active"), distinct=True))
            .order_by("short_name")
        )

    @admin.display(description=_("members"), ordering="_member_count")
    def member_count(self, obj):
        return obj._member_count


@admin.register(BoardPosition)
class BoardPositionAdmin(admin.ModelAdmin):
    list_display = ["person", "cluster", "role", "since", "until"]
    list_filter = ["cluster", "role"]
    search_fields = ["person__first_name", "person__last_name", "cluster__short_name"]
    autocomplete_fields = ["person", "cluster"]
    list_select_related = ["person", "cluster"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "slug"]
    search_fields = ["name", "name_en"]
    prepopulated_fields = {"slug": ["name"]}


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0
    autocomplete_fields = ["person"]


class GoalInline(admin.StackedInline):
    model = Goal
    extra = 0
    fields = [("number", "title", "title_en"), ("description", "description_en")]


@admin.register(CooperationAgreement)
class CooperationAgreementAdmin(admin.ModelAdmin):
    list_display = ["title", "signed_on", "place", "party_list"]
    date_hierarchy = "signed_on"
    search_fields = ["title", "title_en"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["parties"]
    inlines = [SignatoryInline, GoalInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("parties")

    @admin.display(description=_("parties"))
    def party_list(self, obj):
        return ", ".join(p.short_name for p in obj.parties.all())


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "agreement"]
    list_filter = ["agreement"]
    search_fields = ["title", "title_en", "description"]
    list_select_related = ["agreement"]


@admin.register(SitePage)
class SitePageAdmin(admin.ModelAdmin):
    list_display = ["key", "title", "updated_at"]
    fields = ["key", "title", "title_en", "body", "body_en"]

    def get_readonly_fields(self, request, obj=None):
        return ["key"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # the footer links to each page: they are edited, never removed
