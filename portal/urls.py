"""URL configuration of the portal."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("clusters.urls")),
    path("events/", include("events.urls")),
    path("projects/", include("projects.urls")),
    path("", include("messaging.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
