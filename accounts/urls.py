"""Account pages of the portal (allauth's log-in pages are under /accounts/)."""

from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("ho-so/", views.profile, name="profile"),
]
