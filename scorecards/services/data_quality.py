"""Writes of data quality: a run of the checks (findings upserted in bulk) and a person resolving one finding.

A run is idempotent: it reads the glossary, the observations and the deals once, runs the four checks of
``scorecards.domain.data_quality``, and then writes only what changed, in bulk:

- a finding detected for the first time is created (open);
- an open finding detected again keeps its row; its sentence and owner are refreshed when they changed;
- an open finding no longer detected is resolved (``resolved_at``), except an outlier of a month the run did not
  judge (outliers are judged for the last 3 months only: older ones stay as they are until a person resolves them);
- a finding the checks resolved earlier is reopened when detected again;
- a finding a person resolved stays resolved while the checks find the same thing (same sentence, so the same
  numbers); it reopens when the numbers change. "A person resolved it" is read from the audit entry that
  ``finding_resolve`` writes with the same timestamp as ``resolved_at``.

The owner of a finding is the partner's data steward, else the metric's data owner. Runs of one tenant are
serialised by a transaction-level advisory lock, so the nightly run and a post-import run never interleave.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import Any

import pandas as pd
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from partnerhub.core.domain.periods import month_start
from partnerhub.core.errors import InvalidStateError
from partnerhub.core.models import AuditEntry, Membership, Tenant
from partnerhub.core.rules import ensure_can
from partnerhub.core.services.program import ensure_same_tenant
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.core.tenancy.sql import LOCK_DATA_QUALITY, tenant_xact_lock
from scorecards.domain.data_quality import Kind, run_checks
from scorecards.domain.deal_duplicates import DealFacts, finding_detail, pair_month
from scorecards.models import DataQualityFinding
from scorecards.selectors.data_quality import metric_frame, observation_frame, partner_data_stewards
from scorecards.selectors.deal_duplicates import deal_duplicate_pairs
from scorecards.selectors.deal_metrics import deal_metrics_for_tenant

Finding = DataQualityFinding
Key = tuple[int, int | None, str, date]  # partner, metric, kind, month: the natural key within a tenant

MANUAL_RESOLUTION = "manual"
UPSERT_FIELDS = ["detail", "owner", "status", "resolved_at", "updated_at"]


@dataclass(frozen=True)
class QualityRunResult:
    """What one run did, in counts; ``open_by_kind`` is the state after the run."""

    created: int = 0
    updated: int = 0
    reopened: int = 0
    unchanged: int = 0
    acknowledged: int = 0  # found again, but resolved by a person and with the same numbers: left resolved
    resolved: int = 0
    open_by_kind: dict[str, int] = field(default_factory=dict)
    reference_month: date | None = None

    @property
    def open(self) -> int:
        return sum(self.open_by_kind.values())

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly form (a task's result)."""
        data = asdict(self)
        data["open"] = self.open
        data["reference_month"] = self.reference_month.isoformat() if self.reference_month else None
        return data


@dataclass(frozen=True)
class _Existing:
    id: int
    detail: str
    owner_id: int | None
    status: str
    resolved_at: datetime | None


def data_quality_run(*, tenant: Tenant, today: date | None = None) -> QualityRunResult:
    """Run the four data-quality checks for ``tenant`` and bring its findings up to date (see the module docstring).

    ``today`` (default: today in UTC) decides staleness and which month is complete. Running twice changes
    nothing. The number of queries does not depend on the number of partners, metrics or findings.
    """
    today = today or timezone.now().date()
    with tenant_context(tenant):  # one transaction, both walls
        tenant_xact_lock(LOCK_DATA_QUALITY, tenant)
        metrics = metric_frame(tenant=tenant)
        observations = observation_frame(tenant=tenant)
        outcome = run_checks(observations, metrics, deal_metrics_for_tenant(tenant=tenant), today=today)
        found = outcome.findings
        duplicates = _duplicate_findings(tenant)
        partner_ids = set(found["partner_id"].tolist()) | {key[0] for key in duplicates}
        stewards = partner_data_stewards(tenant=tenant, partner_ids=partner_ids)
        data_owners = {
            int(metric_id): None if pd.isna(owner_id) else int(owner_id)
            for metric_id, owner_id in zip(metrics["metric_id"], metrics["data_owner_id"], strict=True)
        }
        wanted: dict[Key, tuple[str, int | None]] = {}
        for partner_id, metric_id, kind, month, detail in found.itertuples(index=False, name=None):
            owner = stewards.get(int(partner_id)) or data_owners.get(int(metric_id))
            wanted[(int(partner_id), int(metric_id), str(kind), month_start(int(month)))] = (str(detail), owner)
        for key, detail in duplicates.items():
            wanted[key] = (detail, stewards.get(key[0]))
        outlier_from = month_start(min(outcome.outlier_months)) if outcome.outlier_months else None
        result = _apply(tenant=tenant, wanted=wanted, outlier_from=outlier_from, now=timezone.now())
    reference = month_start(outcome.reference_month) if outcome.reference_month is not None else None
    return replace(result, reference_month=reference)


def _duplicate_findings(tenant: Tenant) -> dict[Key, str]:
    """Likely duplicate deals from two sources: one finding per partner and month, naming each pair."""
    by_key: dict[Key, list[tuple[DealFacts, DealFacts]]] = {}
    for pair in deal_duplicate_pairs(tenant=tenant):
        by_key.setdefault((pair[0].partner_id, None, Kind.DUPLICATE, pair_month(pair)), []).append(pair)
    return {key: finding_detail(pairs) for key, pairs in by_key.items()}


