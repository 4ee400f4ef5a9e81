"""Scoping the admin to the staff user's associations.

A staff user belongs to one or more associations (``Cluster.staff``) and sees and changes only
what belongs to them; a joint item belongs to every organiser. Superusers see everything.
The scope is applied in ``get_queryset`` – which Django's admin uses for the changelist, change
and delete pages, search, actions and the autocomplete of related fields – and checked again
per object, so a URL with another association's id answers like a missing object.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Cluster


def staff_cluster_ids(request) -> frozenset[int]:
    cached = getattr(request, "_staff_cluster_ids", None)
    if cached is None:
        cached = (
            frozenset(request.user.staff_clusters.values_list("pk", flat=True))
            if request.user.is_staff
            else frozenset()
        )
        request._staff_cluster_ids = cached
    return cached


def is_unscoped(request) -> bool:
    return request.user.is_active and request.user.is_superuser


class ClusterScopedAdmin(admin.ModelAdmin):
    """Subclasses set ``scope`` to a function ``(cluster_ids) -> Q`` selecting their rows."""

    scope = None

    def scope_q(self, request) -> Q:
        return self.scope(staff_cluster_ids(request))

    def get_queryset(self, request) -> QuerySet:
        queryset = super().get_queryset(request)
        if is_unscoped(request):
            return queryset
        # A subquery keeps one row per object even where the scope crosses many-to-many relations.
        in_scope = self.model._default_manager.filter(self.scope_q(request)).values("pk")
        return queryset.filter(pk__in=in_scope)

    def in_scope(self, request, obj) -> bool:
        if obj is None or is_unscoped(request):
            return True
        return self.model._default_manager.filter(self.scope_q(request), pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.in_scope(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Choices of a related scoped model are limited to the user's scope (forged ids are refused)."""
        scoped = scoped_queryset(db_field.related_model, request)
        if scoped is not None:
            kwargs.setdefault("queryset", scoped)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        scoped = scoped_queryset(db_field.related_model, request)
        if scoped is not None:
            kwargs.setdefault("queryset", scoped)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedInlineMixin:
    """Inlines limit their related choices like the scoped admins do."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scoped = scoped_queryset(db_field.related_model, request)
        if scoped is not None:
            kwargs.setdefault("queryset", scoped)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def scoped_queryset(model, request) -> QuerySet | None:
    model_admin = admin.site._registry.get(model)
    if isinstance(model_admin, ClusterScopedAdmin) and not is_unscoped(request):
        return model_admin.get_queryset(request)
    return None


def require_own_cluster(*, request, clusters, message) -> None:
    """A staff user's item must keep at least one of their associations, or it would leave their scope."""
    if is_unscoped(request):
        return
    chosen = {c.pk if isinstance(c, Cluster) else int(c) for c in clusters if c}
    if not chosen & staff_cluster_ids(request):
        raise ValidationError(message, code="outside_scope")


OWN_CLUSTER_MESSAGE = _(
    "Include at least one of your own associations; otherwise you could no longer manage this item."
)
