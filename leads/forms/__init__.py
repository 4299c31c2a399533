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
    "owner_choices",
]
