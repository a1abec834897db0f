"""Writes of scorecard snapshots: a bulk, idempotent refresh of one tenant (every partner, or some after an import).

``snapshot_refresh`` holds the tenant's advisory lock for its whole transaction (two refreshes of one tenant never
overlap: the second waits for the first to commit), then:

1. **reads** everything once, in a number of statements that does not depend on the number of partners: the
   partners; the templates, versions, items, target rules and metrics; the reference month (the last month with
   data, never the month under way: one probe of the observations' (tenant, metric, month) index per metric); the
   observations; the deals, only when a template uses a metric derived from deals; the open data-quality findings;
   the stored snapshots' keys, fingerprints and percentiles; and, for a refresh of some partners, the stored scores
   of the other partners of their segments, so that percentiles stay right. The large reads are ``COPY ... TO STDOUT
   (FORMAT binary)`` with one row per partner holding an array per column, which numpy reads in place (``_Sql``);
2. **computes** every snapshot with ``scorecards.domain.scoring.score_snapshots``;
3. **writes only what changed**, block by block (``RENDER_CHUNK`` snapshots): each block's trend verdicts and
   data-quality reasons are completed and fingerprinted; new snapshots and those whose fingerprint changed are
   rendered as COPY text and handed to a second thread, which COPYs them into a TEMP staging table (COPY straight
   into the snapshot table is refused under row-level security) and upserts them with ``INSERT ... SELECT ... ON
   CONFLICT DO UPDATE``, while this thread prepares the next block. Rows whose only change is their percentile (also
   other partners' rows, after a refresh of some partners) get ``UPDATE ... FROM unnest(...)``; stored snapshots the
   engine no longer produces (their data was removed) are deleted. Running it twice writes nothing the second time.

Raw SQL runs inside ``tenant_context`` (row-level security applies) and names the tenant in its WHERE as well.
``docs/scoring-engine.md`` has the design and the benchmark figures.
"""

from __future__ import annotations

import json
import queue
import struct
import threading
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from django.db import connection
from django.db.models import FloatField
from django.db.models.functions import Cast
from django.utils import timezone
from psycopg import sql as psycopg_sql

from partnerhub.core.domain.periods import month_number, month_start, quarter_of
from partnerhub.core.errors import TenantScopeError
from partnerhub.core.models import Partner, Tenant
from partnerhub.core.tenancy.context import app_wall_is_off, current_tenant, tenant_context
from scorecards.domain.deal_metrics import DEAL_COLUMNS, DEAL_METRIC_KEYS, DEFAULT_DISCOUNT_THRESHOLD, deal_metrics
from scorecards.domain.scoring import (
    NULL,
    QUARTER,
    RAG_NAMES,
    ScoringInput,
    ScoringResult,
    complete_snapshots,
    fingerprints,
    iter_chunks,
    render_items,
    score_snapshots,
)
from scorecards.models import (
    Deal,
    MetricDefinition,
    ScorecardSnapshot,
    ScorecardTemplate,
    TargetRule,
    TemplateItem,
    TemplateVersion,
)
from scorecards.selectors.data_quality import open_findings_by_partner_month
from scorecards.services.deal_reviews import deal_quality_by_partner_month

# pg_advisory_xact_lock(namespace, tenant id): one snapshot refresh per tenant at a time (data quality uses 4_180_301).
LOCK_NAMESPACE: Final = 4_180_302
DEAL_QUALITY: Final = "deal_quality"  # derived from the deal reviews' rubric, not from the deal metrics
RENDER_CHUNK: Final = 10_000  # snapshots compared, rendered and staged at a time (about 30 MB of COPY text)
UPDATE_CHUNK: Final = 50_000
SNAPSHOT_TABLE: Final = ScorecardSnapshot._meta.db_table
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


# --- SQL plumbing: every statement counted; COPY out parsed by numpy ---


