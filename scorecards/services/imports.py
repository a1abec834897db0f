"""Imports of partner data: preview a file (or API rows), remap its columns, commit it all-or-nothing, roll it back.

Every function takes the tenant and the acting membership explicitly and runs inside that tenant's context (views,
the API and tasks enter it). Nothing here issues a query per row: see ``scorecards.selectors.import_rows``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PureWindowsPath
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from partnerhub.core.models import Membership, Partner, Tenant
from partnerhub.core.rules import ensure_can
from partnerhub.core.services.program import ensure_same_tenant
from partnerhub.core.signals import partner_data_changed
from scorecards.domain.deal_duplicates import WINDOW_DAYS
from scorecards.domain.import_fields import KINDS, METRIC, PARTNER, KindSpec
from scorecards.domain.import_mapping import check_mapping, profile_columns, saved_mapping_fits, suggest_mapping
from scorecards.domain.import_options import (
    LINK,
    SKIP,
    ImportOptions,
    OptionsProblem,
    options_from_json,
    remembered_values,
)
from scorecards.domain.import_parsing import FileProblem, Table, parse_table, render_csv
from scorecards.errors import (
    ImportInvalidError,
    ImportKindUnknownError,
    ImportOptionsError,
    ImportRollbackRefusedError,
    ImportStateError,
)
from scorecards.models import DealAlias, ImportBatch, ImportChange, ImportMapping
from scorecards.selectors.import_rows import (
    PREVIEW_CACHE_SECONDS,
    Plan,
    Validation,
    apply_duplicate_choice,
    display_rows,
    file_error,
    find_duplicates,
    metric_keys,
    partner_keys,
    plan_changes,
    preview_cache_key,
    preview_summary,
    validate,
)
from scorecards.services.import_rows import (
    create_named_partners,
    restore,
    restore_partners,
    write_partner_plan,
    write_plan,
)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
PREVIEW_ROWS = 20
COMMITTABLE = (
    ImportBatch.Status.PREVIEWED,
    ImportBatch.Status.QUEUED,
    ImportBatch.Status.RUNNING,
    ImportBatch.Status.FAILED,
)
REMAPPABLE = (ImportBatch.Status.PREVIEWED, ImportBatch.Status.FAILED)


def import_spec(kind: str) -> KindSpec:
    """The import kind named ``kind``, or ImportKindUnknownError (a 404)."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ImportKindUnknownError(f'There is no "{kind}" import.', extra={"kinds": list(KINDS)})
    return spec


def max_import_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


# --- evaluation: parse, map, validate, compare (no writes) ---


@dataclass
class Evaluation:
    """A file checked against the stored data: what a commit would do, or why it cannot."""

    readable: bool
    headers: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    total_rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    validation: Validation | None = None
    plan: Plan | None = None
    options: ImportOptions = field(default_factory=ImportOptions)
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        if self.plan is None or self.validation is None:
            return {"new": 0, "updated": 0, "unchanged": 0, "invalid": self.total_rows}
        counts = {
            "new": len(self.plan.creates),
            "updated": len(self.plan.updates),
            "unchanged": self.plan.unchanged,
            "invalid": self.validation.invalid_rows,
        }
        if self.validation.skipped_rows:
            counts["skipped"] = self.validation.skipped_rows
        if self.plan.links:
            counts["linked"] = len(self.plan.links)
        return counts


