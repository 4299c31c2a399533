# One image for web (gunicorn), worker and beat (celery); see docker-compose.yml.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=crm.settings.production

RUN groupadd --system crm \
    && useradd --system --gid crm --no-create-home --home-dir /app --shell /usr/sbin/nologin crm

WORKDIR /app

# Dependencies in their own layer, rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; open('/tmp/requirements.txt', 'w').write('\n'.join(deps))" \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
# The code runs from /app (PYTHONPATH), next to templates/ and static/; the install
# records the package metadata. collectstatic needs settings that boot, not real secrets.
RUN pip install --no-deps . \
    && SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
       python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media \
    && chown -R crm:crm /app/var

USER crm
EXPOSE 8000

# Threaded workers: WEB_CONCURRENCY processes x WEB_THREADS threads (gunicorn.conf.py).
# Worker and beat override this command.
CMD ["gunicorn", "-c", "gunicorn.conf.py", "crm.wsgi:application"]
