"""What the snapshot engine reads, once per refresh (or what-if), in a number of statements that does not grow with
the number of partners: the program (``snapshot_program``: partners, templates and their versions, items, target
rules and metrics; the reference month); the digests of each partner's inputs (``input_digests``) and the stored
ones (``snapshot_sources``), which decide the partners to recompute; of those, the observations and the deal-derived
actuals and the open data-quality findings (``scoring_inputs``); the stored snapshots' keys and the other partners'
stored scores (``segment_peers``, ``stored_scores``). The large reads are ``COPY ... TO STDOUT (FORMAT binary)``
(``TenantSql.copy_out``).

Complete months only (SCORING.md): every input is cut at ``cutoff``, the first day of the month under way. Nothing
dated on or after it counts in any period: no observation, no deal created then (it does not exist yet), no close
(a deal closed then is still open as of the cut), no deal review of such a deal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
from django.db.models import Case, DateField, F, FloatField, When
from django.db.models.functions import Cast

from partnerhub.core.domain.periods import month_number, month_numbers, month_start, quarter_of
from partnerhub.core.models import Partner, Tenant
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.core.tenancy.sql import TenantSql, pg_days_to_months
from scorecards.domain.deal_metrics import DEAL_COLUMNS, DEAL_METRIC_KEYS, DEFAULT_DISCOUNT_THRESHOLD, deal_metrics
from scorecards.domain.deal_rubric import DEAL_QUALITY
from scorecards.domain.input_digest import SOURCES
from scorecards.domain.scoring import MONTH, NULL, QUARTER, ScoringInput
from scorecards.models import (
    DataQualityFinding,
    Deal,
    DealReview,
    MetricDefinition,
    Observation,
    ScorecardSnapshot,
    ScorecardTemplate,
    SnapshotSource,
    TargetRule,
    TemplateItem,
    TemplateVersion,
)
from scorecards.selectors.deal_reviews import deal_quality_by_partner_month
from scorecards.selectors.exchange_rates import deal_amounts_in_reporting_currency

SNAPSHOT_TABLE: Final = ScorecardSnapshot._meta.db_table
OBSERVATION_TABLE: Final = Observation._meta.db_table


@dataclass
class RefreshScope:
    partner_ids: list[int] | None  # None: the whole tenant
    peers: pd.DataFrame | None  # stored rows of the segment peers: id, ..., percentile


@dataclass
class Program:
    """What every refresh reads first, in a few small statements: the partners in scope, the templates, versions,
    items, target rules and metrics, and the reference month (``cutoff``: the month under way, a month number)."""

    partners: pd.DataFrame
    templates: pd.DataFrame
    versions: pd.DataFrame
    items: pd.DataFrame
    targets: pd.DataFrame
    metrics: pd.DataFrame
    derived_ids: dict[int, str]  # scored metrics derived from deals: id -> key
    observed_ids: list[int]  # scored metrics read from the observations
    reference: int | None
    cutoff: int

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables every partner's snapshots depend on (for the program's digest)."""
        return {
            "templates": self.templates,
            "versions": self.versions,
            "items": self.items,
            "targets": self.targets,
            "metrics": self.metrics,
        }

    @property
    def deals_scored(self) -> bool:
        return any(key in DEAL_METRIC_KEYS for key in self.derived_ids.values())

    @property
    def reviews_scored(self) -> bool:
        return DEAL_QUALITY in self.derived_ids.values()


def snapshot_program(sql: TenantSql, tenant: Tenant, partner_ids: list[int] | None, cutoff: int) -> Program:
    """The partners (all, or these), the scorecard tables and the reference month."""
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
    return Program(
        partners=partners,
        templates=templates,
        versions=versions,
        items=items,
        targets=targets,
        metrics=metrics,
        derived_ids=derived_ids,
        observed_ids=observed_ids,
        reference=reference,
        cutoff=cutoff,
    )


Digests = dict[str, tuple[np.ndarray, np.ndarray]]  # source -> (partner ids, digests)


