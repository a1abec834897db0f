"""Tenant pages of the reviews app: cadences."""

from django.urls import URLPattern, path

from reviews import views_cadences

urlpatterns: list[URLPattern] = [
    path("cadences/", views_cadences.cadence_list_view, name="cadence_list"),
    path("cadences/new/", views_cadences.cadence_create_view, name="cadence_create"),
    path("cadences/<int:cadence_id>/", views_cadences.cadence_detail_view, name="cadence_detail"),
    path("cadences/<int:cadence_id>/edit/", views_cadences.cadence_edit_view, name="cadence_edit"),
    path("cadences/<int:cadence_id>/generate/", views_cadences.cycle_generate_view, name="cycle_generate"),
    path("cycles/<int:cycle_id>/", views_cadences.cycle_detail_view, name="cycle_detail"),
]
