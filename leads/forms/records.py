"""Forms for lead pages. They check shape; the services have the last word."""

from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from crm.forms import valid_filters
from crm.forms.custom_fields import add_custom_fields, split_custom
from crm.limits import FormDateField, FormIntegerField
from crm.models import Team, User
from crm.validators import validate_phone
from crm.visibility import assignable_owners
from leads.models import LeadSource, LeadStatus, Temperature, Timeframe
from leads.selectors.lists import SORT_LABELS, LeadFilters
from leads.services.capture import IDENTITY_MESSAGE, has_identity
from pipeline.models import Pipeline, Stage, StageKind


def owner_choices(actor: User, *, current: User | None = None) -> QuerySet[User]:
    """Who `actor` may give a lead to (`crm.visibility.assignable_owners`), plus the lead's
    `current` owner so that saving a form without touching the owner stays valid."""
    users = assignable_owners(actor)
    if current is not None:
        users = User.objects.filter(Q(pk__in=users.values("pk")) | Q(pk=current.pk))
    return users.order_by("first_name", "last_name", "id")


def _sources() -> QuerySet[LeadSource]:
    return LeadSource.objects.filter(is_active=True)


class LeadQuickForm(forms.Form):
    """A few fields now, the rest later."""

    first_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    company = forms.CharField(max_length=200, required=False)
    email = forms.EmailField(max_length=254, required=False)
    phone = forms.CharField(max_length=40, required=False, validators=[validate_phone])
    source = forms.ModelChoiceField(
        queryset=LeadSource.objects.none(), required=False, empty_label="Choose a source"
    )
    confirm_duplicates = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["source"].queryset = _sources()  # type: ignore[attr-defined]
        for name in ("first_name", "last_name", "company", "email", "phone"):
            self.fields[name].widget.attrs["data-duplicate-check"] = "true"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not has_identity(data):
            self.add_error("last_name", IDENTITY_MESSAGE)
        return data

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("confirm_duplicates", None)
        data.pop("owner", None)
        data.pop("assign_by_rules", None)
        return data


class LeadForm(LeadQuickForm):
    """The full form: everything a lead carries."""

    title = forms.CharField(max_length=120, required=False)
    website = forms.CharField(max_length=253, required=False)
    industry = forms.CharField(max_length=100, required=False)
    employee_count = FormIntegerField(min_value=0, required=False)
    country = forms.CharField(max_length=100, required=False)
    region = forms.CharField(max_length=100, required=False)
    campaign = forms.CharField(max_length=120, required=False)
    timeframe = forms.ChoiceField(choices=Timeframe.choices, initial=Timeframe.UNKNOWN)
    budget = forms.DecimalField(min_value=0, max_digits=14, decimal_places=2, required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    external_id = forms.CharField(
        max_length=100,
        required=False,
        label="External id",
        help_text="Its id in the system it came from (another CRM, a marketing tool).",
    )
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    assign_by_rules = forms.BooleanField(
        required=False, label="Assign by the assignment rules instead"
    )

    def __init__(
        self,
        *args: Any,
        actor: User,
        editing: bool = False,
        custom: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        add_custom_fields(self, "leads.Lead", custom)
        current = self.initial.get("owner") if editing else None
        self.fields["owner"].queryset = owner_choices(actor, current=current)  # type: ignore[attr-defined]
        self.fields["owner"].help_text = "Empty: you."
        if editing or actor.is_rep:
            del self.fields["assign_by_rules"]
        if editing:
            del self.fields["confirm_duplicates"]

    def service_data(self) -> dict[str, Any]:
        return split_custom(super().service_data())


class LeadFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=100)
    status = forms.MultipleChoiceField(choices=LeadStatus.choices, required=False)
    temperature = forms.MultipleChoiceField(choices=Temperature.choices, required=False)
    source = forms.ModelChoiceField(
        queryset=LeadSource.objects.none(), required=False, empty_label="Any source"
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Any owner"
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, empty_label="Any team"
    )
    score_band = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Any score"),
            ("A", "A (75 to 100)"),
            ("B", "B (50 to 74)"),
            ("C", "C (25 to 49)"),
            ("D", "D (0 to 24)"),
            ("none", "Not scored"),
        ],
    )
    created_from = FormDateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    created_to = FormDateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    team_only = forms.BooleanField(
        required=False,
        label="Without sub-teams",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    reached = forms.ChoiceField(
        required=False,
        label="Reached",
        choices=[
            ("", "Any funnel step"),
            ("mql", "MQL or later"),
            ("sql", "SQL or later"),
            ("deal", "Converted to a deal"),
            ("won", "Deal won"),
        ],
    )
    sort = forms.ChoiceField(choices=list(SORT_LABELS.items()), required=False)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = LeadSource.objects.all()  # type: ignore[attr-defined]
        self.fields["owner"].queryset = owner_choices(actor)  # type: ignore[attr-defined]
        self.fields["team"].queryset = Team.objects.all()  # type: ignore[attr-defined]


def filters_from(form: LeadFilterForm) -> LeadFilters:
    """The filters a (possibly invalid) filter form asks for; invalid fields are ignored.
    Used by the list page, its CSV export and background exports (leads.importers)."""
    data = valid_filters(form)
    return LeadFilters(
        status=list(data.get("status") or []),
        temperature=list(data.get("temperature") or []),
        source=data["source"].pk if data.get("source") else None,
        owner=data["owner"].pk if data.get("owner") else None,
        team=data["team"].pk if data.get("team") else None,
        score_band=data.get("score_band") or "",
        created_from=data.get("created_from"),
        created_to=data.get("created_to"),
        q=data.get("q") or "",
        team_only=bool(data.get("team_only")),
        reached=data.get("reached") or "",
        sort=data.get("sort") or "-created",
    )


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=LeadStatus.choices)
    reason = forms.CharField(max_length=200, required=False)


