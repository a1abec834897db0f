"""The import benchmark for ``make bench``: a CRM-style deals file of ``n`` rows, previewed then committed, against
floors measured in the same run (COPY of the same typed rows into a scratch table, and a plain INSERT of them into the
deals table of a second bench tenant).

It writes to the configured database, in two tenants of its own (``bench-imports`` and ``bench-imports-floor``)
whose deals and import history it clears first; nothing else is touched.
"""

from __future__ import annotations

import csv
import io
import random
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from partnerhub.core.models import Membership, Partner, Role, Tenant, User
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import Deal, ImportBatch
from scorecards.services.imports import import_commit, import_preview

HEADER = [
    "Opportunity ID",
    "Partner Account",
    "Account Name",
    "Stage",
    "Amount",
    "Currency",
    "Probability (%)",
    "Created Date",
    "Close Date",
    "Discount %",
    "Contract Term (Months)",
    "Renewal",
    "Registration Status",
]
STAGES = ["Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won", "Closed Lost"]
COPY_COLUMNS = [
    "tenant_id",
    "created_at",
    "updated_at",
    "external_id",
    "partner_id",
    "account_name",
    "stage",
    "amount",
    "currency",
    "probability",
    "created_on",
    "close_date",
    "status",
    "discount_pct",
    "term_months",
    "is_renewal",
    "registered_on",
    "registration_status",
    "registration_expires_on",
]


def _tenant(slug: str, partners: int) -> tuple[Tenant, Membership, list[Partner]]:
    tenant, _ = Tenant.objects.get_or_create(slug=slug, defaults={"name": slug.replace("-", " ").title()})
    email = f"{slug}@bench.example"
    user = User.objects.filter(email=email).first() or User.objects.create_user(email, "bench-password-123")
    with tenant_context(tenant):
        admin, _ = Membership.objects.get_or_create(tenant=tenant, user=user, defaults={"role": Role.ADMIN})
        have = Partner.objects.count()
        if have < partners:
            Partner.objects.bulk_create(
                [
                    Partner(
                        tenant=tenant,
                        name=f"Bench partner {i:04d}",
                        external_id=f"BP-{i:04d}",
                        partner_type=Partner.Type.RESELLER,
                        region=Partner.Region.EMEA,
                    )
                    for i in range(have, partners)
                ]
            )
        rows = list(Partner.objects.filter(external_id__startswith="BP-").order_by("external_id")[:partners])
        with connection.cursor() as cursor:
            # Raw SQL, scoped twice: the WHERE names the tenant and row-level security allows no other.
            for table in ("scorecards_importchange", "scorecards_deal", "scorecards_importbatch"):
                cursor.execute(f"DELETE FROM {table} WHERE tenant_id = %s", [tenant.pk])
    return tenant, admin, rows


def _deals(n: int, partners: list[Partner], seed: int = 4) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    start = date(2024, 1, 1)
    for i in range(n):
        created = start + timedelta(days=rng.randrange(0, 600))
        stage = rng.choice(STAGES)
        yield {
            "external_id": f"OPP-{i:07d}",
            "partner": partners[i % len(partners)],
            "account_name": f"Customer {rng.randrange(0, 20000):05d}",
            "stage": stage,
            "amount": Decimal(rng.randrange(1_000_00, 500_000_00)) / 100,
            "currency": "USD",
            "probability": rng.choice([10, 20, 40, 60, 80, 100, 0]),
            "created_on": created,
            "close_date": created + timedelta(days=rng.randrange(10, 200)),
            "status": "won" if stage == "Closed Won" else "lost" if stage == "Closed Lost" else "open",
            "discount_pct": Decimal(rng.randrange(0, 3000)) / 100,
            "term_months": rng.choice([12, 24, 36]),
            "is_renewal": rng.random() < 0.3,
            "registration_status": rng.choice(["", "approved", "pending", "rejected"]),
        }


