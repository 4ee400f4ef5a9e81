"""Reads about members: who the current user is in the cooperation."""

from dataclasses import dataclass, field

from .models import Membership, Person


@dataclass(frozen=True)
class PortalRoles:
    """What a user may see and do, resolved with a fixed number of queries."""

    person: Person | None = None
    member_cluster_ids: frozenset[int] = field(default_factory=frozenset)
    staff_cluster_ids: frozenset[int] = field(default_factory=frozenset)
    is_board: bool = False
    is_superuser: bool = False

    @property
    def organisation(self):
        return self.person.organisation if self.person else None

    @property
    def is_member(self) -> bool:
        """Linked to an organisation that is an active member of at least one association."""
        return bool(self.member_cluster_ids)

    @property
    def is_primary_contact(self) -> bool:
        return bool(self.person and self.person.is_primary_contact and self.person.organisation_id)

    @property
    def is_staff(self) -> bool:
        return bool(self.staff_cluster_ids) or self.is_superuser

    @property
    def sees_dashboard(self) -> bool:
        return self.is_board or self.is_superuser


ANONYMOUS = PortalRoles()


def person_for_user(*, user) -> Person | None:
    if not user.is_authenticated:
        return None
    return Person.objects.select_related("organisation").filter(user=user).first()


def roles_resolve(*, user) -> PortalRoles:
    if not user.is_authenticated:
        return ANONYMOUS
    person = person_for_user(user=user)
    member_cluster_ids = frozenset()
    is_board = False
    if person is not None:
        if person.organisation_id:
            member_cluster_ids = frozenset(
                Membership.objects.active()
                .filter(organisation_id=person.organisation_id)
                .values_list("cluster_id", flat=True)
            )
        is_board = person.board_positions.filter(until__isnull=True).exists()
    staff_cluster_ids = frozenset(user.staff_clusters.values_list("pk", flat=True)) if user.is_staff else frozenset()
    return PortalRoles(
        person=person,
        member_cluster_ids=member_cluster_ids,
        staff_cluster_ids=staff_cluster_ids,
        is_board=is_board,
        is_superuser=user.is_superuser,
    )


def request_roles(request) -> PortalRoles:
    """The current user's roles, resolved once per request."""
    roles = getattr(request, "_portal_roles", None)
    if roles is None:
        roles = request._portal_roles = roles_resolve(user=request.user)
    return roles
