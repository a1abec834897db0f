"""The snapshot benchmark for ``make bench``: a generated tenant refreshed end to end, against floors measured in the
same run.

``bench_refresh(partners=20_000, metrics=20, months=36)`` generates (once; it is kept between runs) a tenant of
``partners`` partners with ``metrics`` metrics observed for ``months`` months (INSERT ... SELECT generate_series, about
2 % of the values missing, a few open data-quality findings), two templates (a default one with a version change
half-way through, and one for resellers in growth), targets by tier and stage, and normalised items. It then times:

- a full refresh from no snapshots (every row written), and again with nothing changed (nothing written);
- an incremental refresh of one partner after one of its observations changed, and one of the 1 % of partners an
  import touched (one observation each), as a share of the full refresh;
- the floor of the refresh with nothing changed: the bare read of its inputs (the refresh's own reads of every input
  and of the stored snapshots' keys and fingerprints, nothing computed or written);
- the I/O floor: COPY TO STDOUT of the same observation rows, plus COPY of the same result rows (the snapshot rows as
  written) into a TEMP copy of the snapshot table; and the compute floor: one vectorised pandas group-by over the
  same observation rows, in memory.

It reports wall times, peak memory (``ru_maxrss`` of the process, and the growth during the full refresh) and the
ratios to both floors. Everything happens in tenants of its own (slug ``bench-snapshots-<partners>``).

``bench_whatif`` times the what-if of a draft of the default template over the same tenant, against the floor of
reading the same inputs alone.
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
from django.db import connection

from partnerhub.core.db.roles import as_owner
from partnerhub.core.domain.periods import add_months, month_number
from partnerhub.core.models import Partner, Tenant
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.core.tenancy.sql import TenantSql  # the refresh's own COPY reader
from scorecards.models import (
    MetricDefinition,
    ScorecardSnapshot,
    ScorecardTemplate,
    TargetRule,
    TemplateItem,
    TemplateVersion,
)
from scorecards.selectors.snapshot_inputs import (
    snapshot_inputs_for_refresh,
    snapshot_inputs_read,
    snapshot_stored_keys,
)
from scorecards.selectors.snapshots import latest_period
from scorecards.selectors.whatif import version_whatif
from scorecards.services.snapshots import FAST_TOAST, snapshot_refresh

START = date(2023, 1, 1)
TYPES = [value for value, _ in Partner.Type.choices]
TIERS = [value for value, _ in Partner.Tier.choices]
STAGES = [value for value, _ in Partner.Stage.choices]
REGIONS = [value for value, _ in Partner.Region.choices]
AGGREGATIONS = ["sum", "sum", "average", "last"]


def _execute(sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def seed_tenant(*, partners: int, metrics: int, months: int) -> Tenant:
    """The bench tenant for this shape, generated in bulk unless it already holds exactly this data."""
    slug = f"bench-snapshots-{partners}"
    tenant, _ = Tenant.objects.get_or_create(slug=slug, defaults={"name": f"Snapshot bench {partners}"})
    with tenant_context(tenant):
        observed = _execute("SELECT count(*) FROM scorecards_observation WHERE tenant_id = %s", [tenant.pk])[0][0]
        shape = (
            Partner.objects.count(),
            MetricDefinition.objects.count(),
            _execute("SELECT count(DISTINCT month) FROM scorecards_observation WHERE tenant_id = %s", [tenant.pk])[0][
                0
            ],
        )
        if shape == (partners, metrics, months) and observed > 0:
            return tenant
        _clear(tenant)
        _generate(tenant, partners=partners, metrics=metrics, months=months)
    # As the owner: ANALYZE by the app role skips tables it does not own (with a mere warning), and the server may run
    # without autovacuum, which would leave the planner without statistics for the generated rows.
    with as_owner(), connection.cursor() as cursor:
        for table in ("partnerhub_partner", "scorecards_observation", "scorecards_scorecardsnapshot"):
            cursor.execute(f"ANALYZE {table}")
    return tenant


def _clear(tenant: Tenant) -> None:
    # Raw SQL, scoped twice: the WHERE names the tenant and row-level security allows no other.
    for table in (
        "scorecards_snapshotsource",
        "scorecards_scorecardsnapshot",
        "scorecards_dataqualityfinding",
        "scorecards_observation",
        "scorecards_targetrule",
        "scorecards_templateitem",
        "scorecards_templateversion",
        "scorecards_scorecardtemplate",
        "scorecards_metricdefinition",
        "partnerhub_partner",
    ):
        _execute(f"DELETE FROM {table} WHERE tenant_id = %s", [tenant.pk])


def _generate(tenant: Tenant, *, partners: int, metrics: int, months: int) -> None:
    t = tenant.pk
    _execute(
        """
        INSERT INTO partnerhub_partner (tenant_id, created_at, updated_at, name, external_id, partner_type, tier, stage,
            region, market, product_lines, is_strategic, size_factor)
        SELECT %s, now(), now(), 'Bench partner ' || lpad(g::text, 6, '0'), 'SB-' || g, (%s::text[])[1 + g %% 5],
            (%s::text[])[1 + (g / 5) %% 4], (%s::text[])[1 + (g / 20) %% 4], (%s::text[])[1 + g %% 4],
            'Market ' || (g %% 40), ARRAY['Line ' || (g %% 7)], false, 0.5 + (g %% 7) * 0.25
        FROM generate_series(1, %s) AS g
        """,
        [t, TYPES, TIERS, STAGES, REGIONS, partners],
    )
    metric_rows = [
        MetricDefinition(
            tenant=tenant,
            key=f"bench_metric_{i:02d}",
            name=f"Bench metric {i:02d}",
            definition="Generated for the snapshot benchmark.",
            unit=MetricDefinition.Unit.COUNT,
            direction=MetricDefinition.Direction.LOWER if i % 5 == 4 else MetricDefinition.Direction.HIGHER,
            timing=MetricDefinition.Timing.LAGGING,
            category=MetricDefinition.Category.PIPELINE,
            aggregation=AGGREGATIONS[i % 4],
        )
        for i in range(metrics)
    ]
    metric_ids = [m.pk for m in MetricDefinition.objects.bulk_create(metric_rows)]
    half_way = add_months(START, months // 2)
    templates = _execute(
        """
        INSERT INTO scorecards_scorecardtemplate (tenant_id, created_at, updated_at, name, partner_type, stage,
            is_default)
        VALUES (%s, now(), now(), 'Default', '', '', true), (%s, now(), now(), 'Resellers in growth', 'reseller',
            'growth', false)
        RETURNING id
        """,
        [t, t],
    )
    default_id, segment_id = templates[0][0], templates[1][0]
    versions = _execute(
        """
        INSERT INTO scorecards_templateversion (tenant_id, created_at, updated_at, template_id, number, status,
            effective_from, rationale, cap, green_at, amber_at, score_green_at, score_amber_at)
        VALUES (%s, now(), now(), %s, 1, 'retired', %s, 'First version', 150, 100, 80, 80, 60),
               (%s, now(), now(), %s, 2, 'active', %s, 'Tighter thresholds', 130, 100, 85, 80, 65),
               (%s, now(), now(), %s, 1, 'active', %s, 'Growth resellers', 150, 100, 80, 80, 60)
        RETURNING id
        """,
        [t, default_id, START, t, default_id, half_way, t, segment_id, START],
    )
    base, extra = divmod(10_000, metrics)  # weights in hundredths, summing to exactly 100
    weights = [(base + (1 if i < extra else 0)) / 100 for i in range(metrics)]
    for (version_id,) in versions:
        items = _execute(
            """
            INSERT INTO scorecards_templateitem (tenant_id, created_at, updated_at, version_id, metric_id, weight,
                normalise)
            SELECT %s, now(), now(), %s, m, w, (i %% 3 = 0)
            FROM unnest(%s::bigint[], %s::numeric[]) WITH ORDINALITY AS x(m, w, i)
            RETURNING id
            """,
            [t, version_id, metric_ids, weights],
        )
        item_ids = [row[0] for row in items]
        _execute(
            """
            INSERT INTO scorecards_targetrule (tenant_id, created_at, updated_at, item_id, tier, stage, monthly_target)
            SELECT %s, now(), now(), i, r.tier, r.stage, r.target
            FROM unnest(%s::bigint[]) AS i,
                 (VALUES ('', '', 100), ('gold', '', 120), ('platinum', '', 140), ('', 'onboarding', 70),
                         ('gold', 'growth', 125)) AS r(tier, stage, target)
            """,
            [t, item_ids],
        )
    _execute(
        """
        INSERT INTO scorecards_observation (tenant_id, created_at, updated_at, partner_id, metric_id, month, value,
            source)
        SELECT %s, now(), now(), p.id, m.id, (%s::date + make_interval(months => g))::date,
            round((100 * (0.45 + ((p.id * 7919 + m.id * 104729 + g * 1299709) %% 1000) / 1000.0 * 0.9 + g * 0.004)
                   * p.size_factor)::numeric, 4),
            'bench'
        FROM partnerhub_partner p
        CROSS JOIN scorecards_metricdefinition m
        CROSS JOIN generate_series(0, %s - 1) AS g
        WHERE p.tenant_id = %s AND m.tenant_id = %s AND (p.id * 7 + m.id * 3 + g * 11) %% 50 <> 0
        """,
        [t, START, months, t, t],
    )
    _execute(
        """
        INSERT INTO scorecards_dataqualityfinding (tenant_id, created_at, updated_at, partner_id, metric_id, kind,
            month, detail, status)
        SELECT %s, now(), now(), p.id, NULL, 'stale', %s, 'Bench finding for partner ' || p.name || '.', 'open'
        FROM partnerhub_partner p WHERE p.tenant_id = %s AND p.id %% 97 = 0
        """,
        [t, add_months(START, months - 1), t],
    )


# --- timing ---


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _io_floor(tenant: Tenant) -> tuple[float, float, int, int]:
    """COPY out the observation rows; COPY the stored snapshot rows into a TEMP copy of the table (both timed).

    The snapshot rows are first dumped (untimed) to a scratch file, then streamed from it into the TEMP table with
    the same compression the refresh uses; the TEMP table has the snapshot table's columns, defaults and indexes.
    """
    columns = (
        "tenant_id, created_at, updated_at, partner_id, period, period_start, months_covered, template_version_id, "
        "score, rag, percentile, change_previous, change_baseline, trend, trend_explanation, dq_flag, dq_reasons, "
        "items, computed_at, fingerprint"
    )
    with tenant_context(tenant), connection.cursor() as cursor, tempfile.TemporaryFile() as dump:
        start = time.perf_counter()
        rows_out = 0
        with cursor.copy(
            "COPY (SELECT partner_id, metric_id, month, value FROM scorecards_observation WHERE tenant_id = "
            f"{int(tenant.pk)}) TO STDOUT (FORMAT binary)"
        ) as copy:
            for block in copy:
                rows_out += 1 if block else 0
        read_s = time.perf_counter() - start
        with cursor.copy(
            f"COPY (SELECT {columns} FROM scorecards_scorecardsnapshot WHERE tenant_id = {int(tenant.pk)}) TO STDOUT"
        ) as copy:
            for block in copy:
                dump.write(block)
        cursor.execute("CREATE TEMP TABLE bench_snapshot_floor (LIKE scorecards_scorecardsnapshot INCLUDING ALL)")
        cursor.execute(FAST_TOAST)  # the same compression as the refresh: the floor is the fastest way in
        dump.seek(0)
        start = time.perf_counter()
        with cursor.copy(f"COPY bench_snapshot_floor ({columns}) FROM STDIN") as copy:
            while piece := dump.read(1 << 20):
                copy.write(piece)
        write_s = time.perf_counter() - start
        cursor.execute("SELECT count(*) FROM bench_snapshot_floor")
        rows_in = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_snapshot_floor")
    return read_s, write_s, rows_out - 1, rows_in  # one message of a binary COPY is its trailer, not a row


def _compute_floor(tenant: Tenant) -> float:
    """One vectorised group-by over the observation rows in memory (read first, untimed)."""
    with tenant_context(tenant):
        raw = TenantSql(tenant).copy_out(
            "SELECT partner_id, metric_id, month, value::float8 FROM scorecards_observation WHERE tenant_id = %s",
            [tenant.pk],
            [("partner_id", "int8"), ("metric_id", "int8"), ("month", "date"), ("value", "float8")],
        )
    frame = pd.DataFrame({**raw, "quarter": raw["month"] // 91})  # about a quarter of days: a key to group by
    elapsed, _ = _timed(lambda: frame.groupby(["partner_id", "metric_id", "quarter"], sort=False)["value"].sum())
    return elapsed


def _clear_snapshots(tenant: Tenant) -> None:
    """Start from no snapshots, as a new program would: delete the tenant's (and the digests of their inputs), then
    vacuum (as the owner role)."""
    with tenant_context(tenant):
        _execute("DELETE FROM scorecards_snapshotsource WHERE tenant_id = %s", [tenant.pk])
        _execute("DELETE FROM scorecards_scorecardsnapshot WHERE tenant_id = %s", [tenant.pk])
    with as_owner():
        _execute("VACUUM ANALYZE scorecards_scorecardsnapshot")


def _touch_partners(tenant: Tenant, share: float) -> list[int]:
    """An import that touched ``share`` of the partners (spread over the id range): the latest observation of one
    metric of each changes. Returns their ids (at least one)."""
    with tenant_context(tenant):
        ids = [
            row[0]
            for row in _execute("SELECT id FROM partnerhub_partner WHERE tenant_id = %s ORDER BY id", [tenant.pk])
        ]
        step = max(1, round(1 / share))
        chosen = ids[::step][: max(1, round(len(ids) * share))]
        _execute(
            """
            UPDATE scorecards_observation o SET value = o.value + 1, updated_at = now()
            FROM (
                SELECT DISTINCT ON (partner_id) id FROM scorecards_observation
                WHERE tenant_id = %s AND partner_id = ANY(%s::bigint[]) ORDER BY partner_id, month DESC, id
            ) AS latest
            WHERE o.tenant_id = %s AND o.id = latest.id
            """,
            [tenant.pk, chosen, tenant.pk],
        )
    return chosen


def _read_floor(tenant: Tenant, today: date, repeat: int = 3) -> float:
    """The bare read of a full refresh's inputs: the refresh's own reads of every input and of the stored snapshots'
    keys and fingerprints (``snapshot_inputs_for_refresh`` + ``snapshot_stored_keys``), nothing computed; best of
    ``repeat``."""

    def read() -> None:
        with tenant_context(tenant):
            sql = TenantSql(tenant)
            snapshot_inputs_for_refresh(sql, tenant, None, month_number(today))
            snapshot_stored_keys(sql, tenant, None)

    return min(_timed(read)[0] for _ in range(repeat))


def bench_refresh(
    partners: int = 20_000, metrics: int = 20, months: int = 36, *, floors: bool = True, today: date | None = None
) -> dict[str, Any]:
    """Generate (once) and refresh a tenant of this shape end to end; return seconds, memory, counts and ratios.

    ``floors=False`` skips the floors (for the 2,000-partner run, whose goal is absolute).
    """
    today = today or add_months(START, months)
    load_before = os.getloadavg()
    seed_s, tenant = _timed(lambda: seed_tenant(partners=partners, metrics=metrics, months=months))
    _clear_snapshots(tenant)
    rss_before = _peak_rss_mb()
    full_s, full = _timed(lambda: snapshot_refresh(tenant=tenant, today=today))
    rss_after = _peak_rss_mb()
    again_s, again = _timed(lambda: snapshot_refresh(tenant=tenant, today=today))
    # A first refresh of a large tenant multiplies the table's rows: until autovacuum analyses it (within a minute or
    # so), the planner's estimates for the tenant are stale. Measure the incremental refresh as it runs after that.
    with as_owner():
        _execute("ANALYZE scorecards_scorecardsnapshot")
    (partner_id,) = _touch_partners(tenant, 1 / partners)
    one_s, one = _timed(lambda: snapshot_refresh(tenant=tenant, partner_ids=[partner_id], today=today))
    touched = _touch_partners(tenant, 0.01)  # an import that touched 1 % of the partners
    import_s, after_import = _timed(lambda: snapshot_refresh(tenant=tenant, partner_ids=touched, today=today))
    read_floor_s = _read_floor(tenant, today)
    figures: dict[str, Any] = {
        "partners": partners,
        "metrics": metrics,
        "months": months,
        "seed_s": round(seed_s, 1),
        "snapshots": full.snapshots,
        "full_s": round(full_s, 2),
        "full_written": full.written,
        "full_statements": full.statements,
        "phases": full.phases,
        "peak_rss_mb": round(rss_after),
        "rss_growth_mb": round(rss_after - rss_before),
        "again_s": round(again_s, 2),
        "again_written": again.written + again.percentile_updates + again.deleted,
        "again_recomputed": again.recomputed,
        "again_statements": again.statements,
        "again_phases": again.phases,
        "one_partner_s": round(one_s, 3),
        "one_partner_written": one.written,
        "one_partner_percentile_updates": one.percentile_updates,
        "import_partners": len(touched),
        "import_s": round(import_s, 3),
        "import_written": after_import.written,
        "import_recomputed": after_import.recomputed,
        "import_percentile_updates": after_import.percentile_updates,
        "import_share_of_full": round(import_s / full_s, 3),
        "floor_read_s": round(read_floor_s, 2),
        "again_ratio_to_read": round(again_s / read_floor_s, 2),
    }
    figures["load"] = (round(load_before[0], 1), round(os.getloadavg()[0], 1), os.cpu_count())
    if floors:
        read_s, write_s, rows_out, rows_in = _io_floor(tenant)
        compute_s = _compute_floor(tenant)
        io_s = read_s + write_s
        figures.update(
            {
                "floor_copy_out_s": round(read_s, 2),
                "floor_copy_in_s": round(write_s, 2),
                "floor_io_s": round(io_s, 2),
                "floor_rows_out": rows_out,
                "floor_rows_in": rows_in,
                "floor_compute_s": round(compute_s, 2),
                "ratio_to_io_floor": round(full_s / io_s, 2),
                "ratio_to_compute_floor": round(full_s / compute_s, 1),
            }
        )
    return figures


def print_figures(f: dict[str, Any]) -> None:
    """The bench's lines for ``make bench``: each figure beside its floor and its goal."""
    print(
        f"\nsnapshot refresh, {f['partners']:,} partners x {f['metrics']} metrics x {f['months']} months "
        f"({f['snapshots']:,} snapshots, months and quarters); load average {f['load'][0]} at the start, "
        f"{f['load'][1]} after the refreshes, on {f['load'][2]} cores"
    )
    full = (
        f"  full refresh {f['full_s']:.1f} s ({f['full_written']:,} rows written, {f['full_statements']} statements), "
        f"peak RSS {f['peak_rss_mb']:,} MB (+{f['rss_growth_mb']:,} MB)"
    )
    if "floor_io_s" in f:
        full += (
            f"   floor: I/O {f['floor_io_s']:.1f} s (COPY out {f['floor_copy_out_s']:.1f} s + COPY in "
            f"{f['floor_copy_in_s']:.1f} s)   ratio {f['ratio_to_io_floor']}x (goal 2x); compute floor "
            f"{f['floor_compute_s']:.2f} s ({f['ratio_to_compute_floor']}x)"
        )
    print(full)
    print(f"    phases: {', '.join(f'{k} {v:.2f} s' for k, v in f['phases'].items())}")
    print(
        f"  again, nothing changed: {f['again_s']:.2f} s ({f['again_recomputed']} partners recomputed, "
        f"{f['again_written']} rows written, {f['again_statements']} statements)   floor: the bare read of its inputs "
        f"{f['floor_read_s']:.2f} s   ratio {f['again_ratio_to_read']}x (goal 1.5x)"
    )
    print(f"    phases: {', '.join(f'{k} {v:.2f} s' for k, v in f['again_phases'].items())}")
    print(
        f"  after an import that touched 1 % of the partners ({f['import_partners']}): {f['import_s'] * 1000:.0f} ms "
        f"({f['import_recomputed']} recomputed, {f['import_written']} rows written, "
        f"{f['import_percentile_updates']} percentiles updated)   "
        f"{f['import_share_of_full'] * 100:.1f} % of the full refresh (goal 5 %)"
    )
    print(f"  one partner after an import: {f['one_partner_s'] * 1000:.0f} ms")


