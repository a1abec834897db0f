"""Tenant pages of the reviews app: reviews (list, one review and what is recorded on it, the pre-read and its PDF)."""

from django.urls import URLPattern, path

from reviews import views_reviews as views

urlpatterns: list[URLPattern] = [
    path("reviews/", views.review_list_view, name="review_list"),
    path("reviews/new/", views.review_schedule_view, name="review_schedule"),
    path("reviews/<int:review_id>/", views.review_detail_view, name="review_detail"),
    path("reviews/<int:review_id>/transition/", views.review_transition_view, name="review_transition"),
    path("reviews/<int:review_id>/preread/", views.review_preread_view, name="review_preread"),
    path("reviews/<int:review_id>/preread.pdf", views.review_preread_pdf_view, name="review_preread_pdf"),
    path(
        "reviews/<int:review_id>/preread/regenerate/",
        views.review_preread_regenerate_view,
        name="review_preread_regenerate",
    ),
    path("reviews/<int:review_id>/notes/", views.review_note_add_view, name="review_note_add"),
    path("reviews/<int:review_id>/ratings/", views.review_rating_save_view, name="review_rating_save"),
    path("reviews/<int:review_id>/decisions/", views.review_decision_add_view, name="review_decision_add"),
    path("reviews/<int:review_id>/actions/", views.review_action_add_view, name="review_action_add"),
    path("reviews/<int:review_id>/attendees/", views.review_attendee_add_view, name="review_attendee_add"),
    path(
        "reviews/<int:review_id>/attendees/<int:attendee_id>/remove/",
        views.review_attendee_remove_view,
        name="review_attendee_remove",
    ),
    path("actions/<int:action_id>/", views.action_update_view, name="action_update"),
]
