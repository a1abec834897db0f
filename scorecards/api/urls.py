"""API of the scorecards app (mounted under /api/v1/t/<tenant_slug>/)."""

from django.urls import URLPattern, path

from scorecards.api import glossary, imports

urlpatterns: list[URLPattern] = [
    path("metrics/", glossary.MetricListApi.as_view(), name="api_metric_list"),
    path("imports/<str:kind>/", imports.ImportRowsApi.as_view(), name="api_import_rows"),
]
