"""Validate a parsed file against an import kind and compare it with the stored rows: the plan of what to write
(``scorecards.services.import_rows`` writes it).

Query budget, whatever the number of rows: one query for the tenant's partners, one for its metrics (observations)
or the referenced deals (surveys, in chunks of 5,000), and one to read the stored rows by natural key.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from django.db import connection, models

from partnerhub.core.models import Role, Tenant
from partnerhub.core.selectors.program import membership_list, partner_list
from partnerhub.core.tenancy.sql import column_param, ensure_active_tenant
from scorecards.domain import import_values as norm
from scorecards.domain.deal_duplicates import WINDOW_DAYS, DealFacts, likely_duplicates
from scorecards.domain.import_fields import (
    BOOLEAN,
    CHOICE,
    CURRENCY,
    DATE,
    DEAL,
    DECIMAL,
    INTEGER,
    KINDS,
    LIST,
    MEMBER,
    METRIC,
    MONTH,
    PARTNER,
    PERCENT,
    TEXT,
    FieldSpec,
    KindSpec,
)
from scorecards.domain.import_options import (
    FALSE,
    LINK,
    MAX_DISTINCT_VALUES,
    SKIP,
    TRUE,
    ImportOptions,
    UnitDecision,
    ValueReading,
    allowed_labels,
    applied_values,
    currency_in_header,
    parse_percent,
    read_values,
)
from scorecards.domain.import_parsing import ABOVE, FOOTER, TOTAL, Table
from scorecards.models import Deal, DealAlias, ImportBatch, MetricDefinition, SurveyResponse

CHUNK = 5000
MAX_ERRORS = 1000
T = TypeVar("T")


class _Keep:
    """A row gives no value for this field: keep the stored value (or the default for a new row)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()

RESPONDENT_FOR_SURVEY = {
    SurveyResponse.Survey.CSAT: SurveyResponse.Respondent.CUSTOMER,
    SurveyResponse.Survey.SENTIMENT: SurveyResponse.Respondent.PARTNER,
    SurveyResponse.Survey.COLLABORATION: SurveyResponse.Respondent.INTERNAL,
}


def chunks(items: list[T], size: int = CHUNK) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class Duplicate:
    """A new row of a deals file that likely repeats a stored deal from another source."""

    position: int  # among the valid rows
    row_number: int
    external_id: str
    deal_id: int
    deal_external_id: str
    deal_source: str
    partner_id: int
    account: str
    amount: Decimal
    currency: str
    close_date: date | None
    deal_close_date: date | None

    def as_json(self, partner_names: dict[int, str]) -> dict[str, Any]:
        return {
            "row": self.row_number,
            "external_id": self.external_id,
            "deal": self.deal_id,
            "deal_external_id": self.deal_external_id,
            "deal_source": self.deal_source,
            "partner": partner_names.get(self.partner_id, ""),
            "account": self.account,
            "amount": f"{self.amount:,.2f}",
            "currency": self.currency,
            "close_date": self.close_date.isoformat() if self.close_date else "",
            "deal_close_date": self.deal_close_date.isoformat() if self.deal_close_date else "",
        }


