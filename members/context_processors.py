"""Template context about the current user's place in the cooperation."""

from django.utils.functional import SimpleLazyObject

from .selectors import request_roles


def portal_user(request):
    """``portal_roles``: person, organisation, member/staff/board flags (resolved on first use)."""
    return {"portal_roles": SimpleLazyObject(lambda: request_roles(request))}
