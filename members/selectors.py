"""Reads about members: who the current user is in the cooperation."""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from clusters.models import BoardPosition

from .models import INVITATION_VALID_FOR, ColleagueInvitation, JoinRequest, Membership, Organisation, Person


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
    """The user's person record with its organisation and an ``is_board`` flag (one query)."""
    if not user.is_authenticated:
        return None
    current_board = BoardPosition.objects.filter(person_id=OuterRef("pk"), until__isnull=True)
    return (
        Person.objects.select_related("organisation").annotate(is_board=Exists(current_board)).filter(user=user).first()
    )


def member_cluster_ids_for(*, organisation_id: int | None) -> frozenset[int]:
    """Associations the organisation is an active member of."""
    if not organisation_id:
        return frozenset()
    return frozenset(
        Membership.objects.active().filter(organisation_id=organisation_id).values_list("cluster_id", flat=True)
    )


def roles_for_person(*, person: Person) -> PortalRoles:
    """The roles a person has as a member, whoever acts for them (no staff rights): for audience checks."""
    return PortalRoles(person=person, member_cluster_ids=member_cluster_ids_for(organisation_id=person.organisation_id))


def roles_resolve(*, user) -> PortalRoles:
    if not user.is_authenticated:
        return ANONYMOUS
    person = person_for_user(user=user)
    member_cluster_ids = frozenset()
    is_board = False
    if person is not None:
        member_cluster_ids = member_cluster_ids_for(organisation_id=person.organisation_id)
        is_board = person.is_board
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


# --- Organisations and join requests --------------------------------------------------------------


def organisations_search(*, query: str, limit: int = 20) -> list[Organisation]:
    """Member organisations (an active membership) whose name contains the query, with their associations."""
    query = " ".join(query.split())
    if len(query) < 2:
        return []
    active = Membership.objects.active().select_related("cluster").order_by("cluster__short_name")
    return list(
        Organisation.objects.filter(name__icontains=query)
        .filter(Exists(Membership.objects.active().filter(organisation_id=OuterRef("pk"))))
        .prefetch_related(Prefetch("memberships", queryset=active, to_attr="active_memberships"))
        .order_by("name")[:limit]
    )


def may_decide_join_request(*, roles: PortalRoles, organisation_id: int) -> bool:
    """The organisation's primary contact, staff of one of its associations, or a superuser."""
    if roles.is_superuser:
        return True
    if roles.is_primary_contact and roles.person.organisation_id == organisation_id:
        return True
    return bool(roles.staff_cluster_ids) and (
        Membership.objects.active()
        .filter(organisation_id=organisation_id, cluster_id__in=roles.staff_cluster_ids)
        .exists()
    )


def join_requests_to_decide(*, roles: PortalRoles) -> QuerySet[JoinRequest]:
    """Pending requests the user may answer."""
    pending = JoinRequest.objects.filter(status=JoinRequest.Status.PENDING).select_related("organisation", "user")
    if roles.is_superuser:
        return pending.order_by("created_at")
    condition = Q(pk__in=[])
    if roles.is_primary_contact:
        condition |= Q(organisation_id=roles.person.organisation_id)
    if roles.staff_cluster_ids:
        condition |= Exists(
            Membership.objects.active().filter(
                organisation_id=OuterRef("organisation_id"), cluster_id__in=roles.staff_cluster_ids
            )
        )
    return pending.filter(condition).order_by("created_at")


def join_request_latest(*, user) -> JoinRequest | None:
    """The user's latest join request (pending, or the last answer), for the unlinked user's home page."""
    return (
        JoinRequest.objects.filter(user=user)
        .exclude(status=JoinRequest.Status.WITHDRAWN)
        .select_related("organisation")
        .order_by("-created_at", "-id")
        .first()
    )


def organisation_with_memberships(*, roles: PortalRoles) -> Organisation | None:
    """The user's organisation with ``active_memberships`` (their associations)."""
    if roles.person is None or roles.person.organisation_id is None:
        return None
    active = Membership.objects.active().select_related("cluster").order_by("cluster__short_name")
    return Organisation.objects.prefetch_related(
        Prefetch("memberships", queryset=active, to_attr="active_memberships")
    ).get(pk=roles.person.organisation_id)


def may_manage_people(*, roles: PortalRoles, organisation_id: int) -> bool:
    """Who sees an organisation's people and invites colleagues: its primary contact, its associations' staff."""
    return may_decide_join_request(roles=roles, organisation_id=organisation_id)


def organisation_detail(*, slug: str, roles: PortalRoles) -> Organisation:
    """An organisation for its own people and for those who manage it (else ``Organisation.DoesNotExist``).

    With ``active_memberships``; for managers also ``people_list`` (each with ``pending_invitations``).
    """
    organisation = Organisation.objects.get(slug=slug)
    own = roles.person is not None and roles.person.organisation_id == organisation.pk
    manages = may_manage_people(roles=roles, organisation_id=organisation.pk)
    if not (own or manages):
        raise Organisation.DoesNotExist
    active = Membership.objects.active().select_related("cluster").order_by("cluster__short_name")
    prefetches = [Prefetch("memberships", queryset=active, to_attr="active_memberships")]
    if manages:
        pending = ColleagueInvitation.objects.filter(status=ColleagueInvitation.Status.PENDING).order_by("-created_at")
        prefetches.append(
            Prefetch(
                "people",
                queryset=Person.objects.select_related("user")
                .order_by("last_name", "first_name")
                .prefetch_related(Prefetch("colleague_invitations", queryset=pending, to_attr="pending_invitations")),
                to_attr="people_list",
            )
        )
    prefetch_related_objects([organisation], *prefetches)
    organisation.manages = manages
    return organisation


def invitations_for_user(*, user) -> list[ColleagueInvitation]:
    """Pending, unexpired colleague invitations sent to the login's address (verified: allauth lets only
    verified logins in), so that an invited colleague who signed up elsewhere still finds them."""
    return list(
        ColleagueInvitation.objects.filter(
            status=ColleagueInvitation.Status.PENDING,
            email__iexact=user.email,
            created_at__gt=timezone.now() - INVITATION_VALID_FOR,
        )
        .select_related("person__organisation", "invited_by")
        .order_by("-created_at")
    )


def invitation_by_token(*, token: str) -> ColleagueInvitation | None:
    return ColleagueInvitation.objects.select_related("person__organisation", "invited_by").filter(token=token).first()
