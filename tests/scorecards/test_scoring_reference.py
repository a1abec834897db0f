"""The engine against an independent re-computation: SCORING.md followed by hand, in plain Python with Decimal.

The fixture is a small program written as plain data (``PARTNERS``, ``VERSIONS``, ``values``, ``DEALS``,
``FINDINGS``); the test writes it to the database, runs ``snapshot_refresh``, and compares every field of every
stored snapshot (months and quarters) with ``reference``, which reads the same plain data and never calls the engine.
It covers higher and lower is better, the cap, a negative actual, an actual of 0 for lower-is-better, missing items,
insufficient data, normalisation by size factor, targets by tier, stage and both, a segment template and the
default one, a version change mid-way (and a draft that must be ignored), quarter targets and actuals for sum,
average and last metrics, a deal-derived metric (win rate), ties in percentile, a partner alone in its segment, an
admin-set baseline month, open and resolved data-quality findings, and a month still under way (ignored).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from partnerhub.core.tenancy.context import tenant_context
from scorecards.domain.trend import trend_verdict
from scorecards.models import DataQualityFinding, Deal, Observation, ScorecardSnapshot
from scorecards.services.snapshots import snapshot_refresh
from tests.factories import PartnerFactory
from tests.scorecards.factories import MetricFactory, TemplateFactory, build_version

pytestmark = pytest.mark.django_db

TODAY = date(2025, 10, 20)  # October is under way: September is the last month scored
MONTHS = [date(2025, m, 1) for m in range(1, 10)]
Q = Decimal("0.0001")

METRICS = {
    "revenue": ("higher", "sum", False),
    "cycle": ("lower", "average", False),
    "csat": ("higher", "last", False),
    "pipeline": ("higher", "sum", False),
    "escalations": ("lower", "sum", False),
    "win_rate": ("higher", "average", True),
}

# partner: (type, stage, tier, size factor, baseline month)
PARTNERS = {
    "A": ("reseller", "growth", "gold", "1", None),
    "B": ("reseller", "growth", "silver", "1", None),
    "C": ("reseller", "growth", "silver", "1", None),  # the same data as B: a tie
    "D": ("si", "mature", "platinum", "2", None),
    "E": ("si", "mature", "gold", "0.5", None),
    "F": ("si", "onboarding", "registered", "1.5", date(2025, 3, 1)),  # alone in its segment; admin baseline
    "G": ("msp", "growth", "gold", "1", None),  # no data at all: no snapshot
}

# TEMPLATES: name -> type, stage and whether it is the default. VERSIONS: template name, number, effective date,
# status, thresholds and items; an item is its metric, weight, normalisation and targets by (tier, stage).
REVENUE_TARGETS = {("", ""): 100, ("gold", ""): 120, ("", "mature"): 110, ("platinum", "mature"): 150}
DEFAULT_THRESHOLDS = {"cap": 150, "green_at": 100, "amber_at": 80, "score_green_at": 80, "score_amber_at": 60}
TEMPLATES = {"default": ("", "", True), "growth resellers": ("reseller", "growth", False)}
VERSIONS = [
    (
        "default",
        1,
        date(2025, 1, 1),
        "retired",
        DEFAULT_THRESHOLDS,
        [
            ("revenue", 40, False, REVENUE_TARGETS),
            ("cycle", 20, False, {("", ""): 30, ("", "mature"): 25}),
            ("csat", 20, False, {("", ""): 4}),
            ("pipeline", 20, True, {("", ""): 50, ("gold", ""): 60}),
        ],
    ),
    (
        "default",
        2,
        date(2025, 4, 1),
        "active",
        {"cap": 130, "green_at": 95, "amber_at": 75, "score_green_at": 75, "score_amber_at": 55},
        [
            ("revenue", 30, False, {("", ""): 100, ("platinum", ""): 140}),
            ("cycle", 20, False, {("", ""): 28}),
            ("csat", 10, False, {("", ""): "4.5"}),
            ("pipeline", 20, True, {("", ""): 55}),
            ("escalations", 20, False, {("", ""): 2}),
        ],
    ),
    ("default", 3, date(2025, 7, 1), "draft", DEFAULT_THRESHOLDS, [("revenue", 100, False, {("", ""): 1})]),
    (
        "growth resellers",
        1,
        date(2025, 1, 1),
        "active",
        DEFAULT_THRESHOLDS,
        [
            ("revenue", 50, False, {("", ""): 80, ("gold", ""): 90, ("gold", "growth"): 95}),
            ("win_rate", 30, False, {("", ""): 40}),
            ("escalations", 20, False, {("", ""): 3}),
        ],
    ),
]

# deals: (partner, created, closed, status); B and C have the same deals
_DEALS = [
    (date(2024, 12, 10), date(2025, 1, 20), "won"),
    (date(2025, 1, 5), date(2025, 1, 25), "lost"),
    (date(2025, 1, 8), date(2025, 2, 14), "won"),
    (date(2025, 2, 1), date(2025, 4, 3), "lost"),
    (date(2025, 3, 1), date(2025, 4, 28), "won"),
    (date(2025, 5, 1), date(2025, 7, 9), "won"),
    (date(2025, 6, 1), date(2025, 8, 19), "lost"),
    (date(2025, 6, 2), None, "open"),
]
DEALS = [("A", *d) for d in _DEALS[:6]] + [(p, *d) for p in ("B", "C") for d in _DEALS[2:]]

# Data-quality findings: the partner, the metric if any, the kind, month, sentence and status of each.
FINDINGS = [
    ("D", None, "stale", date(2025, 5, 1), "Stale source: the CRM export is 60 days old.", "open"),
    ("D", "revenue", "outlier", date(2025, 6, 1), "Revenue is far from its history.", "resolved"),
    ("A", "revenue", "outlier", date(2025, 8, 1), "Revenue of 400 is far above its usual 120.", "open"),
    ("A", "revenue", "missing", date(2025, 8, 1), "A second finding of the same month.", "open"),
]


def values() -> dict[tuple[str, str, date], Decimal]:
    """Every observation of the fixture: (partner, metric key, month) -> value."""
    out: dict[tuple[str, str, date], Decimal] = {}
    for i, month in enumerate(MONTHS):
        for name, revenue in (("A", 110 + 12 * i), ("B", 70 + 3 * i), ("C", 70 + 3 * i)):
            out[(name, "revenue", month)] = Decimal(revenue)
            out[(name, "escalations", month)] = Decimal(i % 3)
        out[("A", "revenue", date(2025, 8, 1))] = Decimal("400.5")  # over the cap
        for name, scale in (("D", Decimal(1)), ("F", Decimal("0.8"))):
            out[(name, "revenue", month)] = scale * (150 - 4 * i) + Decimal("0.3333")
            out[(name, "cycle", month)] = Decimal(24 + (i * 7) % 9) / scale
            out[(name, "csat", month)] = Decimal("3.8") + Decimal(i) / 20
            out[(name, "pipeline", month)] = Decimal(90 + 5 * i) * scale
            out[(name, "escalations", month)] = Decimal((i * 5) % 4)
        if month >= date(2025, 3, 1):  # E starts in March, with two metrics only
            out[("E", "revenue", month)] = Decimal(100 + 2 * i)
            out[("E", "csat", month)] = Decimal("4.25")
        if month >= date(2025, 7, 1):
            out[("E", "pipeline", month)] = Decimal(30 + i)
    out[("D", "revenue", date(2025, 2, 1))] = Decimal(-5)  # a negative actual: attainment 0
    out[("D", "cycle", date(2025, 4, 1))] = Decimal(0)  # lower is better at 0: the cap
    del out[("F", "cycle", date(2025, 5, 1))]  # a missing item
    del out[("F", "csat", date(2025, 8, 1))]  # the last month with data stands for the quarter
    out[("A", "revenue", date(2025, 10, 1))] = Decimal(999)  # the month under way: ignored
    return out


@pytest.fixture
def program(tenant):
    metrics = {
        key: MetricFactory(
            tenant=tenant,
            key=key,
            name=key.replace("_", " ").capitalize(),
            direction=direction,
            aggregation=aggregation,
            derived_from_deals=derived,
        )
        for key, (direction, aggregation, derived) in METRICS.items()
    }
    partners = {
        name: PartnerFactory(
            tenant=tenant,
            name=f"Partner {name}",
            partner_type=kind,
            stage=stage,
            tier=tier,
            size_factor=Decimal(size),
            baseline_month=baseline,
        )
        for name, (kind, stage, tier, size, baseline) in PARTNERS.items()
    }
    templates = {
        name: TemplateFactory(tenant=tenant, name=name, partner_type=kind, stage=stage, is_default=default)
        for name, (kind, stage, default) in TEMPLATES.items()
    }
    versions = {}
    for template, number, effective, status, thresholds, items in VERSIONS:
        versions[(template, number)] = build_version(
            templates[template],
            number=number,
            effective_from=effective,
            status=status,
            items=[(metrics[key], weight, normalise, targets) for key, weight, normalise, targets in items],
            **thresholds,
        )
    with tenant_context(tenant):
        Observation.objects.bulk_create(
            Observation(tenant=tenant, partner=partners[p], metric=metrics[key], month=month, value=value)
            for (p, key, month), value in values().items()
        )
        Deal.objects.bulk_create(
            Deal(
                tenant=tenant,
                partner=partners[p],
                external_id=f"D-{i}",
                amount=Decimal(1000),
                created_on=created,
                close_date=closed,
                status=status,
            )
            for i, (p, created, closed, status) in enumerate(DEALS)
        )
        DataQualityFinding.objects.bulk_create(
            DataQualityFinding(
                tenant=tenant,
                partner=partners[p],
                metric=metrics[key] if key else None,
                kind=kind,
                month=month,
                detail=detail,
                status=status,
            )
            for p, key, kind, month, detail, status in FINDINGS
        )
    return {"metrics": metrics, "partners": partners, "versions": versions}


# --- the reference: SCORING.md by hand ---


def r4(value: Decimal) -> Decimal:
    return value.quantize(Q, rounding=ROUND_HALF_UP)


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def first_of(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def win_rates(partner: str, months: list[date]) -> Decimal | None:
    closed = [d for d in DEALS if d[0] == partner and d[3] in ("won", "lost") and d[2] is not None]
    inside = [d for d in closed if date(d[2].year, d[2].month, 1) in months]
    if not inside:
        return None
    return Decimal(100) * sum(1 for d in inside if d[3] == "won") / len(inside)


def actual_of(partner: str, key: str, months: list[date], data: dict) -> Decimal | None:
    _, aggregation, derived = METRICS[key]
    if derived:
        return win_rates(partner, months)
    found = [data[(partner, key, m)] for m in months if (partner, key, m) in data]
    if not found:
        return None
    if aggregation == "sum":
        return sum(found, Decimal(0))
    if aggregation == "average":
        return sum(found, Decimal(0)) / len(found)
    return found[-1]


def template_of(partner: str) -> str | None:
    kind, stage = PARTNERS[partner][:2]
    for wanted in ((kind, stage), (kind, ""), ("", stage), ("", "")):
        for name, (t_kind, t_stage, _) in TEMPLATES.items():
            if (t_kind, t_stage) == wanted:
                return name
    return None


def version_for(partner: str, last_day_index: int) -> tuple[str, int] | None:
    def latest(template: str | None) -> tuple[str, int] | None:
        usable = [
            (effective, number)
            for name, number, effective, status, _, _ in VERSIONS
            if name == template and status in ("active", "retired") and month_index(effective) <= last_day_index
        ]
        return (template, max(usable)[1]) if usable and template else None

    default = next(name for name, (_, _, is_default) in TEMPLATES.items() if is_default)
    return latest(template_of(partner)) or latest(default)


def target_for(rules: dict, tier: str, stage: str) -> Decimal | None:
    for wanted in ((tier, stage), (tier, ""), ("", stage), ("", "")):
        if wanted in rules:
            return Decimal(str(rules[wanted]))
    return None


def score_one(partner: str, version: tuple[str, int], months: list[date], quarter: bool, data: dict) -> dict:
    _, _, tier, size, _ = PARTNERS[partner]
    stage = PARTNERS[partner][1]
    spec = next(v for v in VERSIONS if (v[0], v[1]) == version)
    th = {k: Decimal(str(v)) for k, v in spec[4].items()}
    items, points, weights_present, total_weight = [], Decimal(0), Decimal(0), Decimal(0)
    missing_names = []
    for key, weight, normalise, rules in spec[5]:
        weight = Decimal(weight)
        total_weight += weight
        target = target_for(rules, tier, stage)
        if target is not None and quarter and METRICS[key][1] == "sum":
            target *= 3
        actual = actual_of(partner, key, months, data)
        item = {"metric": key, "weight": weight, "target": target, "actual": actual, "normalised": None}
        if actual is None or target is None:
            item.update(attainment=None, points=None, rag="", missing=True)
            missing_names.append((key, target is None))
        else:
            value = actual / Decimal(size) if normalise else actual
            if normalise:
                item["normalised"] = value
            if METRICS[key][0] == "higher":
                a = Decimal(0) if value < 0 else 100 * value / target
            else:
                a = th["cap"] if value <= 0 else 100 * target / value
            a = r4(min(a, th["cap"]))
            p = weight * min(a, Decimal(100)) / 100
            rag = "green" if a >= th["green_at"] else "amber" if a >= th["amber_at"] else "red"
            item.update(attainment=a, points=p, rag=rag, missing=False)
            points += p
            weights_present += weight
        items.append(item)
    score = r4(100 * points / weights_present) if weights_present >= 50 else None
    rag = ""
    if score is not None:
        rag = "green" if score >= th["score_green_at"] else "amber" if score >= th["score_amber_at"] else "red"
    reasons = []
    if score is None:
        reasons.append(
            f"Insufficient data: the metrics with data weigh {float(weights_present):g} of {float(total_weight):g}, "
            "under the 50 a score needs."
        )
    for key, no_target in missing_names:
        name = key.replace("_", " ").capitalize()
        missing_text = (
            f"No target for {name} at tier {tier} and stage {stage}." if no_target else f"No data for {name}."
        )
        reasons.append(missing_text)
    for month in months:
        for p, _, _, f_month, detail, status in sorted(FINDINGS, key=lambda f: (f[3], f[2])):
            if p == partner and f_month == month and status == "open" and detail not in reasons:
                reasons.append(detail)
    return {"version": version, "score": score, "rag": rag, "items": items, "dq_reasons": reasons}


def reference() -> dict[tuple[str, str, date], dict[str, Any]]:
    data = {k: v for k, v in values().items() if k[2] < date(TODAY.year, TODAY.month, 1)}
    scored_keys = {k for k in METRICS if not METRICS[k][2]}
    data_months = [m for (_, key, m) in data if key in scored_keys]
    deal_months = [d[1] for d in DEALS] + [d[2] for d in DEALS if d[3] in ("won", "lost")]
    last = max(month_index(m) for m in data_months + [d for d in deal_months if d < date(2025, 10, 1)])
    out: dict[tuple[str, str, date], dict[str, Any]] = {}
    for partner in PARTNERS:
        own = [month_index(m) for (p, _, m) in data if p == partner]
        own += [month_index(d[2]) for d in DEALS if d[0] == partner and d[3] in ("won", "lost") and d[2]]
        if not own:
            continue
        first = min(own)
        for index in range(first, last + 1):
            version = version_for(partner, index)
            if version:
                out[(partner, "month", first_of(index))] = score_one(partner, version, [first_of(index)], False, data)
        for start in range(first - first % 3, last - last % 3 + 1, 3):
            version = version_for(partner, start + 2)
            if version:
                months = [first_of(start + j) for j in range(3)]
                out[(partner, "quarter", first_of(start))] = score_one(partner, version, months, True, data)
    # percentile in segment, change vs previous, baseline, trend: from the rounded scores
    for (partner, period, start), snap in out.items():
        segment = PARTNERS[partner][:2]
        peers = [
            other["score"]
            for (p, per, st), other in out.items()
            if per == period and st == start and PARTNERS[p][:2] == segment and other["score"] is not None
        ]
        if snap["score"] is None:
            snap["percentile"] = None
        else:
            below = sum(1 for s in peers if s < snap["score"])
            equal = sum(1 for s in peers if s == snap["score"])
            snap["percentile"] = r4(Decimal(100) * (below + Decimal("0.5") * equal) / len(peers))
        step = 3 if period == "quarter" else 1
        previous = out.get((partner, period, first_of(month_index(start) - step)))
        both = previous is not None and previous["score"] is not None and snap["score"] is not None
        snap["change_previous"] = snap["score"] - previous["score"] if both else None
        monthly = sorted((st, s["score"]) for (p, per, st), s in out.items() if p == partner and per == "month")
        chosen = PARTNERS[partner][4]
        if chosen is not None:
            baseline = dict(monthly).get(chosen)
        else:
            firsts = [s for _, s in monthly if s is not None][:3]
            baseline = sum(firsts) / 3 if len(firsts) == 3 else None
        snap["change_baseline"] = (
            r4(snap["score"] - baseline) if baseline is not None and snap["score"] is not None else None
        )
        history = sorted(
            (st, s["score"]) for (p, per, st), s in out.items() if p == partner and per == period and st <= start
        )
        verdict = trend_verdict([None if s is None else float(s) for _, s in history], period=period)
        snap["trend"], snap["trend_explanation"] = verdict.verdict, verdict.explanation
    return out


# --- the comparison ---


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(r4(value))


def test_the_engine_agrees_with_the_reference_on_every_field_of_every_snapshot(tenant, program):
    snapshot_refresh(tenant=tenant, today=TODAY)
    expected = reference()
    names = {p.pk: name for name, p in program["partners"].items()}
    metric_ids = {key: m.pk for key, m in program["metrics"].items()}
    with tenant_context(tenant):
        stored = {(names[s.partner_id], s.period, s.period_start): s for s in ScorecardSnapshot.objects.all()}

    assert sorted(stored) == sorted(expected)
    mismatches: dict[str, list[Any]] = defaultdict(list)
    for key, want in expected.items():
        got = stored[key]
        fields = {
            "template_version_id": (got.template_version_id, program["versions"][want["version"]].pk),
            "score": (got.score, want["score"]),
            "rag": (got.rag, want["rag"]),
            "percentile": (got.percentile, want["percentile"]),
            "change_previous": (got.change_previous, want["change_previous"]),
            "change_baseline": (got.change_baseline, want["change_baseline"]),
            "trend": (got.trend, want["trend"]),
            "trend_explanation": (got.trend_explanation, want["trend_explanation"]),
            "dq_flag": (got.dq_flag, bool(want["dq_reasons"])),
            "dq_reasons": (got.dq_reasons, want["dq_reasons"]),
            "items": (
                got.items,
                [
                    {
                        "metric_id": metric_ids[item["metric"]],
                        "weight": float(item["weight"]),
                        "target": _float(item["target"]),
                        "actual": _float(item["actual"]),
                        "normalised": _float(item["normalised"]),
                        "attainment": _float(item["attainment"]),
                        "points": _float(item["points"]),
                        "rag": item["rag"],
                        "missing": item["missing"],
                    }
                    for item in want["items"]
                ],
            ),
        }
        for field, (actual, wanted) in fields.items():
            if actual != wanted:
                mismatches[field].append((key, actual, wanted))
    assert dict(mismatches) == {}


def test_the_fixture_exercises_what_it_claims(tenant, program):
    snapshot_refresh(tenant=tenant, today=TODAY)
    with tenant_context(tenant):
        snapshots = list(ScorecardSnapshot.objects.all())
    items = [item for s in snapshots for item in s.items]
    versions = {s.template_version_id for s in snapshots}
    assert {v.pk for k, v in program["versions"].items() if k != ("default", 3)} == versions
    assert any(s.score is None and s.dq_reasons[0].startswith("Insufficient data") for s in snapshots)
    assert any(item["attainment"] == 150.0 for item in items)  # the cap
    assert any(item["attainment"] == 0.0 and not item["missing"] for item in items)  # a negative actual
    assert any(item["normalised"] is not None for item in items)
    assert any(s.percentile == Decimal(50) and s.partner_id == program["partners"]["F"].pk for s in snapshots)
    ties = [s for s in snapshots if s.partner_id in (program["partners"]["B"].pk, program["partners"]["C"].pk)]
    assert len({(s.period, s.period_start, s.score, s.percentile) for s in ties}) == len(ties) // 2
    assert any(s.trend in ("improving", "declining", "stable") for s in snapshots)
    assert not any(s.period_start >= date(2025, 10, 1) for s in snapshots)
    assert not any(s.partner_id == program["partners"]["G"].pk for s in snapshots)
