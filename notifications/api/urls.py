from django.urls import path

from notifications.api import views

app_name = "notifications-api"
urlpatterns = [
    path("notifications/", views.NotificationListView.as_view(), name="list"),
    path("notifications/unread-count/", views.UnreadCountView.as_view(), name="unread"),
    path("notifications/read-all/", views.MarkAllReadView.as_view(), name="read-all"),
    path("notifications/<int:pk>/read/", views.MarkReadView.as_view(), name="read"),
    path("notifications/preferences/", views.PreferenceView.as_view(), name="preferences"),
]
