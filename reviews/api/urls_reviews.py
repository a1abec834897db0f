"""API endpoints of the reviews app: reviews."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
