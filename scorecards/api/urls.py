"""API of the scorecards app (mounted under /api/v1/t/<tenant_slug>/)."""

from django.urls import URLPattern, path

from scorecards.api import deals, exchange_rates, glossary, imports

urlpatterns: list[URLPattern] = [
    path("deals/", deals.DealListApi.as_view(), name="api_deal_list"),
    path("deals/<int:deal_id>/", deals.DealDetailApi.as_view(), name="api_deal_detail"),
    path("metrics/", glossary.MetricListApi.as_view(), name="api_metric_list"),
    path("imports/<str:kind>/", imports.ImportRowsApi.as_view(), name="api_import_rows"),
    path("exchange-rates/", exchange_rates.ExchangeRateListApi.as_view(), name="api_exchange_rate_list"),
    path(
        "exchange-rates/<int:rate_id>/", exchange_rates.ExchangeRateDetailApi.as_view(), name="api_exchange_rate_detail"
    ),
]