class TemperatureOverrideForm(forms.Form):
    temperature = forms.ChoiceField(
        choices=[("", "Use the rules"), *Temperature.choices], required=False
    )
    reason = forms.CharField(max_length=200, required=False)


class BulkActionForm(forms.Form):
    ACTIONS = [
        ("assign", "Assign to"),
        ("status", "Change status"),
        ("disqualify", "Disqualify"),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    ids = forms.CharField()
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    to_status = forms.ChoiceField(
        choices=[(s, label) for s, label in LeadStatus.choices if s != LeadStatus.CONVERTED],
        required=False,
    )
    reason = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices(actor)  # type: ignore[attr-defined]

    def clean_ids(self) -> list[int]:
        values = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        raw = " ".join(values) if values else str(self.cleaned_data.get("ids") or "")
        try:
            ids = [int(x) for x in raw.replace(",", " ").split() if x]
        except ValueError as exc:
            raise forms.ValidationError("Pick leads from the list.") from exc
        if not ids or len(ids) > 500:
            raise forms.ValidationError("Pick between 1 and 500 leads.")
        return ids


class StageSelect(forms.Select):
    """Stage options carry their pipeline's id, so the page can follow the pipeline pick."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-pipeline"] = str(instance.pipeline_id)
        return option


class ConvertForm(forms.Form):
    account_choice = forms.CharField(
        required=False, widget=forms.HiddenInput, help_text='"new" or an account id'
    )
    account_name = forms.CharField(max_length=200, required=False, label="New account name")
    contact_first_name = forms.CharField(max_length=100, required=False, label="First name")
    contact_last_name = forms.CharField(max_length=100, label="Last name")
    contact_email = forms.EmailField(max_length=254, required=False, label="Email")
    contact_phone = forms.CharField(
        max_length=40, required=False, label="Phone", validators=[validate_phone]
    )
    create_deal = forms.BooleanField(required=False, initial=True, label="Create a deal")
    pipeline: forms.ModelChoiceField = forms.ModelChoiceField(  # type: ignore[type-arg]
        queryset=None,  # type: ignore[arg-type]
        required=False,
    )
    stage: forms.ModelChoiceField = forms.ModelChoiceField(  # type: ignore[type-arg]
        queryset=None,  # type: ignore[arg-type]
        required=False,
        widget=StageSelect,
        help_text="Where the deal starts; the pipeline's first stage unless you pick another.",
    )
    deal_name = forms.CharField(max_length=200, required=False)
    amount = forms.DecimalField(min_value=0, max_digits=16, decimal_places=2, required=False)
    expected_close_date = FormDateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pipelines = Pipeline.objects.filter(is_active=True).order_by("position", "name", "id")
        stages = Stage.objects.filter(pipeline__is_active=True, kind=StageKind.OPEN)
        self.fields["pipeline"].queryset = pipelines  # type: ignore[attr-defined]
        self.fields["stage"].queryset = stages.select_related("pipeline").order_by(  # type: ignore[attr-defined]
            "pipeline__position", "pipeline__name", "position", "id"
        )
        self.fields["stage"].label_from_instance = lambda s: f"{s.pipeline.name} · {s.name}"  # type: ignore[attr-defined]
        # The default pipeline is the first one (admins order them); it and its first stage
        # are chosen already, so converting needs no pick from "---------".
        default = pipelines.first()
        if default is not None and not self.is_bound:
            self.initial.setdefault("pipeline", default.pk)
            first = stages.filter(pipeline=default).order_by("position", "id").first()
            if first is not None:
                self.initial.setdefault("stage", first.pk)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("create_deal") and not data.get("pipeline"):
            self.add_error("pipeline", "Choose the pipeline for the deal.")
        stage = data.get("stage")
        if stage is not None and data.get("pipeline") and stage.pipeline_id != data["pipeline"].pk:
            self.add_error("stage", f"“{stage.name}” is a stage of another pipeline.")
        choice = data.get("account_choice") or "new"
        if choice == "new" and not data.get("account_name"):
            self.add_error("account_name", "Name the new account, or pick an existing one.")
        return data
