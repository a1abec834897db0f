"""The remediation benchmark for ``make bench``: checking every due checkpoint and running every trigger after a full
refresh of a 2,000-partner tenant with 500 open plans, against the bare SQL that reads the same snapshot rows.

The tenant (slug ``bench-remediation-<partners>``) is generated once with the snapshot bench's generator (20 metrics,
36 months) and kept between runs; its 500 active plans (every fourth partner) each have four checkpoints: the score
and two metrics in the latest month, the score in the latest complete quarter. The full refresh runs first (nothing
changes after the first one). Then:

- the first evaluation after the plans exist (checkpoints written, drafts made by the triggers for the partners they
  pick), reported apart;
- the evaluation as every refresh chains it (``remediation_evaluate``: checkpoints and triggers, nothing left to
  write): median of the best three of seven;
- the floor: the bare SQL reading the same snapshot rows, every column (the due checkpoints' snapshots by key, and
  the snapshots of the two latest months and three latest quarters the triggers read).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection

from partnerhub.core.db.roles import as_owner
from partnerhub.core.domain.periods import add_months, month_number, month_start, quarter_start
from partnerhub.core.models import Membership, Partner, Role, Tenant, User
from partnerhub.core.tenancy.context import tenant_context
from remediation.models import Checkpoint, Plan
from remediation.services.evaluation import due_checkpoints, remediation_evaluate
from scorecards.models import ScorecardSnapshot, TemplateItem
from scorecards.services.snapshots import snapshot_refresh
from tests.bench.snapshots import START, _generate

PLANS = 500


def _best(fn: Callable[[], Any], repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(sorted(times)[:3])


def _tenant(partners: int, metrics: int, months: int) -> Tenant:
    tenant, _ = Tenant.objects.get_or_create(
        slug=f"bench-remediation-{partners}", defaults={"name": f"Remediation bench {partners}"}
    )
    with tenant_context(tenant):
        if not Partner.objects.exists():
            _generate(tenant, partners=partners, metrics=metrics, months=months)
            with connection.cursor() as cursor:
                for table in ("partnerhub_partner", "scorecards_observation"):
                    cursor.execute(f"ANALYZE {table}")
    return tenant


def _plans(tenant: Tenant, latest: date) -> None:
    """500 active plans, each with four checkpoints due by ``latest`` (bulk: the bench measures the evaluation)."""
    user = User.objects.filter(email="bench@bench.example").first() or User.objects.create_user(
        "bench@bench.example", "bench-password-123"
    )
    with tenant_context(tenant):
        owner, _ = Membership.objects.get_or_create(tenant=tenant, user=user, defaults={"role": Role.ADMIN})
        if Plan.objects.filter(status=Plan.Status.ACTIVE, trigger="").count() >= PLANS:
            return
        metrics = list(TemplateItem.objects.filter(version__status="active").values_list("metric_id", flat=True)[:2])
        partners = list(Partner.objects.order_by("id").values_list("id", flat=True)[::4][:PLANS])
        plans = Plan.objects.bulk_create(
            Plan(
                tenant=tenant,
                partner_id=partner_id,
                title=f"Bench plan {partner_id}",
                owner=owner,
                start_date=add_months(latest, -6),
                target_end_date=add_months(latest, 6),
                status=Plan.Status.ACTIVE,
            )
            for partner_id in partners
        )
        quarter = add_months(quarter_start(latest), -3 if quarter_start(latest) != add_months(latest, -2) else 0)
        rows = []
        for plan in plans:
            common = {"tenant": tenant, "plan": plan, "partner_id": plan.partner_id, "comparator": "gte"}
            rows += [
                Checkpoint(**common, measure="score", target=Decimal(60), period="month", due_period_start=latest),
                Checkpoint(**common, measure="score", target=Decimal(60), period="quarter", due_period_start=quarter),
                *(
                    Checkpoint(
                        **common,
                        measure="metric",
                        metric_id=m,
                        target=Decimal(90),
                        period="month",
                        due_period_start=latest,
                    )
                    for m in metrics
                ),
            ]
        Checkpoint.objects.bulk_create(rows, batch_size=2000)


def _analyze() -> None:
    """Fresh planner statistics, as autovacuum gives a live database within a minute of bulk writes (a first refresh
    or 2,000 new checkpoints make the old estimates wrong by orders of magnitude)."""
    with as_owner(), connection.cursor() as cursor:
        for table in ("scorecards_scorecardsnapshot", "remediation_plan", "remediation_checkpoint"):
            cursor.execute(f"ANALYZE {table}")


def _floor(tenant: Tenant, today: date, *, narrow: bool = False) -> Callable[[], int]:
    """The bare SQL reading the same snapshot rows: the due checkpoints' by key, and the triggers'. Every column, or
    (``narrow``) only the columns the evaluation reads (the items only of the rows a metric checkpoint needs)."""
    with tenant_context(tenant):
        due = due_checkpoints(tenant=tenant, today=today)
        keys = sorted({(c.partner_id, c.period, c.due_period_start) for c in due})
        with_items = {(c.partner_id, c.period, c.due_period_start) for c in due if c.spec.metric_id is not None}
        month = (
            ScorecardSnapshot.objects.filter(period="month")
            .order_by("-period_start")
            .values_list("period_start", flat=True)
            .first()
        )
        quarter = (
            ScorecardSnapshot.objects.filter(period="quarter")
            .order_by("-period_start")
            .values_list("period_start", flat=True)
            .first()
        )
    months = [add_months(month, -i) for i in range(2)] if month else []
    quarters = [add_months(quarter, -3 * i) for i in range(3)] if quarter else []
    table = ScorecardSnapshot._meta.db_table

    checks = (
        "s.months_covered, s.score, s.trend, s.dq_flag, s.dq_reasons, CASE WHEN k.items THEN s.items END"
        if narrow
        else "s.*"
    )
    signals = "partner_id, period, period_start, rag, trend, months_covered, score" if narrow else "*"

    def read() -> int:
        with tenant_context(tenant), connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT {checks} FROM unnest(%s::bigint[], %s::text[], %s::date[], %s::boolean[])
                    AS k(partner_id, period, period_start, items)
                JOIN {table} s ON s.tenant_id = %s AND s.partner_id = k.partner_id AND s.period = k.period
                    AND s.period_start = k.period_start
                """,
                [
                    [k[0] for k in keys],
                    [k[1] for k in keys],
                    [k[2] for k in keys],
                    [k in with_items for k in keys],
                    tenant.pk,
                ],
            )
            found = len(cursor.fetchall())
            cursor.execute(
                f"""
                SELECT {signals} FROM {table} WHERE tenant_id = %s
                    AND ((period = 'month' AND period_start = ANY(%s::date[]))
                    OR (period = 'quarter' AND period_start = ANY(%s::date[])))
                """,
                [tenant.pk, months, quarters],
            )
            return found + len(cursor.fetchall())

    return read


