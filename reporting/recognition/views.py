"""Leaderboards, the person's recognition page, challenges and the reporting settings."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render

from crm.access import (
    ADMIN,
    AUTHENTICATED,
    AuthenticatedRequest,
    access,
    get_visible_or_404,
    scoped,
)
from crm.errors import DomainError, NotFound, PermissionDenied
from crm.models import Team, User
from crm.views.forms import apply_domain_error
from forecasting import periods
from forecasting.selectors import fiscal_start_month
from reporting.diagnosis import may_diagnose
from reporting.forms import team_choices

from . import challenges as challenge_services
from .badges import badges_for
from .forms import ChallengeForm, ReportingSettingsForm
from .leaderboards import board_period, boards_for, leaderboard
from .models import Board, Challenge
from .settings import reporting_settings, reporting_settings_update


def period_choices() -> list[tuple[str, str]]:
    """The current and previous four fiscal quarters, then the last six months."""
    start_month = fiscal_start_month()
    current = periods.current(periods.QUARTER, start_month)
    choices = []
    cursor = current
    for _ in range(5):
        choices.append((cursor.key, cursor.label))
        cursor = periods.period_of(cursor.start - timedelta(days=1), periods.QUARTER, start_month)
    month = periods.current(periods.MONTH, start_month)
    for _ in range(6):
        choices.append((month.key, month.label))
        month = periods.period_of(month.start - timedelta(days=1), periods.MONTH, start_month)
    return choices


@access(AUTHENTICATED)
def leaderboards(request: AuthenticatedRequest) -> HttpResponse:
    """/reports/leaderboards/?board=&period=&team=: one board, its chart and its table."""
    shown = boards_for(request.user)
    if not shown:
        raise DjangoPermissionDenied("No leaderboard is open to you.")
    board = request.GET.get("board") or shown[0]
    if board not in shown:
        board = shown[0]
    error = ""
    try:
        span = board_period(request.GET.get("period", ""))
    except DomainError as exc:
        error, span = exc.message, board_period()
    team = None
    team_id = request.GET.get("team", "")
    if team_id.isdigit():
        team = Team.objects.filter(pk=int(team_id)).first()
    try:
        result = leaderboard(actor=request.user, board=board, span=span, team=team)
    except NotFound as exc:
        error = exc.message
        result = leaderboard(actor=request.user, board=board, span=span)
        team = None
    teams = Team.objects.order_by("path") if request.user.is_admin else team_choices(request.user)
    return render(
        request,
        "reporting/leaderboards.html",
        {
            "board": result,
            "boards": [(b, Board(b).label) for b in shown],
            "periods": period_choices(),
            "teams": teams,
            "team": team,
            "error": error,
            "mine": result.position(request.user.pk),
            "chart": result.chart(),
            "company_currency": settings.DEFAULT_CURRENCY,
            "nav_section": "reporting",
        },
    )


def _positions(actor: User, person: User) -> list[dict[str, Any]]:
    found = []
    for board in boards_for(actor):
        result = leaderboard(actor=actor, board=board)
        row = result.position(person.pk)
        found.append({"board": result, "row": row, "of": len(result.rows)})
    return found


@access(scoped("crm.User"))
def person(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A person's recognition: badges, places on the boards, their team's challenges."""
    someone = get_visible_or_404(request, User.objects.select_related("team"), pk=pk)
    return render(
        request,
        "reporting/person.html",
        {
            "person": someone,
            "badges": badges_for(someone),
            "positions": _positions(request.user, someone),
            "min_deals": reporting_settings().leaderboard_min_deals,
            "may_diagnose": may_diagnose(request.user, someone),
            "company_currency": settings.DEFAULT_CURRENCY,
            "nav_section": "reporting",
        },
    )


@access(AUTHENTICATED)
def recognition_panel(request: AuthenticatedRequest) -> HttpResponse:
    """The dashboards' recognition block (loaded by htmx after the page, so the dashboards'
    own query counts don't change): my badges and place on the boards (My numbers), and
    the running challenges the viewer sees."""
    dashboard = request.GET.get("dashboard", "rep")
    context: dict[str, Any] = {
        "dashboard": dashboard,
        "challenges": challenge_services.challenge_board(actor=request.user, running_only=True),
        "company_currency": settings.DEFAULT_CURRENCY,
    }
    if dashboard == "rep":
        context["badges"] = badges_for(request.user)[:6]
        context["positions"] = _positions(request.user, request.user)
    return render(request, "reporting/recognition/panel.html", context)


@access(AUTHENTICATED)
def challenge_list(request: AuthenticatedRequest) -> HttpResponse:
    may_set = not request.user.is_rep
    form = ChallengeForm(request.POST or None, actor=request.user) if may_set else None
    if request.method == "POST":
        if form is None:
            raise DjangoPermissionDenied("Only managers and admins set challenges.")
        if form.is_valid():
            try:
                challenge_services.challenge_create(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, "Challenge set.")
                return redirect("reporting:challenges")
    return render(
        request,
        "reporting/recognition/challenges.html",
        {
            "form": form,
            "board": challenge_services.challenge_board(actor=request.user),
            "company_currency": settings.DEFAULT_CURRENCY,
            "nav_section": "reporting",
        },
    )


@access(scoped("reporting.Challenge"))
def challenge_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    challenge = get_visible_or_404(request, Challenge.objects.select_related("team"), pk=pk)
    initial = {
        "name": challenge.name,
        "metric": challenge.metric,
        "target": challenge.target,
        "team": challenge.team,
        "starts_on": challenge.starts_on,
        "ends_on": challenge.ends_on,
    }
    form = ChallengeForm(request.POST or None, initial=initial, actor=request.user)
    if request.method == "POST":
        try:
            if "delete" in request.POST:
                challenge_services.challenge_delete(actor=request.user, challenge=challenge)
                messages.success(request, "Challenge deleted.")
                return redirect("reporting:challenges")
            if form.is_valid():
                challenge_services.challenge_update(
                    actor=request.user, challenge=challenge, **form.cleaned_data
                )
                messages.success(request, "Challenge saved.")
                return redirect("reporting:challenges")
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from exc
        except DomainError as exc:
            apply_domain_error(form, exc)
    return render(
        request,
        "reporting/recognition/challenge_edit.html",
        {"form": form, "challenge": challenge, "nav_section": "reporting"},
    )


@access(ADMIN)
def settings_page(request: AuthenticatedRequest) -> HttpResponse:
    current = reporting_settings()
    form = ReportingSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            reporting_settings_update(actor=request.user, **values)
        except DomainError as exc:
            apply_domain_error(form, exc)  # type: ignore[arg-type]
        else:
            messages.success(request, "Reporting settings saved.")
            return redirect("reporting:settings")
    return render(
        request,
        "reporting/recognition/settings.html",
        {"form": form, "nav_section": "reporting"},
    )
