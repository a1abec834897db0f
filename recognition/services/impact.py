"""Estimate the impact of every investment and group of investments, and store the estimates the pages read.

Run each night per tenant after the snapshot refresh (Celery beat), or on demand; it replaces every estimate of the
program in one transaction under the program's lock (``LOCK_INVESTMENT_IMPACT``), so two runs never interleave and a
page never sees half a refresh. Reads, in bulk: the investments, the partners' scorecard segment and tier, the monthly
scores (one COPY of the snapshot rows) and the deal-derived monthly pipeline and win rate; then
``recognition.domain.impact`` estimates each investment and each group:

- every MDF investment of a fiscal quarter (``mdf:FY2026-Q1``), every MDF investment of one activity type
  (``mdf-type:event``), every enablement investment of one programme (or category when it has none), every
  favourable-terms investment of one category; a group needs two investments or more.

Metrics: the partner's score and, from deals, pipeline created and win rate (when the program has deals). Each
estimate also carries the attribution of its investments (spend, and the pipeline opened and revenue won by the funded
partners in the post-period): shown beside the estimate, labelled as attribution, never as an effect.

Remediation plans are not estimated here: recognition may not import remediation (the house plan's layers).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import numpy as np
from django.db import transaction
from django.utils import timezone

from partnerhub.core.domain.periods import month_number, month_start
from partnerhub.core.models import Membership, Partner, Tenant
from partnerhub.core.rules import ensure_can
from partnerhub.core.services.program import ensure_same_tenant
from partnerhub.core.tenancy.sql import LOCK_INVESTMENT_IMPACT, tenant_xact_lock
from recognition.domain import impact as method
from recognition.domain.budgets import fiscal_label, fiscal_period_of
from recognition.models import ImpactEstimate, Investment
from recognition.selectors.allocation_tiers import partner_tiers
from scorecards.selectors.deal_metrics import deal_metrics_for_tenant
from scorecards.selectors.deals import won_revenue_by_partner_month
from scorecards.selectors.exchange_rates import exchange_rate_table
from scorecards.selectors.panels import monthly_score_rows, partner_scorecard_templates

METRICS: dict[str, str] = {
    "score": "Score (0-100)",
    "pipeline_created": "Pipeline created",
    "win_rate": "Win rate (%)",
}
DEAL_METRICS = ("pipeline_created", "win_rate")
MIN_GROUP = 2


@dataclass(frozen=True)
class ImpactRefresh:
    investments: int
    groups: int
    estimates: int
    causal: int
    directional: int
    not_estimated: int


@dataclass(frozen=True)
class _Inv:
    pk: int
    partner_id: int
    kind: str
    category: str
    program: str
    starts_on: date
    title: str
    partner_name: str
    spend: float | None  # in the reporting currency at the rate of its start date; None without a rate


def _investments(tenant: Tenant) -> list[_Inv]:
    rows = list(
        Investment.objects.for_tenant(tenant).values_list(
            "pk",
            "partner_id",
            "kind",
            "category",
            "program",
            "starts_on",
            "title",
            "partner__name",
            "value",
            "currency",
        )
    )
    table = exchange_rate_table(tenant=tenant) if any(r[-1] != tenant.currency for r in rows) else None
    out = []
    for pk, partner_id, kind, category, program, starts_on, title, name, value, currency in rows:
        rate = (
            1.0
            if currency == tenant.currency
            else (table.rate_on(currency, tenant.currency, starts_on) if table else None)
        )
        out.append(
            _Inv(
                pk,
                partner_id,
                kind,
                category,
                program,
                starts_on,
                title,
                name,
                None if rate is None else float(value) * rate,
            )
        )
    return out


def _groups(tenant: Tenant, investments: list[_Inv]) -> dict[str, tuple[str, str, list[_Inv]]]:
    """Group key -> (label, what it groups by, its investments); only groups of ``MIN_GROUP`` or more."""
    groups: dict[str, tuple[str, str, list[_Inv]]] = {}
    categories = dict(Investment.Category.choices)

    def add(key: str, label: str, by: str, inv: _Inv) -> None:
        groups.setdefault(key, (label, by, []))[2].append(inv)

    for inv in investments:
        if inv.kind == Investment.Kind.MDF:
            year, quarter = fiscal_period_of(inv.starts_on, tenant.fiscal_year_start)
            add(f"mdf:FY{year}-Q{quarter}", f"All MDF of {fiscal_label(year, quarter)}", "quarter", inv)
            add(
                f"mdf-type:{inv.category}",
                f"MDF for {str(categories.get(inv.category, inv.category)).lower()}",
                "activity_type",
                inv,
            )
        elif inv.kind == Investment.Kind.ENABLEMENT:
            name = inv.program or str(categories.get(inv.category, inv.category))
            add(f"enablement:{name.lower()[:90]}", f"Enablement: {name}", "programme", inv)
        else:
            add(f"terms:{inv.category}", f"Terms: {categories.get(inv.category, inv.category)}", "terms", inv)
    return {key: value for key, value in groups.items() if len(value[2]) >= MIN_GROUP}


def _panels(tenant: Tenant, partner_ids: np.ndarray, first: int, last: int) -> dict[str, np.ndarray]:
    """Metric -> a partners x months matrix (NaN where no value) from month ``first`` to ``last``."""
    index = {int(pid): i for i, pid in enumerate(partner_ids)}
    months = last - first + 1
    panels = {metric: np.full((len(partner_ids), months), np.nan) for metric in METRICS}
    scores = monthly_score_rows(tenant=tenant, since=month_start(first))
    keep = (scores.month <= last) & np.isin(scores.partner_id, partner_ids)
    rows = np.array([index[int(p)] for p in scores.partner_id[keep]], dtype=np.int64)
    panels["score"][rows, scores.month[keep] - first] = scores.score[keep]
    deals = deal_metrics_for_tenant(tenant=tenant, start=month_start(first), end=month_start(last))
    if not deals.empty:
        deals = deals[deals["metric"].isin(DEAL_METRICS) & deals["partner_id"].isin(index)]
        stamps = deals["month"]
        cols = (stamps.dt.year * 12 + stamps.dt.month - 1 - first).to_numpy()
        rows_d = deals["partner_id"].map(index).to_numpy()
        inside = (cols >= 0) & (cols < months)
        for metric in DEAL_METRICS:
            mask = inside & (deals["metric"] == metric).to_numpy()
            panels[metric][rows_d[mask], cols[mask]] = deals["value"].to_numpy()[mask]
    return panels


def _cells(tenant: Tenant, partner_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each partner's scorecard segment and tier as integer codes (equal codes: comparable partners).

    The segment is the scorecard the partner is scored on (``partner_scorecard_templates``): a template covers one
    partner type x lifecycle stage, or every segment without a template of its own, and only partners scored on the
    same scorecard have comparable scores. A partner with no score yet gets a code of its own (it is never a
    control, and has no pre-period anyway). The tier comes from ``partner_tiers``, the one place to switch it.
    """
    templates = partner_scorecard_templates(tenant=tenant)
    tiers = partner_tiers(tenant=tenant)
    tier_codes: dict[str, int] = {}
    segment = np.array([templates.get(int(pid), -1 - i) for i, pid in enumerate(partner_ids)], dtype=np.int64)
    tier = np.array(
        [tier_codes.setdefault(tiers.get(int(pid), ""), len(tier_codes)) for pid in partner_ids], dtype=np.int64
    )
    return segment, tier


