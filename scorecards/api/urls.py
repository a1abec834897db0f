"""API of the scorecards app (mounted under /api/v1/t/<tenant_slug>/)."""

from django.urls import path

from scorecards.api import views

urlpatterns = [
    path("metrics/", views.MetricListApi.as_view(), name="api_metric_list"),
    path("imports/<str:kind>/", views.ImportRowsApi.as_view(), name="api_import_rows"),
]
