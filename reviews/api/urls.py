"""API endpoints of the reviews app (mounted under /api/v1/t/<tenant_slug>/), one module per area."""

from django.urls import URLResolver, include, path

urlpatterns: list[URLResolver] = [
    path("", include("reviews.api.urls_cadences")),
    path("", include("reviews.api.urls_reviews")),
    path("", include("reviews.api.urls_portal")),
    path("", include("reviews.api.urls_calendar")),
]