class _Sql:
    """Raw SQL of one refresh: statements counted (``count`` wraps the connection, and COPY is counted by hand)."""

    def __init__(self, tenant: Tenant) -> None:
        active = current_tenant()
        # Raw SQL bypasses the scoped manager's check: make the same one (row-level security is the second wall).
        if not app_wall_is_off() and (active is None or active.pk != tenant.pk):
            raise TenantScopeError("snapshot rows read or written outside their tenant")
        self.tenant = tenant
        self.statements = 0

    def count(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.statements += 1
        return execute(sql, params, many, context)

    def execute(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params if isinstance(params, dict) else list(params))
            return cursor.fetchall() if cursor.description else []

    def copy_out(self, select: str, params: Iterable[Any], columns: list[tuple[str, str]]) -> dict[str, np.ndarray]:
        """The rows of ``select`` as numpy arrays, one per column (non-null, fixed-width types), read by COPY.

        ``columns`` names each column and its type: ``int8``, ``int4``, ``float8``, ``bool`` or ``date`` (returned as
        days since 2000-01-01); the first one (a partner id) groups the rows. PostgreSQL sends one row per partner
        with an array per column (``COPY ... TO STDOUT (FORMAT binary)``), which numpy reads in place: a Python call
        per partner rather than per row is what makes 14 million observations as fast to read as the COPY itself.
        The rows come out ordered by that first column.
        """
        key, rest = columns[0], columns[1:]
        names = ", ".join(name for name, _ in columns)
        arrays = ", ".join(f"array_agg({name})" for name, _ in rest)
        grouped = f"SELECT {key[0]}, {arrays} FROM ({select}) AS rows ({names}) GROUP BY {key[0]} ORDER BY {key[0]}"
        codes = {"int8": ">i8", "int4": ">i4", "float8": ">f8", "bool": "?", "date": ">i4"}
        native = {"int8": np.int64, "int4": np.int32, "float8": np.float64, "bool": np.bool_, "date": np.int32}
        elements = [np.dtype([("length", ">i4"), ("value", codes[kind])]) for _, kind in rest]
        keys: list[int] = []
        sizes: list[int] = []
        parts: list[list[np.ndarray]] = [[] for _ in rest]

        def parse(data: bytes, position: int) -> int:
            # Every complete row from ``position``: (int16 fields, then per field int32 length + bytes); a 1-D array
            # is ndim, flags, element type, size, lower bound (int32 each), then per element int32 length + value.
            end = len(data)
            while end - position >= 2:
                (fields,) = struct.unpack_from(">h", data, position)
                if fields == -1:  # the trailer
                    return end
                offsets, cursor = [], position + 2
                for _ in range(fields):
                    if end - cursor < 4:
                        return position
                    (length,) = struct.unpack_from(">i", data, cursor)
                    offsets.append(cursor + 4)
                    cursor += 4 + max(length, 0)
                if cursor > end:
                    return position
                keys.append(struct.unpack_from(">q", data, offsets[0])[0])
                (size,) = struct.unpack_from(">i", data, offsets[1] + 12)
                sizes.append(size)
                for part, start, element, (_, kind) in zip(parts, offsets[1:], elements, rest, strict=True):
                    values = np.frombuffer(data, dtype=element, count=size, offset=start + 20)["value"]
                    part.append(values.astype(native[kind]))
                position = cursor
            return position

        self.statements += 1  # the COPY (the two settings are counted by the execute wrapper)
        previous = self.execute("SELECT current_setting('enable_hashagg'), set_config('enable_hashagg', 'off', true)")
        # Sorted grouping streams in constant memory; hashing the arrays would spill to disk.
        statement = _bind(f"COPY ({grouped}) TO STDOUT (FORMAT binary)", params)
        header = 19  # signature (11), flags (4), header extension length (4): skipped once
        pending, blocks, size = b"", [], 0
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            while block := copy.read():
                blocks.append(bytes(block))
                size += len(block)
                if size >= 1 << 24 and size + len(pending) > header:
                    data = pending + b"".join(blocks)
                    pending, blocks, size, header = data[parse(data, header) :], [], 0, 0
        data = pending + b"".join(blocks)
        if parse(data, header) != len(data):
            raise RuntimeError("unexpected COPY binary layout")
        self.execute("SELECT set_config('enable_hashagg', %s, true)", [previous[0][0]])
        counts = np.array(sizes, dtype=np.int64)
        out = {key[0]: np.repeat(np.array(keys, dtype=np.int64), counts)}
        for (name, kind), part in zip(rest, parts, strict=True):
            out[name] = np.concatenate(part) if part else np.zeros(0, dtype=native[kind])
        return out


def _bind(statement: str, params: Iterable[Any]) -> str:
    """Bind ``%s`` parameters client-side: COPY takes no server-side parameters (and Django's debug cursor none)."""
    raw = connection.connection
    if raw is None:
        connection.ensure_connection()
        raw = connection.connection
    template = psycopg_sql.SQL(statement.replace("{", "{{").replace("}", "}}").replace("%s", "{}"))
    return template.format(*(psycopg_sql.Literal(p) for p in params)).as_string(raw)


def _lock(tenant: Tenant) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, tenant.pk])


