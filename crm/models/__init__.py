from .accounts import Account, Contact
from .activities import Activity, Task
from .audit import AuditEntry
from .custom_fields import CustomField, CustomFieldModel, CustomFieldType
from .notifications import Notification, SavedView
from .search import SearchWord
from .sharing import RecordShare
from .users import Role, Team, User

__all__ = [
    "Account",
    "Activity",
    "AuditEntry",
    "Contact",
    "CustomField",
    "CustomFieldModel",
    "CustomFieldType",
    "Notification",
    "RecordShare",
    "Role",
    "SavedView",
    "SearchWord",
    "Task",
    "Team",
    "User",
]
