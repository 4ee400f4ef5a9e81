"""Admin for users, organisations, memberships and people."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import ColleagueInvitation, JoinRequest, Membership, Organisation, Person, User


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


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["cluster", "status", "since", "until"]


class PersonInline(admin.TabularInline):
    model = Person
    extra = 0
    fields = ["first_name", "last_name", "function", "email", "is_primary_contact", "receives_invitations"]
    show_change_link = True


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city", "size", "membership_list", "people_count"]
    list_filter = ["kind", "size", "memberships__cluster", "memberships__status"]
    search_fields = ["name", "city", "postcode"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["offers", "seeks"]
    inlines = [MembershipInline, PersonInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "size", "website", "description"]}),
        (_("Address"), {"fields": ["street", "postcode", "city"]}),
        (_("Competences"), {"fields": ["offers", "seeks"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_people_count=Count("people", distinct=True))
            .prefetch_related("memberships__cluster")
        )

    @admin.display(description=_("memberships"))
    def membership_list(self, obj):
        return ", ".join(m.cluster.short_name for m in obj.memberships.all() if m.status == Membership.Status.ACTIVE)

    @admin.display(description=_("people"), ordering="_people_count")
    def people_count(self, obj):
        return obj._people_count


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["organisation", "cluster", "status", "since", "until"]
    list_filter = ["cluster", "status"]
    search_fields = ["organisation__name"]
    autocomplete_fields = ["organisation"]
    list_select_related = ["organisation", "cluster"]
    date_hierarchy = "since"


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "organisation", "function", "email", "is_primary_contact", "has_login"]
    list_filter = ["is_primary_contact", "receives_invitations", "organisation__kind"]
    search_fields = ["first_name", "last_name", "email", "organisation__name"]
    autocomplete_fields = ["organisation", "user"]
    list_select_related = ["organisation"]

    @admin.display(description=_("login"), boolean=True)
    def has_login(self, obj):
        return obj.user_id is not None


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    """Requests are made by users in the portal; staff answer them here or on the portal's requests page."""

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
class ColleagueInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "person", "status", "invited_by", "created_at", "accepted_at"]
    list_filter = ["status"]
    search_fields = ["email", "person__first_name", "person__last_name", "person__organisation__name"]
    list_select_related = ["person", "invited_by"]
    readonly_fields = [f.name for f in ColleagueInvitation._meta.fields if f.name != "token"]
    exclude = ["token"]

    def has_add_permission(self, request):
        return False