# --- what-if ---


def _bench_draft(tenant: Tenant) -> TemplateVersion:
    """The bench's draft of the default template (made once): the version in force with targets 10 % higher and the
    weight of the first two metrics swapped with the last two, the kind of change an admin tries before publishing."""
    template = ScorecardTemplate.objects.for_tenant(tenant).get(is_default=True)
    versions = TemplateVersion.objects.for_tenant(tenant).filter(template=template)
    draft = versions.filter(status=TemplateVersion.Status.DRAFT).first()
    if draft is not None:
        return draft
    active = versions.get(status=TemplateVersion.Status.ACTIVE)
    draft = TemplateVersion.objects.create(
        tenant=tenant,
        template=template,
        number=active.number + 1,
        cap=active.cap,
        green_at=active.green_at,
        amber_at=active.amber_at,
        score_green_at=active.score_green_at,
        score_amber_at=active.score_amber_at,
    )
    items = list(TemplateItem.objects.for_tenant(tenant).filter(version=active).order_by("id"))
    weights = [i.weight for i in items]
    weights[:2], weights[-2:] = weights[-2:], weights[:2]
    copies = TemplateItem.objects.bulk_create(
        TemplateItem(tenant=tenant, version=draft, metric_id=i.metric_id, weight=w, normalise=i.normalise)
        for i, w in zip(items, weights, strict=True)
    )
    copy_of = {i.pk: c for i, c in zip(items, copies, strict=True)}
    TargetRule.objects.bulk_create(
        TargetRule(
            tenant=tenant,
            item=copy_of[t.item_id],
            tier=t.tier,
            stage=t.stage,
            monthly_target=(t.monthly_target * Decimal("1.1")).quantize(Decimal("0.0001")),
        )
        for t in TargetRule.objects.for_tenant(tenant).filter(item__version=active)
    )
    return draft


