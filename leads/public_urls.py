"""Public routes, mounted at the site root by crm/urls.py: `/w2l/`."""

from django.urls import path

from leads.views.public import web_to_lead

app_name = "leads_public"

urlpatterns = [path("", web_to_lead, name="web_to_lead")]
