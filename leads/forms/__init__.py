from .admin import (
    AssignmentRuleForm,
    LeadSettingsForm,
    LeadSourceForm,
    TemperatureRuleForm,
    WebFormForm,
)
from .records import (
    BulkActionForm,
    ConvertForm,
    LeadFilterForm,
    LeadForm,
    LeadQuickForm,
    TemperatureOverrideForm,
    TransitionForm,
    filters_from,
    owner_choices,
)

__all__ = [
    "AssignmentRuleForm",
    "BulkActionForm",
    "ConvertForm",
    "LeadFilterForm",
    "LeadForm",
    "LeadQuickForm",
    "LeadSettingsForm",
    "LeadSourceForm",
    "TemperatureOverrideForm",
    "TemperatureRuleForm",
    "TransitionForm",
    "WebFormForm",
    "filters_from",
    "owner_choices",
]
