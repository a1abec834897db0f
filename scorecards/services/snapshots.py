"""Writes of scorecard snapshots: a bulk, idempotent refresh of one tenant (every partner, or some after an import).

``snapshot_refresh`` holds the tenant's advisory lock for its whole transaction (two refreshes of one tenant never
overlap: the second waits for the first to commit), then:

1. **reads the program** (``scorecards.selectors.snapshot_inputs.snapshot_program``): the partners; the templates,
   versions, items, target rules and metrics; the reference month (the last month with data, never the month under
   way: one probe of the observations' (tenant, metric, month) index per metric);
2. **finds the partners whose inputs changed** (``_plan``): each partner's snapshots were stored with a digest of
   their inputs (``scorecards.domain.input_digest``, kept in ``SnapshotSource``); the database computes today's
   digests in one statement (a hash of every row the engine would read, XORed per partner and source), and only the
   partners whose digest differs, or whose stored snapshots are not the ones recorded, are recomputed. When no
   stored digest belongs to today's program (a first refresh, a template change, a new reference month, a change to
   the engine's code) every partner is, and their observations' digests come with their read. A refresh of the
   whole tenant also reads every stored score, to rank the recomputed partners against the others and to check
   every stored percentile (a partner deleted or moved to another segment re-ranks its old one);
3. **reads the inputs of those partners** once, in a number of statements that does not depend on the number of
   partners: the observations; the deals, only when a template uses a metric derived from deals; the open
   data-quality findings; the stored scores of their segments' other partners (for a refresh of some partners). The
   large reads are ``COPY ... TO STDOUT (FORMAT binary)`` with one row per partner holding an array per column,
   which numpy reads in place (``TenantSql``);
4. **computes** their snapshots with ``scorecards.domain.scoring.score_snapshots``;
5. **writes only what changed**, block by block (``RENDER_CHUNK`` snapshots): each block's trend verdicts and
   data-quality reasons are completed and fingerprinted; new snapshots and those whose fingerprint changed are
   rendered as COPY text and handed to a second thread, which COPYs them into a TEMP staging table (COPY straight
   into the snapshot table is refused under row-level security) and moves them into the snapshot table with ``INSERT
   ... SELECT`` (new rows: no row is stored under their key, and the lock keeps it so) or ``INSERT ... SELECT ... ON
   CONFLICT DO UPDATE`` (rows whose fingerprint changed), while this thread prepares the next block. Rows whose only
   change is their percentile (also other partners' rows) get ``UPDATE ... FROM unnest(...)``; stored snapshots the
   engine no longer produces (their data was removed) are deleted; the recomputed partners' digests are recorded.
   Running it twice writes nothing the second time, and reads no partner's observations.

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
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from django.db import connection
from django.utils import timezone

from partnerhub.core.domain.periods import month_number, month_start
from partnerhub.core.models import Tenant
from partnerhub.core.signals import snapshots_refreshed
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.core.tenancy.sql import LOCK_SNAPSHOT_REFRESH, TenantSql, pg_days_to_months, tenant_xact_lock
from scorecards.domain import deal_metrics, deal_rubric, scoring, trend
from scorecards.domain.input_digest import changed_partners, code_digest, partner_digests, program_digest
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
from scorecards.models import SnapshotSource
from scorecards.selectors import deal_reviews
from scorecards.selectors import snapshot_inputs as inputs_module
from scorecards.selectors.snapshot_inputs import (
    SNAPSHOT_TABLE,
    Digests,
    Program,
    RefreshScope,
    input_digests,
    scoring_inputs,
    segment_peers,
    snapshot_counts,
    snapshot_program,
    snapshot_sources,
    snapshot_stored_keys,
    stored_scores,
)

SOURCE_TABLE: Final = SnapshotSource._meta.db_table
STORED_KEYS: Final = ("partner_id", "id", "is_quarter", "period_start", "fingerprint", "percentile")
RENDER_CHUNK: Final = 5_000  # snapshots compared, rendered and staged at a time (about 15 MB of COPY text)
UPDATE_CHUNK: Final = 50_000
COPY_ESCAPES: Final = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


@dataclass(frozen=True)
class RefreshResult:
    """What one refresh did. Times are epoch seconds: asked for the lock, got it, finished writing (the lock is
    released when the transaction commits, right after)."""

    tenant_id: int
    partners: int = 0  # partners in scope (all of the tenant's, or those asked for)
    recomputed: int = 0  # of these, the partners whose inputs had changed: read, scored and compared
    snapshots: int = 0  # snapshots of the partners in scope after the refresh
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


# The modules whose code decides a stored snapshot from its inputs: a change to any of them recomputes every partner
# once (only the rows that then differ are written).
ENGINE_MODULES: Final = (scoring, trend, deal_metrics, deal_rubric, inputs_module, deal_reviews)
ENGINE_CODE: Final = code_digest(Path(str(module.__file__)).read_bytes() for module in ENGINE_MODULES)


# --- the refresh ---


def snapshot_refresh(
    *, tenant: Tenant, partner_ids: list[int] | None = None, today: date | None = None
) -> RefreshResult:
    """Recompute ``tenant``'s scorecard snapshots (every partner, or ``partner_ids``) and write what changed.

    Only the partners whose inputs changed since their snapshots were stored are read and scored (their digests,
    ``scorecards.domain.input_digest``, differ from the stored ones, or their stored snapshots are not the ones
    recorded); a refresh of the whole tenant then checks every stored percentile against the stored scores.
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
            program = snapshot_program(sql, tenant, ids, month_number(today))
            plan = _plan(sql, tenant, program, ids)
            clock.lap("check" if plan.checked else "read_program")
            data, scope, observed = scoring_inputs(
                sql, tenant, program, plan.partner_ids, plan.peers, digest=not plan.checked
            )
            # Unchecked: the observations' digests come from their read, the other sources' were computed before it.
            digests = (
                plan.digests
                if plan.checked
                else partner_digests(plan.program, program.partners, {**plan.sources, **observed})
            )
            clock.lap("read")
            result = score_snapshots(data, complete=False)  # trends and reasons: block by block, in _write
            del data  # the observations are in the result now: free them before writing
            clock.lap("compute")
            outcome = _write(sql, tenant, result, scope, clock)
            _store_sources(sql, tenant, plan, program, digests, result)
            clock.lap("sources")
        finished = time.time()
        # Apps that read snapshots (remediation's checkpoints and triggers) queue their work after this commits.
        snapshots_refreshed.send(sender=RefreshResult, tenant=tenant, partner_ids=ids)
    reference = program.reference
    return RefreshResult(
        tenant_id=tenant.pk,
        partners=len(program.partners),
        recomputed=len(plan.recompute),
        snapshots=len(result) + plan.kept,
        written=outcome["written"],
        percentile_updates=outcome["percentile_updates"],
        deleted=outcome["deleted"],
        # Of a whole-tenant refresh, the peers are partners in scope too: their percentile updates are its own.
        unchanged=len(result)
        + plan.kept
        - outcome["written"]
        - outcome["percentile_updates" if ids is None else "own_percentile_updates"],
        reference_month=month_start(reference) if reference is not None else None,
        requested_at=requested,
        started_at=started,
        finished_at=finished,
        statements=sql.statements,
        phases=clock.phases,
    )