class _Clock:
    """Seconds spent per phase, for the bench and the logs."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = round(self.phases.get(name, 0.0) + now - self.last, 3)
        self.last = now


def _days_to_months(days: npt.NDArray[np.int32]) -> npt.NDArray[np.int64]:
    """PostgreSQL binary dates (days since 2000-01-01) as month numbers (a table over the range of days: one gather)."""
    if not len(days):
        return np.zeros(0, dtype=np.int64)
    low, high = int(days.min()), int(days.max())
    span = np.datetime64("2000-01-01", "D") + np.arange(low, high + 1).astype("timedelta64[D]")
    table = span.astype("datetime64[M]").astype(np.int64) + 1970 * 12
    return table[days - low]


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
        _lock(tenant)
        started = time.time()
        clock.lap("lock")
        sql = _Sql(tenant)
        with connection.execute_wrapper(sql.count):
            ids = None if partner_ids is None else sorted({int(i) for i in partner_ids})
            data, scope = _read_inputs(sql, tenant, ids, month_number(today))
            clock.lap("read")
            result = score_snapshots(data, complete=False)  # trends and reasons: block by block, in _write
            partners, reference = len(data.partners), data.reference_month
            del data  # the observations are in the result now: free them before writing
            clock.lap("compute")
            outcome = _write(sql, tenant, result, scope, clock)
        finished = time.time()
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


@dataclass
class _Scope:
    partner_ids: list[int] | None  # None: the whole tenant
    peers: pd.DataFrame | None  # stored rows of the segment peers: id, ..., percentile


def _read_inputs(
    sql: _Sql, tenant: Tenant, partner_ids: list[int] | None, cutoff: int, since: int | None = None
) -> tuple[ScoringInput, _Scope]:
    """Everything the engine needs, read once; ``since`` (a month number) drops the actuals of earlier months (a
    what-if scores one month and needs nothing older)."""
    partners_qs = Partner.objects.for_tenant(tenant)
    if partner_ids is not None:
        partners_qs = partners_qs.filter(pk__in=partner_ids)
    partners = pd.DataFrame.from_records(
        list(
            partners_qs.annotate(size_f=Cast("size_factor", FloatField()))
            .order_by("id")
            .values_list("id", "name", "partner_type", "stage", "tier", "size_f", "baseline_month")
        ),
        columns=["id", "name", "partner_type", "stage", "tier", "size_factor", "baseline_month"],
    )
    templates = pd.DataFrame.from_records(
        list(ScorecardTemplate.objects.for_tenant(tenant).values_list("id", "partner_type", "stage", "is_default")),
        columns=["id", "partner_type", "stage", "is_default"],
    )
    version_columns = ["cap", "green_at", "amber_at", "score_green_at", "score_amber_at"]
    versions = pd.DataFrame.from_records(
        list(
            TemplateVersion.objects.for_tenant(tenant).values_list(
                "id", "template_id", "number", "status", "effective_from", *version_columns
            )
        ),
        columns=["id", "template_id", "number", "status", "effective_from", *version_columns],
    )
    versions[version_columns] = versions[version_columns].astype(float)
    items = pd.DataFrame.from_records(
        list(
            TemplateItem.objects.for_tenant(tenant).values_list("id", "version_id", "metric_id", "weight", "normalise")
        ),
        columns=["id", "version_id", "metric_id", "weight", "normalise"],
    ).astype({"weight": float})
    targets = pd.DataFrame.from_records(
        list(TargetRule.objects.for_tenant(tenant).values_list("item_id", "tier", "stage", "monthly_target")),
        columns=["item_id", "tier", "stage", "monthly_target"],
    ).astype({"monthly_target": float})
    metrics = pd.DataFrame.from_records(
        list(
            MetricDefinition.objects.for_tenant(tenant).values_list(
                "id", "key", "name", "direction", "aggregation", "derived_from_deals"
            )
        ),
        columns=["id", "key", "name", "direction", "aggregation", "derived_from_deals"],
    )
    used = set(items["metric_id"].astype(int))
    derived_ids = {
        int(i): str(k)
        for i, k, d in metrics[["id", "key", "derived_from_deals"]].itertuples(index=False, name=None)
        if d and int(i) in used
    }
    observed_ids = sorted(used - set(derived_ids))
    reference = _reference_month(sql, tenant, observed_ids, bool(derived_ids), cutoff)
    monthly, quarterly = _actuals(sql, tenant, partner_ids, observed_ids, derived_ids, reference, since)
    findings: dict[tuple[int, int], list[str]] = {}
    if reference is not None and len(monthly["month"]) and len(partners):
        first = int(monthly["month"].min())
        months = [month_start(m) for m in range(first - first % 3, reference + 1)]
        raw = open_findings_by_partner_month(
            tenant=tenant, partner_ids=partners["id"].astype(int).tolist(), months=months
        )
        findings = {(pid, month_number(day)): sentences for (pid, day), sentences in raw.items()}
    peers = _peers(sql, tenant, partners) if partner_ids is not None and len(partners) else None
    data = ScoringInput(
        partners=partners,
        templates=templates,
        versions=versions,
        items=items,
        targets=targets,
        metrics=metrics,
        monthly=monthly,  # columns as arrays: ScoringInput takes them as well as DataFrames
        quarterly=quarterly,
        findings=findings,
        reference_month=reference,
        peers=None if peers is None else peers[["partner_id", "partner_type", "stage", "period", "month", "score"]],
    )
    return data, _Scope(partner_ids=partner_ids, peers=peers)


def _reference_month(sql: _Sql, tenant: Tenant, observed_ids: list[int], deals: bool, cutoff: int) -> int | None:
    """The last month before ``cutoff`` with an observation of a scored metric (or a deal, when deals are scored).

    The same for a full refresh and a refresh of some partners, and cheap: one index probe per metric.
    """
    rows = sql.execute(
        f"""
        SELECT GREATEST(
            (SELECT max(last.month) FROM unnest(%(metrics)s::bigint[]) AS m(id) CROSS JOIN LATERAL (
                SELECT o.month FROM scorecards_observation o
                WHERE o.tenant_id = %(tenant)s AND o.metric_id = m.id AND o.month < %(cutoff)s
                ORDER BY o.month DESC LIMIT 1) AS last),
            (SELECT max(d.created_on) FROM {Deal._meta.db_table} d
             WHERE %(deals)s AND d.tenant_id = %(tenant)s AND d.created_on < %(cutoff)s),
            (SELECT max(d.close_date) FROM {Deal._meta.db_table} d
             WHERE %(deals)s AND d.tenant_id = %(tenant)s AND d.close_date < %(cutoff)s AND d.status IN ('won', 'lost'))
        )
        """,
        {"metrics": observed_ids, "tenant": tenant.pk, "cutoff": month_start(cutoff), "deals": deals},
    )
    last = rows[0][0]
    return None if last is None else month_number(last)


Columns = dict[str, np.ndarray]
ACTUAL_COLUMNS: Final = ("partner_id", "metric_id", "month", "value")


def _actuals(
    sql: _Sql,
    tenant: Tenant,
    partner_ids: list[int] | None,
    observed_ids: list[int],
    derived_ids: dict[int, str],
    reference: int | None,
    since: int | None = None,
) -> tuple[Columns, Columns]:
    """Monthly actuals (observations and deal-derived values) and the quarter values of the deal-derived metrics.

    Deal-derived metrics are the rules of ``deal_metrics`` over the deals, and ``deal_quality``, the mean rubric
    quality of the reviewed deals (``deal_quality_by_partner_month``). As plain arrays (``ACTUAL_COLUMNS``): a
    DataFrame of 14 million rows would cost a copy for nothing. ``since`` drops the months before it.
    """
    empty: Columns = {c: np.zeros(0, dtype=np.int64 if c != "value" else np.float64) for c in ACTUAL_COLUMNS}
    if reference is None:
        return empty, empty
    end = month_start(reference + 1)
    where, params = "tenant_id = %s AND metric_id = ANY(%s::bigint[]) AND month < %s", [tenant.pk, observed_ids, end]
    if since is not None:
        where += " AND month >= %s"
        params.append(month_start(since))
    if partner_ids is not None:
        where += " AND partner_id = ANY(%s::bigint[])"
        params.append(partner_ids)
    observed = empty
    if observed_ids:
        raw = sql.copy_out(
            f"SELECT partner_id, metric_id, month, (value * 10000)::int8 AS value "
            f"FROM scorecards_observation WHERE {where}",
            params,
            [("partner_id", "int8"), ("metric_id", "int8"), ("month", "date"), ("value", "int8")],
        )
        raw["month"] = _days_to_months(raw["month"])
        raw["value"] = raw["value"] / 1e4
        observed = raw
    key_to_id = {key: metric_id for metric_id, key in derived_ids.items()}
    monthly_parts, quarterly_parts = [observed], [empty]
    periods: tuple[tuple[Literal["month", "quarter"], list[Columns]], ...] = (
        ("month", monthly_parts),
        ("quarter", quarterly_parts),
    )
    if any(key in DEAL_METRIC_KEYS for key in key_to_id):
        deals = _deals(tenant, partner_ids)
        for period, parts in periods:
            values = deal_metrics(deals, None, discount_threshold=DEFAULT_DISCOUNT_THRESHOLD, period=period)
            parts.append(_long_columns(values[values["metric"].isin(key_to_id)], key_to_id))
    if DEAL_QUALITY in key_to_id:
        for period, parts in periods:
            values = deal_quality_by_partner_month(tenant=tenant, partner_ids=partner_ids, period=period)
            parts.append(_long_columns(values, key_to_id))
    monthly = {c: np.concatenate([part[c] for part in monthly_parts]) for c in ACTUAL_COLUMNS}
    quarterly = {c: np.concatenate([part[c] for part in quarterly_parts]) for c in ACTUAL_COLUMNS}
    if since is not None:
        monthly = {c: values[monthly["month"] >= since] for c, values in monthly.items()}
        quarterly = {c: values[quarterly["month"] >= quarter_of(since)] for c, values in quarterly.items()}
    return monthly, quarterly


def _long_columns(values: pd.DataFrame, key_to_id: dict[str, int]) -> Columns:
    """The deal metrics' long rows (partner_id, month as a date, metric key, value) as ``ACTUAL_COLUMNS``."""
    stamps = pd.to_datetime(values["month"])
    return {
        "partner_id": values["partner_id"].to_numpy(dtype=np.int64),
        "metric_id": values["metric"].map(key_to_id).to_numpy(dtype=np.int64),
        "month": (stamps.dt.year * 12 + stamps.dt.month - 1).to_numpy(dtype=np.int64),
        "value": values["value"].to_numpy(dtype=np.float64),
    }


