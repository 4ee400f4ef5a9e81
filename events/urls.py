from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("past/", views.event_list_past, name="past"),
    path("my-registrations/", views.registration_list, name="mine"),
    path("registrations/<int:pk>/cancel/", views.registration_cancel, name="cancel"),
    path("feed/<slug:token>.ics", views.calendar_feed, name="feed"),
    path("<slug:slug>/", views.event_detail, name="detail"),
    path("<slug:slug>/register/", views.event_register, name="register"),
    path("<slug:slug>/calendar.ics", views.event_calendar, name="calendar"),
]
