"""Figures the dashboard and the memo take from the feature apps that are built apart from this layer (remediation,
recognition with its tiers, awards and investments), looked up at run time so that an app that is not there yet
shows as "not yet available" instead of breaking the page.

The seam: an app offers a figure by naming, on its ``AppConfig``, the selector that computes it::

    class RemediationConfig(AppConfig):
        executive_figures = {"open_plans": "remediation.selectors.executive.open_plans_count", ...}

Each selector is called as ``fn(tenant=..., partners=<QuerySet of the slice's partners>, start=<date>, end=<date>)``
and returns a number (or None when it has nothing to say). A figure whose app does not declare it, or whose selector
cannot be imported, is unavailable; the dashboard says so. ``docs/executive.md`` lists the figures.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from django.apps import apps
from django.db.models import QuerySet

from partnerhub.core.models import Partner, Tenant

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SeamSpec:
    app_label: str
    name: str
    label: str
    unit: str
    definition: str  # the definitions entry to link to


SEAMS: Final = (
    SeamSpec("remediation", "open_plans", "Open remediation plans", "count", "remediation"),
    SeamSpec("remediation", "missed_checkpoints", "Missed checkpoints", "count", "remediation"),
    SeamSpec("recognition", "tier_moves_pending", "Tier moves awaiting approval", "count", "tiers"),
    SeamSpec("recognition", "investment_spend", "Investment spend", "currency", "investments"),
    SeamSpec("recognition", "investment_impact", "Measured impact of investments", "points", "investments"),
)


@dataclass(frozen=True)
class SeamFigure:
    spec: SeamSpec
    available: bool
    value: float | None = None


def seam_provider(app_label: str, name: str) -> Callable[..., Any] | None:
    """The selector an installed app declares for a figure; None when the app is absent, does not declare it, or the
    selector cannot be imported."""
    try:
        config = apps.get_app_config(app_label)
    except LookupError:
        return None
    path = (getattr(config, "executive_figures", None) or {}).get(name)
    if not path:
        return None
    module_name, _, attribute = str(path).rpartition(".")
    try:
        provider = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError):
        logger.warning("executive figure %s.%s names %s, which cannot be imported", app_label, name, path)
        return None
    return provider if callable(provider) else None


def seam_figures(*, tenant: Tenant, partners: QuerySet[Partner], start: date, end: date) -> list[SeamFigure]:
    """Every seam figure for a slice and a period: its value where its app provides it, else "not yet available"."""
    out = []
    for spec in SEAMS:
        provider = seam_provider(spec.app_label, spec.name)
        if provider is None:
            out.append(SeamFigure(spec, available=False))
            continue
        value = provider(tenant=tenant, partners=partners, start=start, end=end)
        out.append(SeamFigure(spec, available=True, value=None if value is None else float(value)))
    return out
