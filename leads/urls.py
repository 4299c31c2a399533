from django.urls import path

from crm.views.pages import section

app_name = "leads"

urlpatterns = [
    path(
        "",
        section,
        {
            "title": "Leads",
            "icon": "person-plus",
            "text": "New leads from forms, imports and your website will appear here.",
        },
        name="list",
    ),
]
