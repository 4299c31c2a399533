"""Send a Celery task from a request without letting a broker outage fail the request.

The write is committed before its follow-up task is sent (`transaction.on_commit`), so when
Redis is down the data is safe and only the follow-up waits: imports are picked up again by
the stalled-job sweep, scores by the scoring reconcile, custom-field indexes by the next save.
Answering 500 for a saved record would only make the client retry and double it.
"""

import logging
from collections.abc import Callable
from typing import Any

from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("crm.dispatch")

BROKER_ERRORS = (OperationalError, RedisConnectionError, RedisTimeoutError, OSError)


def send_safely(send: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
    """Call `send(*args, **kwargs)` (a `.delay`, `.apply_async` or `app.send_task`).

    Answers whether it was sent; a broker error is logged, not raised.
    """
    try:
        send(*args, **kwargs)
    except BROKER_ERRORS as exc:
        name = getattr(getattr(send, "__self__", None), "name", None) or getattr(
            send, "__name__", repr(send)
        )
        logger.warning(
            "Broker unavailable (%s); %s %s not sent, its sweep will pick the work up.",
            exc.__class__.__name__,
            name,
            args[:1],
        )
        return False
    return True
