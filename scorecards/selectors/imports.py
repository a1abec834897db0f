"""Reads of imports: batch history, one batch, the fields a kind accepts, a file's headers, preview rows, changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import Tenant
from scorecards.domain.import_fields import CURRENCY, DATE, DECIMAL, INTEGER, KINDS, MONTH, PERCENT, FieldSpec
from scorecards.domain.import_mapping import check_mapping
from scorecards.domain.import_options import LINK, SKIP, UNIT_LABELS, OptionsProblem, options_from_json
from scorecards.domain.import_parsing import FileProblem, parse_table, read_headers
from scorecards.errors import ImportKindUnknownError
from scorecards.models import ImportBatch, ImportChange
from scorecards.selectors.import_rows import (
    PREVIEW_CACHE_SECONDS,
    apply_duplicate_choice,
    display_rows,
    find_duplicates,
    plan_changes,
    preview_cache_key,
    validate,
)

__all__ = [
    "FieldSpec",
    "import_batch_changes",
    "import_batch_get",
    "import_batch_list",
    "import_fields",
    "import_file_headers",
    "import_preview_rows",
    "import_preview_table",
]


def import_batch_list(*, tenant: Tenant, kind: str | None = None) -> QuerySet[ImportBatch]:
    """The tenant's import batches, newest first, with the uploader; the file content is not loaded."""
    qs = ImportBatch.objects.for_tenant(tenant).select_related("uploaded_by__user").defer("content")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-id")


def import_batch_get(*, tenant: Tenant, batch_id: int) -> ImportBatch:
    """One batch, or NotFoundError for a missing id and another tenant's id alike."""
    batch = import_batch_list(tenant=tenant).filter(pk=batch_id).first()
    if batch is None:
        raise NotFoundError("Import not found.")
    return batch


def import_fields(kind: str) -> list[FieldSpec]:
    """The fields an import of ``kind`` accepts, in display order; ImportKindUnknownError for an unknown kind."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ImportKindUnknownError(f'There is no "{kind}" import.')
    return list(spec.fields)


def import_file_headers(*, batch: ImportBatch) -> list[str]:
    """The headers of the batch's file as the mapping names them ([] when the file could not be read)."""
    content = bytes(batch.content or b"")
    return read_headers(content, batch.file_name) if content else []


def import_preview_rows(*, tenant: Tenant, batch: ImportBatch, limit: int = 20) -> list[dict[str, Any]]:
    """The first valid rows as they will be stored, keyed by field name (partner, metric and deal by name).

    Each row also has ``row_number`` (as in the file) and ``action`` (new, updated or unchanged). The rows are
    computed when the batch is previewed and cached; a miss reads the file again.
    """
    key = preview_cache_key(batch)
    cached = cache.get(key)
    if cached is not None and cached["limit"] >= limit:
        return list(cached["rows"][:limit])
    content = bytes(batch.content or b"")
    spec = KINDS.get(batch.kind)
    if not content or spec is None:
        return []
    try:
        table = parse_table(content, batch.file_name)
    except FileProblem:
        return []
    mapping, problems = check_mapping(spec, table.headers, dict(batch.mapping))
    if problems:
        return []
    try:
        options = options_from_json(spec, batch.options)
    except OptionsProblem:
        return []
    validation = validate(
        tenant=tenant, spec=spec, table=table, mapping=mapping, today=timezone.localdate(), options=options
    )
    plan = plan_changes(tenant=tenant, validation=validation)
    if options.duplicates in (LINK, SKIP):
        validation.duplicates = find_duplicates(tenant=tenant, validation=validation, plan=plan, source=batch.source)
        if validation.duplicates:
            apply_duplicate_choice(validation, options.duplicates)
            plan = plan_changes(tenant=tenant, validation=validation)
    rows = display_rows(validation, plan, limit)
    cache.set(key, {"limit": limit, "rows": rows}, PREVIEW_CACHE_SECONDS)
    return rows


@dataclass(frozen=True)
class PreviewTable:
    """The preview's first rows for a person: our field labels as headers, values as they read."""

    headers: list[tuple[str, str]]  # (label, css class of the column: "num", "id" or "")
    rows: list[list[tuple[str, str]]]


ACTION_LABELS = {"new": "new", "updated": "update", "unchanged": "unchanged"}


