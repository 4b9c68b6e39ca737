"""Django's Redis cache, reusing one client per connection pool.

Django 5.2's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` object on every cache
call; on a cached catalogue answer that set-up was a measurable share of the request
(docs/performance.md). A ``redis.Redis`` is thread-safe and cheap to keep, so keep one per pool.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class PooledClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(
                    self._servers[index], **self._pool_options
                )
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class PooledRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = PooledClientRedisCacheClient
