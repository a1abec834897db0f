"""Audit entries as a person reads them, for any audited model: field names as the model names them (verbose names),
values as the pages show them (a choice's label, a related object's name, yes/no, a list joined), and nothing
internal (the tenant, ids, timestamps the database keeps, reverse relations).

django-auditlog stores each change as the text of the raw values (``"None"``, ``"3"``, ``"['A', 'B']"``). The related
objects named in a page of entries are read in one query per model, however many entries and fields there are.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst

from partnerhub.core.domain.ids import parse_id
from partnerhub.core.models import AuditEntry, Tenant, TenantOwnedModel

EMPTY = "—"
MAX_VALUE_CHARS = 200
# The keys a program never needs to read in its history: the database's own bookkeeping.
INTERNAL_FIELDS = frozenset({"id", "tenant", "created_at", "updated_at"})
VERBS = {0: "Created", 1: "Changed", 2: "Deleted", 3: "Opened"}  # auditlog's LogEntry.Action values


@dataclass(frozen=True)
class ChangeLine:
    """One field of an audit entry: its readable name and its values before and after (``EMPTY`` for none)."""

    field: str
    before: str
    after: str


@dataclass(frozen=True)
class ReadableEntry:
    """An audit entry with its changes in words: ``summary`` ("Changed partner “Acme”"), ``lines``, and ``note``
    (a change recorded as a sentence, or the reason given for it)."""

    entry: AuditEntry
    summary: str
    lines: list[ChangeLine]
    note: str
    is_create: bool

    @property
    def who(self) -> str:
        """Who made the change, as pages name people: their name (or address), "The system" for a task or import."""
        return str(self.entry.actor) if self.entry.actor_id else (self.entry.actor_email or "The system")


def _model(entry: AuditEntry) -> type[models.Model] | None:
    model: type[models.Model] | None = entry.content_type.model_class() if entry.content_type_id else None
    return model


def _field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | bool | None:
    """The model field a change names; False when it is internal (to hide); None when the model has no such field."""
    if name in INTERNAL_FIELDS:
        return False
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if not isinstance(field, models.Field) or not field.concrete or field.primary_key or not field.editable:
        return False  # a reverse relation (partner.owner_changes), the key, a value the program never edits
    if field.is_relation and field.related_model is Tenant:
        return False
    return field


def _is_empty(raw: Any) -> bool:
    return raw is None or raw in ("None", "", "[]")


def _related_ids(entries: list[AuditEntry]) -> dict[type[models.Model], set[int]]:
    wanted: dict[type[models.Model], set[int]] = defaultdict(set)
    for entry in entries:
        model = _model(entry)
        for name, values in (entry.changes_dict or {}).items():
            field = _field(model, name)
            if not isinstance(field, models.ForeignKey) or field.related_model is None:
                continue
            for raw in values:
                found = None if _is_empty(raw) else parse_id(str(raw))
                if found is not None:
                    wanted[field.related_model].add(found)
    return wanted


def _names(tenant: Tenant, wanted: dict[type[models.Model], set[int]]) -> dict[type[models.Model], dict[str, str]]:
    """Each related object's name (``str()``), one query per model: this program's rows only."""
    names: dict[type[models.Model], dict[str, str]] = {}
    for model, ids in wanted.items():
        manager: Any = model.objects if issubclass(model, TenantOwnedModel) else model._default_manager
        rows = manager.for_tenant(tenant) if issubclass(model, TenantOwnedModel) else manager.all()
        # What a name needs (a membership is named by its user): the forward links, joined in the same query.
        joins = [
            f.name
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is not Tenant and f.related_model is not model
        ]
        names[model] = {str(obj.pk): str(obj) for obj in rows.select_related(*joins).filter(pk__in=sorted(ids))}
    return names


def _number(raw: str) -> str:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return raw
    return f"{value.normalize():f}"  # 1.5000 -> 1.5, 100 -> 100


def _display(field: models.Field[Any, Any] | None, raw: Any, names: dict[type[models.Model], dict[str, str]]) -> str:
    if _is_empty(raw):
        return EMPTY
    text = str(raw)
    if field is None:
        return text[:MAX_VALUE_CHARS]
    base = getattr(field, "base_field", None)
    if base is not None:  # an ArrayField: "['Cloud', 'Security']"
        try:
            items = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text[:MAX_VALUE_CHARS]
        labels = dict(base.flatchoices) if base.choices else {}
        return ", ".join(str(labels.get(item, item)) for item in items) or EMPTY
    if field.choices:
        return str(dict(field.flatchoices).get(text, text))
    if isinstance(field, models.ForeignKey) and field.related_model is not None:
        return names.get(field.related_model, {}).get(text) or f"#{text} (no longer exists)"
    if isinstance(field, models.BooleanField):
        return {"True": "Yes", "False": "No"}.get(text, text)
    if isinstance(field, models.DateTimeField):
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, UTC)
        return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"
    if isinstance(field, models.DecimalField | models.FloatField):
        return _number(text)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _label(field: models.Field[Any, Any] | None, name: str) -> str:
    if field is None:
        return capfirst(name.replace("_", " "))
    return str(capfirst(field.verbose_name))


def audit_entries_readable(*, tenant: Tenant, entries: Iterable[AuditEntry]) -> list[ReadableEntry]:
    """``entries`` (with their content type joined) in words: readable field names and values, internal fields
    hidden. A creation lists the values it set (empty ones left out); a change lists each value before and after."""
    entries = list(entries)
    names = _names(tenant, _related_ids(entries))
    readable = []
    for entry in entries:
        model = _model(entry)
        is_create = entry.action == 0
        lines = []
        for name, values in (entry.changes_dict or {}).items():
            field = _field(model, name)
            if field is False or not isinstance(values, list | tuple) or len(values) != 2:
                continue
            typed = field if isinstance(field, models.Field) else None
            before, after = (_display(typed, raw, names) for raw in values)
            if (is_create and after == EMPTY) or before == after:
                continue
            lines.append(ChangeLine(_label(typed, name), before, after))
        reason = (entry.additional_data or {}).get("reason", "") if isinstance(entry.additional_data, dict) else ""
        kind = str(model._meta.verbose_name) if model is not None else entry.content_type.model
        summary = f"{VERBS.get(entry.action, 'Changed')} {kind} “{entry.object_repr}”"
        readable.append(ReadableEntry(entry, summary, lines, entry.changes_text or str(reason), is_create))
    return readable
