"""`make bench`: performance figures as ratios to floors measured in the same run (not timed tests).

Foundation figures: the partner list with 20,000 partners (first page, a filter, a name search, a deep page),
each against the floor of the bare SQL that fetches the same page rows, plus the query count per page.
Partner data: a 100,000-row CRM deals file previewed and committed, against a COPY of the same rows and a plain
INSERT of them (both measured in the same run). Scorecards: the snapshot refresh (2,000 partners; 20,000 with
BENCH_FULL=1) against its I/O and compute floors; the what-if of a draft over 2,000 partners against the bare read of
the same inputs; the portfolio and partner scorecard pages at 5,000 partners against the bare SQL of their rows.
Reviews: the calendar month and a review's page, with a QBR cycle of one review per partner of those 5,000.
Remediation: every due checkpoint and every trigger after a full refresh of 2,000 partners with 500 open plans,
against the bare SQL reading the same snapshot rows.
Recognition: tier recommendations for 20,000 partners over 8 quarters of snapshots against the bare SQL read of the
same rows, and the recommendation queue's page.
Investments: impact estimates for every investment of a 2,000-partner program with 1,000 investments and 36 months of
snapshots, bootstrap included, against the bare read of the same snapshot rows.
Executive: the dashboard precompute (20,000 partners x 24 months) against the bare SQL aggregate of the same rows,
the dashboard page at 20,000 partners (queries equal to a 100-partner program's), the memo for 2,000 partners (PDF
included), the digest for 500 recipients on a real worker.
Load: the demo served by gunicorn (3 workers) under locust on loopback: each page people open most (scorecards, a
partner scorecard, the partner and review lists, the partner page, the manager's landing, the portal home) with its
p50/p95 at 20 users and its throughput at saturation against a view that touches no database (tests/bench/load.py).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerhub.settings.test")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from partnerhub.core.models import Membership, Partner, Role, Tenant, User  # noqa: E402
from partnerhub.core.tenancy.context import tenant_context  # noqa: E402

PARTNERS = int(os.environ.get("BENCH_PARTNERS", "20000"))
SLUG = "bench-20k"


def _best(fn: Callable[[], object], repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) if len(times) < 3 else statistics.median(sorted(times)[:3])


def _bench_user() -> User:
    return User.objects.filter(email="bench@bench.example").first() or User.objects.create_user(
        "bench@bench.example", "bench-password-123"
    )


def _seed() -> tuple[Tenant, User]:
    tenant, _ = Tenant.objects.get_or_create(slug=SLUG, defaults={"name": "Bench 20k"})
    user = _bench_user()
    with tenant_context(tenant):
        manager, _ = Membership.objects.get_or_create(tenant=tenant, user=user, defaults={"role": Role.ADMIN})
        have = Partner.objects.count()
        if have < PARTNERS:
            types, tiers = Partner.Type.values, Partner.Tier.values
            stages, regions = Partner.Stage.values, Partner.Region.values
            rows = [
                Partner(
                    tenant=tenant,
                    name=f"Bench partner {i:06d}",
                    partner_type=types[i % 5],
                    tier=tiers[i % 4],
                    stage=stages[i % 4],
                    region=regions[i % 4],
                    market=f"Market {i % 40}",
                    product_lines=[f"Line {i % 7}"],
                    owner=manager,
                )
                for i in range(have, PARTNERS)
            ]
            Partner.objects.bulk_create(rows, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE partnerhub_partner")
    return tenant, user


def _measure_pages(client: Client, tenant: Tenant, cases: dict[str, tuple[str, str]], width: int = 28) -> None:
    """For each case (url, bare SQL of the same rows, with ``%s`` for the tenant): page time, floor, ratio, queries."""
    for label, (url, sql) in cases.items():

        def page(u: str = url) -> None:
            response = client.get(u)
            assert response.status_code == 200, response.status_code

        def floor(q: str = sql) -> None:
            with tenant_context(tenant), connection.cursor() as cursor:
                cursor.execute(q, [tenant.pk])
                cursor.fetchall()

        page()
        statements: list[str] = []

        def count(execute: Callable[..., object], sql: str, *args: object, seen: list[str] = statements) -> object:
            seen.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(count):
            page()
        page_s, floor_s = _best(page), _best(floor)
        print(
            f"  {label:<{width}} page {page_s * 1000:7.1f} ms   floor {floor_s * 1000:6.2f} ms   "
            f"ratio {page_s / floor_s:6.1f}x   queries {len(statements)}"
        )


def _setup() -> None:
    from django.conf import settings

    settings.ALLOWED_HOSTS.append("testserver")
    call_command("migrate", verbosity=0)


def main() -> None:
    tenant, user = _seed()
    client = Client()
    client.force_login(user)
    base = f"/t/{tenant.slug}/partners/"
    everything = "SELECT * FROM partnerhub_partner WHERE tenant_id = %s"
    cases = {
        "first page": (base, f"{everything} ORDER BY name, id LIMIT 50"),
        "filter tier+region": (
            base + "?tier=gold&region=emea",
            f"{everything} AND tier='gold' AND region='emea' ORDER BY name, id LIMIT 50",
        ),
        "name search": (
            base + "?q=partner%2001234",
            f"{everything} AND name ILIKE '%%partner 01234%%' ORDER BY name, id LIMIT 50",
        ),
        "page 200": (base + "?page=200", f"{everything} ORDER BY name, id LIMIT 50 OFFSET 9950"),
    }
    print(f"partner list, {PARTNERS} partners (median of best 3 of 7; floor = bare SQL for the same rows)")
    _measure_pages(client, tenant, cases, width=20)


def imports() -> None:
    from partnerhub.core.signals import partner_data_changed
    from tests.bench.imports import bench_import_deals

    # The bench measures the import alone: no data-quality run or snapshot refresh queued after each commit.
    partner_data_changed.disconnect(dispatch_uid="scorecards_refresh_snapshots")
    rows = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
    f = bench_import_deals(rows)
    print(f"\nimport of {f['rows']:,} deal rows ({f['file_mb']} MB CSV with CRM headers)")
    print(
        f"  preview {f['preview_s']:.1f} s ({f['preview_queries']} queries) + commit {f['commit_s']:.1f} s "
        f"({f['commit_queries']} queries) = {f['import_s']:.1f} s; re-import, all unchanged: "
        f"{f['reimport_unchanged_s']:.1f} s"
    )
    print(
        f"  floors: COPY {f['floor_copy_s']:.1f} s, plain INSERT {f['floor_insert_s']:.1f} s   "
        f"ratio {f['ratio_to_copy']}x COPY, {f['ratio_to_insert']}x INSERT"
    )


def snapshots() -> None:
    from tests.bench.snapshots import bench_refresh, bench_whatif, print_figures, print_whatif

    # A large real program (2,000 partners) every time; the 20,000-partner case with BENCH_FULL=1 (minutes).
    for partners in (2_000, 20_000) if os.environ.get("BENCH_FULL") else (2_000,):
        print_figures(bench_refresh(partners=partners))
    print_whatif(bench_whatif(partners=2_000))


def scorecard_pages() -> None:
    """The portfolio (first page, and a sorted deep page) and a partner's scorecard at 5,000 partners."""
    from partnerhub.core.domain.periods import add_months
    from scorecards.models import ScorecardSnapshot
    from scorecards.services.snapshots import snapshot_refresh
    from tests.bench.snapshots import START, seed_tenant

    partners, months = 5_000, 12
    tenant = seed_tenant(partners=partners, metrics=10, months=months)
    user = _bench_user()
    with tenant_context(tenant):
        Membership.objects.get_or_create(tenant=tenant, user=user, defaults={"role": Role.ADMIN})
        if not ScorecardSnapshot.objects.for_tenant(tenant).exists():
            snapshot_refresh(tenant=tenant, today=add_months(START, months))
        latest = max(ScorecardSnapshot.objects.filter(period="month").values_list("period_start", flat=True))
        partner_id = Partner.objects.order_by("name").values_list("id", flat=True).first()
    client = Client()
    client.force_login(user)
    base = f"/t/{tenant.slug}"
    month = f"period = 'month' AND s.period_start = '{latest.isoformat()}'"
    join = "FROM scorecards_scorecardsnapshot s JOIN partnerhub_partner p ON p.id = s.partner_id"
    cases = {
        "portfolio, page 1": (
            f"{base}/scorecards/",
            f"SELECT s.*, p.* {join} WHERE s.tenant_id = %s AND s.{month} ORDER BY s.score DESC, p.name LIMIT 50",
        ),
        "portfolio, change, page 60": (
            f"{base}/scorecards/?sort=change&page=60",
            f"SELECT s.*, p.* {join} WHERE s.tenant_id = %s AND s.{month} "
            "ORDER BY s.change_previous DESC, p.name LIMIT 50 OFFSET 2950",
        ),
        "partner scorecard": (
            f"{base}/partners/{partner_id}/scorecard/",
            f"SELECT * FROM scorecards_scorecardsnapshot WHERE tenant_id = %s AND partner_id = {int(partner_id or 0)} "
            "AND period = 'month' ORDER BY period_start",
        ),
    }
    print(f"\nscorecard pages, {partners:,} partners (median of best 3 of 7; floor = bare SQL for the same rows)")
    _measure_pages(client, tenant, cases)
    review_pages(tenant, client)


