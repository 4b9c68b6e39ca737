from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("thong-bao/", views.centre, name="centre"),
    path("thong-bao/<int:notification_id>/mo/", views.open_notification, name="open"),
    path("thong-bao/da-doc-het/", views.mark_all_read, name="mark_all_read"),
    path("tai-khoan/nhan-thong-bao/", views.preferences, name="preferences"),
]
