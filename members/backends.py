"""Authentication backends that load the login of a session from a cached copy.

Every request with a session loads its login (``AuthenticationMiddleware`` → ``backend.get_user``): a query
and the ORM's work around it, about 0.4 ms – more than a page from the page cache costs altogether. The
copy carries a per-login *generation*; saving or deleting the login (password, active flag, e-mail address
and staff flags all live on its row) raises the generation at once and again after the commit, so a copy
read before a change is never used after it – the same scheme as ``clusters.pagecache``. Django's session
check (the session's hash against the login's password hash) runs on the copy unchanged: a new password
still ends the other sessions at once, a deactivated login is logged out at its next request.
"""

import time

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.cache import cache
from django.db import transaction

TIMEOUT = 300


def _keys(user_id) -> tuple[str, str]:
    return f"auth:user-generation:{user_id}", f"auth:user-copy:{user_id}"


def _raise_generation(user_id) -> None:
    generation_key, _copy_key = _keys(user_id)
    try:
        cache.incr(generation_key)
    except ValueError:  # not in the cache: a number never used before
        cache.set(generation_key, time.time_ns(), timeout=None)


def user_changed(sender, instance, **kwargs) -> None:
    """Signal receiver (``members.apps``): the cached copy of this login is stale from now on."""
    _raise_generation(instance.pk)
    transaction.on_commit(lambda: _raise_generation(instance.pk), robust=True)


class CachedUserMixin:
    def get_user(self, user_id):
        generation_key, copy_key = _keys(user_id)
        found = cache.get_many([generation_key, copy_key])
        generation = found.get(generation_key)
        if generation is None:
            cache.add(generation_key, time.time_ns(), timeout=None)
            generation = cache.get(generation_key)
        copy = found.get(copy_key)
        if copy is not None and copy[0] == generation:
            user = copy[1]
            return user if self.user_can_authenticate(user) else None
        user = super().get_user(user_id)  # read after the generation: a change committing now raises it
        if user is not None:
            cache.set(copy_key, (generation, user), TIMEOUT)
        return user


class ModelBackend(CachedUserMixin, DjangoModelBackend):
    pass


class AuthenticationBackend(CachedUserMixin, AllauthBackend):
    pass
