"""API endpoints of the reviews app: calendar, and the member's notifications."""

from django.urls import URLPattern, path

from reviews.api import calendar

urlpatterns: list[URLPattern] = [
    path("calendar/", calendar.CalendarApi.as_view(), name="api_calendar"),
    path("notifications/", calendar.NotificationListApi.as_view(), name="api_notification_list"),
    path("notifications/read/", calendar.NotificationReadApi.as_view(), name="api_notification_read"),
]
