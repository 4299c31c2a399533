from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.index, name="index"),
    path("team/", views.manager, name="manager"),
    path("me/", views.rep, name="rep"),
    path("company/", views.company, name="admin"),
    path("export/<slug:kpi>.csv", views.export, {"fmt": "csv"}, name="export"),
    path("export/<slug:kpi>.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
]
