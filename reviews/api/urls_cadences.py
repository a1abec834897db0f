"""API endpoints of the reviews app: cadences and their cycles."""

from django.urls import URLPattern, path

from reviews.api import cadences

urlpatterns: list[URLPattern] = [
    path("cadences/", cadences.CadenceListApi.as_view(), name="api_cadence_list"),
    path("cadences/<int:cadence_id>/", cadences.CadenceDetailApi.as_view(), name="api_cadence_detail"),
    path("cadences/<int:cadence_id>/generate/", cadences.CycleGenerateApi.as_view(), name="api_cycle_generate"),
    path("cycles/<int:cycle_id>/", cadences.CycleDetailApi.as_view(), name="api_cycle_detail"),
]