def scoring_inputs(
    sql: TenantSql,
    tenant: Tenant,
    program: Program,
    partner_ids: list[int] | None,
    peers: pd.DataFrame | None = None,
    *,
    since: int | None = None,
    digest: bool = False,
) -> tuple[ScoringInput, RefreshScope, Digests]:
    """The inputs of these partners of the program (None: all of them), read once; ``peers`` (stored rows of other
    partners: ``id``, ``partner_id``, ``partner_type``, ``stage``, ``period``, ``month``, ``score``, ``percentile``)
    are ranked with them. ``since`` (a month number) drops the actuals of earlier months (a what-if scores one month
    and needs nothing older). ``digest`` also returns the observations' digest per partner, computed by the same
    statement that reads them (``OBSERVATION_DIGEST``)."""
    partners = program.partners
    if partner_ids is not None:
        partners = partners[partners["id"].isin(partner_ids)].reset_index(drop=True)
    reference, cutoff = program.reference, program.cutoff
    monthly, quarterly, digests = _actuals(
        sql,
        tenant,
        partner_ids,
        program.observed_ids,
        program.derived_ids,
        None if partner_ids == [] else reference,  # no partner: nothing to read
        cutoff,
        since,
        digest,
    )
    findings: dict[tuple[int, int], list[tuple[int | None, str]]] = {}
    if reference is not None and len(monthly["month"]) and len(partners):
        first = int(monthly["month"].min())
        findings = _open_findings(tenant, partners["id"].astype(int).tolist(), quarter_of(first), reference)
    data = ScoringInput(
        partners=partners,
        templates=program.templates,
        versions=program.versions,
        items=program.items,
        targets=program.targets,
        metrics=program.metrics,
        monthly=monthly,  # columns as arrays: ScoringInput takes them as well as DataFrames
        quarterly=quarterly,
        findings=findings,
        reference_month=reference,
        peers=None if peers is None else peers[["partner_id", "partner_type", "stage", "period", "month", "score"]],
    )
    return data, RefreshScope(partner_ids=partner_ids, peers=peers), digests


def snapshot_inputs_for_refresh(
    sql: TenantSql, tenant: Tenant, partner_ids: list[int] | None, cutoff: int, since: int | None = None
) -> tuple[ScoringInput, RefreshScope]:
    """Everything the engine needs to score these partners (None: all), read once, with the stored scores of the
    other partners of their segments when only some are scored; ``since`` as in ``scoring_inputs``."""
    program = snapshot_program(sql, tenant, partner_ids, cutoff)
    peers = segment_peers(sql, tenant, program.partners) if partner_ids is not None and len(program.partners) else None
    data, scope, _ = scoring_inputs(sql, tenant, program, partner_ids, peers, since=since)
    return data, scope


# The observations' digest per partner (scorecards.domain.input_digest): the XOR of a hash of each row read, keyed by
# its metric and month (unique per partner), over the columns of ``_observation_select``. The same expression serves
# the read (``copy_out`` totals) and ``input_digests``, so both give the same digest for the same rows.
OBSERVATION_DIGEST: Final = "bit_xor(hashint8extended(value, metric_id * 1048576 + (month - DATE '2000-01-01')))"


def _observation_select(
    tenant: Tenant, partner_ids: list[int] | None, observed_ids: list[int], end: date, since: int | None = None
) -> tuple[str, list[Any]]:
    """The observations the engine reads (scored metrics, months before ``end``), value as fixed-point bigint."""
    where, params = "tenant_id = %s AND metric_id = ANY(%s::bigint[]) AND month < %s", [tenant.pk, observed_ids, end]
    if since is not None:
        where += " AND month >= %s"
        params.append(month_start(since))
    if partner_ids is not None:
        where += " AND partner_id = ANY(%s::bigint[])"
        params.append(partner_ids)
    select = (
        f"SELECT partner_id, metric_id, month, (value * 10000)::int8 AS value FROM {OBSERVATION_TABLE} WHERE {where}"
    )
    return select, params


