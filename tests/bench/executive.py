"""Bench of the executive layer: the dashboard precompute (20,000 partners x 24 months) against the bare SQL aggregate
of the same measures over the same rows, the dashboard page at 20,000 partners (and its query count beside a
100-partner program), the quarterly memo for 2,000 partners (PDF included), and the digest for 500 recipients on a
real worker.

The programs are generated in bulk, in SQL: partners with every dimension (5 types, 4 tiers, 4 stages, 4 regions,
30 markets, 6 product lines one or two each, 50 owners), snapshots for 24 months and 8 quarters with eight metric
items each, a QBR per partner and quarter for the last four quarters, an action item per partner and half-year, and
scored forecasts. Kept between runs (a program that holds its shape already is reused).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.test import Client

from partnerhub.core.domain.periods import add_months
from partnerhub.core.models import Membership, Partner, Role, Tenant, User
from partnerhub.core.tenancy.context import tenant_context

START = date(2024, 1, 1)
MONTHS = 24
METRICS = 8
OWNERS = 50


def _execute(sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _best(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) if repeat < 3 else statistics.median(sorted(times)[:3])


def _user(email: str) -> User:
    return User.objects.filter(email=email).first() or User.objects.create_user(email, "bench-password-123")


def seed_program(partners: int) -> Tenant:
    """A program of ``partners`` partners with two years of snapshots and a year of reviews (reused when present)."""
    from reviews.models import Cadence, ReviewCycle
    from scorecards.models import MetricDefinition
    from tests.scorecards.factories import simple_scorecard

    slug = f"bench-exec-{partners}"
    tenant, _ = Tenant.objects.get_or_create(slug=slug, defaults={"name": f"Executive bench {partners}"})
    with tenant_context(tenant):
        have = _execute("SELECT count(*) FROM scorecards_scorecardsnapshot WHERE tenant_id = %s", [tenant.pk])[0][0]
        if Partner.objects.count() == partners and have == partners * (MONTHS + MONTHS // 3):
            return tenant
        for table in (
            "reviews_actionitem",
            "reviews_forecast",
            "reviews_review",
            "reviews_reviewcycle",
            "reviews_cadence",
            "scorecards_scorecardsnapshot",
            "scorecards_targetrule",
            "scorecards_templateitem",
            "scorecards_templateversion",
            "scorecards_scorecardtemplate",
            "scorecards_metricdefinition",
            "partnerhub_partner",
        ):
            _execute(f"DELETE FROM {table} WHERE tenant_id = %s", [tenant.pk])
        admin_user = _user("bench@bench.example")
        Membership.objects.get_or_create(tenant=tenant, user=admin_user, defaults={"role": Role.ADMIN})
        owners = []
        for n in range(OWNERS):
            member, _ = Membership.objects.get_or_create(
                tenant=tenant, user=_user(f"owner{n}@{slug}.example"), defaults={"role": Role.MANAGER}
            )
            owners.append(member.pk)
        Membership.objects.get_or_create(
            tenant=tenant, user=_user(f"exec@{slug}.example"), defaults={"role": Role.EXECUTIVE}
        )
        keys = ["revenue", "win_rate", "pipeline_created", "csat", "certified_staff", "deal_registrations"]
        keys += [f"metric_{i}" for i in range(METRICS - len(keys))]
        metrics = [
            MetricDefinition.objects.create(
                tenant=tenant,
                key=key,
                name=key.replace("_", " ").capitalize(),
                definition="Bench metric.",
                unit="currency" if key in ("revenue", "pipeline_created") else "count",
                timing="leading" if i % 2 else "lagging",
                category="pipeline",
                aggregation="sum",
            )
            for i, key in enumerate(keys)
        ]
        version = simple_scorecard(tenant, metrics, effective_from=START)
        _execute(
            """
            INSERT INTO partnerhub_partner (tenant_id, created_at, updated_at, name, external_id, partner_type, tier,
                stage, region, market, product_lines, is_strategic, size_factor, owner_id)
            SELECT %s, now(), now(), 'Bench partner ' || lpad(g::text, 6, '0'), 'EB-' || g,
                (%s::text[])[1 + g %% 5], (%s::text[])[1 + (g / 5) %% 4], (%s::text[])[1 + (g / 20) %% 4],
                (%s::text[])[1 + (g / 3) %% 4], 'Market ' || (g * 7 %% 30),
                CASE WHEN g %% 3 = 0 THEN ARRAY['Line ' || (g %% 6), 'Line ' || ((g + 1) %% 6)]
                     ELSE ARRAY['Line ' || (g %% 6)] END::varchar(60)[],
                g %% 11 = 0, 1, (%s::bigint[])[1 + g %% %s]
            FROM generate_series(1, %s) g
            """,
            [
                tenant.pk,
                Partner.Type.values,
                Partner.Tier.values,
                Partner.Stage.values,
                Partner.Region.values,
                owners,
                len(owners),
                partners,
            ],
        )
        metric_ids = [m.pk for m in metrics]
        for period, step, count in (("month", 1, MONTHS), ("quarter", 3, MONTHS // 3)):
            _execute(
                """
                INSERT INTO scorecards_scorecardsnapshot (tenant_id, partner_id, period, period_start,
                    months_covered, template_version_id, score, rag, percentile, change_previous, change_baseline,
                    trend, trend_explanation, dq_flag, dq_reasons, items, computed_at, fingerprint, created_at,
                    updated_at)
                SELECT %s, p.id, %s, (%s::date + (k * %s) * interval '1 month')::date, %s, %s, s.score,
                    CASE WHEN s.score >= 80 THEN 'green' WHEN s.score >= 60 THEN 'amber' ELSE 'red' END, NULL,
                    CASE WHEN k > 0 THEN (hashtext(p.id || ':' || k) %% 1000) / 100.0 END, NULL,
                    (ARRAY['improving', 'stable', 'declining', 'not_enough'])[1 + abs(hashtext(p.id || '/' || k)) %% 4],
                    '', abs(hashtext(p.id || 'dq' || k)) %% 25 = 0, '[]'::jsonb,
                    (SELECT jsonb_agg(jsonb_build_object('metric_id', mid, 'weight', 12.5, 'target', 100,
                        'actual', CASE WHEN abs(hashtext(p.id || '-' || k || '-' || mid)) %% 13 = 0 THEN NULL
                                       ELSE (abs(hashtext(p.id || '-' || k || '-' || mid)) %% 20000) / 100.0 END,
                        'attainment', NULL, 'points', NULL, 'rag', '',
                        'missing', abs(hashtext(p.id || '-' || k || '-' || mid)) %% 13 = 0))
                     FROM unnest(%s::bigint[]) mid),
                    now(), 0, now(), now()
                FROM partnerhub_partner p CROSS JOIN generate_series(0, %s - 1) k
                CROSS JOIN LATERAL (SELECT 20 + (abs(hashtext(p.id || '.' || k)) %% 8000) / 100.0 AS score) s
                WHERE p.tenant_id = %s
                """,
                [
                    tenant.pk,
                    period,
                    START,
                    step,
                    step if period == "quarter" else 1,
                    version.pk,
                    metric_ids,
                    count,
                    tenant.pk,
                ],
            )
        cadence = Cadence.objects.create(tenant=tenant, name="Bench QBR", kind="qbr", frequency="quarterly")
        quarters = [add_months(START, MONTHS - 12 + 3 * q) for q in range(4)]
        cycles = [
            ReviewCycle.objects.create(
                tenant=tenant, cadence=cadence, period_start=q, period_end=add_months(q, 3) - timedelta(days=1)
            )
            for q in quarters
        ]
        for q, cycle in zip(quarters, cycles, strict=True):
            _execute(
                """
                INSERT INTO reviews_review (tenant_id, created_at, updated_at, cycle_id, cadence_id, partner_id, kind,
                    depth, priority_rank, selection_reason, scheduled_for, state, cancel_reason, agenda)
                SELECT %s, now(), now(), %s, %s, p.id, 'qbr', 'detailed', 0, '',
                    %s::timestamptz + (p.id %% 80) * interval '1 day',
                    (ARRAY['signed_off', 'signed_off', 'held', 'cancelled'])[1 + p.id %% 4], '', '[]'::jsonb
                FROM partnerhub_partner p WHERE p.tenant_id = %s
                """,
                [tenant.pk, cycle.pk, cadence.pk, q, tenant.pk],
            )
        _execute(
            """
            INSERT INTO reviews_actionitem (tenant_id, created_at, updated_at, review_id, partner_id, description,
                due_date, status, visibility)
            SELECT %s, now(), now(), r.id, r.partner_id, 'Bench action',
                (r.scheduled_for + interval '30 days')::date,
                (ARRAY['open', 'in_progress', 'done', 'cancelled'])[1 + r.id %% 4], 'shared'
            FROM reviews_review r WHERE r.tenant_id = %s AND r.id %% 2 = 0
            """,
            [tenant.pk, tenant.pk],
        )
        _execute(
            """
            INSERT INTO reviews_forecast (tenant_id, created_at, updated_at, review_id, partner_id, quarter_start,
                accuracy)
            SELECT %s, now(), now(), r.id, r.partner_id, date_trunc('quarter', r.scheduled_for)::date,
                40 + (r.id %% 60)
            FROM reviews_review r WHERE r.tenant_id = %s AND r.id %% 3 = 0
            """,
            [tenant.pk, tenant.pk],
        )
    _analyze("partnerhub_partner", "scorecards_scorecardsnapshot", "reviews_review", "reviews_actionitem")
    return tenant


def _analyze(*tables: str) -> None:
    """Fresh planner statistics after a bulk load (as autovacuum would give them): only the tables' owner may."""
    import psycopg
    from django.conf import settings

    db = connection.settings_dict
    owner = settings.DATABASE_OWNER
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        dbname=db["NAME"],
        user=owner["USER"],
        password=owner.get("PASSWORD") or None,
        autocommit=True,
    ) as conn:
        for table in tables:
            conn.execute(f"ANALYZE {table}")


