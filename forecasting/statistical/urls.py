from django.urls import path

from .views import statistical_page

urlpatterns = [
    path("statistical/", statistical_page, name="statistical"),
]
