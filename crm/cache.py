"""The cache backend: Django's RedisCache that degrades instead of failing while Redis is down.

Requests only use the cache for throttles, rate windows and short-lived hints; PostgreSQL
holds everything that matters. So a cache error must not turn a read or a write into a 500:
reads miss (`get` answers the default), writes are dropped, counters start again, and a
warning is logged (at most once every LOG_EVERY_SECONDS per process, so an outage doesn't
flood the log). Throttles therefore fail open while Redis is away.
"""

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("crm.cache")

CACHE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
LOG_EVERY_SECONDS = 30.0


class _Warn:
    lock = threading.Lock()
    last = 0.0
    dropped = 0


def _warn(operation: str, exc: BaseException) -> None:
    with _Warn.lock:
        now = time.monotonic()
        _Warn.dropped += 1
        if now - _Warn.last < LOG_EVERY_SECONDS and _Warn.last:
            return
        dropped, _Warn.dropped, _Warn.last = _Warn.dropped, 0, now
    logger.warning(
        "Cache unavailable (%s: %s); failing open: throttles are off and %d cache "
        "operation(s) answered as misses since the last warning.",
        operation,
        exc.__class__.__name__,
        dropped,
    )


class _Breaker:
    """After a failure, skip Redis for RETRY_AFTER_SECONDS: each request then costs nothing
    extra during an outage instead of a connect attempt (and redis-py's retries) per call."""

    lock = threading.Lock()
    down_until = 0.0


RETRY_AFTER_SECONDS = 5.0


class _Skipped(Exception):
    pass


class ResilientRedisCache(RedisCache):
    def _call(self, operation: str, default: Any, call: Any, *args: Any) -> Any:
        if time.monotonic() < _Breaker.down_until:
            _warn(operation, _Skipped())
            return default
        try:
            return call(*args)
        except CACHE_ERRORS as exc:
            with _Breaker.lock:
                _Breaker.down_until = time.monotonic() + RETRY_AFTER_SECONDS
            _warn(operation, exc)
            return default

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._call("get", default, super().get, key, default, version)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._call("get_many", {}, super().get_many, keys, version)  # type: ignore[no-any-return]

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._call("has_key", False, super().has_key, key, version)  # type: ignore[no-any-return]

    def set(self, key: Any, value: Any, timeout: Any = 300, version: int | None = None) -> None:
        self._call("set", None, super().set, key, value, timeout, version)

    def set_many(self, data: Any, timeout: Any = 300, version: int | None = None) -> list[Any]:
        return self._call("set_many", list(data), super().set_many, data, timeout, version)  # type: ignore[no-any-return]

    def add(self, key: Any, value: Any, timeout: Any = 300, version: int | None = None) -> bool:
        return self._call("add", False, super().add, key, value, timeout, version)  # type: ignore[no-any-return]

    def touch(self, key: Any, timeout: Any = 300, version: int | None = None) -> bool:
        return self._call("touch", False, super().touch, key, timeout, version)  # type: ignore[no-any-return]

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # A counter that can't be read starts again: rate limits fail open.
        return self._call("incr", delta, super().incr, key, delta, version)  # type: ignore[no-any-return]

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._call("delete", False, super().delete, key, version)  # type: ignore[no-any-return]

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._call("delete_many", None, super().delete_many, keys, version)
