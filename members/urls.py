from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.home, name="home"),
    path("join/", views.organisation_join, name="join"),
    path("join/<int:pk>/withdraw/", views.join_request_withdraw, name="join_withdraw"),
    path("requests/", views.join_request_list, name="requests"),
    path("requests/<int:pk>/approve/", views.join_request_approve, name="request_approve"),
    path("requests/<int:pk>/reject/", views.join_request_reject, name="request_reject"),
    path("organisation/<slug:slug>/", views.organisation_detail, name="organisation"),
    path("colleagues/invite/", views.colleague_invite, name="invite"),
    path("invitation/<slug:token>/", views.invitation, name="invitation"),
    path("calendar/renew/", views.calendar_token_renew, name="calendar_renew"),
    path("language/", views.language_set, name="language"),
    path("directory/", views.directory, name="directory"),
    path("my-data/", views.privacy, name="privacy"),
    path("my-data/export.json", views.data_export, name="data_export"),
    path("my-data/delete/", views.account_delete, name="account_delete"),
    path("partners/", views.partners, name="partners"),
    path("partners/<slug:slug>/contact/", views.contact_request_new, name="contact"),
    path("contact/<slug:token>/", views.contact_request_answer, name="contact_answer"),
]
