"""Tenant pages of the reviews app: calendar."""

from django.urls import URLPattern, path

from reviews import views_calendar

urlpatterns: list[URLPattern] = [
    path("calendar/", views_calendar.calendar_month_view, name="calendar_month"),
    path("calendar/list/", views_calendar.calendar_list_view, name="calendar_list"),
    path("calendar/subscribe/", views_calendar.calendar_subscribe_view, name="calendar_subscribe"),
    path("calendar/feed/<str:feed_token>.ics", views_calendar.calendar_feed_view, name="calendar_feed"),
]