def _deals(tenant: Tenant, partner_ids: list[int] | None) -> pd.DataFrame:
    qs = Deal.objects.for_tenant(tenant)
    if partner_ids is not None:
        qs = qs.filter(partner_id__in=partner_ids)
    rows = list(
        qs.annotate(amount_f=Cast("amount", FloatField()), discount_f=Cast("discount_pct", FloatField())).values_list(
            "partner_id", "amount_f", "created_on", "close_date", "status", "discount_f", "is_renewal"
        )
    )
    return pd.DataFrame.from_records(rows, columns=list(DEAL_COLUMNS))


def _stored(sql: _Sql, tenant: Tenant, partner_ids: list[int] | None) -> dict[str, np.ndarray]:
    """Keys, fingerprints and percentiles of the stored snapshots of these partners (all of the tenant's: None)."""
    where, params = "tenant_id = %s", list[Any]([tenant.pk])
    if partner_ids is not None:
        where += " AND partner_id = ANY(%s::bigint[])"
        params.append(partner_ids)
    return sql.copy_out(
        f"SELECT partner_id, id, period = %s, period_start, fingerprint, "
        f"COALESCE((percentile * 10000)::int8, %s) FROM {SNAPSHOT_TABLE} WHERE {where}",
        [QUARTER, int(NULL), *params],
        [
            ("partner_id", "int8"),
            ("id", "int8"),
            ("is_quarter", "bool"),
            ("period_start", "date"),
            ("fingerprint", "int8"),
            ("percentile", "int8"),
        ],
    )