def _seed(key: str, metric: str) -> int:
    return zlib.crc32(f"{key}|{metric}".encode())


def _money(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 2)))


@transaction.atomic
def impact_refresh(*, tenant: Tenant, today: date | None = None) -> ImpactRefresh:
    """Estimate every investment's and group's impact on each metric and replace the stored estimates.

    Runs inside the tenant's context (a task or request). The month under way is never a post month (scores cover
    complete months only). Deterministic: the same data give the same estimates.
    """
    tenant_xact_lock(LOCK_INVESTMENT_IMPACT, tenant)
    today = today or timezone.localdate()
    investments = _investments(tenant)
    ImpactEstimate.objects.for_tenant(tenant).delete()
    if not investments:
        return ImpactRefresh(0, 0, 0, 0, 0, 0)
    last = month_number(today) - 1  # the last complete month
    first = min(month_number(inv.starts_on) for inv in investments) - method.PRE
    first = min(first, last)
    partner_ids = np.array(sorted(Partner.objects.for_tenant(tenant).values_list("pk", flat=True)), dtype=np.int64)
    segment, tier = _cells(tenant, partner_ids)
    row_of = {int(pid): i for i, pid in enumerate(partner_ids)}
    panels = _panels(tenant, partner_ids, first, last)
    treatments = [
        method.Treatment(f"investment:{inv.pk}", row_of[inv.partner_id], month_number(inv.starts_on), inv.kind)
        for inv in investments
    ]
    groups = _groups(tenant, investments)
    won = won_revenue_by_partner_month(tenant=tenant, start=month_start(first), end=today)
    attribution = _attribution(investments, panels["pipeline_created"], won, row_of, first, last)
    now = timezone.now()
    rows: list[ImpactEstimate] = []
    for metric in METRICS:
        if metric != "score" and np.isnan(panels[metric]).all():
            continue  # a program without deals has no deal metric to estimate: nothing stored, nothing shown
        panel = method.Panel(partner_ids, first, panels[metric], segment, tier)
        units = method.estimate_all(panel, treatments)
        for inv in investments:
            key = f"investment:{inv.pk}"
            estimate = method.estimate_group(units, [key], seed=_seed(key, metric))
            rows.append(
                _row(
                    tenant,
                    key,
                    f"{inv.title} ({inv.partner_name})",
                    "",
                    inv.pk,
                    metric,
                    estimate,
                    panel,
                    now,
                    attribution,
                    [inv],
                )
            )
        for key, (label, by, members) in groups.items():
            estimate = method.estimate_group(units, [f"investment:{m.pk}" for m in members], seed=_seed(key, metric))
            rows.append(_row(tenant, key, label, by, None, metric, estimate, panel, now, attribution, members))
    ImpactEstimate.objects.bulk_create(rows, batch_size=2000)
    verdicts = [r.verdict for r in rows]
    return ImpactRefresh(
        investments=len(investments),
        groups=len(groups),
        estimates=len(rows),
        causal=verdicts.count(ImpactEstimate.Verdict.CAUSAL),
        directional=verdicts.count(ImpactEstimate.Verdict.DIRECTIONAL),
        not_estimated=verdicts.count(ImpactEstimate.Verdict.NOT_ESTIMATED),
    )


