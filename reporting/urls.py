from django.urls import path

from reporting import views
from reporting.builder import views as builder
from reporting.recognition import views as recognition
from reporting.schedules import views as schedules
from reporting.source_return import views as source_return

app_name = "reporting"

urlpatterns = [
    path("", views.index, name="index"),
    path("team/", views.manager, name="manager"),
    path("me/", views.rep, name="rep"),
    path("company/", views.company, name="admin"),
    path("export/<slug:kpi>.csv", views.export, {"fmt": "csv"}, name="export"),
    path("export/<slug:kpi>.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("builder/", builder.builder, name="builder"),
    path("builder/pinned/", builder.pinned, name="builder_pinned"),
    path("builder/export.csv", builder.export_unsaved, {"fmt": "csv"}, name="builder_export"),
    path(
        "builder/export.xlsx", builder.export_unsaved, {"fmt": "xlsx"}, name="builder_export_xlsx"
    ),
    path("builder/<int:pk>/", builder.saved, name="builder_report"),
    path("builder/<int:pk>/pin/", builder.pin, name="builder_pin"),
    path("builder/<int:pk>/delete/", builder.delete, name="builder_delete"),
    path("builder/<int:pk>/export.csv", builder.export_saved, {"fmt": "csv"}, name="saved_export"),
    path(
        "builder/<int:pk>/export.xlsx",
        builder.export_saved,
        {"fmt": "xlsx"},
        name="saved_export_xlsx",
    ),
    path("saved/", builder.saved_list, name="saved_list"),
    path("diagnosis/<int:pk>/", views.diagnosis, name="diagnosis"),
    path("leaderboards/", recognition.leaderboards, name="leaderboards"),
    path("people/<int:pk>/", recognition.person, name="person"),
    path("recognition/panel/", recognition.recognition_panel, name="recognition_panel"),
    path("challenges/", recognition.challenge_list, name="challenges"),
    path("challenges/<int:pk>/", recognition.challenge_edit, name="challenge"),
    path("settings/", recognition.settings_page, name="settings"),
    path("source-return/", source_return.block, name="source_return"),
    path("source-return/deals/", source_return.deals, name="source_return_deals"),
    path("spend/", source_return.spend_list, name="spend"),
    path("spend/<int:pk>/", source_return.spend_edit, name="spend_edit"),
    path("subscriptions/", schedules.subscriptions, name="subscriptions"),
    path("subscriptions/<int:pk>/", schedules.subscription_action, name="subscription"),
]
