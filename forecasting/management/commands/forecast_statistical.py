"""`manage.py forecast_statistical [--scope company|team:<id>|user:<id>] [--horizon 12]
[--as-of YYYY-MM-DD] [--json] [--as email]`

The same forecast as `GET /api/v1/forecasts/statistical/`, seen by `--as` (default: the
first active administrator).
"""

import datetime as dt
import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crm.errors import DomainError
from crm.models import Role, User
from forecasting.statistical.report import statistical_forecast


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise CommandError(f"--as-of {raw!r}: use YYYY-MM-DD.") from exc


class Command(BaseCommand):
    help = "Statistical forecast (ETS, seasonal naive, pipeline estimate, backtests) of a scope."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--scope", default="company", help="company, team:<id> or user:<id>")
        parser.add_argument("--horizon", type=int, default=12, help="Months ahead (1-36).")
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD; default today.")
        parser.add_argument("--json", action="store_true", help="Print the API's JSON.")
        parser.add_argument("--as", dest="as_user", help="Email of the user asking.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = _user(options["as_user"])
        as_of = _date(options["as_of"]) if options["as_of"] else timezone.localdate()
        try:
            body = statistical_forecast(
                user=user, scope=options["scope"], horizon=options["horizon"], as_of=as_of
            )
        except DomainError as error:
            where = f"--{error.field.replace('_', '-')}: " if error.field else ""
            raise CommandError(f"{where}{error.message}") from error
        if options["json"]:
            self.stdout.write(json.dumps(body, indent=2))
            return
        self._table(body)

    def _table(self, body: dict[str, Any]) -> None:
        write = self.stdout.write
        write(f"{body['scope_label']} as of {body['as_of']} ({body['currency']})")
        write(f"Method: {body['method'] or '-'}")
        if body["message"]:
            write(body["message"])
        naive = {m["month"]: m for m in (body["seasonal_naive"] or {}).get("months", [])}
        write(
            f"{'month':8} {'value':>12} {'80 % interval':>27} {'95 % interval':>27} {'naive':>12}"
        )
        for month in body["months"]:
            write(
                f"{month['month']:8} {month['value']:>12,.2f} "
                f"{month['low_80']:>13,.2f}-{month['high_80']:<13,.2f} "
                f"{month['low_95']:>13,.2f}-{month['high_95']:<13,.2f} "
                f"{naive.get(month['month'], {}).get('value') or 0:>12,.2f}"
            )
        for test in body["backtests"]:
            write(f"{test['description']} (ETS form {test['ets_form']}):")
            for name in ("ets", "seasonal_naive"):
                score = test[name]
                write(
                    f"  {name:15} RMSE {score['rmse']}  MAPE {score['mape']} %  "
                    f"80 % coverage {score['coverage_80']} %"
                )


def _user(email: str | None) -> User:
    users = User.objects.filter(is_active=True)
    user = (
        users.filter(email__iexact=email).first()
        if email
        else users.filter(role=Role.ADMIN).order_by("id").first()
    )
    if user is None:
        raise CommandError(f"No active user {email}." if email else "No active admin; use --as.")
    return user
