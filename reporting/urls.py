from django.urls import path

from crm.views.pages import section

app_name = "reporting"

urlpatterns = [
    path(
        "",
        section,
        {
            "title": "Reports",
            "icon": "bar-chart-line",
            "text": "Pipeline, funnel, win rate and leaderboards will appear here.",
        },
        name="index",
    ),
]