def input_digests(
    sql: TenantSql, tenant: Tenant, program: Program, partner_ids: list[int] | None, *, observations: bool = True
) -> Digests:
    """Per source of ``scorecards.domain.input_digest.SOURCES`` and partner (all of the program, or these): the XOR of
    a 64-bit hash of each row the engine would read, in one statement; a partner without rows in a source is absent
    from it. Deals and their reviews only when a template scores them; ``observations=False`` leaves those out (the
    read computes them)."""
    out: Digests = {}
    if program.reference is None:
        return out
    cut = month_start(program.cutoff)
    parts: list[str] = []
    params: list[Any] = []
    only = " AND partner_id = ANY(%s::bigint[])" if partner_ids is not None else ""
    scope = [partner_ids] if partner_ids is not None else []
    if observations and program.observed_ids:
        select, select_params = _observation_select(
            tenant, partner_ids, program.observed_ids, month_start(program.reference + 1)
        )
        parts.append(
            f"SELECT 0, partner_id, {OBSERVATION_DIGEST} FROM ({select}) AS rows (partner_id, metric_id, month, value) "
            "GROUP BY partner_id"
        )
        params += select_params
    if program.deals_scored:  # as the read sees them: created before the cut, a close on or after it not yet happened
        parts.append(
            "SELECT 1, partner_id, bit_xor(hashtextextended((id, amount, created_on, "
            "CASE WHEN close_date < %s THEN close_date END, status, discount_pct, is_renewal)::text, 0)) "
            f"FROM {Deal._meta.db_table} WHERE tenant_id = %s AND created_on < %s{only} GROUP BY partner_id"
        )
        params += [cut, tenant.pk, cut, *scope]
    if program.reviews_scored:
        parts.append(
            "SELECT 2, r.partner_id, bit_xor(hashtextextended((r.id, d.created_on, r.quality)::text, 0)) "
            f"FROM {DealReview._meta.db_table} r JOIN {Deal._meta.db_table} d "
            "ON d.id = r.deal_id AND d.tenant_id = r.tenant_id "
            f"WHERE r.tenant_id = %s AND d.created_on < %s{only.replace('partner_id', 'r.partner_id')} "
            "GROUP BY r.partner_id"
        )
        params += [tenant.pk, cut, *scope]
    parts.append(
        "SELECT 3, partner_id, bit_xor(hashtextextended((id, month, metric_id, kind, detail)::text, 0)) "
        f"FROM {DataQualityFinding._meta.db_table} WHERE tenant_id = %s AND status = %s AND month <= %s{only} "
        "GROUP BY partner_id"
    )
    params += [tenant.pk, DataQualityFinding.Status.OPEN, month_start(program.reference), *scope]
    # One row per partner and source: hashing the groups always fits in memory, whereas a sort of the rows (what the
    # planner picks when the statistics lag behind a large import) spills millions of them to disk.
    previous = sql.execute("SELECT current_setting('enable_sort'), set_config('enable_sort', 'off', true)")
    rows = sql.execute(" UNION ALL ".join(f"({part})" for part in parts), params)
    sql.execute("SELECT set_config('enable_sort', %s, true)", [previous[0][0]])
    by_source: dict[int, tuple[list[int], list[int]]] = {}
    for source, partner_id, value in rows:
        ids, values = by_source.setdefault(int(source), ([], []))
        ids.append(int(partner_id))
        values.append(int(value))
    for source, (ids, values) in by_source.items():
        out[SOURCES[source]] = (np.array(ids, dtype=np.int64), np.array(values, dtype=np.int64))
    return out


def _open_findings(
    tenant: Tenant, partner_ids: list[int], first: int, last: int
) -> dict[tuple[int, int], list[tuple[int | None, str]]]:
    """(partner id, month number) -> the open findings of these months, as (metric id or None, sentence), in one query.

    The metric lets the engine flag a snapshot only for the findings on its own scorecard's metrics.
    """
    rows = (
        DataQualityFinding.objects.for_tenant(tenant)
        .filter(
            status=DataQualityFinding.Status.OPEN,
            partner_id__in=partner_ids,
            month__gte=month_start(first),
            month__lte=month_start(last),
        )
        .order_by("partner_id", "month", "kind", "id")
        .values_list("partner_id", "month", "metric_id", "detail")
    )
    found: dict[tuple[int, int], list[tuple[int | None, str]]] = {}
    for partner_id, month, metric_id, detail in rows:
        found.setdefault((partner_id, month_number(month)), []).append((metric_id, detail))
    return found


