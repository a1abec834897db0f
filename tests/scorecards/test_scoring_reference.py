"""The engine against an independent re-computation: SCORING.md followed by hand, in plain Python with Decimal.

The fixture is a small program written as plain data (``PARTNERS``, ``VERSIONS``, ``values``, ``DEALS``,
``FINDINGS``); the test writes it to the database, runs ``snapshot_refresh``, and compares every field of every
stored snapshot (months and quarters) with ``reference``, which reads the same plain data and never calls the engine.
It covers higher and lower is better, the cap, a negative actual, an actual of 0 for lower-is-better, missing items,
insufficient data, normalisation by size factor, targets by tier, stage and both, a segment template and the
default one, a version change mid-way (and a draft that must be ignored), quarter targets and actuals for sum,
average and last metrics, a deal-derived metric (win rate), ties in percentile, a partner alone in its segment, an
admin-set baseline month, open and resolved data-quality findings, and a month still under way (ignored).

It follows the amended rules of SCORING.md as well: complete months only (September is under way: its observations,
the deals created or closed in it count nowhere, not even in the third quarter); quarters to date (the third
quarter has two of its three months, E's first quarter one) with k months of summed targets, stored as
``months_covered`` and labelled so, never the previous period of a change nor a point of a trend; baselines per
granularity (the first three scored months; the first two complete scored quarters; the admin-set month and the
complete quarter containing it), with no change vs baseline before the baseline exists; the data-quality flag's
scope (a finding on a metric the partner's scorecard does not use, for that period's version, does not flag it); and
attainment rounded to 4 decimals, half away from zero, before RAG and points (partner H).
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

TODAY = date(2025, 9, 15)  # September is under way: August is the last month scored, the third quarter is to date
CUTOFF = date(2025, 9, 1)
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
    "H": ("reseller", "growth", "silver", "1", None),  # rounding: attainments on a hair or a tie of the 4th decimal
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
# the month under way: a loss closed in it, a win created and closed in it; neither counts in August or Q3 to date
DEALS += [("A", date(2025, 8, 20), date(2025, 9, 3), "lost"), ("A", date(2025, 9, 2), date(2025, 9, 10), "won")]

# Data-quality findings: the partner, the metric if any, the kind, month, sentence and status of each.
FINDINGS = [
    ("D", None, "stale", date(2025, 5, 1), "Stale source: the CRM export is 60 days old.", "open"),
    ("D", "revenue", "outlier", date(2025, 6, 1), "Revenue is far from its history.", "resolved"),
    ("A", "revenue", "outlier", date(2025, 8, 1), "Revenue of 400 is far above its usual 120.", "open"),
    ("A", "revenue", "missing", date(2025, 8, 1), "A second finding of the same month.", "open"),
    # scope: csat is not on A's scorecard; escalations is not on D's in February (version 1), it is in May (version 2)
    ("A", "csat", "outlier", date(2025, 6, 1), "Csat is far from its history.", "open"),
    ("D", "escalations", "outlier", date(2025, 2, 1), "Escalations jumped in February.", "open"),
    ("D", "escalations", "outlier", date(2025, 4, 1), "Escalations jumped in April.", "open"),
    ("D", "revenue", "outlier", date(2025, 9, 1), "A finding of the month under way.", "open"),
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
    out[("A", "revenue", date(2025, 10, 1))] = Decimal(999)  # after the month under way: ignored
    # H (target 80): April to June add up to 239.9999 against 240, 99.99995833 %, which rounds to 100: green, not
    # amber; May alone is 99.999875 %, 99.9999: amber; July is 99.99625 %, a tie at the 5th decimal: 99.9963
    for month, revenue in (
        (4, "80"),
        (5, "79.9999"),
        (6, "80"),
        (7, "79.997"),
        (8, "80"),
    ):
        out[("H", "revenue", date(2025, month, 1))] = Decimal(revenue)
        out[("H", "escalations", date(2025, month, 1))] = Decimal(0)
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


def deals_as_of_cutoff() -> list[tuple[str, date, date | None, str]]:
    """The deals as they stood on the first day of the month under way: created before it; closed before it, or open."""
    return [
        (p, created, closed, status) if closed is None or closed < CUTOFF else (p, created, None, "open")
        for p, created, closed, status in DEALS
        if created < CUTOFF
    ]


def win_rates(partner: str, months: list[date]) -> Decimal | None:
    closed = [d for d in deals_as_of_cutoff() if d[0] == partner and d[3] in ("won", "lost") and d[2] is not None]
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


def score_one(
    partner: str, version: tuple[str, int], months: list[date], quarter: bool, data: dict, covered: int = 1
) -> dict:
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
            target *= covered  # a quarter to date of k months: k monthly targets
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
    on_card = {item[0] for item in spec[5]}
    for month in [m for m in months if m < CUTOFF]:  # nothing of the month under way, findings included
        for p, key, _, f_month, detail, status in sorted(FINDINGS, key=lambda f: (f[3], f[2])):
            relevant = key is None or key in on_card
            if p == partner and f_month == month and status == "open" and relevant and detail not in reasons:
                reasons.append(detail)
    return {"version": version, "score": score, "rag": rag, "items": items, "dq_reasons": reasons}


def is_complete(period: str, snap: dict[str, Any]) -> bool:
    return period == "month" or snap["months_covered"] == 3


def reference() -> dict[tuple[str, str, date], dict[str, Any]]:
    data = {k: v for k, v in values().items() if k[2] < CUTOFF}
    deals = deals_as_of_cutoff()
    scored_keys = {k for k in METRICS if not METRICS[k][2]}
    data_months = [m for (_, key, m) in data if key in scored_keys]
    deal_months = [d[1] for d in deals] + [d[2] for d in deals if d[3] in ("won", "lost")]
    last = max(month_index(m) for m in data_months + deal_months)
    out: dict[tuple[str, str, date], dict[str, Any]] = {}
    for partner in PARTNERS:
        own = [month_index(m) for (p, _, m) in data if p == partner]
        own += [month_index(d[2]) for d in deals if d[0] == partner and d[3] in ("won", "lost") and d[2]]
        if not own:
            continue
        first = min(own)
        for index in range(first, last + 1):
            version = version_for(partner, index)
            if version:
                snap = score_one(partner, version, [first_of(index)], False, data)
                out[(partner, "month", first_of(index))] = {**snap, "months_covered": 1}
        for start in range(first - first % 3, last - last % 3 + 1, 3):
            version = version_for(partner, start + 2)
            if version:
                months = [first_of(start + j) for j in range(3)]
                # the quarter's months in which the partner existed (from its first month with data), up to the last
                covered = sum(1 for j in range(3) if first <= start + j <= last)
                snap = score_one(partner, version, months, True, data, covered)
                out[(partner, "quarter", first_of(start))] = {**snap, "months_covered": covered}
    for (partner, period, start), snap in out.items():
        quarter = period == "quarter"
        snap["label"] = (
            f"{start:%B %Y}"
            if not quarter
            else f"Quarter starting {start:%B %Y}"
            + (f", to date ({snap['months_covered']} of 3 months)" if snap["months_covered"] < 3 else "")
        )
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

        # complete periods only: a quarter to date is never the previous period, a trend point or a baseline
        own = sorted(
            (st, s) for (p, per, st), s in out.items() if p == partner and per == period and is_complete(period, s)
        )
        step = 3 if quarter else 1
        previous = out.get((partner, period, first_of(month_index(start) - step)))
        both = (
            previous is not None
            and is_complete(period, previous)
            and is_complete(period, snap)
            and previous["score"] is not None
            and snap["score"] is not None
        )
        snap["change_previous"] = snap["score"] - previous["score"] if both else None

        # baseline, per granularity, and the period from which it exists
        chosen = PARTNERS[partner][4]
        baseline, since = None, None
        if chosen is not None and not quarter:
            if (partner, "month", chosen) in out:
                baseline, since = out[(partner, "month", chosen)]["score"], chosen
        elif chosen is not None and any(st == first_of(month_index(chosen) - month_index(chosen) % 3) for st, _ in own):
            since = first_of(month_index(chosen) - month_index(chosen) % 3)
            baseline = out[(partner, "quarter", since)]["score"]
        else:
            need = 2 if quarter else 3
            firsts = [(st, s["score"]) for st, s in own if s["score"] is not None][:need]
            if len(firsts) == need:
                baseline, since = sum(score for _, score in firsts) / need, firsts[-1][0]
        exists = baseline is not None and since <= start
        snap["change_baseline"] = r4(snap["score"] - baseline) if exists and snap["score"] is not None else None

        # the trend: the partner's own complete periods up to this one (a quarter to date: up to the one before it)
        history = [
            (st, s["score"])
            for (p, per, st), s in sorted(out.items(), key=lambda kv: kv[0][2])
            if p == partner and per == period and (st < start or (st == start and is_complete(period, snap)))
        ]
        series = [
            None if s is None or not is_complete(period, out[(partner, period, st)]) else float(s) for st, s in history
        ]
        verdict = trend_verdict(series or [None], period=period)
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
            "months_covered": (got.months_covered, want["months_covered"]),
            "period_label": (got.period_label, want["label"]),
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
    assert not any(s.period_start >= CUTOFF for s in snapshots)
    assert not any(s.partner_id == program["partners"]["G"].pk for s in snapshots)


# --- the amended rules, one by one (the reference above checks every field; these show the fixture exercises them) ---


@pytest.fixture
def stored(tenant, program):
    snapshot_refresh(tenant=tenant, today=TODAY)
    names = {p.pk: name for name, p in program["partners"].items()}
    with tenant_context(tenant):
        return {(names[s.partner_id], s.period, s.period_start): s for s in ScorecardSnapshot.objects.all()}


def _item(snapshot, program, key):
    return next(i for i in snapshot.items if i["metric_id"] == program["metrics"][key].pk)


def test_nothing_dated_in_the_month_under_way_counts_in_any_period(stored, program):
    q3 = stored[("A", "quarter", date(2025, 7, 1))]

    assert _item(q3, program, "win_rate")["actual"] == 100.0  # the loss closed on 3 September does not count
    assert _item(stored[("A", "month", date(2025, 8, 1))], program, "win_rate")["missing"] is True
    assert "A finding of the month under way." not in stored[("D", "quarter", date(2025, 7, 1))].dq_reasons
    assert max(start for _, _, start in stored) == date(2025, 8, 1)


def test_a_quarter_to_date_has_k_months_of_summed_targets_and_says_so(stored, program):
    a_q3, e_q1, e_q2 = (
        stored[k]
        for k in (
            ("A", "quarter", date(2025, 7, 1)),
            ("E", "quarter", date(2025, 1, 1)),
            ("E", "quarter", date(2025, 4, 1)),
        )
    )

    assert (a_q3.months_covered, a_q3.is_to_date) == (2, True)
    assert _item(a_q3, program, "revenue")["target"] == 2 * 95.0
    assert a_q3.period_label == "Quarter starting July 2025, to date (2 of 3 months)"
    assert a_q3.change_previous is None
    assert (e_q1.months_covered, _item(e_q1, program, "revenue")["target"]) == (1, 120.0)
    assert (e_q2.months_covered, e_q2.change_previous) == (3, None)  # its previous quarter is to date
    assert stored[("A", "quarter", date(2025, 4, 1))].change_previous is not None


def test_baselines_follow_their_granularity(stored):
    months = [stored[("A", "month", date(2025, m, 1))].change_baseline for m in (1, 2, 3)]
    a_q1, a_q2 = stored[("A", "quarter", date(2025, 1, 1))], stored[("A", "quarter", date(2025, 4, 1))]

    assert months[:2] == [None, None]
    assert months[2] is not None
    assert a_q1.change_baseline is None
    assert a_q2.change_baseline == r4(a_q2.score - (a_q1.score + a_q2.score) / 2)
    assert stored[("F", "quarter", date(2025, 1, 1))].change_baseline == 0  # the complete quarter holding March
    assert stored[("F", "month", date(2025, 2, 1))].change_baseline is None
    assert all(stored[("E", "quarter", date(2025, m, 1))].change_baseline is None for m in (1, 4, 7))


def test_a_finding_flags_only_a_scorecard_that_uses_its_metric(stored):
    assert "Csat is far from its history." not in stored[("A", "month", date(2025, 6, 1))].dq_reasons
    assert "Escalations jumped in February." not in stored[("D", "month", date(2025, 2, 1))].dq_reasons
    assert "Escalations jumped in February." not in stored[("D", "quarter", date(2025, 1, 1))].dq_reasons
    assert "Escalations jumped in April." in stored[("D", "month", date(2025, 4, 1))].dq_reasons
    assert stored[("D", "month", date(2025, 5, 1))].dq_flag  # a finding on no metric: the partner's data as a whole


@pytest.mark.parametrize(
    ("period", "month", "attainment", "rag"),
    [
        ("quarter", 4, 100.0, "green"),  # 99.99995833 rounds to 100: green, as the page shows
        ("month", 5, 99.9999, "amber"),
        ("month", 7, 99.9963, "amber"),  # 99.99625: half away from zero
    ],
)
def test_attainment_is_rounded_half_away_from_zero_before_rag_and_points(
    stored, program, period, month, attainment, rag
):
    item = _item(stored[("H", period, date(2025, month, 1))], program, "revenue")

    assert (item["attainment"], item["rag"], item["points"]) == (
        attainment,
        rag,
        float(r4(Decimal(str(attainment)) / 2)),
    )
