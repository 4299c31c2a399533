"""Page forms: they check shape; the services decide."""

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Q

from crm.forms.custom_fields import add_custom_fields
from crm.limits import FormDateField, FormIntegerField
from crm.models import Account, Contact, Team, User
from crm.visibility import assignable_owners, visible
from pipeline.models import (
    Currency,
    Deal,
    DealType,
    ExchangeRate,
    ForecastCategory,
    LostReason,
    Pipeline,
    Product,
    Stage,
    StageKind,
    WonReason,
)
from pipeline.selectors.deals import FORECAST_BUCKETS, SORTS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def small_widgets(form: forms.BaseForm) -> None:
    """Bootstrap classes on forms rendered outside `.crm-form` (filter bars, side panels)."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxInput):
            field.widget.attrs["class"] = "form-check-input"
            continue
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs["class"] = f"{css} {css}-sm"


def currency_choices() -> list[tuple[str, str]]:
    codes = {settings.DEFAULT_CURRENCY} | set(
        Currency.objects.filter(is_active=True, rates__isnull=False).values_list("code", flat=True)
    )
    return [(code, code) for code in sorted(codes)]


class DealForm(forms.Form):
    name = forms.CharField(max_length=200)
    pipeline = forms.ModelChoiceField(queryset=Pipeline.objects.filter(is_active=True))
    stage = forms.ModelChoiceField(
        queryset=Stage.objects.filter(kind=StageKind.OPEN, is_active=True).select_related(
            "pipeline"
        ),
        required=False,
        help_text="Leave empty to start in the pipeline's first stage.",
    )
    account = forms.ModelChoiceField(queryset=Account.objects.none(), required=False)
    primary_contact = forms.ModelChoiceField(queryset=Contact.objects.none(), required=False)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    amount = forms.DecimalField(
        max_digits=16, decimal_places=2, min_value=Decimal(0), initial=Decimal(0)
    )
    currency = forms.ChoiceField(choices=currency_choices)
    amount_follows_line_items = forms.BooleanField(
        required=False, label="Amount follows the line items"
    )
    expected_close_date = FormDateField(required=False, widget=DATE)
    probability = FormIntegerField(
        min_value=0, max_value=100, required=False, help_text="Empty: the stage's default."
    )
    forecast_category = forms.ChoiceField(
        choices=[("", "Stage default"), *ForecastCategory.choices], required=False
    )
    deal_type = forms.ChoiceField(
        choices=DealType.choices,
        initial=DealType.NEW_BUSINESS,
        required=False,
        label="Type",
        help_text="Renewals count for retention and churn.",
    )
    next_step = forms.CharField(max_length=200, required=False)
    external_id = forms.CharField(
        max_length=100,
        required=False,
        label="External id",
        help_text="Its id in the system it came from (another CRM, a marketing tool).",
    )
    version = FormIntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        actor: User,
        editing: bool = False,
        custom: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        add_custom_fields(self, "pipeline.Deal", custom)
        self.fields["account"].queryset = visible(  # type: ignore[attr-defined]
            actor, Account.objects.alive()
        ).order_by("name")
        self.fields["primary_contact"].queryset = visible(  # type: ignore[attr-defined]
            actor, Contact.objects.alive()
        ).order_by("last_name", "first_name")
        self.fields["currency"].initial = settings.DEFAULT_CURRENCY
        if editing:
            del self.fields["pipeline"]
            del self.fields["stage"]
            self.fields["version"].required = True
        else:
            del self.fields["version"]
            del self.fields["amount_follows_line_items"]
        if actor.is_rep:
            del self.fields["owner"]
        else:
            users = assignable_owners(actor)
            current = self.initial.get("owner") if editing else None
            if current is not None:
                users = User.objects.filter(Q(pk__in=users.values("pk")) | Q(pk=current.pk))
            self.fields["owner"].queryset = users.order_by("first_name", "last_name", "id")  # type: ignore[attr-defined]


def lead_source_choices() -> list[tuple[Any, str]]:
    """The lead sources, for filtering deals by the lead they came from. Sources belong to
    the leads app: reached through the lead -> deal link, not imported. A callable, so only
    a form that renders or validates the field pays the query."""
    lead_model = Deal._meta.get_field("source_leads").related_model
    source_model = lead_model._meta.get_field("source").related_model  # type: ignore[union-attr]
    sources = source_model._default_manager.order_by("position", "name")  # type: ignore[union-attr]
    return [("", "Any source")] + [(source.pk, str(source)) for source in sources]


class DealFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=100)
    pipeline = forms.ModelChoiceField(
        queryset=Pipeline.objects.all(), required=False, empty_label="Any pipeline"
    )
    stage = forms.ModelChoiceField(
        queryset=Stage.objects.filter(is_active=True).select_related("pipeline"),
        required=False,
        empty_label="Any stage",
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("first_name"),
        required=False,
        empty_label="Any owner",
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(), required=False, empty_label="Any team"
    )
    team_only = forms.BooleanField(required=False, label="Without sub-teams")
    status = forms.ChoiceField(
        choices=[
            ("", "Any status"),
            ("open", "Open"),
            ("won", "Won"),
            ("lost", "Lost"),
            ("closed", "Won or lost"),
        ],
        required=False,
    )
    closed_from = FormDateField(required=False, widget=DATE, label="Closed from")
    closed_to = FormDateField(required=False, widget=DATE, label="Closed until")
    created_from = FormDateField(required=False, widget=DATE, label="Created from")
    created_to = FormDateField(required=False, widget=DATE, label="Created until")
    source = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Lead source"
    )
    close_from = FormDateField(required=False, widget=DATE, label="Closing from")
    close_to = FormDateField(required=False, widget=DATE, label="Closing until")
    amount_min = forms.DecimalField(required=False, min_value=Decimal(0), label="Amount from")
    amount_max = forms.DecimalField(required=False, min_value=Decimal(0), label="Amount to")
    forecast = forms.ChoiceField(
        choices=[("", "Any forecast figure"), *FORECAST_BUCKETS.items()],
        required=False,
        label="Forecast figure",
        help_text="With Closed won, the closing dates are the days the deals were won.",
    )
    # Set by the links on account and contact pages; shown as a notice, not as a field.
    account = FormIntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    contact = FormIntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    sort = forms.ChoiceField(
        choices=[
            ("-created", "Newest"),
            ("created", "Oldest"),
            ("-amount", "Largest"),
            ("amount", "Smallest"),
            ("close", "Closing soonest"),
            ("-close", "Closing latest"),
            ("name", "Name, A to Z"),
            ("-name", "Name, Z to A"),
            ("-updated", "Recently changed"),
        ],
        required=False,
    )

    def __init__(self, *args: Any, actor: User, board: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = self._source_choices  # type: ignore[attr-defined]
        small_widgets(self)
        if actor.is_rep:
            del self.fields["team"]
            del self.fields["team_only"]
            # a rep may narrow to their own deals (leaving out deals others share with them):
            # the forecast's links do; it isn't shown as a choice
            owner = self.fields["owner"]
            if isinstance(owner, forms.ModelChoiceField):
                owner.queryset = User.objects.filter(pk=actor.pk)
                owner.widget = forms.HiddenInput()
        if board:
            for name in (
                "stage",
                "status",
                "sort",
                "pipeline",
                "closed_from",
                "closed_to",
                "created_from",
                "created_to",
                "source",
            ):
                del self.fields[name]

    def _source_choices(self) -> list[tuple[Any, str]]:
        """Read once per form, however often the field asks (validation, rendering)."""
        if not hasattr(self, "_sources"):
            self._sources = lead_source_choices()
        return self._sources

    def clean_sort(self) -> str:
        sort = self.cleaned_data.get("sort") or "-created"
        return sort if sort in SORTS else "-created"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("amount_min"), data.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", "The upper amount is below the lower one.")
        start, end = data.get("close_from"), data.get("close_to")
        if start and end and start > end:
            self.add_error("close_to", "This date is before the start date.")
        start, end = data.get("closed_from"), data.get("closed_to")
        if start and end and start > end:
            self.add_error("closed_to", "This date is before the start date.")
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            self.add_error("created_to", "This date is before the start date.")
        return data


class VersionForm(forms.Form):
    version = FormIntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        small_widgets(self)


class MoveForm(VersionForm):
    stage = forms.ModelChoiceField(queryset=Stage.objects.filter(is_active=True))
    lost_reason = forms.ModelChoiceField(
        queryset=LostReason.objects.filter(is_active=True), required=False
    )


class CloseForm(VersionForm):
    outcome = forms.ChoiceField(choices=[("won", "Won"), ("lost", "Lost")])
    won_reason = forms.ModelChoiceField(
        queryset=WonReason.objects.filter(is_active=True), required=False, label="Why we won"
    )
    lost_reason = forms.ModelChoiceField(
        queryset=LostReason.objects.filter(is_active=True), required=False, label="Why we lost"
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(VersionForm):
    stage = forms.ModelChoiceField(
        queryset=Stage.objects.filter(kind=StageKind.OPEN, is_active=True), required=False
    )


class LineItemForm(VersionForm):
    product = forms.ModelChoiceField(queryset=Product.objects.filter(is_active=True))
    quantity = forms.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    unit_price = forms.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal(0), required=False
    )
    discount_percent = forms.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100), required=False
    )


class SavedViewForm(forms.Form):
    name = forms.CharField(max_length=80)
    querystring = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)


# Admin configuration


class PipelineForm(forms.ModelForm):
    class Meta:
        model = Pipeline
        fields = ("name", "position", "is_active")


class StageForm(forms.ModelForm):
    class Meta:
        model = Stage
        fields = ("name", "probability", "rotting_days", "forecast_category")


class StageDeleteForm(forms.Form):
    move_to = forms.ModelChoiceField(
        queryset=Stage.objects.none(), required=False, label="Move its deals to"
    )

    def __init__(self, *args: Any, stage: Stage, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["move_to"].queryset = stage.pipeline.stages.filter(  # type: ignore[attr-defined]
            kind=StageKind.OPEN, is_active=True
        ).exclude(pk=stage.pk)


CATALOG_FIELDS: dict[type, tuple[str, ...]] = {
    LostReason: ("name", "position", "is_active"),
    WonReason: ("name", "position", "is_active"),
    Product: ("name", "sku", "list_price", "currency", "description", "is_active"),
    Currency: ("code", "name", "is_active"),
    ExchangeRate: ("currency", "rate", "effective_date"),
}


def catalog_form(model: type) -> type[forms.ModelForm]:
    widgets: dict[str, type[forms.Widget] | forms.Widget] = {
        "effective_date": DATE,
        "description": forms.Textarea(attrs={"rows": 3}),
    }
    return forms.modelform_factory(model, fields=CATALOG_FIELDS[model], widgets=widgets)
