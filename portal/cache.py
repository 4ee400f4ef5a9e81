"""Django's Redis cache backend, with one Redis client per connection pool instead of one per operation.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` object on every cache call; with
redis-py 8 that alone costs about 0.1 ms (it fills a dictionary of response callbacks each time), more than
the round trip to a local Redis. A Redis client object is safe to share: it takes a connection from its pool
for each command. Selected in ``portal.settings`` whenever ``CACHE_URL`` names a Redis server.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def validate_key(self, key):
        """Redis takes any key; the base class checks each character against memcached's limits."""
