from django.urls import path

from . import views

app_name = "clusters"

urlpatterns = [
    path("", views.home, name="home"),
    path("associations/", views.cluster_list, name="list"),
    path("associations/<slug:slug>/", views.cluster_detail, name="detail"),
    path("agreement/<slug:slug>/", views.agreement_detail, name="agreement"),
    path("board/", views.dashboard, name="dashboard"),
    path("pages/<slug:key>/", views.site_page, name="page"),
    path("agreement/<slug:slug>/document/", views.agreement_document, name="agreement_document"),
]
