"""Admin for joint projects."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clusters.admin_scope import OWN_CLUSTER_MESSAGE, ClusterScopedAdmin, ScopedInlineMixin, require_own_cluster

from . import services
from .forms import MilestoneForm
from .models import Milestone, Project, ProjectDocument, ProjectParticipant, ProjectStatusChange


def project_scope(ids) -> Q:
    return Q(lead_cluster__in=ids) | Q(clusters__in=ids)


class ParticipantInline(ScopedInlineMixin, admin.TabularInline):
    model = ProjectParticipant
    extra = 0
    autocomplete_fields = ["organisation"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    form = MilestoneForm
    extra = 1
    fields = ["title", "due_on", "done", "done_on"]


class StatusChangeInline(admin.TabularInline):
    """The dated history; a change of the status field above adds an entry by itself."""

    model = ProjectStatusChange
    extra = 0
    fields = ["status", "changed_on", "note", "changed_by"]
    readonly_fields = ["changed_by"]
    ordering = ["-changed_on", "-id"]


class DocumentInline(admin.TabularInline):
    model = ProjectDocument
    extra = 0
    fields = ["title", "file", "uploaded_at"]
    readonly_fields = ["uploaded_at"]


@admin.register(Project)
class ProjectAdmin(ClusterScopedAdmin):
    scope = staticmethod(project_scope)
    list_display = ["title", "lead_cluster", "status", "starts_on", "ends_on", "is_public"]
    list_filter = ["status", "lead_cluster", "clusters", "is_public", "goals"]
    search_fields = ["title", "title_en", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["clusters", "goals"]
    autocomplete_fields = ["focus_topic"]
    list_select_related = ["lead_cluster"]
    inlines = [ParticipantInline, MilestoneInline, StatusChangeInline, DocumentInline]
    fieldsets = [
        (None, {"fields": ["title", "title_en", "slug", "status", "is_public"]}),
        (_("Associations"), {"fields": ["lead_cluster", "clusters"]}),
        (_("Content"), {"fields": ["summary", "summary_en", "focus_topic", "goals", "funding_note"]}),
        (_("Time frame"), {"fields": ["starts_on", "ends_on"]}),
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class ProjectForm(form_class):
            def clean(self):
                data = super().clean()
                clusters = [data.get("lead_cluster"), *(data.get("clusters") or [])]
                try:
                    require_own_cluster(request=request, clusters=clusters, message=OWN_CLUSTER_MESSAGE)
                except ValidationError as error:
                    self.add_error("lead_cluster", error)
                return data

        return ProjectForm

    def save_related(self, request, form, formsets, change):
        """After the inlines are saved, record a status change in the dated history."""
        super().save_related(request, form, formsets, change)
        if not change or "status" in form.changed_data:
            services.project_status_record(project=form.instance, changed_by=request.user)


@admin.register(Milestone)
class MilestoneAdmin(ClusterScopedAdmin):
    scope = staticmethod(lambda ids: Q(project__lead_cluster__in=ids) | Q(project__clusters__in=ids))
    form = MilestoneForm
    list_display = ["title", "project", "due_on", "done"]
    list_filter = ["done"]
    search_fields = ["title", "project__title"]
    list_select_related = ["project"]
    autocomplete_fields = ["project"]