@dataclass
class _Plan:
    """Which partners a refresh recomputes, and what it ranks them against."""

    program: int  # the program's digest
    recompute: npt.NDArray[np.int64]  # partner ids whose inputs changed (or that have no stored digest)
    partner_ids: list[int] | None  # what to read: None = every partner of the tenant
    peers: pd.DataFrame | None  # stored rows of the partners not recomputed (all of them, or their segments')
    checked: bool  # digests computed before reading (False: every partner is recomputed; the read computes them)
    digests: npt.NDArray[np.int64]  # when checked: per partner of the program, in its order
    sources: Digests  # when not checked: the digests of every source but the observations
    kept: int = 0  # snapshots of the partners in scope that are not recomputed


def _plan(sql: TenantSql, tenant: Tenant, program: Program, ids: list[int] | None) -> _Plan:
    """Compare the partners' input digests with the stored ones; choose the partners to recompute.

    When no stored digest belongs to the current program (a first refresh, a new template version or reference
    month, a new engine) every partner in scope is recomputed without computing digests first: the read of their
    observations computes theirs in the same pass. Every digest is computed before the data it covers is read, or
    by the same statement: data that changes meanwhile can make a stored digest older than the snapshots (the next
    refresh recomputes them), never newer (which would hide the change from the refresh that the change queues).
    """
    everyone = program.partners["id"].to_numpy(dtype=np.int64)
    whole = ids is None
    digest_of_program = program_digest(ENGINE_CODE, program.reference, program.tables())
    stored = snapshot_sources(tenant, ids)
    if not any(known[1] == digest_of_program for known in stored.values()):
        return _Plan(
            program=digest_of_program,
            recompute=everyone,
            partner_ids=ids,
            peers=segment_peers(sql, tenant, program.partners) if not whole and len(everyone) else None,
            checked=False,
            digests=np.zeros(0, dtype=np.int64),
            sources=input_digests(sql, tenant, program, ids, observations=False),
        )
    digests = partner_digests(digest_of_program, program.partners, input_digests(sql, tenant, program, ids))
    rows = stored_scores(sql, tenant, program.partners) if whole else None
    if rows is not None:
        counted = rows["partner_id"].value_counts()
        counts = {int(k): int(v) for k, v in counted.items()}
    else:
        counts = snapshot_counts(sql, tenant, ids or [])
    recorded = {partner_id: (digest, snapshots) for partner_id, (digest, _, snapshots) in stored.items()}
    recompute = changed_partners(everyone, digests, recorded, counts)
    kept = sum(counts.get(p, 0) for p in everyone.tolist()) - sum(counts.get(p, 0) for p in recompute.tolist())
    if rows is not None:  # the whole tenant
        others = rows[~rows["partner_id"].isin(recompute) & (rows["score"] != NULL)].reset_index(drop=True)
        partner_ids = None if len(recompute) == len(everyone) else recompute.tolist()
        peers = others if partner_ids is not None else None
    else:
        partner_ids = recompute.tolist()
        chosen = program.partners[program.partners["id"].isin(recompute)]
        peers = segment_peers(sql, tenant, chosen) if len(chosen) else None
    return _Plan(
        program=digest_of_program,
        recompute=recompute,
        partner_ids=partner_ids,
        peers=peers,
        checked=True,
        digests=digests,
        sources={},
        kept=kept,
    )


