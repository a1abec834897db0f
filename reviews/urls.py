"""Tenant pages of the reviews app (mounted under /t/<tenant_slug>/)."""

from django.urls import URLPattern, path

from reviews.views import cadences, calendar, portal, reviews

urlpatterns: list[URLPattern] = [
    # cadences
    path("cadences/", cadences.cadence_list_view, name="cadence_list"),
    path("cadences/new/", cadences.cadence_create_view, name="cadence_create"),
    path("cadences/<int:cadence_id>/", cadences.cadence_detail_view, name="cadence_detail"),
    path("cadences/<int:cadence_id>/edit/", cadences.cadence_edit_view, name="cadence_edit"),
    path("cadences/<int:cadence_id>/generate/", cadences.cycle_generate_view, name="cycle_generate"),
    path("cycles/<int:cycle_id>/", cadences.cycle_detail_view, name="cycle_detail"),
    # reviews
    path("reviews/", reviews.review_list_view, name="review_list"),
    path("reviews/new/", reviews.review_schedule_view, name="review_schedule"),
    path("reviews/<int:review_id>/", reviews.review_detail_view, name="review_detail"),
    path("reviews/<int:review_id>/transition/", reviews.review_transition_view, name="review_transition"),
    path("reviews/<int:review_id>/preread/", reviews.review_preread_view, name="review_preread"),
    path("reviews/<int:review_id>/preread.pdf", reviews.review_preread_pdf_view, name="review_preread_pdf"),
    path(
        "reviews/<int:review_id>/preread/regenerate/",
        reviews.review_preread_regenerate_view,
        name="review_preread_regenerate",
    ),
    path("reviews/<int:review_id>/notes/", reviews.review_note_add_view, name="review_note_add"),
    path("reviews/<int:review_id>/ratings/", reviews.review_rating_save_view, name="review_rating_save"),
    path("reviews/<int:review_id>/decisions/", reviews.review_decision_add_view, name="review_decision_add"),
    path("reviews/<int:review_id>/actions/", reviews.review_action_add_view, name="review_action_add"),
    path("reviews/<int:review_id>/attendees/", reviews.review_attendee_add_view, name="review_attendee_add"),
    path(
        "reviews/<int:review_id>/attendees/<int:attendee_id>/remove/",
        reviews.review_attendee_remove_view,
        name="review_attendee_remove",
    ),
    path("actions/<int:action_id>/", reviews.action_update_view, name="action_update"),
    # portal
    path("portal/reviews/", portal.portal_review_list_view, name="portal_review_list"),
    path("portal/reviews/<int:review_id>/", portal.portal_review_detail_view, name="portal_review_detail"),
    path(
        "portal/reviews/<int:review_id>/self-assessment/",
        portal.portal_self_assessment_view,
        name="portal_self_assessment",
    ),
    path("portal/reviews/<int:review_id>/forecast/", portal.portal_forecast_view, name="portal_forecast"),
    path("portal/actions/", portal.portal_action_list_view, name="portal_action_list"),
    path("portal/actions/<int:action_id>/", portal.portal_action_update_view, name="portal_action_update"),
    # calendar
    path("calendar/", calendar.calendar_month_view, name="calendar_month"),
    path("calendar/list/", calendar.calendar_list_view, name="calendar_list"),
    path("calendar/subscribe/", calendar.calendar_subscribe_view, name="calendar_subscribe"),
    path("calendar/feed/<str:feed_token>.ics", calendar.calendar_feed_view, name="calendar_feed"),
]
