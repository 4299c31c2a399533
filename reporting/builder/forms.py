"""The builder's form: the choices depend on the kind of record (and its custom fields);
`clean()` hands everything to `clean_definition`, so the page and the API refuse alike."""

from typing import Any

from django import forms

from crm.limits import FormDateField
from crm.models import Team, User
from leads.models import LeadSource
from pipeline.models import Stage
from reporting.forms import ScopeFilterForm, small_controls

from .definition import (
    CHARTS,
    DATE_FIELDS,
    DEAL_STATUSES,
    LEAD_STATUSES,
    MEASURES,
    PERIODS,
    SOURCES,
    Catalogue,
    Definition,
    DefinitionError,
    clean_definition,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _options(items: dict[str, str], empty: str | None = None) -> list[tuple[str, str]]:
    head = [("", empty)] if empty is not None else []
    return head + list(items.items())


class ReportBuilderForm(ScopeFilterForm):
    use_required_attribute = False  # the server checks; htmx redraws on every change

    source = forms.ChoiceField(choices=_options(SOURCES), label="Records")
    measure = forms.ChoiceField(choices=_options(MEASURES), label="Measure")
    field = forms.ChoiceField(required=False, label="Of the field")
    group_by = forms.ChoiceField(required=False, label="Group by")
    group_by2 = forms.ChoiceField(required=False, label="Then by")
    chart = forms.ChoiceField(choices=_options(CHARTS), label="Chart")
    period = forms.ChoiceField(choices=_options(PERIODS), label="Period")
    date_field = forms.ChoiceField(required=False, label="Date")
    date_from = FormDateField(required=False, widget=DATE, label="From")
    date_to = FormDateField(required=False, widget=DATE, label="To")
    source_id = forms.ModelChoiceField(
        queryset=LeadSource.objects.all(), required=False, empty_label="All sources", label="Source"
    )
    status = forms.ChoiceField(required=False, label="Status")
    stage = forms.ModelChoiceField(
        queryset=Stage.objects.select_related("pipeline"), required=False, empty_label="All stages"
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        raw = self.data.get("source") if self.is_bound else self.initial.get("source")
        source = raw if raw in SOURCES else "deals"
        catalogue = Catalogue.of(source)
        self.catalogue = catalogue
        self.fields["field"].choices = _options(catalogue.numbers, "—")  # type: ignore[attr-defined]
        self.fields["group_by"].choices = _options(catalogue.groupings, "Nothing (one total)")  # type: ignore[attr-defined]
        self.fields["group_by2"].choices = _options(catalogue.groupings, "Nothing")  # type: ignore[attr-defined]
        self.fields["date_field"].choices = _options(DATE_FIELDS[source])  # type: ignore[attr-defined]
        statuses = DEAL_STATUSES if source == "deals" else LEAD_STATUSES
        self.fields["status"].choices = _options(statuses, "Any status")  # type: ignore[attr-defined]
        if source == "leads":
            del self.fields["pipeline"]
            del self.fields["stage"]
        self.limit_scope(actor)
        self.custom_names = []
        for key, definition in catalogue.custom_choices.items():
            name = "cf_" + key[3:]
            self.fields[name] = forms.ChoiceField(
                required=False,
                label=definition.name,
                choices=[("", f"Any {definition.name.lower()}")]
                + [(c, c) for c in definition.choices],
            )
            self.custom_names.append(name)
        small_controls(self)

    @property
    def definition_fields(self) -> list[Any]:
        return [
            self[name] for name in ("source", "measure", "field", "group_by", "group_by2", "chart")
        ]

    @property
    def filter_fields(self) -> list[Any]:
        names = [
            "period",
            "date_field",
            "date_from",
            "date_to",
            "team",
            "owner",
            "pipeline",
            "source_id",
            "status",
            "stage",
            *self.custom_names,
        ]
        return [self[name] for name in names if name in self.fields]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        values = {k: v for k, v in data.items() if not k.startswith("cf_")}
        for name in ("team", "owner", "pipeline", "source_id", "stage"):
            values[name] = getattr(values.get(name), "pk", None)
        values["custom"] = {n[3:]: data[n] for n in self.custom_names if data.get(n)}
        try:
            self.definition: Definition = clean_definition(values)
        except DefinitionError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return data


class SaveReportForm(forms.Form):
    # Inside the builder's form: a browser-required name would stop htmx's redraws.
    use_required_attribute = False

    name = forms.CharField(max_length=120, label="Report name")
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(),
        required=False,
        empty_label="Only me",
        label="Share with team (read-only)",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        small_controls(self)
        for form_field in self.fields.values():
            form_field.widget.attrs["form"] = "builder-form"  # the inputs sit outside it


def initial_from(definition: Definition) -> dict[str, Any]:
    """A form's data for a saved definition (what the builder opens with)."""
    data: dict[str, Any] = {
        "source": definition.source,
        "measure": definition.measure,
        "field": definition.field,
        "group_by": definition.group_by,
        "group_by2": definition.group_by2,
        "chart": definition.chart,
        "period": definition.period,
        "date_field": definition.date_field,
        "date_from": definition.date_from.isoformat() if definition.date_from else "",
        "date_to": definition.date_to.isoformat() if definition.date_to else "",
        "team": definition.team or "",
        "owner": definition.owner or "",
        "pipeline": definition.pipeline or "",
        "source_id": definition.source_id or "",
        "status": definition.status,
        "stage": definition.stage or "",
    }
    for key, value in definition.custom.items():
        data[f"cf_{key}"] = value
    return {k: v for k, v in data.items() if v not in ("", None)}