def bench_precompute(partners: int = 20_000, repeat: int = 3) -> dict[str, Any]:
    """The precompute against the bare SQL aggregate of the same measures over the same rows (the program slice's
    fallback query: one statement, JSON unpacked, previous RAG joined, reviews, actions and forecasts)."""
    from partnerhub.executive.selectors.cube import dashboard_computation, slice_series_fallback
    from partnerhub.executive.services.dashboard import dashboard_precompute

    tenant = seed_program(partners)
    today = add_months(START, MONTHS)
    results = []

    def precompute() -> None:
        results.append(dashboard_precompute(tenant=tenant, today=today))

    precompute_s = _best(precompute, repeat)
    with tenant_context(tenant):
        computation = dashboard_computation(tenant=tenant)
        assert computation is not None
        snapshots = _execute("SELECT count(*) FROM scorecards_scorecardsnapshot WHERE tenant_id = %s", [tenant.pk])

        def floor() -> None:
            slice_series_fallback(tenant=tenant, computation=computation, filters={})

        floor_s = _best(floor, repeat)
    last = results[-1]
    return {
        "partners": partners,
        "snapshots": snapshots[0][0],
        "precompute_s": precompute_s,
        "floor_s": floor_s,
        "ratio": precompute_s / floor_s,
        "slices": last.slices,
        "cells": last.cells,
        "phases": last.phases,
    }


