from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from dossiers import verify_views
from portal import views

urlpatterns = [
    path("", include("procedures.urls")),
    path("", include("dossiers.urls")),
    path("", include("payments.urls")),
    path("", include("notifications.urls")),
    path("can-bo/", include("dossiers.officer_urls")),
    # Public verification of signed documents (the QR codes printed on them link here).
    path("verify/", verify_views.verify_home, name="verify_home"),
    path("verify/<str:code>", verify_views.verify_document, name="verify"),
    path("healthz", views.health, name="health"),
    path("bench/ok", views.bare_ok, name="bare-ok"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("ngon-ngu/", views.switch_language, name="switch-language"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("tai-khoan/", include("accounts.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("api/v1/", include("procedures.api.urls")),
    path("api/v1/", include("payments.api.urls")),
    path("api/v1/", include("notifications.api.urls")),
    path("api/v1/", include("dossiers.api.urls")),
    path("api/v1/", include("accounts.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "portal.views.not_found"
handler500 = "portal.views.server_error"
