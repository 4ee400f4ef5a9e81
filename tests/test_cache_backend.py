"""The Redis cache backend that reuses its client (portal.cache), against the test Redis."""

import uuid

import pytest
from django.conf import settings

from portal.cache import RedisCache


@pytest.fixture
def redis_cache():
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs Redis (CELERY_BROKER_URL)")
    cache = RedisCache(settings.CELERY_BROKER_URL, {"KEY_PREFIX": f"test-cache-{uuid.uuid4().hex}"})
    yield cache
    cache.delete_many(["a", "b", "n"])


def test_one_client_serves_every_operation(redis_cache):
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client(write=True) is client
    redis_cache.set("a", {"page": b"<html>"}, 30)
    redis_cache.set("n", 1, 30)
    assert redis_cache.incr("n") == 2
    assert redis_cache.get_many(["a", "n", "b"]) == {"a": {"page": b"<html>"}, "n": 2}
    assert redis_cache.add("a", "other", 30) is False
    redis_cache.delete("a")
    assert redis_cache.get("a") is None
    assert redis_cache._cache.get_client() is client


def test_keys_memcached_would_refuse_are_fine_for_redis(redis_cache, recwarn):
    key = "a" * 300 + " mit Leerzeichen"
    redis_cache.set(key, 1, 30)
    assert redis_cache.get(key) == 1
    redis_cache.delete(key)
    assert not [w for w in recwarn if "memcached" in str(w.message).lower()]
