"""Before saving a rule: how today's open leads would score and move between bands, in SQL."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Round
from django.utils import timezone

from crm.models import User
from crm.visibility import visible
from leads.models.leads import OPEN_STATUSES, SCORE_BANDS, Lead
from leads.scoring.engine import scoring_settings
from leads.scoring.models import ScoringRule
from leads.scoring.rules import active_rules, compile_rules, describe, rule_score_expression

BANDS = (*SCORE_BANDS, "")
EXAMPLES = 10


@dataclass
class Preview:
    rule_text: str
    leads: int
    before: dict[str, int]
    after: dict[str, int]
    moves: dict[str, dict[str, int]]  # before band -> after band -> leads
    examples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def moved(self) -> int:
        return sum(n for old, row in self.moves.items() for new, n in row.items() if old != new)

    def rows(self) -> list[tuple[str, list[int]]]:
        """Matrix rows for the page: (before band, [leads per after band])."""
        return [(old or "—", [self.moves[old][new] for new in BANDS]) for old in BANDS]


def _band(expression: Any) -> Case:
    whens = [
        When(Q(**{f"{expression}__gte": low}), then=Value(b)) for b, (low, _) in SCORE_BANDS.items()
    ]
    return Case(*whens, default=Value(""))


def preview_rules(
    *, actor: User, proposed: ScoringRule | None, remove: ScoringRule | None = None
) -> Preview:
    """Bands of open leads now (stored score) and with `proposed` added (replacing the rule
    of the same id) or `remove` taken out. The model's stored share is kept as it is."""
    rules = [
        r
        for r in active_rules()
        if r.pk not in {getattr(proposed, "pk", None), getattr(remove, "pk", None)}
    ]
    if proposed is not None and proposed.is_active:
        rules.append(proposed)
    compiled = compile_rules(rules, now=timezone.now())
    settings = scoring_settings()
    weight = settings.model_weight / 100.0 if settings.active_model_id else 0.0
    leads: QuerySet[Lead] = visible(actor, Lead.objects.alive()).filter(status__in=OPEN_STATUSES)
    leads = leads.annotate(new_rule=rule_score_expression(compiled))
    combined: Any = F("new_rule")
    if weight > 0:
        combined = Case(
            When(
                scoring__model_score__isnull=False,
                then=Cast(
                    Round(F("scoring__model_score") * weight + F("new_rule") * (1 - weight)),
                    output_field=IntegerField(),
                ),
            ),
            default=F("new_rule"),
            output_field=IntegerField(),
        )
    leads = leads.annotate(new_score=combined)
    grouped = (
        leads.annotate(old_band=_band("score"), new_band=_band("new_score"))
        .values("old_band", "new_band")
        .annotate(n=Count("pk"))
        .order_by()
    )
    moves = {old: dict.fromkeys(BANDS, 0) for old in BANDS}
    for row in grouped:
        moves[row["old_band"]][row["new_band"]] += row["n"]
    before = {b: sum(moves[b].values()) for b in BANDS}
    after = {b: sum(moves[old][b] for old in BANDS) for b in BANDS}
    examples = [
        {
            "id": pk,
            "name": f"{first} {last}".strip() or company,
            "company": company,
            "before": old,
            "after": new,
        }
        for pk, first, last, company, old, new in leads.exclude(score=F("new_score"))
        .order_by("-new_score", "-id")
        .values_list("pk", "first_name", "last_name", "company", "score", "new_score")[:EXAMPLES]
    ]
    text = describe(proposed) if proposed is not None else (describe(remove) if remove else "")
    return Preview(
        rule_text=text,
        leads=sum(before.values()),
        before=before,
        after=after,
        moves=moves,
        examples=examples,
    )
