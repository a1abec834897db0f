"""The investments benchmark for ``make bench``: impact estimates for every investment of a large program, against
the bare read of the same snapshot rows, measured in the same run.

``bench_impact(partners=2_000, investments=1_000, months=36)`` generates (once; kept between runs, in a tenant of its
own, slug ``bench-invest-<partners>``) ``partners`` partners over five scorecard templates (one per partner type) and
four tiers, ``months`` months of monthly snapshots (a level, a trend, noise; INSERT ... SELECT generate_series), and
``investments`` investments (70 % MDF across activity types, 20 % enablement in four programmes, 10 % terms) starting
across the last two years. It then times ``impact_refresh`` (every investment and every group, on the score and the
two deal metrics, bootstrap included, the estimates written), best of three, and the floor: the bare read of the same
snapshot rows (one SELECT of partner, month and score, fetched).
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.db import connection

from partnerhub.core.domain.periods import add_months
from partnerhub.core.models import Partner, Tenant
from partnerhub.core.tenancy.context import tenant_context
from recognition.models import ImpactEstimate, Investment
from recognition.services.impact import impact_refresh
from scorecards.models import ScorecardSnapshot, ScorecardTemplate, TemplateVersion

START = date(2024, 1, 1)


def _seed(partners: int, investments: int, months: int) -> Tenant:
    tenant, _ = Tenant.objects.get_or_create(slug=f"bench-invest-{partners}", defaults={"name": "Bench investments"})
    with tenant_context(tenant):
        if Investment.objects.for_tenant(tenant).count() >= investments:
            return tenant
        types, tiers = Partner.Type.values, Partner.Tier.values
        stages = Partner.Stage.values
        Partner.objects.bulk_create(
            [
                Partner(
                    tenant=tenant,
                    name=f"Bench partner {i:05d}",
                    partner_type=types[i % 5],
                    tier=tiers[(i // 5) % 4],
                    stage=stages[(i // 20) % 4],
                    region="emea",
                )
                for i in range(partners)
            ],
            batch_size=5000,
        )
        versions = {}
        for kind in types:
            template = ScorecardTemplate.objects.create(
                tenant=tenant, name=f"Scorecard {kind}", partner_type=kind, is_default=kind == types[0]
            )
            versions[kind] = TemplateVersion.objects.create(
                tenant=tenant, template=template, number=1, status="active", effective_from=START
            )
        with connection.cursor() as cursor:
            # One snapshot per partner and month: a level by tier, a gentle trend, noise (deterministic).
            for kind, version in versions.items():
                cursor.execute(
                    f"""
                    INSERT INTO {ScorecardSnapshot._meta.db_table}
                        (tenant_id, partner_id, period, period_start, months_covered, template_version_id, score, rag,
                         trend, trend_explanation, dq_flag, dq_reasons, items, computed_at, fingerprint, created_at,
                         updated_at)
                    SELECT %s, p.id, 'month', (%s::date + make_interval(months => m))::date, 1, %s,
                        round(LEAST(100, GREATEST(0, 50 + 8 * (p.id %% 4) + 0.15 * m * ((p.id %% 7) - 3) / 3.0
                            + 4 * sin(p.id * 12.9898 + m * 78.233)))::numeric, 4),
                        '', 'not_enough', '', false, '[]', '[]', now(), 0, now(), now()
                    FROM {Partner._meta.db_table} p, generate_series(0, %s - 1) AS m
                    WHERE p.tenant_id = %s AND p.partner_type = %s
                    """,
                    [tenant.pk, START, version.pk, months, tenant.pk, kind],
                )
        ids = list(Partner.objects.for_tenant(tenant).order_by("id").values_list("id", flat=True))
        categories = ("event", "campaign", "content", "training", "demand_generation")
        rows = []
        for n in range(investments):
            kind = "mdf" if n % 10 < 7 else "enablement" if n % 10 < 9 else "terms"
            category = (
                categories[n % 5] if kind == "mdf" else "technical_days" if kind == "enablement" else "payment_terms"
            )
            rows.append(
                Investment(
                    tenant=tenant,
                    partner_id=ids[(n * 7919) % len(ids)],
                    kind=kind,
                    category=category,
                    title=f"Bench investment {n}",
                    program=f"Programme {n % 4}" if kind == "enablement" else "",
                    value=1000 + n % 9000,
                    currency="USD",
                    starts_on=add_months(START, 12 + (n * 31) % (months - 14)),
                )
            )
        Investment.objects.bulk_create(rows, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {ScorecardSnapshot._meta.db_table}")
    return tenant


def _best(fn: Any, repeat: int) -> tuple[float, float]:
    """The best wall time of ``repeat`` runs, and that run's CPU time in this process (the database's is apart)."""
    best = (float("inf"), 0.0)
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        fn()
        best = min(best, (time.perf_counter() - started, time.process_time() - cpu))
    return best


def bench_impact(*, partners: int = 2_000, investments: int = 1_000, months: int = 36) -> dict[str, Any]:
    tenant = _seed(partners, investments, months)
    today = add_months(START, months)
    result: dict[str, Any] = {}

    def refresh() -> None:
        with tenant_context(tenant):
            result["refresh"] = impact_refresh(tenant=tenant, today=today)

    def floor() -> None:
        with tenant_context(tenant), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT partner_id, period_start, score FROM {ScorecardSnapshot._meta.db_table} "
                "WHERE tenant_id = %s AND period = 'month' AND score IS NOT NULL",
                [tenant.pk],
            )
            result["rows"] = len(cursor.fetchall())

    (refresh_s, refresh_cpu), (floor_s, _) = _best(refresh, 3), _best(floor, 5)
    with tenant_context(tenant):
        estimates = ImpactEstimate.objects.for_tenant(tenant).count()
    return {
        "partners": partners,
        "investments": investments,
        "months": months,
        "snapshot_rows": result["rows"],
        "estimates": estimates,
        "refresh_s": refresh_s,
        "refresh_cpu_s": refresh_cpu,
        "floor_s": floor_s,
        "ratio": refresh_s / floor_s,
        "verdicts": result["refresh"],
    }


def print_impact(f: dict[str, Any]) -> None:
    v = f["verdicts"]
    print(
        f"\ninvestment impact, {f['partners']:,} partners, {f['investments']:,} investments, {f['months']} months "
        f"({f['snapshot_rows']:,} snapshot rows; best of 3)"
    )
    print(
        f"  impact_refresh {f['refresh_s']:.2f} s (of which {f['refresh_cpu_s']:.2f} s CPU in Python; "
        f"{f['estimates']:,} estimates: {v.causal} causal, "
        f"{v.directional} directional, {v.not_estimated} not estimated; {v.groups} groups)   "
        f"floor (bare read of the snapshot rows) {f['floor_s']:.2f} s   ratio {f['ratio']:.1f}x   goal < 10 s"
    )
