"""Lead pages for a manager's scope, driven from the owner side.

A manager sees the leads of a few owners (their subtree) among a million. Left alone,
PostgreSQL walks a global sort index (`lead_created`, `lead_temperature_created`, …) and
throws away every row of other owners: 100k+ rows for one page. Here the page is the
UNION ALL of one `owner_id = X … ORDER BY … LIMIT n` per owner (each an index range scan on
an owner-leading index: lead_owner_created, lead_owner_temp_created, lead_owner_name,
lead_owner_score) plus one branch for records shared with the manager; the outer query keeps
every filter and the visibility rule and sorts at most (owners + 1) * n rows. Same rows,
same order as the plain query, by construction: every row of the global first n is among the
first n of its own owner.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from crm.models import User
from crm.visibility import OwnerScope, owner_scope
from leads.models import Lead

# Above this many owners a scope is a large part of the table and the global indexes win.
MAX_OWNER_BRANCHES = 60


@dataclass(frozen=True)
class LeadPlan:
    """How to run one lead list request: `scope` set means "branch per owner"."""

    scope: OwnerScope | None = None

    @property
    def per_owner(self) -> bool:
        return self.scope is not None


def lead_plan(*, actor: User, owner_filter: int | None = None) -> LeadPlan:
    """Per-owner branches for a manager whose scope is a handful of owners; else the plain
    query (admins: global indexes; reps and an owner filter: one owner-leading index)."""
    if owner_filter:
        return LeadPlan()
    scope = owner_scope(actor, Lead)
    if scope is None or not 1 < len(scope.owner_ids) <= MAX_OWNER_BRANCHES:
        return LeadPlan()
    return LeadPlan(scope=scope)


def _branches(
    leads: QuerySet[Lead], scope: OwnerScope, limit: int, base: QuerySet[Lead] | None
) -> QuerySet[Any]:
    """Ids of the first `limit` rows per owner and among shared rows.

    The branches come from `base` when given: the same filters and order *without* the
    visibility rule. Each branch names one owner of the scope (or the shared ids), so it is
    inside the rule by construction, and the outer query keeps the rule anyway. Repeating
    `owner_id IN (…)` inside `owner_id = X` makes PostgreSQL multiply the two selectivities
    (an estimate of ~240 rows for 5,000) and pick a bitmap scan and a sort over the owner's
    every lead instead of the ordered index range scan that stops after `limit` rows."""
    source = base if base is not None else leads
    parts = [source.filter(owner_id=owner).values("id")[:limit] for owner in scope.owner_ids]
    if scope.shared_ids:
        parts.append(source.filter(pk__in=scope.shared_ids).values("id")[:limit])
    return parts[0].union(*parts[1:], all=True)


def per_owner_rows(
    leads: QuerySet[Lead], scope: OwnerScope, limit: int, base: QuerySet[Lead] | None = None
) -> list[Lead]:
    """The first `limit` rows of the ordered `leads`, assembled from per-owner branches."""
    return list(leads.filter(id__in=_branches(leads, scope, limit, base))[:limit])


def per_owner_count(
    leads: QuerySet[Lead], scope: OwnerScope, cap: int, base: QuerySet[Lead] | None = None
) -> int:
    """How many rows `leads` holds, counting at most cap + 1 (per-owner branches)."""
    # Branches stay ordered: "LIMIT n in index order" keeps each on its owner index.
    ids = _branches(leads, scope, cap + 1, base)
    return leads.order_by().filter(id__in=ids)[: cap + 1].count()
