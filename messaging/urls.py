from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("newsletter/", views.newsletter_signup, name="newsletter_signup"),
    path("newsletter/thanks/", views.newsletter_signup_done, name="newsletter_signup_done"),
    path("newsletter/confirm/<str:token>/", views.newsletter_confirm, name="newsletter_confirm"),
    path("newsletter/preferences/<str:token>/", views.newsletter_manage, name="newsletter_manage"),
    path("newsletter/unsubscribe/<str:token>/", views.newsletter_unsubscribe, name="newsletter_unsubscribe"),
    path("invitations/<str:token>/accept/", views.invitation_answer, {"action": "accept"}, name="invitation_accept"),
    path("invitations/<str:token>/decline/", views.invitation_answer, {"action": "decline"}, name="invitation_decline"),
]
