"""Publication guards: how a higher app (the executive layer's change notices) may hold back a lower app's
publication (a scorecard template version, a tier framework version, a cadence change) without the lower app
knowing it exists.

The feature app describes what it is about to publish (a ``Publication``) and calls ``publication_ensure_allowed``
inside its transaction, before it writes anything; a refusal is a ``PublicationBlockedError`` (400) naming what is
missing, and nothing is written. Its pages call ``publication_verdicts`` to show the gate's state (what is needed,
what is in place, where to act). A guard is registered once, from its app's ``AppConfig.ready``
(``register_publication_guard``); guards are asked in the order they were registered.

Guards fail closed: an exception inside a guard is not swallowed (the publication fails with it), and a guard that
finds none of its own data for a tenant refuses a publication that needs it. With no guard registered at all (a
deployment without the executive layer) nothing is held back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from partnerhub.core.errors import InvalidStateError

if TYPE_CHECKING:
    from partnerhub.core.models import Tenant


class PublicationKind(StrEnum):
    """What is being published (the values are the change notices' kinds)."""

    TEMPLATE_VERSION = "template"
    TIER_FRAMEWORK_VERSION = "tier_framework"
    CADENCE_CHANGE = "cadence"


@dataclass(frozen=True)
class Publication:
    """One publication about to happen.

    ``subject_id`` is the template version's, the framework version's or the cadence's id; ``revision`` the version
    number (or, for a cadence, the revision the change makes); ``label`` names it in a sentence ("version 3 of the
    scorecard “Standard”"); ``first`` is true when nothing was published before it (nothing to change from).
    """

    tenant: Tenant
    kind: PublicationKind
    subject_id: int
    revision: int
    label: str
    first: bool


@dataclass(frozen=True)
class PublicationVerdict:
    """A guard's answer: whether the publication may go ahead, a sentence saying why (what is missing, or what is in
    place), and a link to act on it or read it."""

    allowed: bool
    message: str
    url: str = ""
    link_label: str = ""


class PublicationBlockedError(InvalidStateError):
    """A publication guard refused: the message names what is missing (nothing was written)."""

    default_code = "publication_blocked"


PublicationGuard = Callable[[Publication], "PublicationVerdict | None"]

_guards: dict[str, PublicationGuard] = {}


def register_publication_guard(uid: str, guard: PublicationGuard) -> None:
    """Register ``guard`` under ``uid`` (registering the same uid again replaces it, so a reloaded app adds none).
    A guard returns None when it has nothing to say about a publication (it does not apply)."""
    _guards[uid] = guard


def unregister_publication_guard(uid: str) -> None:
    _guards.pop(uid, None)


def publication_verdicts(publication: Publication) -> list[PublicationVerdict]:
    """Every registered guard's verdict on ``publication`` (those that apply), in registration order."""
    return [verdict for guard in list(_guards.values()) if (verdict := guard(publication)) is not None]


def publication_ensure_allowed(publication: Publication) -> None:
    """Raise ``PublicationBlockedError`` with every refusing guard's message unless all of them allow it."""
    refused = [v for v in publication_verdicts(publication) if not v.allowed]
    if refused:
        raise PublicationBlockedError(
            " ".join(v.message for v in refused),
            extra={"blocked": [{"message": v.message, "url": v.url} for v in refused]},
        )
