"""Tenant pages of the reviews app: the partner portal (partner users only, ``portal.reviews``)."""

from django.urls import URLPattern, path

from reviews import views_portal

urlpatterns: list[URLPattern] = [
    path("portal/reviews/", views_portal.portal_review_list_view, name="portal_review_list"),
    path("portal/reviews/<int:review_id>/", views_portal.portal_review_detail_view, name="portal_review_detail"),
    path(
        "portal/reviews/<int:review_id>/self-assessment/",
        views_portal.portal_self_assessment_view,
        name="portal_self_assessment",
    ),
    path("portal/reviews/<int:review_id>/forecast/", views_portal.portal_forecast_view, name="portal_forecast"),
    path("portal/actions/", views_portal.portal_action_list_view, name="portal_action_list"),
    path("portal/actions/<int:action_id>/", views_portal.portal_action_update_view, name="portal_action_update"),
]
