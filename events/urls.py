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
    path("<slug:slug>/attendees.<str:fmt>", views.attendee_export, name="attendees"),
    path("<slug:slug>/check-in/", views.check_in, name="check_in"),
    path("<slug:slug>/check-in/<int:pk>/", views.check_in_toggle, name="check_in_toggle"),
]
