"""The officers' workspace pages, under /can-bo/ (paths in Vietnamese, like the citizen's)."""

from django.urls import path

from dossiers import officer_views as views

app_name = "officer"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("chon-nhieu/", views.bulk, name="bulk"),
    path("nop-thay/", views.counter_intake, name="counter"),
    path("xuat/", views.export, name="export_start"),
    path("xuat/<uuid:export_id>/", views.export_status, name="export"),
    path("xuat/<uuid:export_id>/tai-ve/", views.export_download, name="export_download"),
    path("ho-so/<uuid:dossier_id>/", views.dossier_page, name="dossier"),
    path(
        "ho-so/<uuid:dossier_id>/giay-to/<uuid:attachment_id>/",
        views.attachment_file,
        name="attachment",
    ),
    path("ho-so/<uuid:dossier_id>/ket-qua/", views.result_file, name="result"),
    path("ho-so/<uuid:dossier_id>/buoc/<slug:slug>/", views.step, name="step"),
    path("ho-so/<uuid:dossier_id>/trao-doi/", views.message, name="message"),
]