def _page_cases(tenant: Tenant) -> dict[str, str]:
    base = f"/t/{tenant.slug}/executive/"
    return {
        "program": base,
        "market + product line": base + "?market=Market+7&product_line=Line+3",
        "owner, month": base + "?owner={owner}&granularity=month",
        "3 filters (fallback)": base + "?region=emea&market=Market+7&product_line=Line+3",
    }


def bench_pages(partners: int = 20_000, small: int = 100) -> list[dict[str, Any]]:
    """The dashboard page's server time at ``partners`` beside the floor (the slice row's read), and its query count
    beside the same page of a ``small`` program."""
    from partnerhub.executive.services.dashboard import dashboard_precompute

    rows = []
    counts: dict[str, dict[int, int]] = {}
    times: dict[str, float] = {}
    floors: dict[str, float] = {}
    for size in (small, partners):
        tenant = seed_program(size)
        dashboard_precompute(tenant=tenant, today=add_months(START, MONTHS))
        user = _user("bench@bench.example")
        client = Client()
        client.force_login(user)
        with tenant_context(tenant):
            owner = Membership.objects.filter(role=Role.MANAGER).order_by("pk").values_list("pk", flat=True).first()
        for label, url in _page_cases(tenant).items():
            url = url.format(owner=owner)

            def page(u: str = url, c: Client = client) -> None:
                response = c.get(u)
                assert response.status_code == 200, (u, response.status_code)

            page()
            statements: list[str] = []

            def count(execute: Callable[..., object], sql: str, *args: object, seen: list[str] = statements) -> object:
                seen.append(sql)
                return execute(sql, *args)

            with connection.execute_wrapper(count):
                page()
            counts.setdefault(label, {})[size] = len(statements)
            if size == partners:
                times[label] = _best(page, 5)

                def floor(t: Tenant = tenant) -> None:
                    with tenant_context(t), connection.cursor() as cursor:
                        cursor.execute(
                            "SELECT periods, measures FROM executive_dashboardslice WHERE tenant_id = %s "
                            "AND dim_a = 0 AND dim_b = 0",
                            [t.pk],
                        )
                        cursor.fetchall()

                floors[label] = _best(floor, 5)
    for label in counts:
        rows.append(
            {
                "label": label,
                "page_s": times[label],
                "floor_s": floors[label],
                "queries_small": counts[label][small],
                "queries_large": counts[label][partners],
            }
        )
    return rows


