import redis
from django.conf import settings


def redis_ping() -> bool:
    try:
        client = redis.Redis.from_url(settings.REDIS_CACHE_URL, socket_timeout=2)
        return bool(client.ping())
    except redis.RedisError:
        return False
