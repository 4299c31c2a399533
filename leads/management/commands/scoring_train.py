"""`manage.py scoring_train [--activate]`: train a scoring model now and print its metrics."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from leads.scoring.models import ModelStatus
from leads.scoring.training import scoring_model_activate, time_auc, train


class Command(BaseCommand):
    help = "Train a lead-scoring model version on converted vs disqualified leads; print metrics."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--activate", action="store_true", help="Make it the active version.")
        parser.add_argument("--json", action="store_true", help="Print all metrics as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        version = train()
        self.stdout.write(f"v{version.pk} {version.status}: {version.message}")
        if version.status != ModelStatus.READY:
            return
        if options["json"]:
            self.stdout.write(json.dumps(version.metrics, indent=2))
        self.stdout.write(metrics_table(version.metrics))
        if options["activate"]:
            scoring_model_activate(actor=None, version=version)
            self.stdout.write(
                f"v{version.pk} is active (AUC {time_auc(version)}); rescoring queued."
            )


def metrics_table(metrics: dict[str, Any]) -> str:
    lines = [f"{'hold-out':<11} {'scorer':<9} {'AUC':>6} {'acc':>6} {'prec':>6} {'recall':>6} "
             f"{'Brier':>6} {'lift@10%':>8}"]  # fmt: skip
    for split, figures in metrics.items():
        for scorer in ("model", "rules", "baseline"):
            m = figures[scorer]
            auc = "-" if m["auc"] is None else f"{m['auc']:.3f}"
            lines.append(
                f"{split:<11} {scorer:<9} {auc:>6} {m['accuracy']:>6.3f} {m['precision']:>6.3f} "
                f"{m['recall']:>6.3f} {m['brier']:>6.3f} {m['top_decile_lift']:>8.2f}"
            )
    return "\n".join(lines)
