"""The API's root: authentication, the schema and its docs, and every app's tenant endpoints under /t/<program>/."""

from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from partnerhub.core.api import program as core_api
from partnerhub.registry import tenant_api_urlconfs

urlpatterns: list[URLPattern | URLResolver] = [
    path("auth/token/", core_api.TokenObtainApi.as_view(), name="api_token"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("t/<slug:tenant_slug>/", include([path("", include(urlconf)) for urlconf in tenant_api_urlconfs()])),
]
