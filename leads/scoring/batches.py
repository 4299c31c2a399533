"""Which leads to score: id ranges for a full rescore, and the stale ones for the reconciler."""

from django.db import connection

from leads.models.leads import Lead
from leads.scoring.engine import BATCH_SIZE, load_state, score_leads, scoring_settings

RANGES_SQL = """
SELECT min(id), max(id) FROM (
    SELECT id, (row_number() OVER (ORDER BY id) - 1) / %s AS chunk
    FROM leads_lead WHERE deleted_at IS NULL
) AS numbered GROUP BY chunk ORDER BY 1
"""


def id_ranges(size: int = BATCH_SIZE) -> list[tuple[int, int]]:
    """[(first id, last id)] covering every live lead, `size` leads per range, in one scan."""
    with connection.cursor() as cursor:
        cursor.execute(RANGES_SQL, [size])
        return [(int(low), int(high)) for low, high in cursor.fetchall()]


def score_range(low: int, high: int) -> int:
    ids = list(Lead.objects.alive().filter(pk__gte=low, pk__lte=high).values_list("pk", flat=True))
    return score_leads(ids)


def score_all(size: int = BATCH_SIZE) -> int:
    """Every live lead, in batches, in this process (`scoring_rescore --sync`)."""
    state = load_state()
    done = 0
    for low, high in id_ranges(size):
        ids = Lead.objects.alive().filter(pk__gte=low, pk__lte=high).values_list("pk", flat=True)
        done += score_leads(list(ids), state=state)
    return done


STALE_SQL = """
SELECT l.id FROM leads_lead AS l LEFT JOIN leads_leadscore AS s ON s.lead_id = l.id
WHERE l.deleted_at IS NULL
  AND (s.lead_id IS NULL OR s.generation <> %s OR s.scored_at < l.updated_at)
ORDER BY l.id LIMIT %s
"""


def stale_ids(limit: int = 20000) -> list[int]:
    """Live leads never scored, scored under an older generation, or edited since."""
    generation = scoring_settings().generation
    with connection.cursor() as cursor:
        cursor.execute(STALE_SQL, [generation, limit])
        return [int(row[0]) for row in cursor.fetchall()]