def import_preview_table(*, batch: ImportBatch, rows: list[dict[str, Any]]) -> PreviewTable:
    """The preview rows as a table with readable headers: the file's row, what happens, then only the fields the
    file gives (or that are read from it: a status from the stage, a currency from the amounts)."""
    spec = KINDS.get(batch.kind)
    if spec is None or not rows:
        return PreviewTable([], [])
    derived = {  # fields the file gives without a column of their own
        "status": "stage" in batch.mapping,
        "currency": "amount" in batch.mapping,
        "respondent_type": "survey" in batch.mapping,
        "partner_type": batch.kind == ImportBatch.Kind.PARTNERS,
        "region": batch.kind == ImportBatch.Kind.PARTNERS,
    }
    shown = [f for f in spec.fields if f.name in batch.mapping or derived.get(f.name)]
    classes = ["num", "", *(_column_class(f) for f in shown)]
    headers = list(zip(["Row", "What happens", *(f.label for f in shown)], classes, strict=True))
    table = [
        list(
            zip(
                [
                    str(row["row_number"]),
                    ACTION_LABELS.get(row["action"], row["action"]),
                    *(_shown(f, row.get(f.name)) for f in shown),
                ],
                classes,
                strict=True,
            )
        )
        for row in rows
    ]
    return PreviewTable(headers, table)


def _column_class(fspec: FieldSpec) -> str:
    """Numbers and dates never wrap; ids may break anywhere; words wrap between words."""
    if fspec.type in (DECIMAL, INTEGER, PERCENT, DATE, MONTH, CURRENCY):
        return "num"
    return "id" if fspec.name in ("external_id", "deal") else ""


