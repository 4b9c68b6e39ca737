from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from dossiers.api import intake, officer, views

app_name = "dossiers-api"

router = SimpleRouter()
router.register("dossiers", views.DossierViewSet, basename="dossier")
router.register("documents", views.StoredDocumentViewSet, basename="document")

urlpatterns = [
    # Officers' steps share the dossier URL space with the citizen's (API.md), so they come first.
    re_path(
        rf"^dossiers/(?P<pk>[0-9a-f-]{{36}})/(?P<action>{officer.ACTION_PATTERN})/$",
        officer.OfficerStepView.as_view(),
        name="officer-step",
    ),
    path("officer/dossiers/", intake.OfficerDossiersView.as_view(), name="officer-dossiers"),
    path(
        "officer/dossiers/<uuid:pk>/", officer.OfficerDossierView.as_view(), name="officer-dossier"
    ),
    path(
        "officer/dossiers/<uuid:pk>/messages/",
        officer.OfficerMessagesView.as_view(),
        name="officer-messages",
    ),
    path(
        "officer/dossiers/<uuid:pk>/attachments/<uuid:attachment_id>/file/",
        officer.OfficerAttachmentFileView.as_view(),
        name="officer-attachment-file",
    ),
    *router.urls,
    path("lookup/", views.LookupView.as_view(), name="lookup"),
]