def _evaluate(
    *,
    tenant: Tenant,
    spec: KindSpec,
    content: bytes,
    file_name: str,
    source: str,
    mapping: dict[str, str] | None,
    options: ImportOptions | None = None,
    problems: list[str] | None = None,
) -> Evaluation:
    limit = max_import_bytes()
    if len(content) > limit:
        reason = f"The file is {_size(len(content))}; the limit is {_size(limit)}. Split it and upload the parts."
        return Evaluation(readable=False, errors=[file_error(reason)])
    try:
        table = parse_table(content, file_name)
    except FileProblem as problem:
        return Evaluation(readable=False, errors=[file_error(problem.reason)])
    result = Evaluation(readable=True, headers=table.headers, total_rows=len(table))
    saved = ImportMapping.objects.for_tenant(tenant).filter(kind=spec.kind, source=source).first()
    mapping_from = "chosen"
    if mapping is None:
        mapping, mapping_from = _default_mapping(tenant=tenant, spec=spec, table=table, saved=saved)
    result.options = options if options is not None else _saved_options(spec, saved)
    result.mapping, mapping_problems = check_mapping(spec, table.headers, mapping)
    # Problems the caller found (the API's unknown keys) come first and alone: a missing column follows from them.
    file_problems = list(problems) if problems else mapping_problems
    if not len(table):
        file_problems.append("The file has a header row but no data rows.")
    if file_problems:
        result.errors = [file_error(reason) for reason in file_problems]
        result.summary = preview_summary(table=table, validation=None, mapping_from=mapping_from)
        return result
    result.validation = validate(
        tenant=tenant,
        spec=spec,
        table=table,
        mapping=result.mapping,
        today=timezone.localdate(),
        options=result.options,
    )
    result.errors = result.validation.errors
    result.plan = plan_changes(tenant=tenant, validation=result.validation)
    if result.plan.creates and spec.kind == ImportBatch.Kind.DEALS:
        _judge_duplicates(tenant=tenant, result=result, validation=result.validation, source=source)
    result.summary = preview_summary(table=table, validation=result.validation, mapping_from=mapping_from)
    return result


def _judge_duplicates(*, tenant: Tenant, result: Evaluation, validation: Validation, source: str) -> None:
    """Find new rows that repeat a deal from another source and apply the choice made for them; with no choice
    yet, a file-level error holds the commit back until one is made."""
    assert result.plan is not None  # noqa: S101 (the caller planned first)
    validation.duplicates = find_duplicates(tenant=tenant, validation=validation, plan=result.plan, source=source)
    if not validation.duplicates:
        return
    choice = result.options.duplicates
    if choice in (LINK, SKIP):
        apply_duplicate_choice(validation, choice)
        result.plan = plan_changes(tenant=tenant, validation=validation)
    elif not choice:
        n = len(validation.duplicates)
        rows = "1 row looks like a deal" if n == 1 else f"{n} rows look like deals"
        result.errors = [
            file_error(
                f"{rows} already imported from another source (same partner, account, amount and currency, close "
                f"date within {WINDOW_DAYS} days). Choose whether to link them to those deals (one deal with both "
                "ids), skip them, or import them as separate deals."
            ),
            *result.errors,
        ]


def _size(n: int) -> str:
    if n < 1024 * 1024:
        return f"{-(-n // 1024)} KB"
    return f"{n / 1024 / 1024:.1f}".removesuffix(".0") + " MB"


def _default_mapping(
    *, tenant: Tenant, spec: KindSpec, table: Table, saved: ImportMapping | None
) -> tuple[dict[str, str], str]:
    """The saved mapping of the source when its headers are in the file ("saved"), else a suggestion."""
    if saved is not None and saved_mapping_fits(saved.columns, spec, table.headers):
        return dict(saved.columns), "saved"
    profiles = profile_columns(
        table.frame,
        today=timezone.localdate(),
        partner_keys=partner_keys(tenant=tenant) if any(f.type == PARTNER for f in spec.fields) else set(),
        metric_keys=metric_keys(tenant=tenant) if any(f.type == METRIC for f in spec.fields) else set(),
    )
    return suggest_mapping(spec, table.headers, profiles), "suggested"


def _saved_options(spec: KindSpec, saved: ImportMapping | None) -> ImportOptions:
    """The units, currency and value mapping remembered from the source's last import (none when there is none)."""
    if saved is None:
        return ImportOptions()
    try:
        return options_from_json(spec, {**(saved.options or {}), "values": saved.values or {}})
    except OptionsProblem:
        return ImportOptions()  # saved by an older version with other rules: start afresh rather than fail


def _clean_source(source: str) -> str:
    return (source or "").strip().lower()[:60] or "upload"


def _clean_file_name(file_name: str) -> str:
    # Some browsers send the full client path ("C:\\Users\\…\\deals.csv"): keep the name only.
    return PureWindowsPath(file_name or "").name[:255] or "upload"


def _remember_preview(batch: ImportBatch, evaluation: Evaluation) -> None:
    if evaluation.validation is None or evaluation.plan is None:
        rows: list[dict[str, Any]] = []
    else:
        rows = display_rows(evaluation.validation, evaluation.plan, PREVIEW_ROWS)
    cache.set(preview_cache_key(batch), {"limit": PREVIEW_ROWS, "rows": rows}, PREVIEW_CACHE_SECONDS)


