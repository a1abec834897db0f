"""Bench section ``recognition``: tier recommendations for a 20,000-partner program over 8 quarters of snapshots.

Figures, each beside a floor measured in the same run:

- **evaluate**: read the 8 quarters of scores and the required metric's values, and decide every partner's move
  (``recognition.selectors.tiers.evaluate_quarter``), against the **bare SQL read** of the same snapshot rows (a plain
  ``SELECT partner_id, period_start, score, months_covered`` fetched by the cursor), and against the fastest read of
  them (the binary COPY the evaluation itself uses);
- **generate, first run**: the whole quarterly run as the task does it (evaluate, each partner's evidence and
  explanation, and 20,000 rows written), against the same floor;
- **generate, nothing changed**: the run again (every recommendation compared by its fingerprint, nothing written);
- **queue page**: the first page of the 20,000 recommendations, filtered by move, against the bare SQL of its rows,
  with its query count.

Run alone: ``python -m tests.bench.run recognition`` (BENCH_RECOGNITION_PARTNERS changes the size).
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
from django.test import Client

from partnerhub.core.domain.periods import add_months
from partnerhub.core.models import Membership, Partner, Role, Tenant, User
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.core.tenancy.sql import TenantSql
from recognition.models import FrameworkVersion, TierRecommendation
from recognition.selectors.tiers import evaluate_quarter
from recognition.services.tier_recommendations import tier_recommendations_generate
from recognition.services.tiers import (
    CriteriaInput,
    MetricInput,
    framework_draft_open,
    framework_draft_save,
    framework_publish,
    tier_defaults_ensure,
)
from scorecards.models import MetricDefinition, ScorecardSnapshot, ScorecardTemplate, TemplateVersion

LAST = date(2026, 7, 1)
QUARTERS = 8
TIERS = ["registered", "silver", "gold", "platinum"]


def _execute(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _best(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(sorted(times)[:3])


def seed(partners: int) -> tuple[Tenant, Membership, Membership]:
    """The bench program: partners spread over the four tiers, 8 quarters of snapshots each (a score and two metric
    actuals), a published framework. Generated in bulk once; kept while it has this shape."""
    slug = f"bench-recognition-{partners}"
    tenant, _ = Tenant.objects.get_or_create(slug=slug, defaults={"name": f"Recognition bench {partners}"})
    user = User.objects.filter(email="bench-recognition@bench.example").first() or User.objects.create_user(
        "bench-recognition@bench.example", "bench-password-123"
    )
    executive_user = User.objects.filter(email="bench-exec@bench.example").first() or User.objects.create_user(
        "bench-exec@bench.example", "bench-password-123"
    )
    with tenant_context(tenant):
        admin, _ = Membership.objects.get_or_create(tenant=tenant, user=user, defaults={"role": Role.ADMIN})
        executive, _ = Membership.objects.get_or_create(
            tenant=tenant, user=executive_user, defaults={"role": Role.EXECUTIVE}
        )
        have = Partner.objects.count()
        snapshots = ScorecardSnapshot.objects.filter(period="quarter").count()
        if have == partners and snapshots == partners * QUARTERS:
            return tenant, admin, executive
        _execute("DELETE FROM recognition_tierchange WHERE tenant_id = %s", [tenant.pk])
        _execute("DELETE FROM recognition_tierrecommendation WHERE tenant_id = %s", [tenant.pk])
        _execute("DELETE FROM scorecards_scorecardsnapshot WHERE tenant_id = %s", [tenant.pk])
        _execute("DELETE FROM partnerhub_partner WHERE tenant_id = %s", [tenant.pk])
        _execute(
            """
            INSERT INTO partnerhub_partner (tenant_id, created_at, updated_at, name, external_id, partner_type, tier,
                stage, region, market, product_lines, is_strategic, size_factor, owner_id)
            SELECT %s, now(), now(), 'Bench partner ' || lpad(g::text, 6, '0'), 'RB-' || g,
                (ARRAY['reseller','si','technology','referral','msp'])[1 + g %% 5], (%s::text[])[1 + (g / 7) %% 4],
                (ARRAY['onboarding','growth','mature','at_risk'])[1 + (g / 3) %% 4],
                (ARRAY['na','latam','emea','apac'])[1 + g %% 4], '', ARRAY[]::text[], false, 1, %s
            FROM generate_series(1, %s) AS g
            """,
            [tenant.pk, TIERS, admin.pk, partners],
        )
        certified = MetricDefinition.objects.filter(key="certified_staff").first() or MetricDefinition.objects.create(
            tenant=tenant,
            key="certified_staff",
            name="Certified staff",
            definition="Staff holding a current certification.",
            unit="count",
            timing="leading",
            category="capability",
            aggregation="last",
        )
        template = ScorecardTemplate.objects.filter(is_default=True).first() or ScorecardTemplate.objects.create(
            tenant=tenant, name="Default", is_default=True
        )
        version = TemplateVersion.objects.filter(template=template).first() or TemplateVersion.objects.create(
            tenant=tenant, template=template, number=1, status="active", effective_from=date(2020, 1, 1)
        )
        starts = [add_months(LAST, -3 * i) for i in range(QUARTERS)]
        # Each partner has its own level (30 to 95) and a quarter-to-quarter wobble of up to +/-10 points.
        _execute(
            """
            INSERT INTO scorecards_scorecardsnapshot (tenant_id, created_at, updated_at, partner_id, period,
                period_start, months_covered, template_version_id, score, rag, trend, trend_explanation, dq_flag,
                dq_reasons, items, computed_at, fingerprint)
            SELECT %s, now(), now(), p.id, 'quarter', q.start, 3, %s,
                least(100, greatest(0, 30 + (p.id * 37) %% 66 + ((p.id * 13 + extract(month FROM q.start)::int * 7
                    + extract(year FROM q.start)::int) %% 21) - 10))::numeric(8, 4),
                '', 'stable', '', false, '[]'::jsonb,
                jsonb_build_array(
                    jsonb_build_object('metric_id', %s, 'weight', 10, 'actual', (p.id * 7) %% 9, 'missing', false),
                    jsonb_build_object('metric_id', 0, 'weight', 90, 'actual', 1, 'missing', false)),
                now(), 0
            FROM partnerhub_partner p CROSS JOIN unnest(%s::date[]) AS q(start)
            WHERE p.tenant_id = %s
            """,
            [tenant.pk, version.pk, certified.pk, starts, tenant.pk],
        )
        tiers = {t.key: t for t in tier_defaults_ensure(tenant=tenant)}
        if not FrameworkVersion.objects.filter(status="published").exists():
            draft = framework_draft_open(tenant=tenant, actor=admin)
            framework_draft_save(
                tenant=tenant,
                actor=admin,
                version=draft,
                criteria=[
                    CriteriaInput(tier=tiers["silver"], min_score=Decimal(50), quarters_required=2, quarters_window=4),
                    CriteriaInput(
                        tier=tiers["gold"],
                        min_score=Decimal(65),
                        quarters_required=3,
                        quarters_window=4,
                        metrics=(MetricInput(metric=certified, threshold=Decimal(3)),),
                    ),
                    CriteriaInput(
                        tier=tiers["platinum"],
                        min_score=Decimal(80),
                        quarters_required=5,
                        quarters_window=6,
                        metrics=(MetricInput(metric=certified, threshold=Decimal(6)),),
                    ),
                ],
                grace_quarters=2,
                grace_visible_to_partner=True,
            )
            framework_publish(
                tenant=tenant, actor=admin, version=draft, rationale="Bench.", effective_from=date(2020, 1, 1)
            )
    with connection.cursor() as cursor:
        for table in ("partnerhub_partner", "scorecards_scorecardsnapshot", "recognition_tierrecommendation"):
            cursor.execute(f"ANALYZE {table}")
    return tenant, admin, executive


def bench_recognition(partners: int = 20_000) -> dict[str, Any]:
    tenant, _, executive = seed(partners)
    first = add_months(LAST, -3 * (QUARTERS - 1))
    figures: dict[str, Any] = {"partners": partners}
    with tenant_context(tenant):
        version = FrameworkVersion.objects.get(status="published")

        def bare() -> None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT partner_id, period_start, score, months_covered FROM scorecards_scorecardsnapshot "
                    "WHERE tenant_id = %s AND period = 'quarter' AND period_start >= %s AND period_start <= %s",
                    [tenant.pk, first, LAST],
                )
                figures["rows"] = len(cursor.fetchall())

        def copy() -> None:
            TenantSql(tenant).copy_out(
                "SELECT partner_id, period_start, score::float8 FROM scorecards_scorecardsnapshot "
                f"WHERE tenant_id = {int(tenant.pk)} AND period = 'quarter' AND period_start >= %s "
                "AND period_start <= %s",
                [first, LAST],
                [("partner_id", "int8"), ("period_start", "date"), ("score", "float8")],
            )

        def evaluate() -> None:
            figures["counts"] = evaluate_quarter(tenant=tenant, version=version, quarter=LAST).counts

        figures["bare_s"], figures["copy_s"], figures["evaluate_s"] = _best(bare), _best(copy), _best(evaluate)

    def clear() -> None:
        with tenant_context(tenant):
            _execute("DELETE FROM recognition_tierrecommendation WHERE tenant_id = %s", [tenant.pk])

    runs = []
    for _ in range(3):
        clear()
        start = time.perf_counter()
        result = tier_recommendations_generate(tenant=tenant, quarter=LAST)
        runs.append(time.perf_counter() - start)
    figures["generate_s"], figures["generate_phases"] = min(runs), result.seconds
    figures["created"] = result.created
    start = time.perf_counter()
    again = tier_recommendations_generate(tenant=tenant, quarter=LAST)
    figures["unchanged_s"], figures["unchanged"] = time.perf_counter() - start, again.unchanged
    figures.update(_queue_page(tenant, executive))
    return figures


def _queue_page(tenant: Tenant, executive: Membership) -> dict[str, Any]:
    from django.conf import settings

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")
    client = Client()
    client.force_login(executive.user)
    url = f"/t/{tenant.slug}/tiers/?move=promote"
    statements: list[str] = []

    def count(execute: Callable[..., object], sql: str, *args: object) -> object:
        statements.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(count):
        assert client.get(url).status_code == 200
    with tenant_context(tenant):
        total = TierRecommendation.objects.filter(quarter=LAST).count()

    def floor() -> None:
        with tenant_context(tenant), connection.cursor() as cursor:
            cursor.execute(
                "SELECT r.*, p.name FROM recognition_tierrecommendation r "
                "JOIN partnerhub_partner p ON p.id = r.partner_id "
                "WHERE r.tenant_id = %s AND r.quarter = %s AND r.move = 'promote' AND r.status = 'pending' "
                "ORDER BY p.name LIMIT 50",
                [tenant.pk, LAST],
            )
            cursor.fetchall()

    return {
        "queue_s": _best(lambda: client.get(url)),
        "queue_floor_s": _best(floor),
        "queue_queries": len(statements),
        "queue_rows": total,
    }


def print_recognition(f: dict[str, Any]) -> None:
    bare, evaluate, generate = f["bare_s"], f["evaluate_s"], f["generate_s"]
    print(
        f"\nrecognition: tier recommendations, {f['partners']:,} partners x {QUARTERS} quarters "
        f"({f['rows']:,} snapshot rows; median of best 3 of 5; first run best of 3)"
    )
    print(f"  floor: bare SQL read of the same rows {bare:.3f} s; their binary COPY {f['copy_s']:.3f} s")
    print(f"  evaluate (read + decide)       {evaluate:6.3f} s   {evaluate / bare:5.2f}x bare read   {f['counts']}")
    print(
        f"  generate, first run            {generate:6.3f} s   {generate / bare:5.2f}x bare read   "
        f"({f['created']:,} written; phases {f['generate_phases']})"
    )
    print(f"  generate, nothing changed      {f['unchanged_s']:6.3f} s   ({f['unchanged']:,} unchanged)")
    print(
        f"  goal: under 5 s ({'met' if generate < 5 else 'NOT met'}), within 3x the bare read "
        f"({'met' if generate / bare <= 3 else 'NOT met'} for the whole run, "
        f"{'met' if evaluate / bare <= 3 else 'NOT met'} for the evaluation)"
    )
    print(
        f"  queue page, {f['queue_rows']:,} recommendations, promotions: {f['queue_s'] * 1000:.1f} ms, floor "
        f"{f['queue_floor_s'] * 1000:.2f} ms, {f['queue_queries']} queries"
    )


def recognition() -> None:
    print_recognition(bench_recognition(int(os.environ.get("BENCH_RECOGNITION_PARTNERS", "20000"))))
