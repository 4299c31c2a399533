from django.urls import path

from leads.scoring import views as scoring
from leads.views import admin, convert_merge, lists, privacy, records

app_name = "leads"

urlpatterns = [
    path("", lists.lead_list, name="list"),
    path("export.csv", lists.lead_export, name="export"),
    path("bulk/", lists.lead_bulk, name="bulk"),
    path("views/", lists.saved_view_create, name="saved_view_create"),
    path("new/", records.lead_create, name="create"),
    path("duplicates/", records.duplicate_check, name="duplicate_check"),
    path("<int:pk>/", records.lead_detail, name="detail"),
    path("<int:pk>/edit/", records.lead_edit, name="edit"),
    path("<int:pk>/duplicates/", records.lead_duplicates, name="duplicates"),
    path("<int:pk>/score/", scoring.lead_score, name="score"),
    path("<int:pk>/status/", records.lead_transition, name="transition"),
    path("<int:pk>/temperature/", records.lead_temperature, name="temperature"),
    path("<int:pk>/assign/", records.lead_reassign_by_rules, name="assign_by_rules"),
    path("<int:pk>/convert/", convert_merge.convert, name="convert"),
    path("<int:pk>/merge/", convert_merge.merge, name="merge"),
    path("<int:pk>/privacy/export/", privacy.lead_privacy_export, name="privacy_export"),
    path("<int:pk>/privacy/erase/", privacy.lead_privacy_erase, name="privacy_erase"),
    path("merges/<int:pk>/undo/", convert_merge.merge_undo, name="merge_undo"),
    path("manage/", admin.settings_home, name="admin"),
    path("manage/rules/new/", admin.rule_edit, name="admin_rule_create"),
    path("manage/rules/<int:pk>/", admin.rule_edit, name="admin_rule"),
    path("manage/rules/<int:pk>/delete/", admin.rule_delete, name="admin_rule_delete"),
    path(
        "manage/temperature/<int:pk>/", admin.temperature_rule_edit, name="admin_temperature_rule"
    ),
    path("manage/forms/new/", admin.webform_edit, name="admin_webform_create"),
    path("manage/forms/<int:pk>/", admin.webform_edit, name="admin_webform"),
    path("manage/sources/new/", admin.source_edit, name="admin_source_create"),
    path("manage/sources/<int:pk>/", admin.source_edit, name="admin_source"),
    path("manage/scoring/", scoring.scoring_home, name="scoring"),
    path("manage/scoring/rules/new/", scoring.rule_edit, name="scoring_rule_create"),
    path("manage/scoring/rules/<int:pk>/", scoring.rule_edit, name="scoring_rule"),
    path("manage/scoring/rules/<int:pk>/delete/", scoring.rule_delete, name="scoring_rule_delete"),
    path("manage/scoring/quality/", scoring.model_quality, name="scoring_quality"),
    path("manage/scoring/train/", scoring.model_train, name="scoring_train"),
    path("manage/scoring/models/<int:pk>/", scoring.model_quality, name="scoring_model"),
    path(
        "manage/scoring/models/<int:pk>/activate/",
        scoring.model_activate,
        name="scoring_model_activate",
    ),
]