def _store_preview(
    *,
    tenant: Tenant,
    actor: Membership,
    spec: KindSpec,
    file_name: str,
    content: bytes,
    source: str,
    mapping: dict[str, str] | None,
    options: ImportOptions | None = None,
    problems: list[str] | None = None,
) -> ImportBatch:
    evaluation = _evaluate(
        tenant=tenant,
        spec=spec,
        content=content,
        file_name=file_name,
        source=source,
        mapping=mapping,
        options=options,
        problems=problems,
    )
    batch = ImportBatch(
        tenant=tenant,
        kind=spec.kind,
        source=source,
        file_name=file_name,
        content=content if evaluation.readable else b"",
        mapping=evaluation.mapping,
        options=evaluation.options.as_json(),
        summary=evaluation.summary,
        uploaded_by=actor,
        status=ImportBatch.Status.PREVIEWED,
        total_rows=evaluation.total_rows,
        counts=evaluation.counts,
        errors=evaluation.errors,
    )
    batch.save()
    _remember_preview(batch, evaluation)
    return batch


# --- services ---


@transaction.atomic
def import_preview(
    *,
    tenant: Tenant,
    actor: Membership,
    kind: str,
    file_name: str,
    content: bytes,
    source: str = "upload",
    mapping: dict[str, str] | None = None,
    options: dict[str, Any] | None = None,
) -> ImportBatch:
    """Check a CSV/XLSX file and store it as a previewed batch with counts and per-row errors; write no data rows.

    ``mapping`` is {our field: their header}; without it the saved mapping for (kind, source) is reused when its
    headers are in the file, else one is suggested from the headers. ``options`` (units, currency, value
    mapping, duplicates, new partners: see ``scorecards.domain.import_options``) default to those saved for the
    source. A file that cannot be read (wrong type or encoding, empty, too large) or lacks a required column is
    reported as errors on row 0, never raised. Raises ImportKindUnknownError for an unknown kind,
    ImportOptionsError for options that do not fit the kind, and PermissionDeniedError without ``imports.run``.
    """
    ensure_same_tenant(tenant, actor)
    ensure_can(actor, "imports.run")
    spec = import_spec(kind)
    return _store_preview(
        tenant=tenant,
        actor=actor,
        spec=spec,
        file_name=_clean_file_name(file_name),
        content=bytes(content),
        source=_clean_source(source),
        mapping=mapping,
        options=_options(spec, options),
    )


def _options(spec: KindSpec, data: dict[str, Any] | None) -> ImportOptions | None:
    if data is None:
        return None
    try:
        return options_from_json(spec, data)
    except OptionsProblem as problem:
        raise ImportOptionsError(str(problem)) from problem


@transaction.atomic
def import_remap(
    *,
    tenant: Tenant,
    actor: Membership,
    batch: ImportBatch,
    mapping: dict[str, str],
    options: dict[str, Any] | None = None,
) -> ImportBatch:
    """Check a previewed (or failed) batch again with another column mapping and options (the batch's own when
    None); raises ImportStateError for a batch in any other state, ImportOptionsError for unusable options."""
    ensure_same_tenant(tenant, actor, batch)
    ensure_can(actor, "imports.run")
    if batch.status not in REMAPPABLE:
        raise ImportStateError(
            f"This import is {batch.get_status_display().lower()}: its columns can no longer change."
        )
    content = bytes(batch.content or b"")
    if not content:
        return batch  # the file could not be read at all: no mapping can fix that
    spec = import_spec(batch.kind)
    evaluation = _evaluate(
        tenant=tenant,
        spec=spec,
        content=content,
        file_name=batch.file_name,
        source=batch.source,
        mapping=mapping,
        options=_options(spec, options if options is not None else batch.options),
    )
    batch.mapping = evaluation.mapping
    batch.options = evaluation.options.as_json()
    batch.summary = evaluation.summary
    batch.total_rows = evaluation.total_rows
    batch.counts = evaluation.counts
    batch.errors = evaluation.errors
    batch.status = ImportBatch.Status.PREVIEWED
    batch.save(
        update_fields=["mapping", "options", "summary", "total_rows", "counts", "errors", "status", "updated_at"]
    )
    _remember_preview(batch, evaluation)
    return batch