def bench_remediation(partners: int = 2_000, metrics: int = 20, months: int = 36) -> dict[str, Any]:
    today = add_months(START, months)
    latest = month_start(month_number(today) - 1)
    tenant = _tenant(partners, metrics, months)
    refresh_started = time.perf_counter()
    snapshot_refresh(tenant=tenant, today=today)
    refresh_s = time.perf_counter() - refresh_started
    _plans(tenant, latest)
    _analyze()
    started = time.perf_counter()
    first = remediation_evaluate(tenant=tenant, today=today)
    first_s = time.perf_counter() - started
    _analyze()
    steady_result: dict[str, Any] = {}

    def steady() -> None:
        steady_result.update(remediation_evaluate(tenant=tenant, today=today))

    steady_s = _best(steady)
    read = _floor(tenant, today)
    rows = read()
    floor_s = _best(read)
    narrow_s = _best(_floor(tenant, today, narrow=True))
    with tenant_context(tenant):
        open_plans = Plan.objects.filter(status__in=("draft", "active")).count()
    evaluation = steady_result["evaluation"]
    return {
        "partners": partners,
        "open_plans": open_plans,
        "refresh_s": round(refresh_s, 2),
        "first_s": round(first_s, 3),
        "first_changed": first["evaluation"]["changed"],
        "first_drafted": len(first["drafted"]),
        "checked": evaluation["checked"],
        "by_status": evaluation["by_status"],
        "steady_s": round(steady_s, 3),
        "steady_drafted": len(steady_result["drafted"]),
        "floor_rows": rows,
        "floor_s": round(floor_s, 3),
        "ratio": round(steady_s / floor_s, 2),
        "narrow_floor_s": round(narrow_s, 3),
        "narrow_ratio": round(steady_s / narrow_s, 2),
        "load": round(os.getloadavg()[0], 1),
    }


def print_remediation(f: dict[str, Any]) -> None:
    print(
        f"\nremediation: checkpoints and triggers after a full refresh ({f['partners']:,} partners, "
        f"{f['open_plans']} open plans; median of best 3 of 7)"
    )
    print(
        f"  full refresh {f['refresh_s']:.2f} s (every snapshot written on a first run, none after); first "
        f"evaluation since the plans exist {f['first_s'] * 1000:.0f} ms ({f['first_changed']} checkpoints written, "
        f"{f['first_drafted']} plans drafted by the triggers)"
    )
    print(
        f"  evaluation {f['steady_s'] * 1000:.0f} ms ({f['checked']:,} due checkpoints: {f['by_status']}; every "
        f"trigger; {f['steady_drafted']} drafted); goal: under 1 s and within 3x the floor"
    )
    print(
        f"  floor: bare SQL of the same {f['floor_rows']:,} snapshot rows, every column {f['floor_s'] * 1000:.0f} ms "
        f"(ratio {f['ratio']}x); only the columns the evaluation reads {f['narrow_floor_s'] * 1000:.0f} ms "
        f"(ratio {f['narrow_ratio']}x); load average {f['load']}"
    )
