"""API endpoints of the reviews app: cadences."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