def _existing(tenant: Tenant, wanted: dict[Key, tuple[str, int | None]]) -> dict[Key, _Existing]:
    """Open findings, and the resolved ones a wanted key may reopen (a superset of them), in one query."""
    condition = Q(status=Finding.Status.OPEN)
    if wanted:
        condition |= Q(partner_id__in={key[0] for key in wanted}, month__gte=min(key[3] for key in wanted))
    rows = (
        Finding.objects.for_tenant(tenant)
        .filter(condition)
        .values_list("id", "partner_id", "metric_id", "kind", "month", "detail", "owner_id", "status", "resolved_at")
    )
    return {
        (partner_id, metric_id, kind, month): _Existing(pk, detail, owner_id, status, resolved_at)
        for pk, partner_id, metric_id, kind, month, detail, owner_id, status, resolved_at in rows
    }


def _judged(key: Key, outlier_from: date | None) -> bool:
    """Whether this run judged the key: every key, but outliers only for the months checked."""
    return key[2] != Kind.OUTLIER or (outlier_from is not None and key[3] >= outlier_from)


def _resolved_by_hand(tenant: Tenant, candidates: list[_Existing]) -> set[int]:
    """Which resolved findings a person resolved (their last resolution was ``finding_resolve``), in one query."""
    if not candidates:
        return set()
    resolved_at = {c.id: c.resolved_at for c in candidates}
    rows = (
        AuditEntry.objects.for_tenant(tenant)
        .filter(
            content_type=ContentType.objects.get_for_model(Finding),
            object_id__in=list(resolved_at),
            additional_data__resolution=MANUAL_RESOLUTION,
        )
        .values_list("object_id", "timestamp")
    )
    # object_id is nullable on audit rows, but the object_id__in filter above leaves none that are null.
    return {object_id for object_id, timestamp in rows if object_id is not None and timestamp == resolved_at[object_id]}


def _apply(
    *, tenant: Tenant, wanted: dict[Key, tuple[str, int | None]], outlier_from: date | None, now: datetime
) -> QualityRunResult:
    existing = _existing(tenant, wanted)
    resolved_candidates = [existing[k] for k in wanted if k in existing and existing[k].status != Finding.Status.OPEN]
    by_hand = _resolved_by_hand(tenant, resolved_candidates)
    upserts: list[Finding] = []
    counts: Counter[str] = Counter()
    open_keys: set[Key] = set()
    for key, (detail, owner_id) in wanted.items():
        row = existing.get(key)
        if row is None:
            action = "created"
        elif row.status == Finding.Status.OPEN:
            action = "unchanged" if (row.detail, row.owner_id) == (detail, owner_id) else "updated"
        elif row.id in by_hand and row.detail == detail:
            counts["acknowledged"] += 1  # a person resolved it and nothing changed since: it stays resolved
            continue
        else:
            action = "reopened"
        counts[action] += 1
        open_keys.add(key)
        if action != "unchanged":
            partner_id, metric_id, kind, month = key
            upserts.append(
                Finding(
                    tenant=tenant,
                    partner_id=partner_id,
                    metric_id=metric_id,
                    kind=kind,
                    month=month,
                    detail=detail,
                    owner_id=owner_id,
                    status=Finding.Status.OPEN,
                    resolved_at=None,
                    created_at=now,
                    updated_at=now,
                )
            )
    gone = [(key, row) for key, row in existing.items() if row.status == Finding.Status.OPEN and key not in wanted]
    to_resolve = [row.id for key, row in gone if _judged(key, outlier_from)]
    open_keys |= {key for key, _ in gone if not _judged(key, outlier_from)}
    if upserts:
        Finding.objects.bulk_create(
            upserts,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["tenant", "partner", "metric", "kind", "month"],
            update_fields=UPSERT_FIELDS,
        )
    if to_resolve:
        Finding.objects.for_tenant(tenant).filter(pk__in=to_resolve).update(
            status=Finding.Status.RESOLVED, resolved_at=now, updated_at=now
        )
    open_by_kind = dict.fromkeys(Kind.values, 0)
    open_by_kind.update(Counter(key[2] for key in open_keys))
    return QualityRunResult(
        created=counts["created"],
        updated=counts["updated"],
        reopened=counts["reopened"],
        unchanged=counts["unchanged"],
        acknowledged=counts["acknowledged"],
        resolved=len(to_resolve),
        open_by_kind=open_by_kind,
    )


def finding_resolve(*, tenant: Tenant, actor: Membership, finding: DataQualityFinding) -> DataQualityFinding:
    """Close one open finding by hand (a manager or admin accepts or has fixed the data); audited.

    It stays resolved while the checks keep finding the same numbers, and reopens if they change.
    """
    ensure_same_tenant(tenant, actor, finding)
    ensure_can(actor, "quality.change")
    with tenant_context(tenant):
        tenant_xact_lock(LOCK_DATA_QUALITY, tenant)  # after a run in progress, never during it
        finding.refresh_from_db(fields=["status", "resolved_at"])
        if finding.status != Finding.Status.OPEN:
            raise InvalidStateError("This finding is already resolved.", code="finding_resolved")
        now = timezone.now()
        finding.status, finding.resolved_at = Finding.Status.RESOLVED, now
        finding.save(update_fields=["status", "resolved_at", "updated_at"])
        AuditEntry.objects.create(
            tenant=tenant,
            content_type=ContentType.objects.get_for_model(Finding),
            object_pk=str(finding.pk),
            object_id=finding.pk,
            object_repr=str(finding)[:200],
            action=LogEntry.Action.UPDATE,
            actor=actor.user,
            actor_email=actor.user.email,
            timestamp=now,
            changes_text="Data-quality finding resolved by hand",
            changes={"status": [Finding.Status.OPEN.value, Finding.Status.RESOLVED.value]},
            additional_data={"resolution": MANUAL_RESOLUTION},
        )
    return finding