def _store_sources(
    sql: TenantSql, tenant: Tenant, plan: _Plan, program: Program, digests: npt.NDArray[np.int64], result: ScoringResult
) -> None:
    """Record the digests of the recomputed partners and how many snapshots each now has (the rows that differ)."""
    if not len(plan.recompute):
        return
    everyone = program.partners["id"].to_numpy(dtype=np.int64)  # sorted; ``digests`` follow it
    chosen = np.isin(everyone, plan.recompute)
    ids = everyone[chosen]
    counts = np.zeros(len(ids), dtype=np.int64)
    np.add.at(counts, np.searchsorted(ids, result.partner_id), 1)
    sql.execute(
        f"""
        INSERT INTO {SOURCE_TABLE} AS s (tenant_id, created_at, updated_at, partner_id, digest, program, snapshots)
        SELECT %s, now(), now(), u.partner_id, u.digest, %s, u.snapshots
        FROM unnest(%s::bigint[], %s::bigint[], %s::int[]) AS u(partner_id, digest, snapshots)
        ON CONFLICT (tenant_id, partner_id) DO UPDATE SET digest = EXCLUDED.digest, program = EXCLUDED.program,
            snapshots = EXCLUDED.snapshots, updated_at = EXCLUDED.updated_at
        WHERE (s.digest, s.program, s.snapshots)
            IS DISTINCT FROM (EXCLUDED.digest, EXCLUDED.program, EXCLUDED.snapshots)
        """,
        [tenant.pk, plan.program, ids.tolist(), digests[chosen].tolist(), counts.tolist()],
    )


# --- writing what changed ---


def _write(sql: TenantSql, tenant: Tenant, result: ScoringResult, scope: RefreshScope, clock: _Clock) -> dict[str, Any]:
    """Compare with the stored rows block by block; stream the new and changed ones to the staging writer.

    Completing (trends, reasons), fingerprinting and rendering a block (Python) overlap the server's parsing and
    writing of the previous one.
    """
    if scope.partner_ids == []:  # no partner recomputed: only the peers' percentiles may change
        stored: dict[str, np.ndarray] = {name: np.zeros(0, dtype=np.int64) for name in STORED_KEYS}
    else:
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
