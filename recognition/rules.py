"""Who may do what in recognition; added to the program's one rule set."""

from __future__ import annotations

from recognition import investment_rules  # noqa: F401  (investments, issue 15: registers its rules on import)