def _shown(fspec: FieldSpec, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if fspec.labels and isinstance(value, str):
        return dict(fspec.labels).get(value, value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        text = f"{value:,.2f}" if fspec.type == DECIMAL and fspec.decimal_places == 2 else f"{value.normalize():,f}"
    elif isinstance(value, int) and fspec.type in (INTEGER, PERCENT):
        text = f"{value:,}"
    else:
        text = str(value)
    return f"{text} %" if fspec.type == PERCENT else text


@dataclass(frozen=True)
class SummaryLine:
    """One sentence of what the preview read, with the lines or values it is about (shown on request)."""

    text: str
    details: list[str]
    tone: str = ""  # "" or "warn"


def _rows_text(rows: list[int]) -> str:
    if len(rows) == 1:
        return f"row {rows[0]}"
    if rows == list(range(rows[0], rows[-1] + 1)):
        return f"rows {rows[0]} to {rows[-1]}"
    shown = ", ".join(str(r) for r in rows[:8])
    return f"rows {shown}{'…' if len(rows) > 8 else ''}"


def quoted(block: dict[str, Any]) -> list[str]:
    return [f"Row {line['row']}: {line['text']}" for line in block["lines"]]


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def import_summary_lines(*, batch: ImportBatch) -> list[SummaryLine]:
    """What the preview read besides the rows, in sentences: lines left out, units, currency, value mapping."""
    summary = batch.summary or {}
    spec = KINDS.get(batch.kind)
    lines: list[SummaryLine] = []
    skipped = summary.get("skipped") or {}
    if above := skipped.get("above"):
        were = "was" if above["count"] == 1 else "were"
        lines.append(
            SummaryLine(
                f"{_count(above['count'], 'line', 'lines')} above the header (row {summary.get('header_row', 1)}) "
                f"{were} skipped: a report title or filter block.",
                quoted(above),
            )
        )
    if footer := skipped.get("footer"):
        were = "was" if footer["count"] == 1 else "were"
        last = footer["first_row"] + footer["count"] - 1
        where = f"row {last}" if footer["count"] == 1 else f"rows {footer['first_row']} to {last}"
        lines.append(
            SummaryLine(
                f"{_count(footer['count'], 'footer line', 'footer lines')} at the end ({where}) {were} ignored.",
                quoted(footer),
            )
        )
    if total := skipped.get("total"):
        rows = [line["row"] for line in total["lines"]]
        were = "was" if total["count"] == 1 else "were"
        lines.append(
            SummaryLine(
                f"{_count(total['count'], 'total row', 'total or subtotal rows')} ({_rows_text(rows)}) {were} "
                "ignored: they add up other rows.",
                quoted(total),
            )
        )
    labels = {f.name: f.label for f in spec.fields} if spec else {}
    order = {name: i for i, name in enumerate(labels)}  # the batch's JSON keeps no key order: the kind's field order

    def in_order(part: dict[str, Any]) -> list[tuple[str, Any]]:
        return sorted(part.items(), key=lambda item: order.get(item[0], len(order)))

    for name, unit in in_order(summary.get("units") or {}):
        label = labels.get(name, name).removesuffix(" %")
        reason = "chosen on this page" if unit["chosen"] else unit["reason"]
        lines.append(
            SummaryLine(
                f"{label} (“{unit['header']}”) is read as {UNIT_LABELS[unit['unit']]}: {reason}.",
                [],
                "warn" if "only 0 and 1" in unit["reason"] and not unit["chosen"] else "",
            )
        )
    if currency := summary.get("currency"):
        lines.append(SummaryLine(_currency_sentence(currency), []))
    if unknown := summary.get("unknown_partners"):
        chosen = (batch.options or {}).get("new_partners") or {}
        names = ", ".join(p["name"] for p in unknown["names"][:5]) + ("…" if unknown["count"] > 5 else "")
        count = _count(unknown["count"], "partner", "partners")
        if chosen:
            spec = KINDS["partners"]
            chosen_labels = [dict(spec.spec(name).labels).get(value, value) for name, value in chosen.items()]
            text = f"{count} the file names will be created: {names} ({', '.join(chosen_labels)})."
        else:
            text = f"{count} the file names {'is' if unknown['count'] == 1 else 'are'} not in the program: {names}."
        lines.append(SummaryLine(text, [], "" if chosen else "warn"))
    if aliased := summary.get("aliased_rows"):
        carry = "1 row carries" if aliased == 1 else f"{aliased:,} rows carry"
        lines.append(SummaryLine(f"{carry} another CRM's id of a deal linked earlier: they update that deal.", []))
    if duplicates := summary.get("duplicates"):
        n = duplicates["count"]
        look = "1 row looks like a deal" if n == 1 else f"{n:,} rows look like deals"
        sources = sorted({d["deal_source"] or "another source" for d in duplicates["rows"]})
        choice = (batch.options or {}).get("duplicates", "")
        outcome = {
            "link": "they are linked to those deals (one deal, two ids).",
            "skip": "they are left out of this import.",
            "keep": "they are imported as separate deals.",
        }.get(choice, "choose below what to do with them.")
        lines.append(
            SummaryLine(
                f"{look} already imported from {', '.join(sources)} (same partner, account, amount and close date "
                f"within {duplicates['window_days']} days): {outcome}",
                [],
                "" if choice else "warn",
            )
        )
    for name, group in in_order(summary.get("values") or {}):
        values = group["values"]
        unread = [v for v in values if v["ours"] is None]
        suggested = [v for v in values if v["how"] == "suggested"]
        label = labels.get(name, name)
        source = (
            f"read from the stage (“{group['header']}”)" if group.get("from_stage") else f"from “{group['header']}”"
        )
        parts = [_count(len(values), "distinct value", "distinct values")]
        if suggested:
            parts.append(f"{len(suggested)} suggested")
        if unread:
            parts.append(f"{len(unread)} not mapped yet")
        lines.append(
            SummaryLine(
                f"{label} {source}: {', '.join(parts)}.",
                [],
                "warn" if unread else "",
            )
        )
    return lines


def _currency_sentence(currency: dict[str, Any]) -> str:
    counts = currency.get("counts") or {}
    spread = ", ".join(f"{rows:,} in {code}" for code, rows in counts.items())
    code, source = currency.get("code") or "", currency.get("from")
    if source == "column":
        return f"Currencies come from the currency column: {spread}."
    if source == "header":
        return f"Amounts are in {code}, as the column header “{currency['header']}” says."
    if source == "cells" and code:
        return f"Amounts are in {code}, as their cells say."
    if source == "cells":
        return f"Each amount names its own currency: {spread}."
    if source == "file":
        return f"Amounts name no currency: they are read as {code}, the currency chosen for this file."
    return f"Amounts name no currency: they are read as {code}, the program's currency (you can choose another below)."


def import_batch_changes(*, tenant: Tenant, batch: ImportBatch) -> QuerySet[ImportChange]:
    """The rows the batch created or updated, in the order it wrote them."""
    return ImportChange.objects.for_tenant(tenant).filter(batch=batch).order_by("id")


def import_progress_key(tenant_id: int, batch_id: int) -> str:
    """Where a worker reports a batch's commit progress (the key carries the tenant, like every cache key)."""
    return f"t{tenant_id}:import-progress:{batch_id}"


def import_progress_get(*, tenant: Tenant, batch: ImportBatch) -> dict[str, int] | None:
    """A queued or running batch's progress as its worker last reported it ({"done", "total"}), else None."""
    if batch.status not in (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING):
        return None
    progress: dict[str, int] | None = cache.get(import_progress_key(tenant.pk, batch.pk))
    return progress