def _reference_month(sql: TenantSql, tenant: Tenant, observed_ids: list[int], deals: bool, cutoff: int) -> int | None:
    """The last month before ``cutoff`` with an observation of a scored metric (or a deal, when deals are scored).

    The same for a full refresh and a refresh of some partners, and cheap: one index probe per metric.
    """
    rows = sql.execute(
        f"""
        SELECT GREATEST(
            (SELECT max(last.month) FROM unnest(%(metrics)s::bigint[]) AS m(id) CROSS JOIN LATERAL (
                SELECT o.month FROM {OBSERVATION_TABLE} o
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
    sql: TenantSql,
    tenant: Tenant,
    partner_ids: list[int] | None,
    observed_ids: list[int],
    derived_ids: dict[int, str],
    reference: int | None,
    cutoff: int,
    since: int | None = None,
    digest: bool = False,
) -> tuple[Columns, Columns, Digests]:
    """Monthly actuals (observations and deal-derived values) and the quarter values of the deal-derived metrics.

    Deal-derived metrics are the rules of ``deal_metrics`` over the deals, and ``deal_quality``, the mean rubric
    quality of the reviewed deals (``deal_quality_by_partner_month``). As plain arrays (``ACTUAL_COLUMNS``): a
    DataFrame of 14 million rows would cost a copy for nothing. ``since`` drops the months before it; nothing dated
    on or after the month ``cutoff`` is read (complete months only).
    """
    empty: Columns = {c: np.zeros(0, dtype=np.int64 if c != "value" else np.float64) for c in ACTUAL_COLUMNS}
    digests: Digests = {}
    if reference is None:
        return empty, empty, digests
    observed = empty
    if observed_ids:
        select, params = _observation_select(tenant, partner_ids, observed_ids, month_start(reference + 1), since)
        raw = sql.copy_out(
            select,
            params,
            [("partner_id", "int8"), ("metric_id", "int8"), ("month", "date"), ("value", "int8")],
            totals=[("digest", OBSERVATION_DIGEST)] if digest else (),
        )
        if digest:
            ids, first = np.unique(raw["partner_id"], return_index=True)
            digests["observations"] = (ids, raw.pop("digest")[first])
        raw["month"] = pg_days_to_months(raw["month"])
        raw["value"] = raw["value"] / 1e4
        observed = raw
    key_to_id = {key: metric_id for metric_id, key in derived_ids.items()}
    monthly_parts, quarterly_parts = [observed], [empty]
    periods: tuple[tuple[Literal["month", "quarter"], list[Columns]], ...] = (
        ("month", monthly_parts),
        ("quarter", quarterly_parts),
    )
    if any(key in DEAL_METRIC_KEYS for key in key_to_id):
        deals = _deals(tenant, partner_ids, month_start(cutoff))
        for period, parts in periods:
            values = deal_metrics(deals, None, discount_threshold=DEFAULT_DISCOUNT_THRESHOLD, period=period)
            parts.append(_long_columns(values[values["metric"].isin(key_to_id)], key_to_id))
    if DEAL_QUALITY in key_to_id:
        for period, parts in periods:
            values = deal_quality_by_partner_month(
                tenant=tenant, partner_ids=partner_ids, period=period, before=month_start(cutoff)
            )
            parts.append(_long_columns(values, key_to_id))
    monthly = {c: np.concatenate([part[c] for part in monthly_parts]) for c in ACTUAL_COLUMNS}
    quarterly = {c: np.concatenate([part[c] for part in quarterly_parts]) for c in ACTUAL_COLUMNS}
    if since is not None:
        monthly = {c: values[monthly["month"] >= since] for c, values in monthly.items()}
        quarterly = {c: values[quarterly["month"] >= quarter_of(since)] for c, values in quarterly.items()}
    return monthly, quarterly, digests


def _long_columns(values: pd.DataFrame, key_to_id: dict[str, int]) -> Columns:
    """The deal metrics' long rows (partner_id, month as a date, metric key, value) as ``ACTUAL_COLUMNS``."""
    return {
        "partner_id": values["partner_id"].to_numpy(dtype=np.int64),
        "metric_id": values["metric"].map(key_to_id).to_numpy(dtype=np.int64),
        "month": month_numbers(values["month"]).to_numpy(dtype=np.int64),
        "value": values["value"].to_numpy(dtype=np.float64),
    }


def _deals(tenant: Tenant, partner_ids: list[int] | None, before: date) -> pd.DataFrame:
    """The deals as they stood at ``before`` (the first day of the month under way): created before it, and a close
    on or after it not yet happened (the deal counts as open: ``deal_metrics`` ignores a close without a date)."""
    qs = Deal.objects.for_tenant(tenant).filter(created_on__lt=before)
    if partner_ids is not None:
        qs = qs.filter(partner_id__in=partner_ids)
    rows = list(
        qs.annotate(
            amount_f=Cast("amount", FloatField()),
            discount_f=Cast("discount_pct", FloatField()),
            closed_on=Case(When(close_date__lt=before, then=F("close_date")), default=None, output_field=DateField()),
        ).values_list(
            "partner_id", "amount_f", "created_on", "closed_on", "status", "discount_f", "is_renewal", "currency"
        )
    )
    deals = pd.DataFrame.from_records(rows, columns=[*DEAL_COLUMNS, "currency"])
    # Amounts in other currencies are converted at the rate of the deal's own date, never added as they stand.
    return deal_amounts_in_reporting_currency(deals, tenant=tenant)


def snapshot_stored_keys(sql: TenantSql, tenant: Tenant, partner_ids: list[int] | None) -> dict[str, np.ndarray]:
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


def _peer_frame(raw: dict[str, np.ndarray], kinds: np.ndarray, stages: np.ndarray, segment: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": raw["id"],
            "partner_id": raw["partner_id"],
            "partner_type": kinds[segment],
            "stage": stages[segment],
            "period": np.where(raw["is_quarter"], QUARTER, MONTH),
            "month": pg_days_to_months(raw["period_start"]),
            "score": raw["score"],
            "percentile": raw["percentile"],
        }
    )


