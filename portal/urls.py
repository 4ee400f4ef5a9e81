"""URL configuration of the portal."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from clusters.views import health

# The admin login goes through allauth: rate limits and the optional TOTP second factor apply to it too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = admin.site.site_title = "Cluster-Kooperation"

urlpatterns = [
    path("healthz", health, name="health"),
    path("", include("clusters.urls")),
    path("events/", include("events.urls")),
    path("projects/", include("projects.urls")),
    path("members/", include("members.urls")),
    path("", include("messaging.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
