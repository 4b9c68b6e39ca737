from django.urls import path
from rest_framework.routers import SimpleRouter

from dossiers.api import views

app_name = "dossiers-api"

router = SimpleRouter()
router.register("dossiers", views.DossierViewSet, basename="dossier")
router.register("documents", views.StoredDocumentViewSet, basename="document")

urlpatterns = [
    *router.urls,
    path("lookup/", views.LookupView.as_view(), name="lookup"),
]
