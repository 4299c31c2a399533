"""Admin area: users and teams (the product's own screens, not Django admin)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from crm import selectors
from crm.access import ADMIN, AuthenticatedRequest, access
from crm.errors import DomainError
from crm.forms import DeactivateForm, TeamForm, UserCreateForm, UserForm
from crm.models import Team, User
from crm.services import people
from crm.views.forms import apply_domain_error


@access(ADMIN)
def admin_home(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "crm/admin/home.html",
        {
            "user_count": User.objects.filter(is_active=True).count(),
            "team_count": Team.objects.count(),
        },
    )


@access(ADMIN)
def user_list(request: AuthenticatedRequest) -> HttpResponse:
    show_inactive = request.GET.get("inactive") == "1"
    users = selectors.user_list(
        actor=request.user, search=request.GET.get("q", "").strip(), include_inactive=show_inactive
    )
    return render(
        request, "crm/admin/user_list.html", {"users": users[:500], "show_inactive": show_inactive}
    )


@access(ADMIN)
def user_create(request: AuthenticatedRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = people.user_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"{user.full_name} can now sign in.")
            return redirect("crm:admin_users")
    return render(request, "crm/admin/user_form.html", {"form": form, "title": "New user"})


@access(ADMIN)
def user_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    initial = {
        f: getattr(user, f)
        for f in ("email", "first_name", "last_name", "role", "team", "title", "phone")
    }
    form = UserForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            people.user_update(actor=request.user, user=user, data=form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("crm:admin_users")
    counts = people.owned_record_counts(user)
    return render(
        request,
        "crm/admin/user_form.html",
        {
            "form": form,
            "title": user.full_name,
            "edited": user,
            "owned_counts": counts,
        },
    )


@access(ADMIN)
def user_deactivate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    form = DeactivateForm(request.POST or None, exclude=user)
    if request.method == "POST" and form.is_valid():
        try:
            moved = people.user_deactivate(
                actor=request.user, user=user, reassign_to=form.cleaned_data["reassign_to"]
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            summary = ", ".join(f"{n} {label}" for label, n in moved.items()) or "no records moved"
            messages.success(request, f"{user.full_name} is deactivated ({summary}).")
            return redirect("crm:admin_users")
    return render(
        request,
        "crm/admin/user_deactivate.html",
        {
            "form": form,
            "edited": user,
            "owned_counts": people.owned_record_counts(user),
        },
    )


@access(ADMIN)
def user_activate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    if request.method == "POST":
        people.user_activate(actor=request.user, user=user)
        messages.success(request, f"{user.full_name} can sign in again.")
    return redirect("crm:admin_users")


@access(ADMIN)
def team_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request, "crm/admin/team_list.html", {"teams": selectors.team_list(actor=request.user)}
    )


@access(ADMIN)
def team_create(request: AuthenticatedRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = people.team_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"Team {team.name} created.")
            return redirect("crm:admin_teams")
    return render(request, "crm/admin/team_form.html", {"form": form, "title": "New team"})


@access(ADMIN)
def team_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    team = get_object_or_404(Team, pk=pk)
    form = TeamForm(
        request.POST or None,
        initial={"name": team.name, "parent": team.parent, "manager": team.manager},
    )
    if request.method == "POST" and form.is_valid():
        try:
            people.team_update(actor=request.user, team=team, data=form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("crm:admin_teams")
    return render(
        request, "crm/admin/team_form.html", {"form": form, "title": team.name, "team": team}
    )


@access(ADMIN)
def team_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    team = get_object_or_404(Team, pk=pk)
    if request.method == "POST":
        try:
            people.team_delete(actor=request.user, team=team)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Team {team.name} deleted.")
    return redirect("crm:admin_teams")
