"""Writes of scorecard snapshots: a bulk, idempotent refresh of one tenant (every partner, or some after an import).

``snapshot_refresh`` holds the tenant's advisory lock for its whole transaction (two refreshes of one tenant never
overlap: the second waits for the first to commit), then:

1. **reads** everything once (``scorecards.selectors.snapshot_inputs``), in a number of statements that does not
   depend on the number of partners: the
   partners; the templates, versions, items, target rules and metrics; the reference month (the last month with
   data, never the month under way: one probe of the observations' (tenant, metric, month) index per metric); the
   observations; the deals, only when a template uses a metric derived from deals; the open data-quality findings;
   the stored snapshots' keys, fingerprints and percentiles; and, for a refresh of some partners, the stored scores
   of the other partners of their segments, so that percentiles stay right. The large reads are ``COPY ... TO STDOUT
   (FORMAT binary)`` with one row per partner holding an array per column, which numpy reads in place (``TenantSql``);
2. **computes** every snapshot with ``scorecards.domain.scoring.score_snapshots``;
3. **writes only what changed**, block by block (``RENDER_CHUNK`` snapshots): each block's trend verdicts and
   data-quality reasons are completed and fingerprinted; new snapshots and those whose fingerprint changed are
   rendered as COPY text and handed to a second thread, which COPYs them into a TEMP staging table (COPY straight
   into the snapshot table is refused under row-level security) and moves them into the snapshot table with ``INSERT
   ... SELECT`` (new rows: no row is stored under their key, and the lock keeps it so) or ``INSERT ... SELECT ... ON
   CONFLICT DO UPDATE`` (rows whose fingerprint changed), while this thread prepares the next block. Rows whose only
   change is their percentile (also other partners' rows, after a refresh of some partners) get ``UPDATE ... FROM
   unnest(...)``; stored snapshots the engine no longer produces (their data was removed) are deleted. Running it
   twice writes nothing the second time.

Raw SQL runs inside ``tenant_context`` (row-level security applies) and names the tenant in its WHERE as well.
``docs/scoring-engine.md`` has the design and the benchmark figures.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from django.db import connection
from django.utils import timezone

from partnerhub.core.domain.periods import month_number, month_start
from partnerhub.core.models import Tenant
from partnerhub.core.signals import snapshots_refreshed
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.core.tenancy.sql import LOCK_SNAPSHOT_REFRESH, TenantSql, pg_days_to_months, tenant_xact_lock
from scorecards.domain.scoring import (
    MONTH,
    NULL,
    QUARTER,
    RAG_NAMES,
    ScoringResult,
    complete_snapshots,
    fingerprints,
    iter_chunks,
    render_items,
    score_snapshots,
)
from scorecards.selectors.snapshot_inputs import (
    SNAPSHOT_TABLE,
    RefreshScope,
    snapshot_inputs_for_refresh,
    snapshot_stored_keys,
)

RENDER_CHUNK: Final = 5_000  # snapshots compared, rendered and staged at a time (about 15 MB of COPY text)
UPDATE_CHUNK: Final = 50_000
COPY_ESCAPES: Final = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


@dataclass(frozen=True)
class RefreshResult:
    """What one refresh did. Times are epoch seconds: asked for the lock, got it, finished writing (the lock is
    released when the transaction commits, right after)."""

    tenant_id: int
    partners: int = 0
    snapshots: int = 0
    written: int = 0  # snapshots inserted or rewritten in full
    percentile_updates: int = 0  # rows (of these partners or their segment peers) whose percentile alone changed
    deleted: int = 0
    unchanged: int = 0  # snapshots of these partners left exactly as they were
    reference_month: date | None = None
    requested_at: float = 0.0
    started_at: float = 0.0
    finished_at: float = 0.0
    statements: int = 0  # SQL statements sent, COPY included (the lock and the tenant setting excluded)
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        """Rows written, updated or deleted."""
        return self.written + self.percentile_updates + self.deleted

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly form (a task's result)."""
        data = asdict(self)
        data["reference_month"] = self.reference_month.isoformat() if self.reference_month else None
        data["changed"] = self.changed
        return data


