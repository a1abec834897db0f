"""``{% metric_link metric %}``: every metric shown anywhere links to its glossary entry."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator

register = template.Library()


@register.simple_tag(takes_context=True)
def metric_link(context: template.Context, metric: Any, label: str = "") -> SafeString:
    """The metric's name (or ``label``) linked to its definition, which also shows as the link's tooltip.

    ``metric`` is a MetricDefinition (or anything with ``pk``, ``name`` and ``definition``). The tenant comes from
    ``request.tenant``; outside a tenant page the name is shown without a link.
    """
    text = label or getattr(metric, "name", "") or str(metric)
    request = context.get("request")
    tenant = getattr(request, "tenant", None) or context.get("tenant")
    metric_id = getattr(metric, "pk", None)
    if tenant is None or metric_id is None:
        return format_html("{}", text)
    url = reverse("metric_detail", kwargs={"tenant_slug": tenant.slug, "metric_id": metric_id})
    definition = Truncator(getattr(metric, "definition", "")).chars(200)
    return format_html('<a class="metric-link" href="{}" title="{}">{}</a>', url, definition, text)