def import_commit(
    *,
    tenant: Tenant,
    actor: Membership,
    batch: ImportBatch,
    progress: Callable[[int, int], None] | None = None,
) -> ImportBatch:
    """Write a previewed batch all-or-nothing: upsert new and changed rows by natural key, leave the rest untouched.

    The file is parsed and checked again against the data as it is now. With any invalid row nothing is written:
    the batch is saved as failed with its errors (in its own savepoint, so a caller that catches the error and
    commits keeps that record) and ImportInvalidError is raised. Otherwise each created or updated row is recorded
    as an ImportChange, the mapping is saved for (kind, source), and ``partner_data_changed`` is sent with the
    partners whose data changed. Committing the same file again writes nothing. ``progress(done, total)`` is called
    every 5,000 written rows. Raises ImportStateError unless the batch is previewed, queued, running or failed.
    """
    ensure_same_tenant(tenant, actor, batch)
    ensure_can(actor, "imports.run")
    with transaction.atomic():
        import_lock(tenant, batch.kind)
        locked = _lock_batch(tenant, batch)
        if locked.status not in COMMITTABLE:
            raise ImportStateError(f"This import is {locked.get_status_display().lower()}: it cannot be committed.")
        content = bytes(locked.content or b"")
        if content:
            spec = import_spec(locked.kind)
            evaluation = _evaluate(
                tenant=tenant,
                spec=spec,
                content=content,
                file_name=locked.file_name,
                source=locked.source,
                mapping=dict(locked.mapping),
                options=_options(spec, locked.options),
            )
        else:
            evaluation = Evaluation(readable=False, errors=locked.errors or [file_error("The file is empty.")])
        if not evaluation.errors and evaluation.plan is not None:
            return _write(
                tenant=tenant,
                actor=actor,
                batch=locked,
                evaluation=evaluation,
                plan=evaluation.plan,
                progress=progress,
            )
    with transaction.atomic():
        locked.status = ImportBatch.Status.FAILED
        locked.errors = evaluation.errors
        locked.counts = evaluation.counts
        locked.total_rows = evaluation.total_rows
        locked.processed_rows = 0
        locked.save(update_fields=["status", "errors", "counts", "total_rows", "processed_rows", "updated_at"])
    raise ImportInvalidError(
        _failure_message(evaluation),
        extra={"batch": locked.pk, "counts": evaluation.counts, "errors": evaluation.errors},
    )


@transaction.atomic
def import_commit_enqueue(*, tenant: Tenant, actor: Membership, batch: ImportBatch) -> ImportBatch:
    """Queue a previewed (or failed) batch for a worker to commit (``import_commit_task``, after this commit).

    For a file too large to commit in the request. Raises ImportStateError for a batch in any other state.
    """
    ensure_same_tenant(tenant, actor, batch)
    ensure_can(actor, "imports.run")
    if batch.status not in REMAPPABLE:
        raise ImportStateError(f"This import is {batch.get_status_display().lower()}: it cannot be committed.")
    batch.status = ImportBatch.Status.QUEUED
    batch.save(update_fields=["status", "updated_at"])
    from scorecards.tasks.imports import import_commit_task  # lazily: the task module imports this service

    transaction.on_commit(lambda: import_commit_task.delay(tenant_id=tenant.pk, batch_id=batch.pk, actor_id=actor.pk))
    return batch


def _failure_message(evaluation: Evaluation) -> str:
    file_level = [e["reason"] for e in evaluation.errors if e["row"] == 0]
    if file_level:
        return f"Nothing was imported: {file_level[0]}"
    invalid = evaluation.counts["invalid"]
    rows = "1 row is" if invalid == 1 else f"{invalid} rows are"
    return f"Nothing was imported: {rows} invalid. Fix them (see the error report) and try again."


