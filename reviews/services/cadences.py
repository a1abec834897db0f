"""Writes of cadences: create and edit one (admins), and seed a new program's default cadences.

The agenda arrives as text (``agenda_text``, the editor) or as JSON (``agenda``, the API); either way
``reviews.domain.agenda`` validates it and keys it, keeping the keys of the cadence's current agenda where unchanged.
Editing a cadence never touches reviews already generated: each review keeps the agenda it was generated with.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from partnerhub.core.errors import DomainError
from partnerhub.core.models import Membership, Partner, Tenant
from partnerhub.core.publication import publication_ensure_allowed
from partnerhub.core.rules import ensure_can
from partnerhub.core.services.program import ensure_same_tenant
from partnerhub.core.tenancy.context import tenant_context
from reviews.domain.agenda import DEEP_DIVE_AGENDA, DEFAULT_AGENDA, LIGHT_AGENDA, Agenda, agenda_from_data, agenda_parse
from reviews.errors import CadenceInvalidError
from reviews.models import Cadence
from reviews.selectors.cadences import cadence_change_publication

# What an admin sets on a cadence (the agenda comes separately, as text or JSON).
CADENCE_FIELDS: Final = (
    "name",
    "kind",
    "frequency",
    "partner_types",
    "tiers",
    "stages",
    "include_strategic",
    "review_offset_days",
    "prep_lead_days",
    "self_assessment_lead_days",
    "asks_forecast",
    "detailed_cap",
    "is_active",
)
# What partners notice of a cadence (when and how they are reviewed, and whether at all): a change to any of these
# is a new revision, which the program's governance may hold back until it is announced. The name and the pre-read's
# lead time are the program's own business.
NOTICED_FIELDS: Final = (*(f for f in CADENCE_FIELDS if f not in ("name", "prep_lead_days")), "agenda")
FILTER_CHOICES: Final = {
    "partner_types": Partner.Type.values,
    "tiers": Partner.Tier.values,
    "stages": Partner.Stage.values,
}
MAX_LEAD_DAYS: Final = 60
# A review is held inside its own period: at most this many days after the period starts.
MAX_OFFSET_DAYS: Final = {
    Cadence.Frequency.MONTHLY: 27,
    Cadence.Frequency.QUARTERLY: 89,
    Cadence.Frequency.BIANNUAL: 180,
}
# The input bound of the form and the API, whatever the frequency (the rule above is checked on save).
OFFSET_DAYS_MAX: Final = max(MAX_OFFSET_DAYS.values())


def _clean_filters(data: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """Keep each filter's known values once, in their natural order; name the unknown ones."""
    for field, allowed in FILTER_CHOICES.items():
        if field not in data:
            continue
        values = data[field] or []
        if isinstance(values, str) or not isinstance(values, Iterable):
            errors.setdefault(field, []).append("Give a list of values.")
            continue
        unknown = sorted({str(v) for v in values} - set(allowed))
        if unknown:
            errors.setdefault(field, []).append(f"Unknown value(s): {', '.join(unknown)}.")
            continue
        data[field] = [v for v in allowed if v in set(values)]


def _check_rules(cadence: Cadence, errors: dict[str, list[str]]) -> None:
    """The rules between fields, checked on the cadence as it would be saved."""
    limit = MAX_OFFSET_DAYS[Cadence.Frequency(cadence.frequency)]
    if cadence.review_offset_days > limit:
        errors.setdefault("review_offset_days", []).append(
            f"Reviews must fall inside their period: at most {limit} days after it starts "
            f"for “{cadence.get_frequency_display().lower()}”."
        )
    for field in ("prep_lead_days", "self_assessment_lead_days"):
        if getattr(cadence, field) > MAX_LEAD_DAYS:
            errors.setdefault(field, []).append(f"At most {MAX_LEAD_DAYS} days before the review.")
    if cadence.detailed_cap is not None and cadence.detailed_cap < 1:
        errors.setdefault("detailed_cap", []).append("At least 1, or leave it empty for no cap.")


def _agenda_from(data: dict[str, Any], previous: Agenda | None, errors: dict[str, list[str]]) -> Agenda | None:
    """The new agenda from ``agenda_text`` or ``agenda`` (None: unchanged); its problems go into ``errors``."""
    try:
        if "agenda_text" in data:
            return agenda_parse(str(data["agenda_text"] or ""), previous=previous)
        if "agenda" in data:
            return agenda_from_data(data["agenda"], previous=previous)
    except DomainError as exc:
        errors.setdefault("agenda_text" if "agenda_text" in data else "agenda", []).extend(
            exc.extra.get("fields", {}).get("agenda", [exc.message])
        )
    return None