def review_pages(tenant: Tenant, client: Client) -> None:
    """The calendar month and a review's page, with a QBR cycle of one review per partner of the 5,000."""
    from django.utils import timezone

    from reviews.models import ActionItem, Cadence, Review, ReviewNote
    from reviews.services.cadences import cadence_defaults_seed
    from reviews.services.cycles import cycle_generate

    cadence_defaults_seed(tenant=tenant)
    with tenant_context(tenant):
        admin = Membership.objects.get(tenant=tenant, user=_bench_user())
        cadence = Cadence.objects.get(kind=Cadence.Kind.QBR)
    cycle = cycle_generate(tenant=tenant, cadence=cadence, period_start=timezone.localdate()).cycle
    with tenant_context(tenant):
        review = Review.objects.filter(cycle=cycle).order_by("priority_rank").first()
        assert review is not None
        if not ReviewNote.objects.filter(review=review).exists():
            ReviewNote.objects.bulk_create(
                ReviewNote(tenant=tenant, review=review, section_key="performance", body=f"Note {n}", author=admin)
                for n in range(30)
            )
            ActionItem.objects.bulk_create(
                ActionItem(
                    tenant=tenant,
                    review=review,
                    partner_id=review.partner_id,
                    description=f"Action {n}",
                    owner=admin,
                    due_date=cycle.period_end,
                )
                for n in range(30)
            )
        reviews = Review.objects.filter(cycle=cycle).count()
    month = review.scheduled_for.date().replace(day=1)
    base = f"/t/{tenant.slug}"
    cases = {
        "calendar month": (
            f"{base}/calendar/?month={month:%Y-%m}",
            "SELECT r.*, p.name FROM reviews_review r JOIN partnerhub_partner p ON p.id = r.partner_id "
            f"WHERE r.tenant_id = %s AND r.scheduled_for >= '{month.isoformat()}' "
            f"AND r.scheduled_for < '{month.isoformat()}'::date + interval '1 month' ORDER BY r.scheduled_for",
        ),
        "review page (30 notes, 30 actions)": (
            f"{base}/reviews/{review.pk}/",
            f"SELECT body FROM reviews_reviewnote WHERE tenant_id = %s AND review_id = {review.pk} "
            f"UNION ALL SELECT description FROM reviews_actionitem WHERE review_id = {review.pk}",
        ),
    }
    print(f"\nreview pages, a QBR cycle of {reviews:,} reviews (median of best 3 of 7; floor = bare SQL of its rows)")
    _measure_pages(client, tenant, cases, width=36)


