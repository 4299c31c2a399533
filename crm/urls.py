"""Root URLs. Every route declares its access rule (crm.access); the route sweep checks it."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path

from crm.access import AUTHENTICATED, PUBLIC, access
from crm.api.views import SchemaView, SwaggerView
from crm.urls_relationships import relationship_patterns
from crm.views import admin_custom_fields, admin_people, audit, pages, profile
from reporting import views as reporting_views

crm_patterns: list[URLPattern | URLResolver] = [
    path("", reporting_views.my_day, name="my_day"),  # the home page of every user
    path("me/", profile.profile, name="profile"),
    path("me/token/", profile.token_regenerate, name="token_regenerate"),
    path("me/token/revoke/", profile.token_revoke, name="token_revoke"),
    *relationship_patterns,
    path("manage/", admin_people.admin_home, name="admin_home"),
    path("manage/users/", admin_people.user_list, name="admin_users"),
    path("manage/users/new/", admin_people.user_create, name="admin_user_create"),
    path("manage/users/<int:pk>/", admin_people.user_edit, name="admin_user_edit"),
    path(
        "manage/users/<int:pk>/deactivate/",
        admin_people.user_deactivate,
        name="admin_user_deactivate",
    ),
    path("manage/users/<int:pk>/activate/", admin_people.user_activate, name="admin_user_activate"),
    path("manage/teams/", admin_people.team_list, name="admin_teams"),
    path("manage/teams/new/", admin_people.team_create, name="admin_team_create"),
    path("manage/teams/<int:pk>/", admin_people.team_edit, name="admin_team_edit"),
    path("manage/teams/<int:pk>/delete/", admin_people.team_delete, name="admin_team_delete"),
    path("manage/audit/", audit.audit_log, name="admin_audit"),
    path("manage/fields/", admin_custom_fields.field_list, name="admin_custom_fields"),
    path("manage/fields/new/", admin_custom_fields.field_create, name="admin_custom_field_create"),
    path("manage/fields/<int:pk>/", admin_custom_fields.field_edit, name="admin_custom_field_edit"),
    path(
        "manage/fields/<int:pk>/delete/",
        admin_custom_fields.field_delete,
        name="admin_custom_field_delete",
    ),
]

auth_patterns: list[URLPattern | URLResolver] = [
    path(
        "login/",
        access(PUBLIC)(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("logout/", access(PUBLIC)(auth_views.LogoutView.as_view()), name="logout"),
    path(
        "password/change/",
        access(AUTHENTICATED)(auth_views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "password/change/done/",
        access(AUTHENTICATED)(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        access(PUBLIC)(auth_views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        access(PUBLIC)(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        access(PUBLIC)(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        access(PUBLIC)(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]

api_patterns: list[URLPattern | URLResolver] = [
    path("v1/", include("crm.api.urls")),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("healthz", pages.healthz, name="healthz"),
    path("auth/", include(auth_patterns)),
    path("api/", include(api_patterns)),
    path("django-admin/", admin.site.urls),
    path("leads/", include("leads.urls")),
    path("w2l/", include("leads.public_urls")),
    path("imports/", include("crm.imports.urls")),
    path("deals/", include("pipeline.urls")),
    path("forecast/", include("forecasting.urls")),
    path("reports/", include("reporting.urls")),
    path("", include((crm_patterns, "crm"))),
]

handler400 = "crm.views.errors.bad_request"
handler403 = "crm.views.errors.permission_denied"
handler404 = "crm.views.errors.page_not_found"
handler500 = "crm.views.errors.server_error"