def _peers(sql: _Sql, tenant: Tenant, partners: pd.DataFrame) -> pd.DataFrame:
    """Stored scored snapshots of the other partners of the refreshed partners' segments (type x stage)."""
    segments = sorted(set(zip(partners["partner_type"].astype(str), partners["stage"].astype(str), strict=True)))
    labels = [f"{kind}|{stage}" for kind, stage in segments]
    raw = sql.copy_out(
        f"""
        SELECT s.partner_id, s.id, s.period = %s, s.period_start, (s.score * 10000)::int8,
            COALESCE((s.percentile * 10000)::int8, %s), array_position(%s::text[], p.partner_type || '|' || p.stage)
        FROM {SNAPSHOT_TABLE} s JOIN {Partner._meta.db_table} p ON p.id = s.partner_id AND p.tenant_id = s.tenant_id
        WHERE s.tenant_id = %s AND s.score IS NOT NULL AND p.partner_type || '|' || p.stage = ANY(%s::text[])
            AND NOT (s.partner_id = ANY(%s::bigint[]))
        """,
        [QUARTER, int(NULL), labels, tenant.pk, labels, partners["id"].astype(int).tolist()],
        [
            ("partner_id", "int8"),
            ("id", "int8"),
            ("is_quarter", "bool"),
            ("period_start", "date"),
            ("score", "int8"),
            ("percentile", "int8"),
            ("segment", "int4"),
        ],
    )
    segment = raw["segment"].astype(np.int64) - 1
    kinds = np.array([s[0] for s in segments] or [""], dtype=object)
    stages = np.array([s[1] for s in segments] or [""], dtype=object)
    return pd.DataFrame(
        {
            "id": raw["id"],
            "partner_id": raw["partner_id"],
            "partner_type": kinds[segment],
            "stage": stages[segment],
            "period": np.where(raw["is_quarter"], QUARTER, "month"),
            "month": _days_to_months(raw["period_start"]),
            "score": raw["score"],
            "percentile": raw["percentile"],
        }
    )


