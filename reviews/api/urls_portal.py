"""API endpoints of the reviews app: the partner's side (self-assessment, forecast, shared action items)."""

from django.urls import URLPattern, path

from reviews.api import portal

urlpatterns: list[URLPattern] = [
    path(
        "reviews/<int:review_id>/self-assessment/",
        portal.SelfAssessmentApi.as_view(),
        name="api_review_self_assessment",
    ),
    path("reviews/<int:review_id>/forecast/", portal.ForecastApi.as_view(), name="api_review_forecast"),
    path("portal/actions/", portal.PortalActionListApi.as_view(), name="api_portal_action_list"),
    path("portal/actions/<int:action_id>/", portal.PortalActionApi.as_view(), name="api_portal_action"),
]