def _write(
    *,
    tenant: Tenant,
    actor: Membership,
    batch: ImportBatch,
    evaluation: Evaluation,
    plan: Plan,
    progress: Callable[[int, int], None] | None,
) -> ImportBatch:
    total = evaluation.total_rows
    if plan.new_partners:
        create_named_partners(
            tenant=tenant, actor=actor, batch=batch, plan=plan, choice=evaluation.options.new_partners
        )
    if batch.kind == ImportBatch.Kind.PARTNERS:
        write_partner_plan(tenant=tenant, actor=actor, batch=batch, plan=plan)
    else:
        write_plan(tenant=tenant, batch=batch, plan=plan, progress=progress, done_before=plan.unchanged, total=total)
    if plan.links:
        DealAlias.objects.bulk_create(
            [
                DealAlias(tenant=tenant, deal_id=deal_id, external_id=external_id, source=batch.source, batch=batch)
                for external_id, deal_id in plan.links
            ]
        )
    if progress is not None:
        progress(total, total)
    batch.status = ImportBatch.Status.COMMITTED
    batch.committed_at = timezone.now()
    batch.counts = evaluation.counts
    batch.errors = []
    batch.total_rows = total
    batch.processed_rows = total
    batch.mapping = evaluation.mapping
    batch.summary = evaluation.summary
    batch.save(
        update_fields=[
            "status",
            "committed_at",
            "counts",
            "errors",
            "total_rows",
            "processed_rows",
            "mapping",
            "summary",
            "updated_at",
        ]
    )
    _save_mapping(tenant=tenant, batch=batch, evaluation=evaluation)
    partner_ids = sorted(plan.partner_ids)
    if partner_ids:
        partner_data_changed.send(sender=ImportBatch, tenant=tenant, partner_ids=partner_ids)
    return batch


def _save_mapping(*, tenant: Tenant, batch: ImportBatch, evaluation: Evaluation) -> None:
    """Remember the columns, units, currency and value mapping for the next file of this kind and source."""
    values: dict[str, dict[str, str]] = {}
    if evaluation.validation is not None:
        for name, (_header, readings) in evaluation.validation.readings.items():
            values[name] = remembered_values(readings)
    saved = ImportMapping.objects.for_tenant(tenant).filter(kind=batch.kind, source=batch.source).first()
    options = evaluation.options.saved_part()
    if saved is None:
        ImportMapping.objects.create(
            tenant=tenant,
            kind=batch.kind,
            source=batch.source,
            columns=batch.mapping,
            headers=evaluation.headers,
            values={name: pairs for name, pairs in values.items() if pairs},
            options=options,
        )
        return
    merged = {name: dict(pairs) for name, pairs in (saved.values or {}).items()}
    for name, pairs in values.items():
        merged.setdefault(name, {}).update(pairs)
    merged = {name: pairs for name, pairs in merged.items() if pairs}
    if (saved.columns, saved.headers, saved.values, saved.options) != (
        batch.mapping,
        evaluation.headers,
        merged,
        options,
    ):
        saved.columns, saved.headers, saved.values, saved.options = batch.mapping, evaluation.headers, merged, options
        saved.save(update_fields=["columns", "headers", "values", "options", "updated_at"])


def import_lock(tenant: Tenant, kind: str) -> None:
    """Serialise commits and rollbacks of one kind in one tenant (a transaction-scoped advisory lock)."""
    digest = hashlib.blake2b(f"partnerhub:imports:{tenant.pk}:{kind}".encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)])


def _lock_batch(tenant: Tenant, batch: ImportBatch) -> ImportBatch:
    # for_tenant() filters and RLS confines the lock to this tenant's row; of=self locks no joined row.
    return ImportBatch.objects.for_tenant(tenant).select_for_update(of=("self",)).get(pk=batch.pk)


