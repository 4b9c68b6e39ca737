"""Citizen pages. Paths are Vietnamese (what a citizen sees in the address bar)."""

from django.urls import path

from dossiers import views

app_name = "dossiers"
urlpatterns = [
    # Filing: start from a procedure, then the four steps of the wizard.
    path("nop-ho-so/<str:code>/", views.start, name="start"),
    path("ho-so/<uuid:dossier_id>/nop/thong-tin/", views.step_info, name="step_info"),
    path("ho-so/<uuid:dossier_id>/nop/giay-to/", views.step_papers, name="step_papers"),
    path("ho-so/<uuid:dossier_id>/nop/kiem-tra/", views.step_review, name="step_review"),
    path("ho-so/<uuid:dossier_id>/nop/gui/", views.step_submit, name="step_submit"),
    path("ho-so/<uuid:dossier_id>/tiep-tuc/", views.resume, name="resume"),
    # Papers of a dossier (used by step 2 and by a supplement).
    path(
        "ho-so/<uuid:dossier_id>/giay-to/<int:slot_id>/tai-len/",
        views.paper_upload,
        name="paper_upload",
    ),
    path(
        "ho-so/<uuid:dossier_id>/giay-to/<int:slot_id>/dung-lai/",
        views.paper_reuse,
        name="paper_reuse",
    ),
    path(
        "ho-so/<uuid:dossier_id>/giay-to/<uuid:attachment_id>/go-bo/",
        views.paper_remove,
        name="paper_remove",
    ),
    path(
        "ho-so/<uuid:dossier_id>/giay-to/<uuid:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    # My dossiers and one dossier.
    path("ho-so/", views.dossier_list, name="list"),
    path("ho-so/<uuid:dossier_id>/", views.dossier_detail, name="detail"),
    path("ho-so/<uuid:dossier_id>/xoa/", views.dossier_delete, name="delete"),
    path("ho-so/<uuid:dossier_id>/rut/", views.dossier_withdraw_view, name="withdraw"),
    path("ho-so/<uuid:dossier_id>/bo-sung/", views.supplement, name="supplement"),
    path("ho-so/<uuid:dossier_id>/trao-doi/", views.dossier_message, name="message"),
    path(
        "ho-so/<uuid:dossier_id>/van-ban/<uuid:document_id>/",
        views.issued_document_download,
        name="issued_document",
    ),
    path(
        "ho-so/<uuid:dossier_id>/phieu-kiem-soat/",
        views.control_slip_download,
        name="control_slip",
    ),
    # The document store.
    path("kho-giay-to/", views.store_list, name="store"),
    path("kho-giay-to/<uuid:stored_id>/tai-ve/", views.store_download, name="store_download"),
    path("kho-giay-to/<uuid:stored_id>/xoa/", views.store_delete, name="store_delete"),
    # Public lookup.
    path("tra-cuu/", views.lookup, name="lookup"),
]
