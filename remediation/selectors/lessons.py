"""Reads of lessons learned: the searchable library, and the lessons of one cause category."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from partnerhub.core.models import Tenant
from remediation.models import Lesson


def lesson_list(*, tenant: Tenant, q: str = "", category: str = "", outcome: str = "") -> QuerySet[Lesson]:
    """Lessons, newest first, matching ``q`` (in the lesson, the plan's title or the partner's name), a category and
    an outcome; plan, partner and author joined (one query for a page)."""
    qs = Lesson.objects.for_tenant(tenant).select_related("plan", "partner", "author__user")
    if category:
        qs = qs.filter(category=category)
    if outcome:
        qs = qs.filter(outcome=outcome)
    q = q.strip()
    if q:
        qs = qs.filter(Q(text__icontains=q) | Q(plan__title__icontains=q) | Q(partner__name__icontains=q))
    return qs.order_by("-created_at", "-id")


def lessons_for_category(*, tenant: Tenant, category: str) -> QuerySet[Lesson]:
    """The category's lessons, newest first, with their plan and partner."""
    return lesson_list(tenant=tenant, category=category)


def lesson_counts_by_category(*, tenant: Tenant) -> dict[str, int]:
    """Category key -> how many lessons carry it (one query)."""
    return dict(
        Lesson.objects.for_tenant(tenant).values("category").annotate(n=Count("id")).values_list("category", "n")
    )