@dataclass
class Validation:
    """Every row of a file checked: the errors, and the valid rows as model values, column by column.

    ``columns`` maps a model attname to the values of the valid rows (in file order); a field the file does not
    give is absent, and ``KEEP`` marks a row that gives no value for a field others give (keep the stored one).
    """

    spec: KindSpec
    headers: list[str]
    mapping: dict[str, str]
    total_rows: int
    errors: list[dict[str, Any]] = field(default_factory=list)
    invalid_rows: int = 0
    columns: dict[str, list[Any]] = field(default_factory=dict)
    row_numbers: list[int] = field(default_factory=list)
    date_order: norm.DateOrder | None = None
    # How percent columns were read, per field; the readings of enumerated columns, per field (with the header
    # they were read from: the stage's column for a status derived from it); the currency of amounts.
    units: dict[str, UnitDecision] = field(default_factory=dict)
    readings: dict[str, tuple[str, list[ValueReading]]] = field(default_factory=dict)
    currency: dict[str, Any] = field(default_factory=dict)
    partner_names: dict[int, str] = field(default_factory=dict)
    # Deals: rows carrying another CRM's id of a linked deal (they update that deal), likely duplicates of deals
    # from another source, the links (new alias, deal) a commit creates, and the duplicate rows left out.
    aliased_rows: int = 0
    duplicates: list[Duplicate] = field(default_factory=list)
    links: list[tuple[str, int]] = field(default_factory=list)
    skipped_rows: int = 0
    metric_names: dict[int, str] = field(default_factory=dict)
    member_emails: dict[int, str] = field(default_factory=dict)
    new_partner_rows: int = 0
    # Texts of the partner column that name no partner (key -> [spelling, rows]); with the choice to create them,
    # the placeholders the rows point at until the commit creates them: (placeholder id, name).
    unknown_partners: dict[str, list[Any]] = field(default_factory=dict)
    new_partners: list[tuple[int, str]] = field(default_factory=list)
    deal_ids: dict[int, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def valid_rows(self) -> int:
        return len(self.row_numbers)


@dataclass
class Plan:
    """What committing would do, column by column over the valid rows.

    ``values`` holds every natural-key and compared attname as it will be stored; ``stored`` the stored values of
    the compared attnames (None for a new row) plus ``id`` and ``batch_id``. ``creates`` and ``updates`` are row
    positions; the other valid rows are unchanged.
    """

    values: dict[str, list[Any]] = field(default_factory=dict)
    stored: dict[str, list[Any]] = field(default_factory=dict)
    creates: list[int] = field(default_factory=list)
    updates: list[int] = field(default_factory=list)
    unchanged: int = 0
    actions: list[str] = field(default_factory=list)  # per valid row: new / updated / unchanged
    links: list[tuple[str, int]] = field(default_factory=list)  # deal aliases a commit creates: (external id, deal)
    new_partners: list[tuple[int, str]] = field(default_factory=list)  # partners a commit creates first

    @property
    def partner_ids(self) -> set[int]:
        """Partners whose data a commit changes (for an update, the previous partner too)."""
        if "partner_id" not in self.values:
            return set()  # an import of partners: the partner service tells the apps itself
        new, old = self.values["partner_id"], self.stored.get("partner_id", [])
        ids = {new[i] for i in self.creates} | {new[i] for i in self.updates}
        return ids | {old[i] for i in self.updates if old and old[i] is not None}


def file_error(reason: str) -> dict[str, Any]:
    return {"row": 0, "column": "", "value": "", "reason": reason}


# --- validation ---


class _Collector:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.found: list[tuple[int, int, str, str, str]] = []
        self.bad = np.zeros(len(table), dtype=bool)

    def add(self, order: int, header: str, errors: dict[int, str]) -> None:
        if not errors:
            return
        raw = self.table.frame[header].tolist() if header else None
        for position, reason in errors.items():
            value = str(raw[position]).strip() if raw is not None else ""
            self.found.append((self.table.row_numbers[position], order, header, value, reason))
            self.bad[position] = True

    def rows(self, limit: int = MAX_ERRORS) -> list[dict[str, Any]]:
        self.found.sort(key=lambda e: (e[0], e[1]))
        return [{"row": r, "column": c, "value": v, "reason": why} for r, _, c, v, why in self.found[:limit]]


def validate(
    *,
    tenant: Tenant,
    spec: KindSpec,
    table: Table,
    mapping: dict[str, str],
    today: date,
    options: ImportOptions | None = None,
) -> Validation:
    """Parse and check every mapped column, resolve partners/metrics/deals, refuse duplicate natural keys.

    ``options`` carries the page's choices: units of percent columns, the file's currency, value mapping.
    """
    options = options or ImportOptions()
    result = Validation(spec=spec, headers=table.headers, mapping=mapping, total_rows=len(table))
    n = len(table)
    errors = _Collector(table)
    if table.problems:
        position_of = {number: position for position, number in enumerate(table.row_numbers)}
        for number, reason, value in table.problems:
            errors.found.append((number, -1, "", value, reason))
            errors.bad[position_of[number]] = True
    frame = table.frame
    order_of = {f.name: i for i, f in enumerate(spec.fields)}
    date_columns = [frame[mapping[f.name]] for f in spec.fields if f.type in (DATE, MONTH) and f.name in mapping]
    result.date_order = norm.detect_date_order(date_columns) if date_columns else None
    values: dict[str, list[Any]] = {}
    currencies: list[str | None] | None = None
    deal_owners: dict[int, int] = {}
    members: dict[str, tuple[int, str, bool]] | None = None
    for fspec in spec.fields:
        header = mapping.get(fspec.name)
        if header is None:
            continue
        if fspec.type == PERCENT:
            parsed, result.units[fspec.name] = parse_percent(
                frame[header], fspec, chosen=options.units.get(fspec.name, "")
            )
        elif fspec.type in (CHOICE, BOOLEAN):
            readings = _readings(fspec, frame[header], options)
            if readings is not None:
                result.readings[fspec.name] = (header, readings)
            parsed = _parse_enumerated(fspec, frame[header], readings or [])
        else:
            parsed = _parse_column(fspec, frame[header], result.date_order, today, spec.kind)
        if fspec.type == PARTNER:
            parsed, result.partner_names = _resolve_partners(
                tenant, parsed, create=bool(options.new_partners), unknown=result.unknown_partners
            )
            result.new_partners = sorted(
                (pk, name) for pk, name in result.partner_names.items() if pk < 0
            )  # placeholders of partners the commit creates
        elif fspec.type == MEMBER:
            if members is None:
                members = _members(tenant)
            parsed = _resolve_members(parsed, fspec, members)
            result.member_emails.update({pk: email for email, (pk, _role, _active) in members.items()})
        elif fspec.type == METRIC:
            parsed, result.metric_names = _resolve_metrics(tenant, parsed)
        elif fspec.type == DEAL:
            parsed, result.deal_ids, deal_owners = _resolve_deals(tenant, parsed)
        if fspec.name == "amount":
            currencies = parsed.currencies
        if fspec.required:
            norm.merge_errors(
                parsed.errors,
                {
                    i: "Required, but empty."
                    for i, v in enumerate(parsed.values)
                    if v is None and i not in parsed.errors
                },
            )
        errors.add(order_of[fspec.name], header, parsed.errors)
        values[fspec.name] = parsed.values

    if spec.kind == ImportBatch.Kind.DEALS and "status" not in mapping and "stage" in mapping:
        # No won/lost column: the status is read from the stage, whose own values may need mapping too.
        stage_readings = _readings(spec.spec("status"), frame[mapping["stage"]], options, otherwise=Deal.Status.OPEN)
        if stage_readings is not None:
            result.readings["status"] = (mapping["stage"], stage_readings)
    _derive(spec, mapping, values, currencies, deal_owners, errors, n, order_of, result, options, tenant)
    if spec.kind == ImportBatch.Kind.DEALS and "external_id" in values:
        values["external_id"], result.aliased_rows = _canonical_deal_ids(tenant, values["external_id"])
    _check_duplicates(spec, mapping, values, errors, n)

    result.errors = errors.rows()
    result.invalid_rows = int(errors.bad.sum())
    model_fields = {f.attname: f for f in spec.model._meta.concrete_fields}
    good = np.flatnonzero(~errors.bad)
    for name, column in values.items():
        attname = spec.spec(name).attname
        empty = _empty_value(model_fields[attname])
        kept = _objects(column)[good]
        if empty is not None:
            kept[np.fromiter((v is None for v in kept), dtype=bool, count=len(kept))] = empty
        result.columns[attname] = kept.tolist()
    result.row_numbers = np.asarray(table.row_numbers, dtype=np.int64)[good].tolist()
    return result


def _objects(items: list[Any]) -> np.ndarray:
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array


def _parse_column(
    fspec: FieldSpec, column: pd.Series, order: norm.DateOrder | None, today: date, kind: str
) -> norm.Parsed:
    if fspec.type in (TEXT, PARTNER, METRIC, DEAL):
        lower = kind == ImportBatch.Kind.SURVEYS and fspec.name == "respondent"
        return norm.parse_text(column, max_length=fspec.max_length, lower_emails=lower)
    if fspec.type == MEMBER:
        return norm.parse_text(column, max_length=254, lower_emails=True)
    if fspec.type == LIST:
        return norm.parse_list(column, max_length=fspec.max_length)
    if fspec.type == DECIMAL:
        return norm.parse_number(
            column,
            decimal_places=fspec.decimal_places,
            max_digits=fspec.max_digits,
            min_value=fspec.min_value,
            max_value=fspec.max_value,
            allow_percent=fspec.name != "amount",
        )
    if fspec.type == INTEGER:
        return norm.parse_number(
            column,
            decimal_places=0,
            max_digits=12,
            min_value=fspec.min_value,
            max_value=fspec.max_value,
            allow_percent=False,
            allow_currency=False,
            whole=True,
        )
    if fspec.type in (DATE, MONTH):
        return norm.parse_dates(column, order=order or norm.DateOrder(), today=today, month=fspec.type == MONTH)
    if fspec.type == CURRENCY:
        return norm.parse_currency(column)
    raise ValueError(f"unknown field type {fspec.type}")  # pragma: no cover - the field table is ours


def _known_words(fspec: FieldSpec) -> dict[str, str]:
    """Our own words for an enumerated field's values (word_key -> stored value)."""
    if fspec.type == BOOLEAN:
        return {**dict.fromkeys(norm.TRUE_WORDS, TRUE), **dict.fromkeys(norm.FALSE_WORDS, FALSE)}
    words: dict[str, str] = {}
    for value, synonyms in fspec.choices:
        for word in (value, *synonyms, dict(fspec.labels).get(value, "")):
            if word:
                words[norm.word_key(word)] = value
    return words


def _readings(
    fspec: FieldSpec, column: pd.Series, options: ImportOptions, *, otherwise: str | None = None
) -> list[ValueReading] | None:
    """How each distinct value of an enumerated column reads; None when it has too many to be a list of values."""
    codes, uniques = pd.factorize(column.fillna("").to_numpy(dtype=object))
    if len(uniques) > 4 * MAX_DISTINCT_VALUES:
        return None  # far too many to be a list of values, even allowing for spacing variants
    rows_of = np.bincount(codes[codes >= 0], minlength=len(uniques)) if len(codes) else np.zeros(0, dtype=np.int64)
    counted: dict[str, int] = {}
    for text, rows in zip((str(u).strip() for u in uniques), rows_of.tolist(), strict=True):
        if text and text.lower() not in norm.EMPTY_MARKERS:
            counted[text] = counted.get(text, 0) + rows
    if len(counted) > MAX_DISTINCT_VALUES:
        return None
    pairs = sorted(counted.items(), key=lambda p: (-p[1], p[0]))
    known = {} if otherwise is not None else _known_words(fspec)
    return read_values(fspec, pairs, chosen=options.values.get(fspec.name, {}), known=known, otherwise=otherwise)


def _parse_enumerated(fspec: FieldSpec, column: pd.Series, readings: list[ValueReading]) -> norm.Parsed:
    """A choice or yes/no column read with our words plus the value mapping of its own values."""
    extra = applied_values(readings)
    if fspec.type == BOOLEAN:
        return norm.parse_boolean(column, extra=extra)
    allowed = ", ".join(label for _, label in allowed_labels(fspec))
    return norm.parse_choice(column, words={**_known_words(fspec), **extra}, allowed=allowed)


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _resolve(parsed: norm.Parsed, lookup: Callable[[str], tuple[int | None, str | None]]) -> norm.Parsed:
    resolved: dict[str, tuple[int | None, str | None]] = {}
    values: list[Any] = []
    errors = dict(parsed.errors)
    for i, text in enumerate(parsed.values):
        if text is None or i in errors:
            values.append(None)
            continue
        if text not in resolved:
            resolved[text] = lookup(text)
        found, problem = resolved[text]
        if problem:
            errors[i] = problem
        values.append(found)
    return norm.Parsed(values, errors)


def partner_keys(*, tenant: Tenant) -> set[str]:
    """Every partner's name and external id as compared with a file's cells (for matching columns on content)."""
    keys: set[str] = set()
    for name, external_id in partner_list(tenant=tenant).values_list("name", "external_id"):
        keys.add(_key(name))
        if external_id.strip():
            keys.add(_key(external_id))
    return keys


def metric_keys(*, tenant: Tenant) -> set[str]:
    """Every metric's key and name as compared with a file's cells (for matching columns on content)."""
    keys: set[str] = set()
    for key, name in MetricDefinition.objects.for_tenant(tenant).values_list("key", "name"):
        keys.update((_key(key), _key(name)))
    return keys


def _resolve_partners(
    tenant: Tenant, parsed: norm.Parsed, *, create: bool = False, unknown: dict[str, list[Any]] | None = None
) -> tuple[norm.Parsed, dict[int, str]]:
    """Partners by external id or name. A text naming no partner is an error, or with ``create`` a partner the
    commit creates (a negative placeholder id, one per distinct name); ``unknown`` collects those texts (casefolded
    key -> [the first spelling, rows])."""
    by_external: dict[str, list[int]] = {}
    by_name: dict[str, list[int]] = {}
    names: dict[int, str] = {}
    for pk, name, external_id in partner_list(tenant=tenant).values_list("id", "name", "external_id"):
        names[pk] = name
        by_name.setdefault(_key(name), []).append(pk)
        if external_id.strip():
            by_external.setdefault(_key(external_id), []).append(pk)

    def lookup(text: str) -> tuple[int | None, str | None]:
        key = _key(text)
        # An external id is the stronger claim: it wins over a name that happens to be the same text.
        matches = by_external.get(key) or by_name.get(key) or []
        if len(matches) == 1:
            return matches[0], None
        if not matches:
            if create:
                placeholder = placeholders.setdefault(key, -(len(placeholders) + 1))
                names.setdefault(placeholder, " ".join(text.split()))
                return placeholder, None
            return None, "Unknown partner: no partner has this external id or name."
        return None, f"Ambiguous: matches {len(matches)} partners, use the partner's external id."

    placeholders: dict[str, int] = {}
    resolved = _resolve(parsed, lookup)
    if unknown is not None:
        for text, value, index in zip(parsed.values, resolved.values, range(len(parsed.values)), strict=True):
            if text is not None and index not in parsed.errors and (value is None or value < 0):
                if value is None and index in resolved.errors and resolved.errors[index].startswith("Ambiguous"):
                    continue
                entry = unknown.setdefault(_key(text), [" ".join(text.split()), 0])
                entry[1] += 1
    return resolved, names


def _resolve_metrics(tenant: Tenant, parsed: norm.Parsed) -> tuple[norm.Parsed, dict[int, str]]:
    by_key: dict[str, int] = {}
    by_name: dict[str, list[int]] = {}
    names: dict[int, str] = {}
    for pk, key, name in MetricDefinition.objects.for_tenant(tenant).values_list("id", "key", "name"):
        names[pk] = name
        by_key[_key(key)] = pk
        by_name.setdefault(_key(name), []).append(pk)

    def lookup(text: str) -> tuple[int | None, str | None]:
        key = _key(text)
        if key in by_key:
            return by_key[key], None
        matches = by_name.get(key, [])
        if len(matches) == 1:
            return matches[0], None
        if matches:
            return None, f"Ambiguous: matches {len(matches)} metrics, use the metric's key."
        return None, "Unknown metric: use a key or name from the glossary."

    return _resolve(parsed, lookup), names


def _resolve_deals(tenant: Tenant, parsed: norm.Parsed) -> tuple[norm.Parsed, dict[int, str], dict[int, int]]:
    """Deals by external id, with each deal's partner (a survey's deal must belong to the row's partner)."""
    wanted = sorted({v for v in parsed.values if v is not None})
    found: dict[str, int] = {}
    owners: dict[int, int] = {}
    for part in chunks(wanted):
        for pk, external_id, partner_id in (
            Deal.objects.for_tenant(tenant).filter(external_id__in=part).values_list("id", "external_id", "partner_id")
        ):
            found[external_id] = pk
            owners[pk] = partner_id

    def lookup(text: str) -> tuple[int | None, str | None]:
        if text in found:
            return found[text], None
        return None, "Unknown deal: no deal has this id; import the deal first."

    return _resolve(parsed, lookup), {pk: external_id for external_id, pk in found.items()}, owners


def _derive(
    spec: KindSpec,
    mapping: dict[str, str],
    values: dict[str, list[Any]],
    currencies: list[str | None] | None,
    deal_owners: dict[int, int],
    errors: _Collector,
    n: int,
    order_of: dict[str, int],
    result: Validation,
    options: ImportOptions,
    tenant: Tenant,
) -> None:
    """Fill fields the file implies (status from the stage, currency from the amount, respondent from the survey)."""
    if spec.kind == ImportBatch.Kind.DEALS:
        if "status" in values or "stage" in values:
            stages = values.get("stage", [None] * n)
            statuses = values.get("status", [None] * n)
            from_stage: dict[str, str] = {}
            if "status" not in mapping and "status" in result.readings:
                from_stage = applied_values(result.readings["status"][1])
            derived: dict[Any, str] = {}  # a stage repeats on many rows: read each distinct one once
            values["status"] = [
                status
                if status is not None
                else derived[stage]
                if stage in derived
                else derived.setdefault(stage, _status_from_stage(stage, from_stage))
                for status, stage in zip(statuses, stages, strict=True)
            ]
        if "amount" in mapping:
            result.currency = _derive_currency(
                mapping, values, currencies or [None] * n, errors, order_of, options, tenant
            )
    elif spec.kind == ImportBatch.Kind.PARTNERS:
        _derive_partners(tenant, mapping, values, errors, order_of, options, result, n)
    elif spec.kind == ImportBatch.Kind.SURVEYS:
        surveys = values.get("survey", [None] * n)
        given = values.get("respondent_type", [None] * n)
        values["respondent_type"] = [
            kind if kind is not None else RESPONDENT_FOR_SURVEY.get(survey)
            for kind, survey in zip(given, surveys, strict=True)
        ]
        scales = values.get("scale_max", [None] * n)
        too_high = {
            i: f"Above the scale's maximum ({scale or 5}); add or fix the scale column."
            for i, (score, scale) in enumerate(zip(values.get("score", [None] * n), scales, strict=True))
            if score is not None and score > (scale or 5)
        }
        if "score" in mapping:
            errors.add(order_of["score"], mapping["score"], too_high)
        if "deal" in values and "partner" in values:
            wrong_partner = {
                i: "This deal belongs to another partner."
                for i, (deal_id, partner_id) in enumerate(zip(values["deal"], values["partner"], strict=True))
                if deal_id is not None and partner_id is not None and deal_owners.get(deal_id) != partner_id
            }
            errors.add(order_of["deal"], mapping["deal"], wrong_partner)


def _derive_currency(
    mapping: dict[str, str],
    values: dict[str, list[Any]],
    cells: list[str | None],
    errors: _Collector,
    order_of: dict[str, int],
    options: ImportOptions,
    tenant: Tenant,
) -> dict[str, Any]:
    """Each row's currency: its currency column, else the amount's own symbol or code, else the currency the amount
    column's header names ("Betrag (EUR)"), else the one currency the column's amounts name, else the file's
    currency (chosen on the page; the program's by default). An amount naming no currency in a column whose
    amounts name several is an error, and so is a cell, column or header contradicting another."""
    amount_header = mapping["amount"]
    header_code = currency_in_header(amount_header)
    named = Counter(code for code in cells if code)
    if header_code:
        default, source = header_code, "header"
        errors.add(
            order_of["amount"],
            amount_header,
            {
                i: f"The amount is in {code} but its column header says {header_code}."
                for i, code in enumerate(cells)
                if code and code != header_code
            },
        )
    elif len(named) == 1:
        default, source = next(iter(named)), "cells"
    elif named:
        default, source = None, "cells"
    else:
        default, source = options.currency or tenant.currency, "file" if options.currency else "program"
    given = values.get("currency")
    if given is not None:
        conflicts = {
            i: f"The amount is in {cell} but the currency column says {code}."
            for i, (code, cell) in enumerate(zip(given, cells, strict=True))
            if code and cell and code != cell
        }
        if header_code:
            conflicts.update(
                {
                    i: f"The currency column says {code} but the amount's header says {header_code}."
                    for i, code in enumerate(given)
                    if code and code != header_code and i not in conflicts
                }
            )
        errors.add(order_of["currency"], mapping["currency"], conflicts)
        final = [code or cell or default for code, cell in zip(given, cells, strict=True)]
    else:
        final = [cell or default for cell in cells]
    if default is None:
        several = " and ".join(sorted(named))
        errors.add(
            order_of["amount"],
            amount_header,
            {
                i: f"This amount names no currency, but the column mixes {several}: add its currency "
                "(a symbol, a code, or a currency column)."
                for i, code in enumerate(final)
                if code is None
            },
        )
    values["currency"] = final
    counts = Counter(code for code in final if code)
    return {
        "code": default or "",
        "from": source if not (given is not None and any(given)) else "column",
        "header": amount_header,
        "counts": dict(counts.most_common()),
        "file": options.currency or tenant.currency,
    }


def _members(tenant: Tenant) -> dict[str, tuple[int, str, bool]]:
    """The program's members by email (lower case): id, role, active."""
    return {
        email.lower(): (pk, role, active)
        for pk, email, role, active in membership_list(tenant=tenant).values_list(
            "id", "user__email", "role", "is_active"
        )
    }


def _resolve_members(parsed: norm.Parsed, fspec: FieldSpec, members: dict[str, tuple[int, str, bool]]) -> norm.Parsed:
    """Emails to members, with the rules of a partner's people: the owner an active manager or admin, the
    sponsor and the steward internal members."""

    def lookup(text: str) -> tuple[int | None, str | None]:
        found = members.get(text.strip().lower())
        if found is None:
            return None, "No member of this program has this email: invite them first, or leave the cell empty."
        pk, role, active = found
        if fspec.name == "owner" and (role not in (Role.MANAGER, Role.ADMIN) or not active):
            return None, "The owner must be an active partner manager or admin."
        if role == Role.PARTNER:
            return None, "Choose an internal member, not a partner user."
        return pk, None

    return _resolve(parsed, lookup)


def _derive_partners(
    tenant: Tenant,
    mapping: dict[str, str],
    values: dict[str, list[Any]],
    errors: _Collector,
    order_of: dict[str, int],
    options: ImportOptions,
    result: Validation,
    n: int,
) -> None:
    """A partners file: names matched to stored partners without case (an update keeps the stored spelling), an
    external id that is another partner's refused, and a type and region for each new partner (from the file or
    chosen for all); an empty cell keeps what an existing partner has."""
    by_name: dict[str, tuple[int, str]] = {}
    by_external: dict[str, str] = {}
    for pk, name, external_id in partner_list(tenant=tenant).values_list("id", "name", "external_id"):
        by_name[_key(name)] = (pk, name)
        if external_id.strip():
            by_external[_key(external_id)] = name
    names: list[Any] = []
    new: list[bool] = []
    first_spelling: dict[str, str] = {}  # two spellings of one new name are one partner (a duplicate row)
    for name in values.get("name", [None] * n):
        hit = by_name.get(_key(name)) if name is not None else None
        if hit is not None:
            names.append(hit[1])
        elif name is not None:
            names.append(first_spelling.setdefault(_key(name), " ".join(name.split())))
        else:
            names.append(None)
        new.append(name is not None and hit is None)
    values["name"] = names
    result.new_partner_rows = sum(new)
    if "external_id" in values:
        errors.add(
            order_of["external_id"],
            mapping["external_id"],
            {
                i: f"This external id belongs to partner “{owner}”."
                for i, external_id in enumerate(values["external_id"])
                if external_id and (owner := by_external.get(_key(external_id))) and names[i] and owner != names[i]
            },
        )
    for name in ("partner_type", "region"):
        given = values.get(name, [None] * n)
        default = options.defaults.get(name)
        label = KINDS["partners"].spec(name).label
        missing = {
            i: f"{label} is required for a new partner: give it in the file, or choose one for every new partner "
            "on the import page."
            for i, (value, is_new) in enumerate(zip(given, new, strict=True))
            if value is None and is_new and not default
        }
        errors.add(order_of["name"], mapping["name"], missing)
        values[name] = [
            value if value is not None else (default if is_new else KEEP)
            for value, is_new in zip(given, new, strict=True)
        ]
    for name, column in values.items():
        if name not in ("name", "partner_type", "region"):
            values[name] = [KEEP if value is None else value for value in column]


def _canonical_deal_ids(tenant: Tenant, ids: list[Any]) -> tuple[list[Any], int]:
    """Replace the ids that are another CRM's id of a linked deal (a DealAlias) by that deal's own id, in one query."""
    wanted = sorted({i for i in ids if i})
    if not wanted or not DealAlias.objects.for_tenant(tenant).exists():
        return ids, 0
    ensure_active_tenant(tenant)
    fragment, param = column_param(wanted)
    with connection.cursor() as cursor:
        # Raw SQL, scoped twice: the WHERE names the tenant, and row-level security shows no other tenant's rows.
        cursor.execute(
            "SELECT a.external_id, d.external_id FROM scorecards_dealalias a "
            "JOIN scorecards_deal d ON d.id = a.deal_id AND d.tenant_id = a.tenant_id "
            f"WHERE a.tenant_id = %s AND a.external_id = ANY({fragment}::text[])",
            [tenant.pk, param],
        )
        canonical = dict(cursor.fetchall())
    if not canonical:
        return ids, 0
    return [canonical.get(i, i) for i in ids], sum(1 for i in ids if i in canonical)


def find_duplicates(*, tenant: Tenant, validation: Validation, plan: Plan, source: str) -> list[Duplicate]:
    """The new rows of a deals file that likely repeat a stored deal from another source (one query), see
    ``scorecards.domain.deal_duplicates``. The stored candidates are read first (the new rows' partners, dated
    near them, from another source), so a file that repeats nothing costs one small query."""
    if validation.spec.kind != ImportBatch.Kind.DEALS or not plan.creates:
        return []
    values = plan.values
    partner_ids, close_dates, created = values["partner_id"], values["close_date"], values["created_on"]
    days = [d for i in plan.creates for d in (close_dates[i], created[i]) if d is not None]
    if not days:
        return []
    partners = sorted({partner_ids[i] for i in plan.creates})
    in_file = set(values["external_id"])
    stored = [
        deal
        for deal in _duplicate_candidates(tenant, partners, min(days), max(days), source)
        if deal.external_id not in in_file
    ]
    if not stored:
        return []
    keys = {(deal.partner_id, deal.amount, deal.currency) for deal in stored}
    amounts, currencies, accounts = values["amount"], values["currency"], values["account_name"]
    new = [
        DealFacts(
            ref=i,
            external_id=values["external_id"][i],
            partner_id=partner_ids[i],
            account=accounts[i],
            amount=amounts[i],
            currency=currencies[i],
            close_date=close_dates[i],
            created_on=created[i],
            source=source,
        )
        for i in plan.creates
        if accounts[i] and (partner_ids[i], amounts[i], currencies[i]) in keys
    ]
    return [
        Duplicate(
            position=mine.ref,
            row_number=validation.row_numbers[mine.ref],
            external_id=mine.external_id,
            deal_id=theirs.ref,
            deal_external_id=theirs.external_id,
            deal_source=theirs.source,
            partner_id=mine.partner_id,
            account=mine.account,
            amount=mine.amount,
            currency=mine.currency,
            close_date=mine.close_date,
            deal_close_date=theirs.close_date,
        )
        for mine, theirs in likely_duplicates(new, stored)
    ]


def _duplicate_candidates(tenant: Tenant, partners: list[int], first: date, last: date, source: str) -> list[DealFacts]:
    """Stored deals of these partners from another source than ``source``, dated within the window of the days."""
    ensure_active_tenant(tenant)
    window = timedelta(days=WINDOW_DAYS)
    fragment, partner_param = column_param(partners)
    sql = (
        "SELECT d.id, d.external_id, d.partner_id, d.account_name, d.amount, d.currency, d.close_date, d.created_on, "
        "COALESCE(b.source, '') FROM scorecards_deal d "
        "LEFT JOIN scorecards_importbatch b ON b.id = d.batch_id AND b.tenant_id = d.tenant_id "
        f"WHERE d.tenant_id = %s AND d.partner_id = ANY({fragment}::bigint[]) AND btrim(d.account_name) <> '' "
        "AND (d.close_date BETWEEN %s AND %s OR d.created_on BETWEEN %s AND %s) AND COALESCE(b.source, '') <> %s"
    )
    low, high = first - window, last + window
    with connection.cursor() as cursor:
        # Raw SQL, scoped twice: the WHERE names the tenant, and row-level security shows no other tenant's rows.
        cursor.execute(sql, [tenant.pk, partner_param, low, high, low, high, source])
        return [DealFacts(*row) for row in cursor.fetchall()]


def apply_duplicate_choice(validation: Validation, choice: str) -> None:
    """Link each likely duplicate to the deal it repeats (the row updates that deal; its id becomes an alias), or
    leave those rows out; ``keep`` (or no choice yet) imports them as new deals."""
    if choice == LINK:
        external_ids = validation.columns["external_id"]
        for duplicate in validation.duplicates:
            external_ids[duplicate.position] = duplicate.deal_external_id
            validation.links.append((duplicate.external_id, duplicate.deal_id))
    elif choice == SKIP:
        dropped = {duplicate.position for duplicate in validation.duplicates}
        keep = [i for i in range(validation.valid_rows) if i not in dropped]
        validation.columns = {name: [column[i] for i in keep] for name, column in validation.columns.items()}
        validation.row_numbers = [validation.row_numbers[i] for i in keep]
        validation.skipped_rows = len(dropped)


def _status_from_stage(stage: str | None, mapped: dict[str, str] | None = None) -> str:
    if stage is not None and mapped and (status := mapped.get(norm.word_key(stage))) is not None:
        return status
    text = (stage or "").casefold()
    if "won" in text.split() or text.endswith("won"):
        return Deal.Status.WON
    if "lost" in text.split() or text.endswith("lost"):
        return Deal.Status.LOST
    return Deal.Status.OPEN


def _check_duplicates(
    spec: KindSpec, mapping: dict[str, str], values: dict[str, list[Any]], errors: _Collector, n: int
) -> None:
    names = [_field_for(spec, attname) for attname in spec.natural_key]
    if not all(name in values for name in names):
        return
    first_seen: dict[tuple[Any, ...], int] = {}
    duplicates: dict[int, str] = {}
    words = [spec.spec(name).label.lower() for name in names]
    labels = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
    row_numbers = errors.table.row_numbers
    for i, key in enumerate(zip(*(values[name] for name in names), strict=True)):
        if any(part is None for part in key):
            continue
        if key in first_seen:
            duplicates[i] = f"Duplicate of row {row_numbers[first_seen[key]]}: same {labels}."
        else:
            first_seen[key] = i
    header = mapping[names[0]] if len(names) == 1 else ""
    errors.add(-1 if not header else list(spec.names).index(names[0]), header, duplicates)


def _field_for(spec: KindSpec, attname: str) -> str:
    return next(f.name for f in spec.fields if f.attname == attname)


def _empty_value(model_field: models.Field[Any, Any]) -> Any:
    """What an empty cell stores: NULL where the column allows it, else the model's default ("" for text)."""
    if model_field.null:
        return None
    if model_field.has_default():
        return model_field.to_python(model_field.get_default())  # a Decimal for a DecimalField's default of 0
    return "" if isinstance(model_field, models.CharField | models.TextField) else None


# --- comparison ---


def plan_changes(*, tenant: Tenant, validation: Validation) -> Plan:
    """Compare the valid rows with the stored ones by natural key: new, updated (a compared field differs) or not."""
    spec = validation.spec
    plan = Plan()
    n = validation.valid_rows
    if not n:
        return plan
    columns = validation.columns
    keys = list(zip(*(columns[a] for a in spec.natural_key), strict=True))
    # The source of an observation is not compared (the same value from elsewhere is no change) but is remembered.
    unseen = ["source"] if spec.kind == ImportBatch.Kind.OBSERVATIONS else []
    batch_field = ["batch_id"] if has_batch(spec) else []
    stored_fields = ["id", *batch_field, *spec.compared, *unseen]
    found = _stored_rows(tenant, spec, keys, stored_fields)
    olds = [found.get(key) for key in keys]
    is_new = [old is None for old in olds]
    model_fields = {f.attname: f for f in spec.model._meta.concrete_fields}
    for position, attname in enumerate(stored_fields):
        plan.stored[attname] = [None if old is None else old[position] for old in olds]
    for attname in spec.natural_key:
        plan.values[attname] = columns[attname]
    changed = np.zeros(n, dtype=bool)
    for attname in spec.compared:
        old_column = plan.stored[attname]
        default = _empty_value(model_fields[attname])
        column = columns.get(attname)
        if column is None:  # the file does not give it: stored value, or the default for a new row
            column = [default if new else old for new, old in zip(is_new, old_column, strict=True)]
        elif any(value is KEEP for value in column):
            column = [
                (default if new else old) if value is KEEP else value
                for value, new, old in zip(column, is_new, old_column, strict=True)
            ]
        plan.values[attname] = column
        changed |= np.fromiter((a != b for a, b in zip(column, old_column, strict=True)), dtype=bool, count=n)
    new_mask = np.asarray(is_new, dtype=bool)
    update_mask = ~new_mask & changed
    plan.creates = np.flatnonzero(new_mask).tolist()
    plan.updates = np.flatnonzero(update_mask).tolist()
    plan.unchanged = n - len(plan.creates) - len(plan.updates)
    plan.actions = np.where(new_mask, "new", np.where(update_mask, "updated", "unchanged")).tolist()
    plan.links = list(validation.links)
    plan.new_partners = list(validation.new_partners)
    return plan


def _stored_rows(
    tenant: Tenant, spec: KindSpec, keys: list[tuple[Any, ...]], fields: list[str]
) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """The stored rows with these natural keys, in one query: natural key -> values of ``fields``."""
    ensure_active_tenant(tenant)
    model: Any = spec.model
    columns = {f.attname: f.column for f in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    if len(spec.natural_key) == 1:  # a deal's external id, a partner's name
        fragment, values = column_param(sorted({key[0] for key in keys}))
        where, params = f"{quote(columns[spec.natural_key[0]])} = ANY({fragment}::text[])", [values]
    else:
        # Composite keys: narrow by partner and by the date range, then match the exact keys in memory.
        date_field = "month" if "month" in spec.natural_key else "date"
        partner_at, date_at = spec.natural_key.index("partner_id"), spec.natural_key.index(date_field)
        fragment, values = column_param(sorted({key[partner_at] for key in keys}))
        dates = [key[date_at] for key in keys]
        where = f"{quote('partner_id')} = ANY({fragment}::bigint[]) AND {quote(date_field)} BETWEEN %s AND %s"
        params = [values, min(dates), max(dates)]
    selected = ", ".join(quote(columns[a]) for a in (*spec.natural_key, *fields))
    # Raw SQL, scoped twice: the WHERE names the tenant, and row-level security shows no other tenant's rows.
    sql = f"SELECT {selected} FROM {quote(model._meta.db_table)} WHERE {quote('tenant_id')} = %s AND {where}"
    width = len(spec.natural_key)
    with connection.cursor() as cursor:
        cursor.execute(sql, [tenant.pk, *params])
        return {row[:width]: row[width:] for row in cursor.fetchall()}


# --- writing ---


def has_batch(spec: KindSpec) -> bool:
    """Whether the kind's rows point at the import that last wrote them (partners do not)."""
    return any(f.attname == "batch_id" for f in spec.model._meta.concrete_fields)


def kind_spec_of(batch: ImportBatch) -> KindSpec:
    """The import kind (fields, natural key) of a batch."""
    return KINDS[batch.kind]


# --- display ---

SKIPPED_SHOWN = 12  # lines quoted per skipped block (the count is always whole)
DUPLICATES_SHOWN = 50  # likely duplicates listed on the page (the count is always whole)


def preview_summary(*, table: Table, validation: Validation | None, mapping_from: str) -> dict[str, Any]:
    """What the preview read and decided besides the rows, as JSON for the batch: skipped lines above the header,
    footer and total lines, where the mapping came from, the unit of each percent column, the readings of each
    enumerated column, the currency of amounts."""
    skipped = {}
    for place in (ABOVE, FOOTER, TOTAL):
        lines = table.skipped_in(place)
        if lines:
            skipped[place] = {
                "count": len(lines),
                "first_row": lines[0].row,
                "lines": [{"row": line.row, "text": line.text} for line in lines if line.text][:SKIPPED_SHOWN],
            }
    summary: dict[str, Any] = {"header_row": table.header_row, "skipped": skipped, "mapping_from": mapping_from}
    if validation is None:
        return summary
    mapping = validation.mapping
    summary["units"] = {
        name: {
            "header": mapping[name],
            "unit": decision.unit,
            "detected": decision.detected,
            "chosen": decision.chosen,
            "reason": decision.reason,
        }
        for name, decision in validation.units.items()
    }
    summary["values"] = {
        name: {
            "header": header,
            "from_stage": name == "status" and name not in mapping,
            "values": [reading.as_json() for reading in readings],
        }
        for name, (header, readings) in validation.readings.items()
    }
    if validation.currency:
        summary["currency"] = validation.currency
    if validation.aliased_rows:
        summary["aliased_rows"] = validation.aliased_rows
    if validation.unknown_partners:
        unknown = sorted(validation.unknown_partners.values(), key=lambda entry: (-entry[1], entry[0]))
        summary["unknown_partners"] = {
            "count": len(unknown),
            "rows": sum(rows for _, rows in unknown),
            "names": [{"name": name, "rows": rows} for name, rows in unknown[:DUPLICATES_SHOWN]],
        }
    if validation.duplicates:
        summary["duplicates"] = {
            "count": len(validation.duplicates),
            "window_days": WINDOW_DAYS,
            "rows": [d.as_json(validation.partner_names) for d in validation.duplicates[:DUPLICATES_SHOWN]],
        }
    return summary


PREVIEW_CACHE_SECONDS = 6 * 3600  # how long a batch's preview rows stay cached


def preview_cache_key(batch: ImportBatch) -> str:
    """Where a batch's preview rows are cached: per tenant, batch, mapping and options (its file never changes)."""
    mapping = json.dumps([batch.mapping, batch.options], sort_keys=True).encode()
    return f"t{batch.tenant_id}:imports:{batch.pk}:{hashlib.blake2b(mapping, digest_size=8).hexdigest()}:preview"


def display_rows(validation: Validation, plan: Plan, limit: int) -> list[dict[str, Any]]:
    """The first valid rows as they will be stored, keyed by our field names; references shown by name."""
    spec = validation.spec
    out = []
    for index in range(min(limit, len(plan.actions))):
        row: dict[str, Any] = {"row_number": validation.row_numbers[index], "action": plan.actions[index]}
        for fspec in spec.fields:
            column = plan.values.get(fspec.attname)
            value: Any = column[index] if column is not None else None
            if fspec.type == PARTNER:
                value = validation.partner_names.get(value, value)
            elif fspec.type == METRIC:
                value = validation.metric_names.get(value, value)
            elif fspec.type == DEAL and value is not None:
                value = validation.deal_ids.get(value, value)
            elif fspec.type == MEMBER and value is not None:
                value = validation.member_emails.get(value, value)
            elif fspec.type == LIST and isinstance(value, list):
                value = "; ".join(value)
            row[fspec.name] = value
        out.append(row)
    return out
