"""API endpoints of the reviews app: reviews (states, notes, ratings, decisions, action items, pre-read)."""

from django.urls import URLPattern, path

from reviews.api import reviews as api

urlpatterns: list[URLPattern] = [
    path("reviews/", api.ReviewListApi.as_view(), name="api_review_list"),
    path("reviews/<int:review_id>/", api.ReviewDetailApi.as_view(), name="api_review_detail"),
    path("reviews/<int:review_id>/transition/", api.ReviewTransitionApi.as_view(), name="api_review_transition"),
    path("reviews/<int:review_id>/notes/", api.ReviewNoteCreateApi.as_view(), name="api_review_notes"),
    path("reviews/<int:review_id>/ratings/", api.ReviewRatingSaveApi.as_view(), name="api_review_ratings"),
    path("reviews/<int:review_id>/decisions/", api.ReviewDecisionCreateApi.as_view(), name="api_review_decisions"),
    path("reviews/<int:review_id>/actions/", api.ReviewActionCreateApi.as_view(), name="api_review_actions"),
    path("reviews/<int:review_id>/preread/", api.ReviewPrereadApi.as_view(), name="api_review_preread"),
    path("actions/<int:action_id>/", api.ActionUpdateApi.as_view(), name="api_action_update"),
]