STORED_SCORE_COLUMNS: Final = [
    ("partner_id", "int8"),
    ("id", "int8"),
    ("is_quarter", "bool"),
    ("period_start", "date"),
    ("score", "int8"),
    ("percentile", "int8"),
]


def segment_peers(sql: TenantSql, tenant: Tenant, partners: pd.DataFrame) -> pd.DataFrame:
    """Stored scored snapshots of the other partners of these partners' segments (type x stage)."""
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
        [*STORED_SCORE_COLUMNS, ("segment", "int4")],
    )
    segment = raw["segment"].astype(np.int64) - 1
    kinds = np.array([s[0] for s in segments] or [""], dtype=object)
    stages = np.array([s[1] for s in segments] or [""], dtype=object)
    return _peer_frame(raw, kinds, stages, segment)


def stored_scores(sql: TenantSql, tenant: Tenant, partners: pd.DataFrame) -> pd.DataFrame:
    """Every stored snapshot of the tenant, with its partner's current segment (from ``partners``: the tenant's):
    ``id``, ``partner_id``, ``partner_type``, ``stage``, ``period``, ``month``, ``score`` and ``percentile`` as
    fixed-point integers (``NULL`` when empty). What a refresh of the whole tenant ranks the partners it does not
    recompute by, and counts their snapshots with."""
    raw = sql.copy_out(
        f"SELECT partner_id, id, period = %s, period_start, COALESCE((score * 10000)::int8, %s), "
        f"COALESCE((percentile * 10000)::int8, %s) FROM {SNAPSHOT_TABLE} WHERE tenant_id = %s",
        [QUARTER, int(NULL), int(NULL), tenant.pk],
        STORED_SCORE_COLUMNS,
    )
    ids = partners["id"].to_numpy(dtype=np.int64)
    position = np.minimum(np.searchsorted(ids, raw["partner_id"]), max(len(ids) - 1, 0))
    known = ids[position] == raw["partner_id"] if len(ids) else np.zeros(len(raw["partner_id"]), dtype=bool)
    raw = {name: values[known] for name, values in raw.items()}  # (a partner added since: none of its rows yet)
    kinds = partners["partner_type"].astype(str).to_numpy(dtype=object)
    stages = partners["stage"].astype(str).to_numpy(dtype=object)
    return _peer_frame(raw, kinds, stages, position[known])


def snapshot_counts(sql: TenantSql, tenant: Tenant, partner_ids: list[int]) -> dict[int, int]:
    """How many snapshots are stored per partner (of these; a partner without any is absent)."""
    rows = sql.execute(
        f"SELECT partner_id, count(*) FROM {SNAPSHOT_TABLE} WHERE tenant_id = %s AND partner_id = ANY(%s::bigint[]) "
        "GROUP BY partner_id",
        [tenant.pk, partner_ids],
    )
    return {int(partner_id): int(count) for partner_id, count in rows}


def snapshot_sources(tenant: Tenant, partner_ids: list[int] | None) -> dict[int, tuple[int, int, int]]:
    """The stored input digests: partner id -> (digest, program digest, snapshots stored)."""
    rows = SnapshotSource.objects.for_tenant(tenant)
    if partner_ids is not None:
        rows = rows.filter(partner_id__in=partner_ids)
    return {
        int(partner_id): (int(digest), int(program), int(snapshots))
        for partner_id, digest, program, snapshots in rows.values_list("partner_id", "digest", "program", "snapshots")
    }


def snapshot_inputs_read(*, tenant: Tenant, month: int) -> ScoringInput:
    """What scoring ``tenant``'s partners for ``month`` (a month number) needs, read as the refresh reads it.

    The same statements as a full refresh (their number does not grow with the number of partners), with only that
    month's actuals (a month's score depends on nothing older). Writes nothing and takes no lock.
    """
    with tenant_context(tenant):
        data, _ = snapshot_inputs_for_refresh(TenantSql(tenant), tenant, None, month + 1, since=month)
    return data
