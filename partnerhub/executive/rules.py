"""Who may do what in the executive layer; added to the program's one rule set."""

from __future__ import annotations

from partnerhub.core.rules import is_internal, permissions

# The dashboard: the program's people (executives land on it; managers and admins reach it from the navigation).
permissions.add_rule("executive.dashboard", is_internal)
