from leads.forms import LeadFilterForm
from leads.selectors import LeadFilters


def filters_from(form: LeadFilterForm) -> LeadFilters:
    """The filters a (possibly invalid) filter form asks for; invalid fields are ignored."""
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
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
        sort=data.get("sort") or "-created",
    )