# --- writing what changed ---


def _write(sql: _Sql, tenant: Tenant, result: ScoringResult, scope: _Scope, clock: _Clock) -> dict[str, Any]:
    """Compare with the stored rows block by block; stream the new and changed ones to the staging writer.

    Completing (trends, reasons), fingerprinting and rendering a block (Python) overlap the server's parsing and
    writing of the previous one.
    """
    stored = _stored(sql, tenant, scope.partner_ids)
    clock.lap("read_stored")
    keys = _keys(result.partner_id, result.is_quarter, result.period_start)
    stored_keys = _keys(stored["partner_id"], stored["is_quarter"], _days_to_months(stored["period_start"]))
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
                writer.put(_copy_text(result, rewrite, prints[~same]))
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
    "partner_id bigint, period varchar(8), period_start date, template_version_id bigint, score bigint, "
    "rag varchar(5), percentile bigint, change_previous bigint, change_baseline bigint, trend varchar(10), "
    "trend_explanation varchar(300), dq_flag boolean, dq_reasons jsonb, items jsonb, fingerprint bigint"
)
DATA_COLUMNS: Final = (
    "partner_id, period, period_start, template_version_id, score, rag, percentile, change_previous, "
    "change_baseline, trend, trend_explanation, dq_flag, dq_reasons, items, fingerprint"
)


def _text_column(values: np.ndarray) -> np.ndarray:
    """Fixed-point integers as COPY text: the 4-decimal value is divided out in SQL; ``\\N`` for NULL."""
    return np.where(values == NULL, "\\N", values.astype(str)).astype(object)


def _copy_text(result: ScoringResult, rows: npt.NDArray[np.int64], prints: npt.NDArray[np.int64]) -> str:
    """The staging table's rows for these snapshots, in COPY text format."""
    rag_names = np.asarray(RAG_NAMES, dtype=object)
    starts = {month: month_start(month).isoformat() for month in np.unique(result.period_start[rows]).tolist()}
    reasons = [
        json.dumps(result.dq_reasons[i]).translate(COPY_ESCAPES) if result.dq_reasons[i] else "[]"
        for i in rows.tolist()
    ]
    columns = zip(
        result.partner_id[rows].tolist(),
        np.where(result.is_quarter[rows], QUARTER, "month").tolist(),
        [starts[month] for month in result.period_start[rows].tolist()],
        result.versions.ids[result.version_row[rows]].tolist(),
        _text_column(result.score[rows]),
        rag_names[result.rag[rows]].tolist(),
        _text_column(result.percentile[rows]),
        _text_column(result.change_previous[rows]),
        _text_column(result.change_baseline[rows]),
        result.trend[rows].tolist(),
        [str(text).translate(COPY_ESCAPES) for text in result.trend_explanation[rows]],
        ["t" if result.dq_reasons[i] else "f" for i in rows.tolist()],
        reasons,
        render_items(result, rows),
        prints.tolist(),
        strict=True,
    )
    return "".join(
        "%d\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n" % row  # noqa: UP031 - the fast path
        for row in columns
    )


