"""Redis down, pages still serve and no work is lost (issue 18). Two rules, both global:

- **Queued work runs in-process when the queue cannot be reached.** ``ResilientTask`` is the Celery app's task class:
  when publishing a task to the broker fails (Redis down), the task runs at once in the calling process
  (``Task.apply``), as it does in the demo without Redis, and the failure is logged. Nothing is queued anywhere a
  restart could lose it; the caller gets the task's result as if a worker had run it. A large import committed this
  way takes its time in the request, and the page shows it done.
- **The cache is an optimisation, never a dependency.** ``ResilientRedisCache`` answers a read with the default and
  forgets a write while Redis is unreachable (logged), so rate limits and progress bars degrade instead of turning
  every page into a 500. Login lockout lives in the database (django-axes), not in the cache.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, signature
from django.core.cache.backends.redis import RedisCache
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

try:  # redis-py's own errors, raised by the cache client
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    REDIS_DOWN: tuple[type[BaseException], ...] = (RedisConnectionError, RedisTimeoutError, ConnectionError)
except ImportError:  # pragma: no cover - redis is a dependency of celery[redis]
    REDIS_DOWN = (ConnectionError,)

QUEUE_DOWN: tuple[type[BaseException], ...] = (BrokerError, *REDIS_DOWN)
# Publishing gives up quickly when the broker is down: the request must not hang on it.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def _queue_down(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it: the result backend wraps Redis's error in a RuntimeError) is Redis down."""
    while exc is not None:
        if isinstance(exc, QUEUE_DOWN):
            return True
        exc = exc.__cause__
    return False


class ResilientTask(Task[Any, Any]):
    def apply_async(self, args: Any = None, kwargs: Any = None, *rest: Any, **options: Any) -> Any:
        if self.app.conf.task_always_eager:
            return super().apply_async(args, kwargs, *rest, **options)
        options.setdefault("retry_policy", PUBLISH_RETRY_POLICY)
        try:
            return super().apply_async(args, kwargs, *rest, **options)
        except Exception as exc:
            if not _queue_down(exc):
                raise
            logger.warning("queue unreachable (%s): running %s in-process", exc, self.name)
            result = self.apply(
                args,
                kwargs,
                task_id=options.get("task_id"),
                link=options.get("link"),
                link_error=options.get("link_error"),
            )
            chained = list(options.get("chain") or [])  # a chain's next tasks, last first, as a worker would run them
            if chained and result.successful():
                following = signature(chained.pop(), app=self.app)
                following.apply_async((result.result,), chain=chained)
            return result


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, degrading to a miss (reads) or a no-op (writes) while Redis is unreachable."""

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        try:
            return super().get(key, default, version)
        except REDIS_DOWN as exc:
            logger.warning("cache unreachable on get: %s", exc)
            return default

    def set(self, key: Any, value: Any, timeout: Any = None, version: Any = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except REDIS_DOWN as exc:
            logger.warning("cache unreachable on set: %s", exc)

    def add(self, key: Any, value: Any, timeout: Any = None, version: Any = None) -> bool:
        try:
            return bool(super().add(key, value, timeout, version))
        except REDIS_DOWN as exc:
            logger.warning("cache unreachable on add: %s", exc)
            return False

    def delete(self, key: Any, version: Any = None) -> bool:
        try:
            return bool(super().delete(key, version))
        except REDIS_DOWN as exc:
            logger.warning("cache unreachable on delete: %s", exc)
            return False

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        try:
            return int(super().incr(key, delta, version))
        except REDIS_DOWN as exc:
            logger.warning("cache unreachable on incr: %s", exc)
            raise ValueError("cache unreachable") from exc

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        try:
            return dict(super().get_many(keys, version))
        except REDIS_DOWN as exc:
            logger.warning("cache unreachable on get_many: %s", exc)
            return {}

    def set_many(self, data: Any, timeout: Any = None, version: Any = None) -> list[Any]:
        try:
            return list(super().set_many(data, timeout, version))
        except REDIS_DOWN as exc:
            logger.warning("cache unreachable on set_many: %s", exc)
            return list(data)

    def has_key(self, key: Any, version: Any = None) -> bool:
        try:
            return bool(super().has_key(key, version))
        except REDIS_DOWN as exc:
            logger.warning("cache unreachable on has_key: %s", exc)
            return False