def _save(tenant: Tenant, cadence: Cadence, data: dict[str, Any], *, creating: bool) -> Cadence:
    """Validate ``data`` onto ``cadence`` and save it; CadenceInvalidError (nothing written) on any problem.

    A change partners notice (``NOTICED_FIELDS``) to a stored cadence is its next revision: the publication guards
    are asked first (PublicationBlockedError, nothing written)."""
    before = None if creating else copy.deepcopy({f: getattr(cadence, f) for f in NOTICED_FIELDS})
    errors: dict[str, list[str]] = {}
    data = dict(data)
    _clean_filters(data, errors)
    agenda = _agenda_from(data, None if creating else cadence.agenda, errors)
    if creating and agenda is None and not errors.get("agenda") and not errors.get("agenda_text"):
        agenda = [dict(section) for section in DEFAULT_AGENDA]
    for field in CADENCE_FIELDS:
        if field in data and field not in errors:
            setattr(cadence, field, data[field])
    if agenda is not None:
        cadence.agenda = agenda
    if isinstance(cadence.name, str):
        cadence.name = cadence.name.strip()
    try:
        cadence.full_clean(exclude=["tenant"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if not errors:
        _check_rules(cadence, errors)
    if not errors and (
        Cadence.objects.for_tenant(tenant).filter(name__iexact=cadence.name).exclude(pk=cadence.pk).exists()
    ):
        errors["name"] = ["Another cadence has this name."]
    if errors:
        raise CadenceInvalidError(errors)
    if before is not None and any(before[f] != getattr(cadence, f) for f in NOTICED_FIELDS):
        # The revision as stored, locked: two changes at once must not both pass on one notice.
        stored = Cadence.objects.for_tenant(tenant).select_for_update(of=("self",)).get(pk=cadence.pk)
        publication_ensure_allowed(cadence_change_publication(tenant=tenant, cadence=stored))
        cadence.revision = stored.revision + 1
    try:
        with transaction.atomic():
            cadence.save()
    except IntegrityError as exc:  # a concurrent save took the name between the check and the write
        raise CadenceInvalidError({"name": ["Another cadence has this name."]}) from exc
    return cadence


@transaction.atomic
def cadence_create(*, tenant: Tenant, actor: Membership, data: dict[str, Any]) -> Cadence:
    """Create a cadence (admins); without an agenda it gets the default six-section agenda.

    Raises PermissionDeniedError, or CadenceInvalidError naming every bad field (nothing is written).
    """
    ensure_same_tenant(tenant, actor)
    ensure_can(actor, "cadences.change")
    cadence = Cadence(tenant=tenant)
    return _save(tenant, cadence, data, creating=True)


@transaction.atomic
def cadence_update(*, tenant: Tenant, actor: Membership, cadence: Cadence, data: dict[str, Any]) -> Cadence:
    """Change a cadence (admins): only the fields in ``data``; ``is_active=False`` deactivates it.

    A deactivated cadence generates no more cycles; its cycles and reviews stay. Agenda keys of unchanged sections
    and prompts are kept. A change partners notice (``NOTICED_FIELDS``) makes the cadence's next revision, which a
    publication guard may refuse (PublicationBlockedError: the executive layer asks for a published change notice).
    Raises PermissionDeniedError, CrossTenantReferenceError, CadenceInvalidError or PublicationBlockedError.
    """
    ensure_same_tenant(tenant, actor, cadence)
    ensure_can(actor, "cadences.change")
    # Work on a copy: a refused change must not leave the caller's object half-edited (a page shows it again).
    return _save(tenant, copy.copy(cadence), data, creating=False)


def default_cadences(tenant: Tenant) -> list[Cadence]:
    """The three cadences every program starts with (unsaved)."""
    return [
        Cadence(
            tenant=tenant,
            name="Monthly health check",
            kind=Cadence.Kind.HEALTH_CHECK,
            frequency=Cadence.Frequency.MONTHLY,
            review_offset_days=10,
            prep_lead_days=3,
            self_assessment_lead_days=5,
            asks_forecast=False,
            detailed_cap=None,
            agenda=[dict(section) for section in LIGHT_AGENDA],
        ),
        Cadence(
            tenant=tenant,
            name="Quarterly business review",
            kind=Cadence.Kind.QBR,
            frequency=Cadence.Frequency.QUARTERLY,
            review_offset_days=21,
            prep_lead_days=7,
            self_assessment_lead_days=10,
            asks_forecast=True,
            detailed_cap=12,
            agenda=[dict(section) for section in DEFAULT_AGENDA],
        ),
        Cadence(
            tenant=tenant,
            name="Biannual deep dive",
            kind=Cadence.Kind.DEEP_DIVE,
            frequency=Cadence.Frequency.BIANNUAL,
            stages=[Partner.Stage.AT_RISK],
            include_strategic=True,
            review_offset_days=35,
            prep_lead_days=10,
            self_assessment_lead_days=14,
            asks_forecast=True,
            detailed_cap=8,
            agenda=[dict(section) for section in DEEP_DIVE_AGENDA],
        ),
    ]


@transaction.atomic
def cadence_defaults_seed(*, tenant: Tenant) -> int:
    """Add the default cadences ``tenant`` lacks (matched by name) in one insert; return how many were created.

    Safe to run twice; an existing cadence of the same name (edited or deactivated by an admin) is left alone.
    """
    with tenant_context(tenant):
        cadences = Cadence.objects.for_tenant(tenant)
        existing = {name.casefold() for name in cadences.values_list("name", flat=True)}
        missing = [c for c in default_cadences(tenant) if c.name.casefold() not in existing]
        if not missing:
            return 0
        # ignore_conflicts: a concurrent seed of the same program loses quietly instead of failing the sign-up.
        cadences.bulk_create(missing, ignore_conflicts=True)
        return cadences.count() - len(existing)
