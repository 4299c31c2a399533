"""Routes for accounts, contacts, activities, tasks, search and notifications (included
into the `crm` namespace by crm/urls.py, which also routes the home page, My day)."""

from django.urls import URLPattern, URLResolver, path

from crm.views import accounts, activities, contacts, inbox, sharing, work

relationship_patterns: list[URLPattern | URLResolver] = [
    path("search/", inbox.search_page, name="search"),
    path("search/suggest/", inbox.search_suggest, name="search_suggest"),
    # accounts
    path("accounts/", accounts.account_list, name="account_list"),
    path("accounts/export.csv", accounts.account_export, name="account_export"),
    path("accounts/new/", accounts.account_create, name="account_create"),
    path("accounts/<int:pk>/", accounts.account_detail, name="account_detail"),
    path("accounts/<int:pk>/edit/", accounts.account_edit, name="account_edit"),
    path("accounts/<int:pk>/delete/", accounts.account_delete, name="account_delete"),
    path("accounts/<int:pk>/restore/", accounts.account_restore, name="account_restore"),
    path("accounts/<int:pk>/shares/", sharing.account_share, name="account_share"),
    path(
        "accounts/<int:pk>/shares/<int:share_id>/delete/",
        sharing.account_unshare,
        name="account_unshare",
    ),
    # contacts
    path("contacts/", contacts.contact_list_page, name="contact_list"),
    path("contacts/export.csv", contacts.contact_export, name="contact_export"),
    path("contacts/new/", contacts.contact_create, name="contact_create"),
    path("contacts/<int:pk>/", contacts.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", contacts.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/delete/", contacts.contact_delete, name="contact_delete"),
    path("contacts/<int:pk>/restore/", contacts.contact_restore, name="contact_restore"),
    path(
        "contacts/<int:pk>/privacy/export/",
        contacts.contact_privacy_export,
        name="contact_privacy_export",
    ),
    path(
        "contacts/<int:pk>/privacy/erase/",
        contacts.contact_privacy_erase,
        name="contact_privacy_erase",
    ),
    path("contacts/<int:pk>/shares/", sharing.contact_share, name="contact_share"),
    path(
        "contacts/<int:pk>/shares/<int:share_id>/delete/",
        sharing.contact_unshare,
        name="contact_unshare",
    ),
    # activities and tasks, on any record
    path("activities/new/", activities.activity_create, name="activity_create"),
    path("timeline/", activities.timeline_more, name="timeline"),
    path("activities/", work.activity_list, name="activity_list"),
    path("activities/export.csv", work.activity_export, name="activity_export"),
    path("tasks/", work.task_list, name="task_list"),
    path("tasks/export.csv", work.task_export, name="task_export"),
    path("tasks/complete/", work.task_bulk_complete, name="task_bulk_complete"),
    path("tasks/new/", activities.task_create, name="task_create"),
    path("tasks/<int:pk>/toggle/", activities.task_toggle, name="task_toggle"),
    # notifications and saved views
    path("notifications/", inbox.notification_list, name="notifications"),
    path("notifications/bell/", inbox.notification_bell, name="notification_bell"),
    path("notifications/read-all/", inbox.notification_read_all, name="notification_read_all"),
    path("notifications/<int:pk>/read/", inbox.notification_read, name="notification_read"),
    path("notifications/<int:pk>/open/", inbox.notification_open, name="notification_open"),
    path("notifications/open/", inbox.notification_open_link, name="notification_open_link"),
    path("saved-views/", inbox.saved_view_create, name="saved_view_create"),
    path("saved-views/<int:pk>/delete/", inbox.saved_view_delete, name="saved_view_delete"),
]
