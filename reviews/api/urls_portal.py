"""API endpoints of the reviews app: portal."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
