"""Every ``{% static %}`` a template names exists among our static files (a missing one is a 500 in production)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

STATIC_TAG = re.compile(r"""{%\s*static\s+['"]([^'"]+)['"]\s*%}""")


def _templates() -> list[Path]:
    roots = [Path(settings.BASE_DIR)]
    return [
        path
        for root in roots
        for path in root.rglob("*.html")
        if ".venv" not in path.parts and "node_modules" not in path.parts and "staticfiles" not in path.parts
    ]


def test_every_static_file_a_template_names_exists() -> None:
    named = {(str(path), ref) for path in _templates() for ref in STATIC_TAG.findall(path.read_text(encoding="utf-8"))}
    assert len(named) > 5  # the scan saw the templates
    missing = sorted((path, ref) for path, ref in named if finders.find(ref) is None)
    assert missing == []
