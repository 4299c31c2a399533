"""Who gets a lead: admin-ordered assignment rules, a fallback owner, bulk reassignment."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from crm.errors import DomainError, PermissionDenied
from crm.models import Role, User
from crm.models.audit import AuditAction
from crm.models.soft_delete import alive_q
from crm.services.audit import audit, diff, snapshot
from crm.visibility import check_owner_change, reassignable, visible
from leads.models import (
    OPEN_STATUSES,
    AssignmentAction,
    AssignmentRule,
    Lead,
    LeadSettings,
)
from leads.services._common import lock_editable_lead
from leads.services.notify import notify_assigned

RULE_FIELDS = (
    "name",
    "position",
    "is_active",
    "country",
    "region",
    "source_id",
    "min_employees",
    "max_employees",
    "action",
    "user_id",
    "team_id",
)


def _matches(rule: AssignmentRule, lead: Lead) -> bool:
    if rule.country and rule.country.strip().lower() != lead.country.strip().lower():
        return False
    if rule.region and rule.region.strip().lower() != lead.region.strip().lower():
        return False
    if rule.source_id and rule.source_id != lead.source_id:
        return False
    if rule.min_employees is not None and (
        lead.employee_count is None or lead.employee_count < rule.min_employees
    ):
        return False
    return not (
        rule.max_employees is not None
        and (lead.employee_count is None or lead.employee_count > rule.max_employees)
    )


def _team_members(rule: AssignmentRule) -> list[User]:
    members = User.objects.filter(team=rule.team, is_active=True)
    reps = list(members.filter(role=Role.REP).order_by("id"))
    return reps or list(members.order_by("id"))


def _round_robin(rule: AssignmentRule) -> User | None:
    rule = AssignmentRule.objects.select_for_update().get(pk=rule.pk)
    members = _team_members(rule)
    if not members:
        return None
    after = [m for m in members if rule.last_assigned_id and m.pk > rule.last_assigned_id]
    chosen = after[0] if after else members[0]
    rule.last_assigned = chosen
    rule.save(update_fields=["last_assigned"])
    return chosen


def _least_loaded(rule: AssignmentRule) -> User | None:
    # Lock the rule so two concurrent assignments don't both pick the same "least" rep.
    AssignmentRule.objects.select_for_update().filter(pk=rule.pk).first()
    members = _team_members(rule)
    if not members:
        return None
    open_leads = Count("leads", filter=Q(leads__status__in=OPEN_STATUSES) & alive_q("leads"))
    loads = dict(
        User.objects.filter(pk__in=[m.pk for m in members])
        .annotate(load=open_leads)
        .values_list("pk", "load")
    )
    return min(members, key=lambda m: (loads.get(m.pk, 0), m.pk))


def fallback_owner() -> User | None:
    settings = LeadSettings.current()
    if settings and settings.fallback_owner and settings.fallback_owner.is_active:
        return settings.fallback_owner
    return User.objects.filter(role=Role.ADMIN, is_active=True).order_by("id").first()


def pick_owner(lead: Lead) -> tuple[User, AssignmentRule | None]:
    """The owner the rules give `lead` (call inside a transaction: round robin locks)."""
    for rule in AssignmentRule.objects.filter(is_active=True).select_related("user"):
        if not _matches(rule, lead):
            continue
        owner: User | None = None
        if rule.action == AssignmentAction.USER:
            owner = rule.user if rule.user and rule.user.is_active else None
        elif rule.action == AssignmentAction.ROUND_ROBIN:
            owner = _round_robin(rule)
        else:
            owner = _least_loaded(rule)
        if owner is not None:
            return owner, rule
    owner = fallback_owner()
    if owner is None:
        raise DomainError("No active user can receive this lead; set a fallback owner.")
    return owner, None


def pick_owners(leads: Sequence[Lead]) -> list[tuple[User, AssignmentRule | None]]:
    """`pick_owner` for many new leads at once (imports): the same ordered rules, each
    rule's team and loads read once, round robin and least loaded advanced lead by lead
    in memory, the round-robin pointers saved at the end. Call inside a transaction."""
    rules = list(AssignmentRule.objects.filter(is_active=True).select_related("user"))
    team_rules = [r.pk for r in rules if r.action != AssignmentAction.USER]
    if team_rules:  # lock them, as the one-by-one path does
        list(AssignmentRule.objects.select_for_update().filter(pk__in=team_rules))
    members: dict[int, list[User]] = {}
    loads: dict[int, int] = {}
    pointers: dict[int, int | None] = {r.pk: r.last_assigned_id for r in rules}
    moved: set[int] = set()
    fallback: list[User | None] = []

    def team(rule: AssignmentRule) -> list[User]:
        if rule.pk not in members:
            members[rule.pk] = _team_members(rule)
            unknown = [m.pk for m in members[rule.pk] if m.pk not in loads]
            if rule.action == AssignmentAction.LEAST_LOADED and unknown:
                open_leads = Count(
                    "leads",
                    filter=Q(leads__status__in=OPEN_STATUSES) & alive_q("leads"),
                )
                loads.update(
                    User.objects.filter(pk__in=unknown)
                    .annotate(load=open_leads)
                    .values_list("pk", "load")
                )
        return members[rule.pk]

    def choose(rule: AssignmentRule) -> User | None:
        if rule.action == AssignmentAction.USER:
            return rule.user if rule.user and rule.user.is_active else None
        people = team(rule)
        if not people:
            return None
        if rule.action == AssignmentAction.ROUND_ROBIN:
            last = pointers[rule.pk]
            after = [m for m in people if last and m.pk > last]
            chosen = after[0] if after else people[0]
            pointers[rule.pk] = chosen.pk
            moved.add(rule.pk)
            return chosen
        return min(people, key=lambda m: (loads.get(m.pk, 0), m.pk))

    picked: list[tuple[User, AssignmentRule | None]] = []
    for lead in leads:
        for rule in rules:
            if _matches(rule, lead) and (owner := choose(rule)) is not None:
                picked.append((owner, rule))
                break
        else:
            if not fallback:
                fallback.append(fallback_owner())
            if fallback[0] is None:
                raise DomainError("No active user can receive this lead; set a fallback owner.")
            picked.append((fallback[0], None))
        if lead.status in OPEN_STATUSES:
            owner_pk = picked[-1][0].pk
            loads[owner_pk] = loads.get(owner_pk, 0) + 1
    for rule in rules:
        if rule.pk in moved:
            AssignmentRule.objects.filter(pk=rule.pk).update(last_assigned_id=pointers[rule.pk])
    return picked


@transaction.atomic
def lead_assign_by_rules(*, actor: User, lead: Lead) -> Lead:
    """Re-run the assignment rules on an existing lead."""
    lead = lock_editable_lead(actor, lead)
    if actor.is_rep:
        raise PermissionDenied("Only managers and administrators reassign leads.")
    if not reassignable(actor, Lead.objects.filter(pk=lead.pk)).exists():
        raise PermissionDenied("Only the owner's manager or an administrator can reassign it.")
    owner, rule = pick_owner(lead)
    return _set_owner(actor=actor, lead=lead, owner=owner, rule=rule)


def _set_owner(*, actor: User | None, lead: Lead, owner: User, rule: AssignmentRule | None) -> Lead:
    before = lead.owner_id
    if before == owner.pk:
        return lead
    lead.owner = owner
    lead.assigned_at = timezone.now()
    lead.assignment_seen_at = None
    lead.save(update_fields=["owner", "assigned_at", "assignment_seen_at", "updated_at"])
    audit(
        actor=actor,
        obj=lead,
        action=AuditAction.ASSIGN,
        changes={"owner_id": [before, owner.pk], "rule": rule.pk if rule else None},
    )
    notify_assigned(owner=owner, lead=lead, actor=actor)
    return lead


@transaction.atomic
def leads_bulk_assign(*, actor: User, lead_ids: Iterable[int], owner: User) -> int:
    """Managers and admins give many leads to one rep: only leads whose owner they may change
    (their subtree's; an edit share doesn't count), only to users in their subtree (admins:
    anyone active). Returns how many moved."""
    if actor.is_rep:
        raise PermissionDenied("Only managers and administrators reassign leads.")
    owner = check_owner_change(actor, None, owner)
    ids = list(lead_ids)
    leads = reassignable(actor, visible(actor, Lead.objects.alive().filter(pk__in=ids)))
    leads = leads.select_for_update()
    moved = 0
    for lead in leads.order_by("id"):
        if lead.owner_id != owner.pk:
            _set_owner(actor=actor, lead=lead, owner=owner, rule=None)
            moved += 1
    return moved


def _check_rule(data: dict[str, Any]) -> None:
    action = data.get("action")
    if action == AssignmentAction.USER and not data.get("user"):
        raise DomainError("Pick the rep this rule assigns to.", field="user")
    if action in (AssignmentAction.ROUND_ROBIN, AssignmentAction.LEAST_LOADED) and not data.get(
        "team"
    ):
        raise DomainError("Pick the team this rule assigns within.", field="team")
    low, high = data.get("min_employees"), data.get("max_employees")
    if low is not None and high is not None and low > high:
        raise DomainError("The minimum is above the maximum.", field="max_employees")


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise PermissionDenied("Only administrators edit assignment rules.")


@transaction.atomic
def assignment_rule_create(*, actor: User, **data: Any) -> AssignmentRule:
    _require_admin(actor)
    _check_rule(data)
    if data.get("action") != AssignmentAction.USER:
        data["user"] = None
    else:
        data["team"] = None
    rule = AssignmentRule.objects.create(**data)
    audit(actor=actor, obj=rule, action=AuditAction.CREATE, changes=snapshot(rule, RULE_FIELDS))
    return rule


@transaction.atomic
def assignment_rule_update(
    *, actor: User, rule: AssignmentRule, data: dict[str, Any]
) -> AssignmentRule:
    _require_admin(actor)
    rule = AssignmentRule.objects.select_for_update().get(pk=rule.pk)
    before = snapshot(rule, RULE_FIELDS)
    merged = {**{f.removesuffix("_id"): getattr(rule, f.removesuffix("_id")) for f in RULE_FIELDS}}
    merged.update(data)
    _check_rule(merged)
    for key, value in data.items():
        setattr(rule, key, value)
    if rule.action == AssignmentAction.USER:
        rule.team = None
    else:
        rule.user = None
    rule.save()
    audit(
        actor=actor,
        obj=rule,
        action=AuditAction.UPDATE,
        changes=diff(before, snapshot(rule, RULE_FIELDS)),
    )
    return rule


@transaction.atomic
def assignment_rule_delete(*, actor: User, rule: AssignmentRule) -> None:
    _require_admin(actor)
    audit(actor=actor, obj=rule, action=AuditAction.DELETE, changes=snapshot(rule, RULE_FIELDS))
    rule.delete()


@transaction.atomic
def lead_settings_update(
    *, actor: User, fallback_owner: User | None, new_lead_days: int
) -> LeadSettings:
    _require_admin(actor)
    if fallback_owner is not None and not fallback_owner.is_active:
        raise DomainError("The fallback owner must be an active user.", field="fallback_owner")
    settings, _ = LeadSettings.objects.select_for_update().get_or_create(pk=1)
    before = snapshot(settings)
    settings.fallback_owner = fallback_owner
    settings.new_lead_days = new_lead_days
    settings.save()
    audit(
        actor=actor,
        obj=settings,
        action=AuditAction.UPDATE,
        changes=diff(before, snapshot(settings)),
    )
    return settings
