"""Calendar pages: the month grid, the upcoming weeks, subscribing in a calendar app, and the feed itself."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import Http404, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control

from partnerhub.core.errors import NotFoundError
from partnerhub.core.http import TenantRequest
from partnerhub.core.rules import can
from partnerhub.core.views.program import tenant_view
from reviews.forms.calendar import CalendarFilterForm, MonthForm, WeeksForm
from reviews.selectors.calendar import (
    KIND_SHORT,
    calendar_feed_exists,
    calendar_feed_get_by_token,
    calendar_month,
    calendar_weeks,
    feed_reviews_for_member,
    review_path,
)
from reviews.services.calendar import calendar_feed_rotate, calendar_feed_stop
from reviews.views.ical import render_calendar, review_events


def _filter_query(form: CalendarFilterForm) -> str:
    """The filters as a query string, to carry them over the month and list links."""
    query = QueryDict(mutable=True)
    for name in ("owner", "kind", "partner"):
        value = form.data.get(name, "") if form.is_bound else ""
        if value:
            query[name] = value
    return query.urlencode()


def _links(request: TenantRequest, reviews: list[Any]) -> None:
    slug = request.tenant.slug
    for review in reviews:
        review.link = review_path(tenant_slug=slug, review=review)
        review.kind_short = KIND_SHORT.get(review.kind, "Review")


def _feed_section(request: TenantRequest) -> dict[str, Any]:
    return {"has_feed": calendar_feed_exists(tenant=request.tenant, member=request.membership)}


@tenant_view("calendar.view")
def calendar_month_view(request: TenantRequest) -> HttpResponse:
    tenant = request.tenant
    today = timezone.localdate()
    filters = CalendarFilterForm(request.GET or None, tenant=tenant)
    month_form = MonthForm(request.GET or None)
    month = calendar_month(
        tenant=tenant, month=month_form.month_start(today), today=today, filters=filters.to_filters()
    )
    for week in month.weeks:
        for day in week:
            _links(request, day.shown)
    errors = [*filters.errors.values(), *month_form.errors.values()]
    context = {
        "form": filters,
        "cal": month,
        "keep": [("month", f"{month.month:%Y-%m}")],
        "tz_name": timezone.get_current_timezone_name(),
        "query": _filter_query(filters),
        "today": today,
        "errors": [e for group in errors for e in group],
        **_feed_section(request),
    }
    return render(request, "reviews/calendar_month.html", context, status=400 if errors else 200)


@tenant_view("calendar.view")
def calendar_list_view(request: TenantRequest) -> HttpResponse:
    tenant = request.tenant
    today = timezone.localdate()
    filters = CalendarFilterForm(request.GET or None, tenant=tenant)
    window = WeeksForm(request.GET or None)
    start, weeks = window.window(today)
    groups = calendar_weeks(tenant=tenant, start=start, weeks=weeks, filters=filters.to_filters())
    for group in groups:
        _links(request, group.reviews)
    errors = [*filters.errors.values(), *window.errors.values()]
    context = {
        "form": filters,
        "groups": groups,
        "start": start,
        "weeks": weeks,
        "earlier": start - timedelta(weeks=weeks),
        "later": start + timedelta(weeks=weeks),
        "keep": [("start", start.isoformat()), ("weeks", weeks)],
        "tz_name": timezone.get_current_timezone_name(),
        "today": today,
        "query": _filter_query(filters),
        "count": sum(len(g.reviews) for g in groups),
        "errors": [e for group in errors for e in group],
    }
    return render(request, "reviews/calendar_list.html", context, status=400 if errors else 200)


@tenant_view("calendar.subscribe", methods=("GET", "POST"))
def calendar_subscribe_view(request: TenantRequest) -> HttpResponse:
    """GET: explain. POST ``action=rotate``: a new address, shown once. POST ``action=stop``: no address any more."""
    tenant, actor = request.tenant, request.membership
    context: dict[str, Any] = {"can_view_calendar": can(actor, "calendar.view")}
    if request.method == "POST":
        if request.POST.get("action") == "stop":
            context["stopped"] = calendar_feed_stop(tenant=tenant, actor=actor)
        else:
            issued = calendar_feed_rotate(tenant=tenant, actor=actor)
            url = request.build_absolute_uri(issued.path)
            context["feed_url"] = url
            context["webcal_url"] = "webcal://" + url.split("://", 1)[1]
    context.update(_feed_section(request))
    response = render(request, "reviews/calendar_subscribe.html", context)
    patch_cache_control(response, private=True, no_store=True)  # the address is a credential
    return response


def calendar_feed_view(request: TenantRequest, tenant_slug: str, feed_token: str) -> HttpResponse:
    """A member's reviews as iCalendar, for calendar apps (which cannot log in): the token is the credential."""
    tenant = request.tenant
    try:
        feed = calendar_feed_get_by_token(tenant=tenant, token=feed_token)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    if request.method not in ("GET", "HEAD"):  # after the lookup: a wrong token is a 404 whatever the method
        return HttpResponseNotAllowed(["GET", "HEAD"])
    member = feed.membership
    now = timezone.now()
    reviews = feed_reviews_for_member(tenant=tenant, member=member, now=now)
    base_url = request.build_absolute_uri("/")[:-1]
    events = review_events(tenant=tenant, member=member, reviews=reviews, base_url=base_url)
    body = render_calendar(name=f"{tenant.name} reviews", events=events, stamp=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{tenant.slug}-reviews.ics"'
    response["X-Robots-Tag"] = "noindex"
    patch_cache_control(response, private=True, max_age=300)
    return response


# Reachable without a login (calendar apps cannot sign in); the tenant context is still entered by the middleware.
calendar_feed_view.tenant_public = True  # type: ignore[attr-defined]
