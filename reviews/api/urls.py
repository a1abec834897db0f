"""API endpoints of the reviews app (mounted under /api/v1/t/<tenant_slug>/)."""

from django.urls import URLPattern, path

from reviews.api import cadences, calendar, portal, reviews

urlpatterns: list[URLPattern] = [
    # cadences
    path("cadences/", cadences.CadenceListApi.as_view(), name="api_cadence_list"),
    path("cadences/<int:cadence_id>/", cadences.CadenceDetailApi.as_view(), name="api_cadence_detail"),
    path("cadences/<int:cadence_id>/generate/", cadences.CycleGenerateApi.as_view(), name="api_cycle_generate"),
    path("cycles/<int:cycle_id>/", cadences.CycleDetailApi.as_view(), name="api_cycle_detail"),
    # reviews
    path("reviews/", reviews.ReviewListApi.as_view(), name="api_review_list"),
    path("reviews/<int:review_id>/", reviews.ReviewDetailApi.as_view(), name="api_review_detail"),
    path("reviews/<int:review_id>/transition/", reviews.ReviewTransitionApi.as_view(), name="api_review_transition"),
    path("reviews/<int:review_id>/notes/", reviews.ReviewNoteCreateApi.as_view(), name="api_review_notes"),
    path("reviews/<int:review_id>/ratings/", reviews.ReviewRatingSaveApi.as_view(), name="api_review_ratings"),
    path("reviews/<int:review_id>/decisions/", reviews.ReviewDecisionCreateApi.as_view(), name="api_review_decisions"),
    path("reviews/<int:review_id>/actions/", reviews.ReviewActionCreateApi.as_view(), name="api_review_actions"),
    path("reviews/<int:review_id>/preread/", reviews.ReviewPrereadApi.as_view(), name="api_review_preread"),
    path("actions/<int:action_id>/", reviews.ActionUpdateApi.as_view(), name="api_action_update"),
    # portal
    path(
        "reviews/<int:review_id>/self-assessment/",
        portal.SelfAssessmentApi.as_view(),
        name="api_review_self_assessment",
    ),
    path("reviews/<int:review_id>/forecast/", portal.ForecastApi.as_view(), name="api_review_forecast"),
    path("portal/actions/", portal.PortalActionListApi.as_view(), name="api_portal_action_list"),
    path("portal/actions/<int:action_id>/", portal.PortalActionApi.as_view(), name="api_portal_action"),
    # calendar
    path("calendar/", calendar.CalendarApi.as_view(), name="api_calendar"),
]