def bench_memo(partners: int = 2_000, repeat: int = 3) -> dict[str, Any]:
    """The memo of the last closed quarter written from the data and published (HTML and PDF, internal and
    partner-facing), for a program of ``partners`` partners."""
    from partnerhub.executive.models import Memo, MemoVersion
    from partnerhub.executive.services.dashboard import dashboard_precompute
    from partnerhub.executive.services.memo import memo_generate, memo_publish

    tenant = seed_program(partners)
    dashboard_precompute(tenant=tenant, today=add_months(START, MONTHS))
    with tenant_context(tenant):
        admin = Membership.objects.filter(role=Role.ADMIN).first()
    assert admin is not None
    quarter = add_months(START, MONTHS - 3)
    sizes: list[int] = []

    def run() -> None:
        with tenant_context(tenant):
            Memo.objects.filter(quarter_start=quarter).delete()
        memo = memo_generate(tenant=tenant, quarter=quarter).memo
        with tenant_context(tenant):
            draft = MemoVersion.objects.get(memo=memo, status="draft")
        published = memo_publish(tenant=tenant, actor=admin, version=draft)
        sizes.append(len(bytes(published.pdf or b"")))

    seconds = _best(run, repeat)
    return {"partners": partners, "memo_s": seconds, "pdf_kb": sizes[-1] // 1024}


def bench_digest(partners: int = 2_000, recipients: int = 500) -> dict[str, Any]:
    """The month's digests for ``recipients`` members sent by a real worker (the time from queueing to its result)."""
    from partnerhub.executive.models import DigestDelivery
    from partnerhub.executive.tasks.digest import digest_send_task
    from tests.worker import running_worker

    tenant = seed_program(partners)
    slug = tenant.slug
    with tenant_context(tenant):
        have = Membership.objects.count()
        partner_ids = list(Partner.objects.order_by("pk").values_list("pk", flat=True)[:recipients])
        for n in range(have, recipients):
            user = _user(f"reader{n}@{slug}.example")
            if n % 2:
                Membership.objects.get_or_create(tenant=tenant, user=user, defaults={"role": Role.MANAGER})
            else:
                Membership.objects.get_or_create(
                    tenant=tenant,
                    user=user,
                    defaults={"role": Role.PARTNER, "partner_id": partner_ids[n % len(partner_ids)]},
                )
        DigestDelivery.objects.all().delete()
        readers = Membership.objects.filter(is_active=True).count()
    month = add_months(START, MONTHS).isoformat()
    with running_worker():
        start = time.perf_counter()
        result = digest_send_task.delay(tenant_id=tenant.pk, month=month).get(timeout=300)
        seconds = time.perf_counter() - start
    return {"recipients": readers, "digest_s": seconds, "created": result["created"], "emailed": result["emailed"]}


def print_executive(
    precompute: dict[str, Any], pages: list[dict[str, Any]], memo: dict[str, Any], digest: dict[str, Any] | None
) -> None:
    p = precompute
    print(
        f"\nexecutive dashboard precompute, {p['partners']:,} partners x {MONTHS} months ({p['snapshots']:,} snapshots)"
    )
    print(
        f"  precompute {p['precompute_s']:.2f} s ({p['slices']:,} slices, {p['cells']:,} cells; phases {p['phases']})"
        f"   floor (bare SQL aggregate, one slice) {p['floor_s']:.2f} s   ratio {p['ratio']:.2f}x"
        f"   target < 10 s and <= 3x: {'met' if p['precompute_s'] < 10 and p['ratio'] <= 3 else 'NOT met'}"
    )
    print(
        f"\nexecutive dashboard page, {p['partners']:,} partners (median of best 3 of 5; floor = the slice row's read)"
    )
    for row in pages:
        print(
            f"  {row['label']:<24} page {row['page_s'] * 1000:7.1f} ms   floor {row['floor_s'] * 1000:6.2f} ms   "
            f"queries {row['queries_large']} (at 100 partners: {row['queries_small']})"
        )
    print(
        f"\nquarterly memo, {memo['partners']:,} partners: written and published (HTML + 2 PDFs, {memo['pdf_kb']} KB) "
        f"in {memo['memo_s']:.2f} s   target < 5 s: {'met' if memo['memo_s'] < 5 else 'NOT met'}"
    )
    if digest is not None:
        print(
            f"\nmonthly digest on a real worker: {digest['recipients']} recipients in {digest['digest_s']:.1f} s "
            f"({digest['created']} written, {digest['emailed']} e-mailed)   target < 30 s: "
            f"{'met' if digest['digest_s'] < 30 else 'NOT met'}"
        )
