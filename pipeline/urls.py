from django.urls import path

from pipeline.views import admin, board, deals, lists

app_name = "pipeline"

urlpatterns = [
    path("", lists.deal_list, name="deal_list"),
    path("export.csv", lists.deal_export, name="deal_export"),
    path("views/save/", lists.saved_view_create, name="saved_view_save"),
    path("views/delete/", lists.saved_view_remove, name="saved_view_delete"),
    path("board/", board.board, name="board"),
    path("board/column/", board.board_column, name="board_column"),
    path("new/", deals.deal_create, name="deal_create"),
    path("<int:pk>/", deals.deal_detail, name="deal_detail"),
    path("<int:pk>/edit/", deals.deal_edit, name="deal_edit"),
    path("<int:pk>/move/", board.deal_move, name="deal_move"),
    path("<int:pk>/close/", deals.deal_close, name="deal_close"),
    path("<int:pk>/reopen/", deals.deal_reopen, name="deal_reopen"),
    path("<int:pk>/delete/", deals.deal_delete, name="deal_delete"),
    path("<int:pk>/items/", deals.line_item_add, name="line_item_add"),
    path("<int:pk>/items/<int:item_pk>/remove/", deals.line_item_remove, name="line_item_remove"),
    path("manage/pipelines/", admin.pipeline_list, name="admin_pipelines"),
    path("manage/pipelines/<int:pk>/", admin.pipeline_edit, name="admin_pipeline"),
    path("manage/stages/<int:pk>/", admin.stage_edit, name="admin_stage"),
    path("manage/stages/<int:pk>/delete/", admin.stage_delete, name="admin_stage_delete"),
    path("manage/stages/<int:pk>/shift/", admin.stage_shift, name="admin_stage_shift"),
    path("manage/<slug:kind>/", admin.catalog_list, name="admin_catalog"),
    path("manage/<slug:kind>/new/", admin.catalog_edit, name="admin_catalog_new"),
    path("manage/<slug:kind>/<int:pk>/", admin.catalog_edit, name="admin_catalog_edit"),
    path("manage/<slug:kind>/<int:pk>/delete/", admin.catalog_delete, name="admin_catalog_delete"),
]
