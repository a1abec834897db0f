"""``{% partner_section section partner %}``: one app's section of the partner page, rendered in place.

The sections come from the context (``partner_sections``, put there by the wiring's context processor from what each
app declares); the core names no app. A section's context function is found by its dotted path.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe

from partnerhub.core.models import Partner
from partnerhub.core.navigation import PartnerSection

register = template.Library()


@register.simple_tag(takes_context=True)
def partner_section(context: template.Context, section: PartnerSection, partner: Partner) -> SafeString:
    """The section's template, rendered with its context function's result for this partner and member."""
    request = context["request"]
    build = import_string(section.context)
    data: dict[str, Any] = build(tenant=request.tenant, actor=request.membership, partner=partner)
    # Without request=: the page's context processors ran once already; a section is read-only (no CSRF token).
    extra = {"partner": partner, "section": section, "tenant": request.tenant, "membership": request.membership}
    html = render_to_string(section.template, {**data, **extra})
    return mark_safe(html)  # noqa: S308 -- rendered by the template engine, which escaped every value
