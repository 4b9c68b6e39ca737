from rest_framework.routers import DefaultRouter

from procedures.api import views

router = DefaultRouter()
router.register("procedures", views.ProcedureViewSet, basename="procedure")
router.register("sectors", views.SectorViewSet, basename="sector")
router.register("agencies", views.AgencyViewSet, basename="agency")

urlpatterns = router.urls