UPSERT_ASSIGNMENTS: Final = ", ".join(
    f"{column} = EXCLUDED.{column}"
    for column in (
        "updated_at",
        "computed_at",
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
UPSERT: Final = f"""
    INSERT INTO {SNAPSHOT_TABLE} (tenant_id, created_at, updated_at, computed_at, partner_id, period, period_start,
        template_version_id, score, rag, percentile, change_previous, change_baseline, trend, trend_explanation,
        dq_flag, dq_reasons, items, fingerprint)
    SELECT %s, %s, %s, %s, partner_id, period, period_start, template_version_id, score / 10000.0, rag,
        percentile / 10000.0, change_previous / 10000.0, change_baseline / 10000.0, trend, trend_explanation,
        dq_flag, dq_reasons, items, fingerprint
    FROM snapshot_stage
    ON CONFLICT (tenant_id, partner_id, period, period_start) DO UPDATE SET {UPSERT_ASSIGNMENTS}
"""
# lz4 compresses the items (about 3 kB of JSON per snapshot) several times faster than the default pglz; a
# transaction-local setting, so nothing else changes (pglz where the server was built without lz4).
FAST_TOAST: Final = (
    "SELECT set_config('default_toast_compression', CASE WHEN 'lz4' = ANY(enumvals) THEN 'lz4' ELSE 'pglz' END, "
    "true) FROM pg_settings WHERE name = 'default_toast_compression'"
)


class _StagingWriter:
    """Stages and upserts chunks on a second thread while the calling thread prepares the next one.

    COPY straight into the snapshot table is refused under row-level security: each chunk is COPYed into a TEMP
    staging table (not under it), then ``INSERT ... SELECT ... ON CONFLICT DO UPDATE`` moves it into the snapshot table
    (checked by the policy like any insert). Rendering is Python (one core); parsing the JSON into jsonb, compressing
    it and writing the rows is the server's work (the other core): overlapping them is most of the write's speed. The
    thread uses the caller's connection and transaction; the caller does not touch the connection until ``close``.
    """

    def __init__(self, sql: _Sql, tenant: Tenant, now: Any) -> None:
        self.sql = sql
        sql.execute(f"CREATE TEMP TABLE snapshot_stage ({STAGE_COLUMNS})")
        sql.execute(FAST_TOAST)
        raw = connection.connection
        if raw is None:  # pragma: no cover - the refresh has run queries on it already
            raise RuntimeError("no database connection")
        self.raw = raw
        self.params = [tenant.pk, now, now, now]
        self.queue: queue.Queue[str | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.statements = 0
        self.thread = threading.Thread(target=self._run, name="snapshot-staging", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        with self.raw.cursor() as cursor:
            while (text := self.queue.get()) is not None:
                if self.error is not None:
                    continue  # drain: the caller learns of the error when it closes
                try:
                    with cursor.copy(f"COPY snapshot_stage ({DATA_COLUMNS}) FROM STDIN") as copy:
                        copy.write(text)
                    cursor.execute(UPSERT, self.params)
                    cursor.execute("TRUNCATE snapshot_stage")
                    self.statements += 3
                except BaseException as error:
                    self.error = error

    def put(self, text: str) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(text)

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        self.sql.statements += self.statements
        if self.error is not None:
            raise self.error
        self.sql.execute("DROP TABLE snapshot_stage")


def _update_percentiles(sql: _Sql, tenant: Tenant, updates: list[tuple[int, int]], now: Any) -> None:
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


# --- reads for a what-if: the same inputs, nothing written ---


def snapshot_inputs_read(*, tenant: Tenant, month: int) -> ScoringInput:
    """What scoring ``tenant``'s partners for ``month`` (a month number) needs, read as the refresh reads it.

    The same statements as a full refresh (their number does not grow with the number of partners), with only that
    month's actuals (a month's score depends on nothing older). Writes nothing and takes no lock.
    """
    with tenant_context(tenant):
        data, _ = _read_inputs(_Sql(tenant), tenant, None, month + 1, since=month)
    return data