@transaction.atomic
def import_rollback(*, tenant: Tenant, actor: Membership, batch: ImportBatch) -> ImportBatch:
    """Undo a committed batch: delete the rows it created and restore the previous values of those it updated.

    Refused (ImportRollbackRefusedError) when a later committed batch changed any of the same rows: roll that one
    back first. Sends ``partner_data_changed`` for the partners whose data changed.
    """
    ensure_same_tenant(tenant, actor, batch)
    ensure_can(actor, "imports.run")
    import_lock(tenant, batch.kind)
    locked = _lock_batch(tenant, batch)
    if locked.status != ImportBatch.Status.COMMITTED:
        raise ImportStateError(
            f"This import is {locked.get_status_display().lower()}: only a committed one can be rolled back."
        )
    changes = ImportChange.objects.for_tenant(tenant)
    touched = changes.filter(batch=locked).values("object_id")
    later = list(
        changes.filter(model=KINDS[locked.kind].model._meta.label, object_id__in=touched)
        .exclude(batch=locked)
        .filter(batch__status=ImportBatch.Status.COMMITTED, batch__committed_at__gt=locked.committed_at)
        .values_list("batch_id", "batch__file_name", "batch__committed_at")
        .distinct()
        .order_by("batch__committed_at")[:3]
    )
    if later:
        batch_id, file_name, committed_at = later[0]
        raise ImportRollbackRefusedError(
            f"Import #{batch_id} ({file_name}, committed {timezone.localtime(committed_at):%Y-%m-%d %H:%M}) changed "
            "some of the same rows later. Roll that import back first.",
            extra={"later_batches": [row[0] for row in later]},
        )
    partner_label = Partner._meta.label
    changed = list(changes.filter(batch=locked).values_list("model", "object_id", "action", "before").order_by("id"))
    rows = [(object_id, action, before) for model, object_id, action, before in changed if model != partner_label]
    partner_rows = [
        (object_id, action, before) for model, object_id, action, before in changed if model == partner_label
    ]
    DealAlias.objects.for_tenant(tenant).filter(batch=locked).delete()  # the links this import made
    partner_ids: set[int] = set()
    if locked.kind != ImportBatch.Kind.PARTNERS:
        partner_ids = restore(tenant=tenant, batch=locked, changes=rows)
    if partner_rows:  # a partners import, or the partners a deals file created: after their rows are gone
        restore_partners(tenant=tenant, actor=actor, batch=locked, changes=partner_rows)
        partner_ids -= {object_id for object_id, action, _ in partner_rows if action == ImportChange.Action.CREATED}
    locked.status = ImportBatch.Status.ROLLED_BACK
    locked.rolled_back_at = timezone.now()
    locked.save(update_fields=["status", "rolled_back_at", "updated_at"])
    if partner_ids:
        partner_data_changed.send(sender=ImportBatch, tenant=tenant, partner_ids=sorted(partner_ids))
    return locked


@transaction.atomic
def import_rows(
    *,
    tenant: Tenant,
    actor: Membership,
    kind: str,
    rows: list[dict[str, Any]],
    commit: bool,
    source: str = "api",
    mapping: dict[str, str] | None = None,
    options: dict[str, Any] | None = None,
) -> ImportBatch:
    """Import rows (the API path): the same checks as a file, kept as a CSV rendering of the rows.

    Rows are keyed by our field names, or by any names with ``mapping`` ({our field: their key}, as on the import
    page); keys that are neither are reported with the fields expected and the keys given. ``options`` are those
    of a file (units, currency, value mapping, duplicates, new partners). Error row numbers are those of the
    rendering: the first row is row 2. With ``commit`` the rows are written at once (see import_commit); invalid
    rows then raise ImportInvalidError and nothing, not even the batch, is kept.
    """
    ensure_same_tenant(tenant, actor)
    ensure_can(actor, "imports.run")
    spec = import_spec(kind)
    parsed_options = _options(spec, options)
    keys = list(dict.fromkeys(str(key) for row in rows for key in row))
    problems: list[str] = []
    if mapping is None:
        unknown = [key for key in keys if key not in spec.names]
        if unknown and len(unknown) == len(keys):
            problems.append(
                f"The rows' keys are not fields of this import. Expected: {_expected(spec)}. Got: "
                f"{', '.join(keys[:30])}{'…' if len(keys) > 30 else ''}. Rename the keys, or send "
                '"mapping": {our field: your key}, as on the import page.'
            )
        else:
            problems += [f'Unknown field "{key}": expected {_expected(spec)}.' for key in unknown]
        headers = [name for name in spec.names if name in keys] or keys
        mapping = {name: name for name in headers if name in spec.names}
    else:
        headers = keys
    content = render_csv(headers, ([_cell(row.get(name)) for name in headers] for row in rows)) if rows else b""
    if not rows:
        problems.append("No rows were given.")
        content = render_csv(list(spec.names), [])
    batch = _store_preview(
        tenant=tenant,
        actor=actor,
        spec=spec,
        file_name=f"api-{spec.kind}.csv",
        content=content,
        source=_clean_source(source),
        mapping=mapping,
        options=parsed_options,
        problems=problems,
    )
    if problems:
        batch.content = b""  # nothing a remap could fix; a commit reports the same problems
        batch.save(update_fields=["content", "updated_at"])
    if commit:
        return import_commit(tenant=tenant, actor=actor, batch=batch)
    return batch


def _expected(spec: KindSpec) -> str:
    """The fields of a kind, required ones marked: "external_id*, partner*, amount*, …"."""
    return ", ".join(f"{f.name}{'*' if f.required else ''}" for f in spec.fields) + " (* required)"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{Decimal(repr(value)):f}"
    if isinstance(value, dict | list):
        return repr(value)
    return str(value)