class _Clock:
    """Seconds spent per phase, for the bench and the logs."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = round(self.phases.get(name, 0.0) + now - self.last, 3)
        self.last = now


# --- the refresh ---


def snapshot_refresh(
    *, tenant: Tenant, partner_ids: list[int] | None = None, today: date | None = None
) -> RefreshResult:
    """Recompute ``tenant``'s scorecard snapshots (every partner, or ``partner_ids``) and write what changed.

    ``today`` (default: today in UTC) bounds the periods: a month still under way is never scored. Idempotent; the
    number of statements does not grow with the number of partners; serialised per tenant by an advisory lock held
    until the transaction commits (the caller's, when it runs inside one).
    """
    today = today or timezone.now().date()
    requested = time.time()
    clock = _Clock()
    with tenant_context(tenant):  # one transaction, both walls
        tenant_xact_lock(LOCK_SNAPSHOT_REFRESH, tenant)
        started = time.time()
        clock.lap("lock")
        sql = TenantSql(tenant)
        with connection.execute_wrapper(sql.count):
            ids = None if partner_ids is None else sorted({int(i) for i in partner_ids})
            data, scope = snapshot_inputs_for_refresh(sql, tenant, ids, month_number(today))
            clock.lap("read")
            result = score_snapshots(data, complete=False)  # trends and reasons: block by block, in _write
            partners, reference = len(data.partners), data.reference_month
            del data  # the observations are in the result now: free them before writing
            clock.lap("compute")
            outcome = _write(sql, tenant, result, scope, clock)
        finished = time.time()
        # Apps that read snapshots (remediation's checkpoints and triggers) queue their work after this commits.
        snapshots_refreshed.send(sender=RefreshResult, tenant=tenant, partner_ids=ids)
    return RefreshResult(
        tenant_id=tenant.pk,
        partners=partners,
        snapshots=len(result),
        written=outcome["written"],
        percentile_updates=outcome["percentile_updates"],
        deleted=outcome["deleted"],
        unchanged=len(result) - outcome["written"] - outcome["own_percentile_updates"],
        reference_month=month_start(reference) if reference is not None else None,
        requested_at=requested,
        started_at=started,
        finished_at=finished,
        statements=sql.statements,
        phases=clock.phases,
    )


# --- writing what changed ---


def _write(sql: TenantSql, tenant: Tenant, result: ScoringResult, scope: RefreshScope, clock: _Clock) -> dict[str, Any]:
    """Compare with the stored rows block by block; stream the new and changed ones to the staging writer.

    Completing (trends, reasons), fingerprinting and rendering a block (Python) overlap the server's parsing and
    writing of the previous one.
    """
    stored = snapshot_stored_keys(sql, tenant, scope.partner_ids)
    clock.lap("read_stored")
    keys = _keys(result.partner_id, result.is_quarter, result.period_start)
    stored_keys = _keys(stored["partner_id"], stored["is_quarter"], pg_days_to_months(stored["period_start"]))
    order = np.argsort(keys, kind="stable")
    found = np.minimum(np.searchsorted(keys, stored_keys, sorter=order), max(len(keys) - 1, 0))
    match = order[found] if len(keys) else np.zeros(len(stored_keys), dtype=np.int64)
    matched = keys[match] == stored_keys if len(keys) else np.zeros(len(stored_keys), dtype=bool)
    stored_id = np.zeros(len(result), dtype=np.int64)
    stored_print = np.zeros(len(result), dtype=np.int64)
    stored_percentile = np.full(len(result), NULL, dtype=np.int64)
    is_stored = np.zeros(len(result), dtype=bool)
    targets = match[matched]
    stored_id[targets] = stored["id"][matched]
    stored_print[targets] = stored["fingerprint"][matched]
    stored_percentile[targets] = stored["percentile"][matched]
    is_stored[targets] = True
    deleted_ids = stored["id"][~matched]
    del stored, keys, stored_keys, order, found, match, matched, targets
    now = timezone.now()
    written, updates = 0, list[tuple[int, int]]()
    writer: _StagingWriter | None = None
    try:
        for block in iter_chunks(np.arange(len(result)), RENDER_CHUNK):
            complete_snapshots(result, block)
            prints = fingerprints(result, block)
            same = is_stored[block] & (stored_print[block] == prints)
            rewrite = block[~same]
            moved = block[same & (stored_percentile[block] != result.percentile[block])]
            updates += zip(stored_id[moved].tolist(), result.percentile[moved].tolist(), strict=True)
            if len(rewrite):
                if writer is None:
                    writer = _StagingWriter(sql, tenant, now)
                # New rows (none stored under this key: the lock keeps it so) take a plain INSERT, which skips the
                # upsert's speculative insertion; rows whose fingerprint changed are upserted.
                stored_now = is_stored[rewrite]
                rewrite_prints = prints[~same]
                for kind, chosen in ((INSERT, ~stored_now), (UPSERT, stored_now)):
                    if chosen.any():
                        writer.put(kind, _copy_text(result, rewrite[chosen], rewrite_prints[chosen]))
                written += len(rewrite)
    finally:
        if writer is not None:
            writer.close()
    clock.lap("complete_render_upsert")
    own_updates = len(updates)
    if scope.peers is not None and len(scope.peers):
        changed = np.flatnonzero(result.peer_percentile != scope.peers["percentile"].to_numpy())
        ids = scope.peers["id"].to_numpy()
        updates += zip(ids[changed].tolist(), result.peer_percentile[changed].tolist(), strict=True)
    _update_percentiles(sql, tenant, updates, now)
    for part in iter_chunks(deleted_ids, UPDATE_CHUNK):
        sql.execute(
            f"DELETE FROM {SNAPSHOT_TABLE} WHERE tenant_id = %s AND id = ANY(%s::bigint[])", [tenant.pk, part.tolist()]
        )
    clock.lap("update_delete")
    return {
        "written": written,
        "percentile_updates": len(updates),
        "own_percentile_updates": own_updates,
        "deleted": len(deleted_ids),
    }


def _keys(partner_id: np.ndarray, is_quarter: np.ndarray, month: np.ndarray) -> npt.NDArray[np.int64]:
    return (partner_id.astype(np.int64) << 21) | (is_quarter.astype(np.int64) << 20) | month.astype(np.int64)


STAGE_COLUMNS: Final = (
    "partner_id bigint, period varchar(8), period_start date, months_covered smallint, template_version_id bigint, "
    "score bigint, "
    "rag varchar(5), percentile bigint, change_previous bigint, change_baseline bigint, trend varchar(10), "
    "trend_explanation varchar(300), dq_flag boolean, dq_reasons jsonb, items jsonb, fingerprint bigint"
)
DATA_COLUMNS: Final = (
    "partner_id, period, period_start, months_covered, template_version_id, score, rag, percentile, change_previous, "
    "change_baseline, trend, trend_explanation, dq_flag, dq_reasons, items, fingerprint"
)


def _text_column(values: np.ndarray) -> list[str]:
    """Fixed-point integers as COPY text: the 4-decimal value is divided out in SQL; ``\\N`` for NULL."""
    texts: list[str] = values.astype(str).tolist()
    for position in np.flatnonzero(values == NULL).tolist():
        texts[position] = "\\N"
    return texts


def _escaped(texts: list[str]) -> list[str]:
    """COPY text escapes, applied only to the texts that need them (a scan of the joined texts finds them)."""
    joined = "".join(texts)
    if any(special in joined for special in "\\\t\n\r"):
        return [text.translate(COPY_ESCAPES) for text in texts]
    return texts


def _copy_text(result: ScoringResult, rows: npt.NDArray[np.int64], prints: npt.NDArray[np.int64]) -> str:
    """The staging table's rows for these snapshots, in COPY text format.

    Column by column (numpy where it can), then one %-format per row: the items (``render_items``) are most of it.
    """
    rag_names = np.asarray(RAG_NAMES, dtype=object)
    months = result.period_start[rows]
    low = int(months.min()) if len(rows) else 0
    span = np.asarray(
        [month_start(month).isoformat() for month in range(low, (int(months.max()) + 1) if len(rows) else low)],
        dtype=object,
    )
    dq = [result.dq_reasons[i] for i in rows.tolist()]
    reasons = _escaped([json.dumps(r) if r else "[]" for r in dq])
    columns = zip(
        result.partner_id[rows].tolist(),
        np.where(result.is_quarter[rows], QUARTER, MONTH).tolist(),
        span[months - low].tolist(),
        result.months_covered[rows].tolist(),
        result.versions.ids[result.version_row[rows]].tolist(),
        _text_column(result.score[rows]),
        rag_names[result.rag[rows]].tolist(),
        _text_column(result.percentile[rows]),
        _text_column(result.change_previous[rows]),
        _text_column(result.change_baseline[rows]),
        result.trend[rows].tolist(),
        _escaped([str(text) for text in result.trend_explanation[rows].tolist()]),
        ["t" if r else "f" for r in dq],
        reasons,
        render_items(result, rows),
        prints.tolist(),
        strict=True,
    )
    return "".join(
        "%d\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n" % row  # noqa: UP031 - the fast path
        for row in columns
    )


UPSERT_ASSIGNMENTS: Final = ", ".join(
    f"{column} = EXCLUDED.{column}"
    for column in (
        "updated_at",
        "computed_at",
        "months_covered",
        "template_version_id",
        "score",
        "rag",
        "percentile",
        "change_previous",
        "change_baseline",
        "trend",
        "trend_explanation",
        "dq_flag",
        "dq_reasons",
        "items",
        "fingerprint",
    )
)
INSERT: Final = f"""
    INSERT INTO {SNAPSHOT_TABLE} (tenant_id, created_at, updated_at, computed_at, partner_id, period, period_start,
        months_covered, template_version_id, score, rag, percentile, change_previous, change_baseline, trend,
        trend_explanation, dq_flag, dq_reasons, items, fingerprint)
    SELECT %s, %s, %s, %s, partner_id, period, period_start, months_covered, template_version_id, score / 10000.0, rag,
        percentile / 10000.0, change_previous / 10000.0, change_baseline / 10000.0, trend, trend_explanation,
        dq_flag, dq_reasons, items, fingerprint
    FROM snapshot_stage
"""
UPSERT: Final = f"{INSERT} ON CONFLICT (tenant_id, partner_id, period, period_start) DO UPDATE SET {UPSERT_ASSIGNMENTS}"
# lz4 compresses the items (about 3 kB of JSON per snapshot) several times faster than the default pglz; a
# transaction-local setting, so nothing else changes (pglz where the server was built without lz4).
FAST_TOAST: Final = (
    "SELECT set_config('default_toast_compression', CASE WHEN 'lz4' = ANY(enumvals) THEN 'lz4' ELSE 'pglz' END, "
    "true) FROM pg_settings WHERE name = 'default_toast_compression'"
)


class _StagingWriter:
    """Stages and upserts chunks on a second thread while the calling thread prepares the next one.

    COPY straight into the snapshot table is refused under row-level security: each chunk is COPYed into a TEMP
    staging table (not under it), then ``INSERT`` (new rows) or ``UPSERT`` (changed rows) moves it into the snapshot
    table (checked by the policy like any insert). Rendering is Python (one core); parsing the JSON into jsonb,
    compressing it and writing the rows is the server's work (the other core): overlapping them is most of the write's
    speed. The thread uses the caller's connection and transaction; the caller does not touch the connection until
    ``close``.
    """

    def __init__(self, sql: TenantSql, tenant: Tenant, now: Any) -> None:
        self.sql = sql
        sql.execute(f"CREATE TEMP TABLE snapshot_stage ({STAGE_COLUMNS})")
        sql.execute(FAST_TOAST)
        raw = connection.connection
        if raw is None:  # pragma: no cover - the refresh has run queries on it already
            raise RuntimeError("no database connection")
        self.raw = raw
        self.params = [tenant.pk, now, now, now]
        self.queue: queue.Queue[tuple[str, str] | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.statements = 0
        self.thread = threading.Thread(target=self._run, name="snapshot-staging", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        with self.raw.cursor() as cursor:
            while (item := self.queue.get()) is not None:
                if self.error is not None:
                    continue  # drain: the caller learns of the error when it closes
                statement, text = item
                try:
                    with cursor.copy(f"COPY snapshot_stage ({DATA_COLUMNS}) FROM STDIN") as copy:
                        copy.write(text)
                    cursor.execute(statement, self.params)
                    cursor.execute("TRUNCATE snapshot_stage")
                    self.statements += 3
                except BaseException as error:
                    self.error = error

    def put(self, statement: str, text: str) -> None:
        """Stage ``text`` (COPY rows) and run ``statement`` (``INSERT`` or ``UPSERT``) over it, on the thread."""
        if self.error is not None:
            raise self.error
        self.queue.put((statement, text))

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        self.sql.statements += self.statements
        if self.error is not None:
            raise self.error
        self.sql.execute("DROP TABLE snapshot_stage")


def _update_percentiles(sql: TenantSql, tenant: Tenant, updates: list[tuple[int, int]], now: Any) -> None:
    for start in range(0, len(updates), UPDATE_CHUNK):
        part = updates[start : start + UPDATE_CHUNK]
        sql.execute(
            f"""
            UPDATE {SNAPSHOT_TABLE} AS s SET percentile = u.value / 10000.0, computed_at = %s, updated_at = %s
            FROM unnest(%s::bigint[], %s::bigint[]) AS u(id, value)
            WHERE s.tenant_id = %s AND s.id = u.id
            """,
            [now, now, [i for i, _ in part], [None if v == NULL else v for _, v in part], tenant.pk],
        )
