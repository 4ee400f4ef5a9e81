"""The page cache: a read page is rendered once per visitor kind and kept until the portal's content changes.

``page_cached`` keeps the HTML of a successful GET under a key of the language, the host, the full path and
who asks – one key for every anonymous visitor, one per login and state of its row (address, language,
staff flags …; the login's roles all live in content models, see below) – together with the *content
version* it was rendered from; it is served only while that is still the current version (both are read in
one round trip to the cache). Everything personal on a page is thus only ever served to the same login.

The content version is a number in the cache that every save or delete of a content model raises
(``content_changed``, connected in ``clusters.apps`` for every model of clusters, members – except the login
itself – events and projects): once at the change, so that a request in the same transaction never reads an
old page, and once more after the commit, so that a page a concurrent request rendered from the data before
the commit is never read either. Audience rules, memberships, board seats and staff assignments are such
models, so a change of anybody's rights drops every cached page at once. Pages also expire after
``PAGE_CACHE_SECONDS`` (default 60): what time alone changes – an event ends and leaves the upcoming list, a
registration window opens – shows within that time. ``0`` switches the cache off.

CSRF tokens differ per visitor: a page is rendered with a secret placeholder instead (the
``csrf_placeholder`` context processor) and each visitor's own token is put in when it is served. A request
with flash messages waiting is never served from (or stored in) the cache. With several server processes
the cache must be shared (``CACHE_URL``, Redis), as for the rate limits.
"""

import functools
import hashlib
import hmac
import time

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

VERSION_KEY = "pagecache:content-version"
# A request waits at most this long for another one rendering the same page.
RENDER_WAIT_SECONDS = 5


def _placeholder() -> str:
    # Derived from the secret key: the same in every process, unknown to anybody who writes content (a
    # link with the placeholder in an event description would otherwise carry a visitor's token away).
    digest = hmac.new(settings.SECRET_KEY.encode(), b"pagecache-csrf-placeholder", hashlib.sha256).hexdigest()
    return f"csrf{digest[:40]}"


CSRF_PLACEHOLDER = SimpleLazyObject(_placeholder)


def content_version() -> int:
    """The current content version (a number never used before after the cache was emptied)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def _raise_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not in the cache (emptied or evicted): start from a number never used before
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def content_changed(**kwargs) -> None:
    """Signal receiver (and for writes that send no signals): cached pages are stale from now on."""
    _raise_version()
    transaction.on_commit(_raise_version, robust=True)


def page_key(request) -> str:
    user = request.user
    who = "-"
    if user.is_authenticated:  # the whole row: a page may show any of it (address, language, names …)
        who = repr([getattr(user, field.attname) for field in user._meta.concrete_fields])
    raw = "|".join([get_language() or "", request.scheme, request.get_host(), request.get_full_path(), who])
    return "pagecache:" + hashlib.sha256(raw.encode()).hexdigest()


def _cacheable(response) -> bool:
    """A plain page: the view set no cookie and no header of its own (those would be lost)."""
    return (
        response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and set(response.headers) == {"Content-Type"}
        and not response.cookies
    )


def _lookup(key: str) -> tuple[int, bytes | None]:
    """The current content version and the page stored under ``key`` for it (None: none or stale), in one
    round trip to the cache."""
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        return content_version(), None
    entry = found.get(key)
    return version, entry[1] if entry is not None and entry[0] == version else None


def _served(request, html: bytes) -> HttpResponse:
    return HttpResponse(html.replace(str(CSRF_PLACEHOLDER).encode(), get_token(request).encode()))


def page_cached(view):
    """Serve the view's page from the page cache (see the module's description); put it inside
    ``login_required`` and the method decorators, which must still run on every request.

    While one request renders a page that is not in the cache, others asking for the same page wait for it
    (up to ``RENDER_WAIT_SECONDS``) instead of rendering it too.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        timeout = settings.PAGE_CACHE_SECONDS
        if timeout <= 0 or request.method not in ("GET", "HEAD") or len(get_messages(request)):
            return view(request, *args, **kwargs)
        key = page_key(request)
        version, html = _lookup(key)
        if html is not None:
            return _served(request, html)
        rendering = f"{key}:rendering:{version}"
        owner = cache.add(rendering, 1, timeout=RENDER_WAIT_SECONDS)
        if not owner:
            deadline = time.monotonic() + RENDER_WAIT_SECONDS
            while time.monotonic() < deadline:
                time.sleep(0.01)
                current, html = _lookup(key)
                if html is not None:
                    return _served(request, html)
                if current != version or cache.get(rendering) is None:
                    break  # the content changed meanwhile, or the other request gave up: render it here
        request.page_cache_rendering = True
        try:
            response = view(request, *args, **kwargs)
            if getattr(response, "is_rendered", True) is False:  # a TemplateResponse: render it now
                response.render()
        finally:
            request.page_cache_rendering = False
            if owner:
                cache.delete(rendering)
        if not _cacheable(response):
            placeholder = str(CSRF_PLACEHOLDER).encode()
            if not response.streaming and placeholder in response.content:  # e.g. a 400 page with a form
                response.content = response.content.replace(placeholder, get_token(request).encode())
            return response
        # Stored under the version read before rendering: if the content changed meanwhile, never served.
        cache.set(key, (version, response.content), timeout)
        return _served(request, response.content)

    return wrapper


def csrf_placeholder(request) -> dict:
    """Context processor: while a page is rendered for the page cache, ``{% csrf_token %}`` writes the
    placeholder that each visitor's own token replaces."""
    if getattr(request, "page_cache_rendering", False):
        return {"csrf_token": str(CSRF_PLACEHOLDER)}
    return {}
