"""Admin for users, organisations, memberships and people."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .models import Membership, Organisation, Person, User


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