def deals_csv(n: int, partners: list[Partner]) -> bytes:
    """A Salesforce-style export: its own headers, "$12,345.67" amounts, month-first dates, "Yes"/"No"."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for d in _deals(n, partners):
        writer.writerow(
            [
                d["external_id"],
                d["partner"].external_id,
                d["account_name"],
                d["stage"],
                f"${d['amount']:,.2f}",
                d["currency"],
                f"{d['probability']}%",
                f"{d['created_on']:%m/%d/%Y}",
                f"{d['close_date']:%m/%d/%Y}",
                f"{d['discount_pct']}",
                d["term_months"],
                "Yes" if d["is_renewal"] else "No",
                d["registration_status"].title(),
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise RuntimeError(message)


def _timed(fn: Callable[[], Any]) -> tuple[float, Any, int]:
    queries = 0

    def count(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    start = time.perf_counter()
    with connection.execute_wrapper(count):
        result = fn()
    return time.perf_counter() - start, result, queries


def bench_import_deals(n: int = 100_000, *, partners: int = 500) -> dict[str, Any]:
    """Time the preview and the commit of an ``n``-row deals file, a re-import of it, and two floors.

    Floors: COPY of the same typed rows into a scratch copy of the deals table, and a pipelined INSERT of them into
    the deals table of a second tenant. Returns seconds, query counts and the ratios of preview + commit to each.
    """
    tenant, actor, tenant_partners = _tenant("bench-imports", partners)
    floor_tenant, _, floor_partners = _tenant("bench-imports-floor", partners)
    content = deals_csv(n, tenant_partners)

    def preview() -> ImportBatch:
        with tenant_context(tenant):
            return import_preview(
                tenant=tenant, actor=actor, kind="deals", file_name="bench.csv", content=content, source="bench"
            )

    def commit(batch: ImportBatch) -> ImportBatch:
        with tenant_context(tenant):
            return import_commit(tenant=tenant, actor=actor, batch=batch)

    preview_s, batch, preview_queries = _timed(preview)
    _check(batch.errors == [], f"the bench file has errors: {batch.errors[:3]}")
    commit_s, batch, commit_queries = _timed(lambda: commit(batch))
    _check(batch.counts["new"] == n, f"the first commit created {batch.counts}")
    reimport_s, again, _ = _timed(lambda: commit(preview()))
    _check(again.counts["unchanged"] == n, f"the re-import changed {again.counts}")

    def typed_rows(tenant_id: int, partners_of: list[Partner]) -> Iterator[list[Any]]:
        now = timezone.now()
        for d in _deals(n, partners_of):
            yield [
                tenant_id,
                now,
                now,
                d["external_id"],
                d["partner"].pk,
                d["account_name"],
                d["stage"],
                d["amount"],
                d["currency"],
                d["probability"],
                d["created_on"],
                d["close_date"],
                d["status"],
                d["discount_pct"],
                d["term_months"],
                d["is_renewal"],
                None,
                d["registration_status"],
                None,
            ]

    columns = ", ".join(COPY_COLUMNS)

    def copy_floor() -> None:
        # COPY is refused on tables under row-level security: this floor is a scratch copy of the deals table
        # (same columns, defaults, constraints and indexes), the fastest way PostgreSQL takes rows in.
        with tenant_context(floor_tenant), connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE bench_deal_floor (LIKE scorecards_deal INCLUDING ALL) ON COMMIT DROP")
            with cursor.copy(f"COPY bench_deal_floor ({columns}) FROM STDIN") as copy:
                for row in typed_rows(floor_tenant.pk, floor_partners):
                    copy.write_row(row)

    def insert_floor() -> None:
        # The same typed rows inserted into the real deals table of another tenant: RLS, indexes, FKs and all.
        placeholders = ", ".join(["%s"] * len(COPY_COLUMNS))
        with tenant_context(floor_tenant), connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO scorecards_deal ({columns}) VALUES ({placeholders})",
                list(typed_rows(floor_tenant.pk, floor_partners)),
            )

    copy_s, _, _ = _timed(copy_floor)
    insert_s, _, _ = _timed(insert_floor)
    with tenant_context(floor_tenant):
        _check(Deal.objects.count() == n, "the insert floor did not insert every row")
    return {
        "rows": n,
        "file_mb": round(len(content) / 1024 / 1024, 1),
        "preview_s": round(preview_s, 2),
        "commit_s": round(commit_s, 2),
        "import_s": round(preview_s + commit_s, 2),
        "reimport_unchanged_s": round(reimport_s, 2),
        "floor_copy_s": round(copy_s, 2),
        "floor_insert_s": round(insert_s, 2),
        "ratio_to_copy": round((preview_s + commit_s) / copy_s, 1),
        "ratio_to_insert": round((preview_s + commit_s) / insert_s, 1),
        "preview_queries": preview_queries,
        "commit_queries": commit_queries,
    }
