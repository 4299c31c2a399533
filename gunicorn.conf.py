"""gunicorn settings for the web container (`gunicorn -c gunicorn.conf.py crm.wsgi`).

Threaded workers: a request that waits on PostgreSQL or Redis doesn't hold a whole
process, so a slow page no longer queues every request behind it. Sized for a small host
by default (2 processes x 4 threads on 2 cores); set WEB_CONCURRENCY (processes, about one
per core) and WEB_THREADS (threads per process) for a bigger one. Each thread keeps its own
database connection (CONN_MAX_AGE), so PostgreSQL needs WEB_CONCURRENCY x WEB_THREADS
connections per web container, plus the workers'.
"""

import os

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = 60
graceful_timeout = 30
keepalive = 5
# Recycle processes now and then (with jitter, so they don't all restart together).
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