def refresh() -> None:
    """The snapshot refresh alone (2,000 partners; 20,000 too with BENCH_FULL=1): the cheapest way to its figures."""
    from tests.bench.snapshots import bench_refresh, print_figures

    for partners in (2_000, 20_000) if os.environ.get("BENCH_FULL") else (2_000,):
        print_figures(bench_refresh(partners=partners))


def remediation() -> None:
    """Every due checkpoint and every trigger after a full refresh: 2,000 partners, 500 open plans."""
    from tests.bench.remediation import bench_remediation, print_remediation

    print_remediation(bench_remediation(partners=2_000))


def recognition() -> None:
    """Tier recommendations for 20,000 partners over 8 quarters, against the bare read of the same snapshot rows."""
    from tests.bench.recognition import recognition as run

    run()


def investments() -> None:
    """Impact estimates for every investment of a 2,000-partner program with 1,000 investments and 36 months."""
    from tests.bench.investments import bench_impact, print_impact

    print_impact(bench_impact())


def executive() -> None:
    """The executive layer: dashboard precompute (20,000 partners x 24 months; BENCH_EXEC_PARTNERS to change), the
    dashboard page beside its floor and a 100-partner program's query count, the memo for 2,000 partners, and the
    digest for 500 recipients on a real worker (BENCH_WORKER=0 skips it)."""
    from tests.bench.executive import bench_digest, bench_memo, bench_pages, bench_precompute, print_executive

    partners = int(os.environ.get("BENCH_EXEC_PARTNERS", "20000"))
    precompute = bench_precompute(partners=partners)
    pages = bench_pages(partners=partners)
    memo = bench_memo()
    digest = bench_digest() if os.environ.get("BENCH_WORKER", "1") == "1" else None
    print_executive(precompute, pages, memo, digest)


def load() -> None:
    """The pages people open most under load (gunicorn, 3 workers; locust, 20 users), beside the floor's throughput."""
    from tests.bench.load import load as run

    run()


SECTIONS: dict[str, Callable[[], None]] = {
    "partners": main,
    "imports": imports,
    "snapshots": snapshots,
    "refresh": refresh,
    "pages": scorecard_pages,
    "remediation": remediation,
    "recognition": recognition,
    "investments": investments,
    "executive": executive,
    "load": load,
}

if __name__ == "__main__":
    # `python -m tests.bench.run [section ...]` runs only these sections (BENCH_SECTIONS="a b" does the same);
    # with none, every section but `refresh` (which `snapshots` includes).
    names = sys.argv[1:] or os.environ.get("BENCH_SECTIONS", "").split()
    unknown = [name for name in names if name not in SECTIONS]
    if unknown:
        sys.exit(f"unknown bench section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    if names != ["load"]:  # the load section has a database of its own, served by other processes
        _setup()
    for name in names or [
        "partners",
        "imports",
        "snapshots",
        "pages",
        "remediation",
        "recognition",
        "investments",
        "executive",
        "load",
    ]:
        SECTIONS[name]()
