"""Admin for users, organisations, memberships and people."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clusters.admin_scope import ClusterScopedAdmin, ScopedInlineMixin, is_unscoped, staff_cluster_ids
from clusters.models import Cluster

from . import services
from .models import ColleagueInvitation, ContactRequest, JoinRequest, Membership, Organisation, Person, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "language", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "language", "staff_clusters"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "language"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class OwnClusterChoicesMixin:
    """Staff choose among their own associations only when they write a membership."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "cluster" and not is_unscoped(request):
            kwargs["queryset"] = Cluster.objects.filter(pk__in=staff_cluster_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MembershipFormSet(BaseInlineFormSet):
    """An organisation written by association staff keeps a membership in one of their associations."""

    request = None

    def clean(self):
        super().clean()
        if self.request is None or is_unscoped(self.request) or any(self.errors):
            return
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not kept:
            raise ValidationError(
                _("Add a membership in your association; otherwise you could no longer manage this organisation."),
                code="outside_scope",
            )


class MembershipInline(OwnClusterChoicesMixin, admin.TabularInline):
    """Staff see and edit their own associations' memberships; the others are listed read-only above."""

    model = Membership
    formset = MembershipFormSet
    extra = 0
    fields = ["cluster", "status", "since", "until"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        return formset

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if is_unscoped(request) else queryset.filter(cluster__in=staff_cluster_ids(request))


class PersonInline(ScopedInlineMixin, admin.TabularInline):
    model = Person
    extra = 0
    fields = ["first_name", "last_name", "function", "email", "is_primary_contact", "receives_invitations"]
    show_change_link = True


@admin.register(Organisation)
class OrganisationAdmin(ClusterScopedAdmin):
    scope = staticmethod(lambda ids: Q(memberships__cluster__in=ids))
    list_display = ["name", "kind", "city", "size", "membership_list", "people_count"]
    list_filter = ["kind", "size", "memberships__cluster", "memberships__status"]
    search_fields = ["name", "city", "postcode"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["offers", "seeks"]
    inlines = [MembershipInline, PersonInline]
    readonly_fields = ["membership_list"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "size", "website", "description", "membership_list"]}),
        (_("Address"), {"fields": ["street", "postcode", "city"]}),
        (_("Competences"), {"fields": ["offers", "seeks"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_people_count=Count("people", distinct=True))
            .prefetch_related("memberships__cluster")
            .order_by("name")
        )

    @admin.display(description=_("memberships"))
    def membership_list(self, obj):
        return ", ".join(m.cluster.short_name for m in obj.memberships.all() if m.status == Membership.Status.ACTIVE)

    @admin.display(description=_("people"), ordering="_people_count")
    def people_count(self, obj):
        return obj._people_count


@admin.register(Membership)
class MembershipAdmin(OwnClusterChoicesMixin, ClusterScopedAdmin):
    scope = staticmethod(lambda ids: Q(cluster__in=ids))
    list_display = ["organisation", "cluster", "status", "since", "until"]
    list_filter = ["cluster", "status"]
    search_fields = ["organisation__name"]
    autocomplete_fields = ["organisation"]
    list_select_related = ["organisation", "cluster"]
    date_hierarchy = "since"


@admin.register(Person)
class PersonAdmin(ClusterScopedAdmin):
    # People of the association's members, and anybody registered for one of its events.
    scope = staticmethod(
        lambda ids: Q(organisation__memberships__cluster__in=ids) | Q(registrations__event__organisers__in=ids)
    )
    list_display = ["last_name", "first_name", "organisation", "function", "email", "is_primary_contact", "has_login"]
    list_filter = ["is_primary_contact", "receives_invitations", "organisation__kind"]
    search_fields = ["first_name", "last_name", "email", "organisation__name"]
    autocomplete_fields = ["organisation", "user"]
    list_select_related = ["organisation"]

    @admin.display(description=_("login"), boolean=True)
    def has_login(self, obj):
        return obj.user_id is not None


@admin.register(JoinRequest)
class JoinRequestAdmin(ClusterScopedAdmin):
    """Requests are made by users in the portal; staff answer them here or on the portal's requests page."""

    scope = staticmethod(lambda ids: Q(organisation__memberships__cluster__in=ids))
    list_display = ["full_name", "user", "organisation", "status", "created_at", "decided_by"]
    list_filter = ["status", "organisation__memberships__cluster"]
    search_fields = ["first_name", "last_name", "user__email", "organisation__name"]
    list_select_related = ["user", "organisation", "decided_by"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in JoinRequest._meta.fields]
    actions = ["approve", "reject"]

    def has_add_permission(self, request):
        return False

    def _answer(self, request, queryset, answer) -> None:
        done = 0
        for join_request in queryset.filter(status=JoinRequest.Status.PENDING):
            try:
                answer(join_request=join_request, decided_by=request.user)
            except (ValidationError, PermissionDenied) as error:
                self.message_user(
                    request, f"{join_request}: {' '.join(getattr(error, 'messages', [str(error)]))}", messages.ERROR
                )
            else:
                done += 1
        self.message_user(
            request,
            ngettext("%(count)d request answered.", "%(count)d requests answered.", done) % {"count": done},
            messages.SUCCESS,
        )

    @admin.action(description=_("Approve the selected requests"), permissions=["view"])
    def approve(self, request, queryset):
        self._answer(request, queryset, services.join_request_approve)

    @admin.action(description=_("Reject the selected requests"), permissions=["view"])
    def reject(self, request, queryset):
        self._answer(request, queryset, services.join_request_reject)


@admin.register(ColleagueInvitation)
class ColleagueInvitationAdmin(ClusterScopedAdmin):
    scope = staticmethod(lambda ids: Q(person__organisation__memberships__cluster__in=ids))
    list_display = ["email", "person", "status", "invited_by", "created_at", "accepted_at"]
    list_filter = ["status"]
    search_fields = ["email", "person__first_name", "person__last_name", "person__organisation__name"]
    list_select_related = ["person", "invited_by"]
    readonly_fields = [f.name for f in ColleagueInvitation._meta.fields if f.name != "token"]
    exclude = ["token"]

    def has_add_permission(self, request):
        return False


@admin.register(ContactRequest)
class ContactRequestAdmin(ClusterScopedAdmin):
    """Written by members through the partner search; staff follow them here (read-only)."""

    scope = staticmethod(
        lambda ids: (
            Q(sender_organisation__memberships__cluster__in=ids)
            | Q(recipient_organisation__memberships__cluster__in=ids)
        )
    )
    list_display = ["sender_organisation", "recipient_organisation", "status", "created_at", "answered_at"]
    list_filter = ["status"]
    search_fields = ["sender_organisation__name", "recipient_organisation__name"]
    list_select_related = ["sender_organisation", "recipient_organisation"]
    date_hierarchy = "created_at"
    exclude = ["token"]
    readonly_fields = [f.name for f in ContactRequest._meta.fields if f.name != "token"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
