from django.urls import path

from crm.views.pages import section

app_name = "pipeline"

urlpatterns = [
    path(
        "",
        section,
        {
            "title": "Deals",
            "icon": "kanban",
            "text": "Your pipeline and its deals will appear here.",
        },
        name="deal_list",
    ),
]
