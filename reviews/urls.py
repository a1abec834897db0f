"""Tenant pages of the reviews app (mounted under /t/<tenant_slug>/), one module per area."""

from django.urls import URLResolver, include, path

urlpatterns: list[URLResolver] = [
    path("", include("reviews.urls_cadences")),
    path("", include("reviews.urls_reviews")),
    path("", include("reviews.urls_portal")),
    path("", include("reviews.urls_calendar")),
]