def bench_whatif(partners: int = 2_000, metrics: int = 20, months: int = 36, repeat: int = 3) -> dict[str, Any]:
    """What-if of a draft over a generated tenant (the refresh bench's, snapshots refreshed first if need be), against
    the floor of reading the same inputs (``snapshot_inputs_read`` alone); best of ``repeat``."""
    tenant = seed_tenant(partners=partners, metrics=metrics, months=months)
    with tenant_context(tenant):
        if not ScorecardSnapshot.objects.for_tenant(tenant).exists():
            snapshot_refresh(tenant=tenant, today=add_months(START, months))
        draft = _bench_draft(tenant)
        latest = latest_period(tenant=tenant, period=ScorecardSnapshot.Period.MONTH)
        assert latest is not None
        runs = [_timed(lambda: version_whatif(tenant=tenant, version=draft)) for _ in range(repeat)]
        whatif_s, result = min(runs, key=lambda run: run[0])
        read_s = min(
            _timed(lambda: snapshot_inputs_read(tenant=tenant, month=month_number(latest)))[0] for _ in range(repeat)
        )
        counter = _Counter()
        with connection.execute_wrapper(counter):
            version_whatif(tenant=tenant, version=draft)
    return {
        "partners": partners,
        "rows": len(result.rows),
        "affected": result.affected,
        "month": latest.isoformat(),
        "whatif_s": round(whatif_s, 3),
        "floor_read_s": round(read_s, 3),
        "ratio_to_read": round(whatif_s / read_s, 1),
        "statements": counter.count,
        "moves": ", ".join(f"{m.count} {m.label.lower()}" for m in result.moves[:4]),
        "direction": result.direction,
    }


class _Counter:
    """Statements sent (an ``execute_wrapper``; a COPY counts once, through the execute that starts it)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def print_whatif(f: dict[str, Any]) -> None:
    """The what-if lines for ``make bench``."""
    d = f["direction"]
    print(
        f"\nwhat-if of a draft, {f['partners']:,} partners x 20 metrics, month {f['month']} "
        f"({f['rows']:,} partners re-scored, {f['affected']:,} under the draft, nothing written)"
    )
    print(
        f"  what-if {f['whatif_s'] * 1000:.0f} ms ({f['statements']} statements)   floor: reading the same inputs "
        f"{f['floor_read_s'] * 1000:.0f} ms   ratio {f['ratio_to_read']}x"
    )
    print(f"  result: {d['up']} up, {d['down']} down, {d['unchanged']} unchanged; RAG: {f['moves'] or 'no change'}")