def _attribution(
    investments: list[_Inv],
    pipeline: np.ndarray,
    won: dict[tuple[int, int], float],
    row_of: dict[int, int],
    first: int,
    last: int,
) -> dict[int, tuple[float | None, float, float]]:
    """Investment pk -> (spend, pipeline opened, revenue won) by its partner in its post-period, reporting currency."""
    out: dict[int, tuple[float | None, float, float]] = {}
    for inv in investments:
        start = month_number(inv.starts_on)
        months = [m for m in range(start, start + method.POST) if first <= m <= last]
        cols = np.array([m - first for m in months], dtype=np.int64)
        opened = float(np.nansum(pipeline[row_of[inv.partner_id], cols])) if len(cols) else 0.0
        won_total = sum(won.get((inv.partner_id, m), 0.0) for m in months)
        out[inv.pk] = (inv.spend, opened, won_total)
    return out


def _row(
    tenant: Tenant,
    key: str,
    label: str,
    by: str,
    investment_id: int | None,
    metric: str,
    estimate: method.Estimate,
    panel: method.Panel,
    now: datetime,
    attribution: dict[int, tuple[float | None, float, float]],
    members: list[_Inv],
) -> ImpactEstimate:
    spends = [attribution[m.pk][0] for m in members]
    spend = None if any(s is None for s in spends) else sum(s for s in spends if s is not None)
    return ImpactEstimate(
        tenant=tenant,
        subject_key=key[:120],
        subject_label=label[:200],
        subject_kind=by,
        investment_id=investment_id,
        metric=metric,
        effect=estimate.effect,
        ci_low=estimate.ci_low,
        ci_high=estimate.ci_high,
        n_treated=estimate.n_treated,
        n_controls=estimate.n_controls,
        pre_periods=estimate.pre_periods,
        post_periods=estimate.post_periods,
        placebo_effect=estimate.placebo,
        placebo_low=estimate.placebo_low,
        placebo_high=estimate.placebo_high,
        verdict=estimate.verdict,
        reason=estimate.reason,
        spend=_money(spend),
        attributed_pipeline=_money(sum(attribution[m.pk][1] for m in members)),
        attributed_won=_money(sum(attribution[m.pk][2] for m in members)),
        currency=tenant.currency,
        series=_series(panel, estimate, metric),
        computed_at=now,
    )


def _series(panel: method.Panel, estimate: method.Estimate, metric: str) -> dict[str, object]:
    if not estimate.units or metric != "score":
        return {}
    data: dict[str, object] = dict(method.series(panel, estimate.units))
    if len(estimate.units) == 1:
        start = estimate.units[0].start + panel.first_month
        data["months"] = [month_start(start + int(o)).isoformat() for o in method.series_offsets()]
    return data


def impact_refresh_request(*, tenant: Tenant, actor: Membership) -> None:
    """Queue a re-estimate of the program's impact after commit (managers and admins)."""
    ensure_same_tenant(tenant, actor)
    ensure_can(actor, "investments.record")
    from recognition.tasks.impact import impact_refresh_task

    transaction.on_commit(lambda: impact_refresh_task.delay(tenant_id=tenant.pk))
