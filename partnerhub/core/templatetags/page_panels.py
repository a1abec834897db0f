"""``{% page_panels "slot" partner=... %}``: the sections higher apps add to this page, rendered where it says.

The page names a slot and what it shows (``partner=``, ``review=``...); the wiring's context processor has put every
app's panels in the context (``page_panels``: slot -> callables). Each panel is called with the request and those
values and returns HTML (or "" to show nothing). The page never knows which app a panel comes from, so a lower app
stays below the apps that extend it. Without a request (a PDF rendered apart) or a panel, nothing is rendered.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def page_panels(context: template.Context, slot: str, **subject: Any) -> SafeString:
    request = context.get("request")
    declared = context.get("page_panels") or {}
    if request is None or getattr(request, "membership", None) is None:
        return mark_safe("")
    parts = [str(html) for panel in declared.get(slot, []) if (html := panel(request, slot=slot, **subject))]
    # Each panel returns HTML it rendered from an autoescaped template.
    return format_html_join("", "{}", ((mark_safe(part),) for part in parts))  # noqa: S308
