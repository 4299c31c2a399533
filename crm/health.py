"""Liveness checks of the servers the project needs, for health pages and the worker ping."""

import redis
from django.conf import settings
from django.db import connection


def redis_ping() -> bool:
    try:
        client = redis.Redis.from_url(settings.REDIS_CACHE_URL, socket_timeout=2)
        return bool(client.ping())
    except redis.RedisError:
        return False


def database_name() -> str:
    """The database this process reaches (a round trip: proves the connection works)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        return str(cursor.fetchone()[0])
