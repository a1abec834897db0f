"""API endpoints of the reviews app: calendar."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
