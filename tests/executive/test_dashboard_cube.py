from __future__ import annotations

import math
from collections import defaultdict
from datetime import date

import pytest

from partnerhub.core.tenancy.context import tenant_context
from partnerhub.executive.errors import DashboardFilterError
from partnerhub.executive.selectors.cube import dashboard_computation, slice_series, slice_series_fallback
from partnerhub.executive.services.dashboard import dashboard_precompute
from reviews.models import ActionItem, Forecast, Review
from scorecards.models import ScorecardSnapshot
from tests.executive.world import TODAY, build_program

pytestmark = pytest.mark.django_db

SLICES = [
    {},
    {"market": "Germany"},
    {"market": "(none)"},
    {"product_line": "Security"},
    {"owner": "(none)"},
    {"market": "France", "product_line": "Cloud"},
    {"partner_type": "si", "tier": "gold"},
    {"region": "emea", "owner": "MANAGER0"},
]


def _matches(partner, filters):
    for name, value in filters.items():
        if name == "product_line":
            if value not in (partner.product_lines or []):
                return False
        elif name == "owner":
            if partner.owner_id != value:
                return False
        elif getattr(partner, name) != value:
            return False
    return True


def _expected(tenant, filters, metric_ids):
    """Every measure of every period, counted one row at a time from the stored rows (no executive code)."""
    out = defaultdict(lambda: defaultdict(float))
    with tenant_context(tenant):
        snapshots = list(ScorecardSnapshot.objects.select_related("partner"))
        by_key = {(s.partner_id, s.period, s.period_start): s for s in snapshots}
        for s in snapshots:
            if not _matches(s.partner, filters):
                continue
            cell = out[(s.period, s.period_start)]
            cell["partners"] += 1
            if s.score is not None:
                cell["scored"] += 1
                cell["score_sum"] += float(s.score)
                cell[f"score_bin_{min(int(float(s.score) // 10), 9)}"] += 1
            cell[f"rag_{s.rag or 'none'}"] += 1
            cell[f"trend_{s.trend}"] += 1
            if s.change_previous is not None:
                cell["change_n"] += 1
                cell["change_sum"] += float(s.change_previous)
            cell["dq_flagged"] += s.dq_flag
            complete = s.period == "month" or s.months_covered == 3
            cell["to_date"] += not complete
            cell["items_total"] += len(s.items)
            cell["items_present"] += sum(1 for i in s.items if i["actual"] is not None and not i["missing"])
            step = 3 if s.period == "quarter" else 1
            month = s.period_start.year * 12 + s.period_start.month - 1 - step
            before = by_key.get((s.partner_id, s.period, date(month // 12, month % 12 + 1, 1)))
            before_complete = before is not None and (before.period == "month" or before.months_covered == 3)
            if complete and before_complete and before.rag and s.rag:
                cell[f"move_{before.rag}_{s.rag}"] += 1
            for item in s.items:
                if item["actual"] is not None and item["target"] is not None and item["metric_id"] in metric_ids:
                    cell[f"metric_{item['metric_id']}_n"] += 1
                    cell[f"metric_{item['metric_id']}_actual"] += item["actual"]
                    cell[f"metric_{item['metric_id']}_target"] += item["target"]
        for r in Review.objects.select_related("partner"):
            if not _matches(r.partner, filters):
                continue
            day = r.scheduled_for.date()
            for period, start in (("month", day.replace(day=1)), ("quarter", _quarter(day))):
                out[(period, start)]["reviews_scheduled"] += 1
                out[(period, start)]["reviews_held"] += r.state in ("held", "signed_off")
                out[(period, start)]["reviews_cancelled"] += r.state == "cancelled"
        for a in ActionItem.objects.select_related("partner"):
            if not _matches(a.partner, filters):
                continue
            for period, start in (("month", a.due_date.replace(day=1)), ("quarter", _quarter(a.due_date))):
                out[(period, start)]["actions_due"] += a.status != "cancelled"
                out[(period, start)]["actions_overdue"] += a.status in ("open", "in_progress") and a.due_date < TODAY
        for f in Forecast.objects.select_related("partner").filter(accuracy__isnull=False):
            if _matches(f.partner, filters):
                out[("quarter", _quarter(f.quarter_start))]["forecast_n"] += 1
                out[("quarter", _quarter(f.quarter_start))]["forecast_accuracy_sum"] += float(f.accuracy)
    return {key: dict(values) for key, values in out.items() if any(values.values())}


def _quarter(day):
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _resolve(filters, program):
    stored = {"MANAGER0": program.managers[0].pk}
    return {k: stored.get(v, v) for k, v in filters.items()}


def _stored(filters):
    return {k: (None if k == "owner" else "") if v == "(none)" else v for k, v in filters.items()}


def _assert_same(series, expected):
    assert set(series.cells) == set(expected)
    for key, values in expected.items():
        got = dict(zip(series.layout, series.cells[key].tolist(), strict=True))
        for name in series.layout:
            assert math.isclose(got[name], values.get(name, 0.0), rel_tol=1e-9, abs_tol=1e-6), (key, name)


@pytest.mark.parametrize("filters", SLICES, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()) or "program")
def test_every_cell_of_the_cube_and_of_the_fallback_equals_a_count_over_the_stored_rows(tenant, filters):
    program = build_program(tenant)
    dashboard_precompute(tenant=tenant, today=TODAY)
    filters = _resolve(filters, program)
    expected = _expected(tenant, _stored(filters), {m.pk for m in program.metrics})

    with tenant_context(tenant):
        computation = dashboard_computation(tenant=tenant)
        cube = slice_series(tenant=tenant, computation=computation, filters=filters)
        fallback = slice_series_fallback(tenant=tenant, computation=computation, filters=filters)

    assert cube.from_cube
    _assert_same(cube, expected)
    _assert_same(fallback, expected)


def test_three_filters_are_answered_by_the_fallback_and_agree_with_the_rows(tenant):
    program = build_program(tenant)
    dashboard_precompute(tenant=tenant, today=TODAY)
    filters = {"region": "emea", "market": "Germany", "product_line": "Cloud"}
    with tenant_context(tenant):
        series = slice_series(tenant=tenant, computation=dashboard_computation(tenant=tenant), filters=filters)
    assert not series.from_cube
    _assert_same(series, _expected(tenant, filters, {m.pk for m in program.metrics}))


@pytest.mark.parametrize(
    ("filters", "message"),
    [({"market": "Atlantis"}, "no market “Atlantis”"), ({"tier": "diamond"}, "no tier “diamond”")],
)
def test_a_filter_value_the_program_does_not_have_is_a_clear_error(tenant, filters, message):
    build_program(tenant, partners=3)
    dashboard_precompute(tenant=tenant, today=TODAY)
    with tenant_context(tenant), pytest.raises(DashboardFilterError, match=message):
        slice_series(tenant=tenant, computation=dashboard_computation(tenant=tenant), filters=filters)


def test_a_second_precompute_stores_the_same_cells(tenant):
    build_program(tenant, partners=5)
    first = dashboard_precompute(tenant=tenant, today=TODAY)
    with tenant_context(tenant):
        before = slice_series(tenant=tenant, computation=dashboard_computation(tenant=tenant), filters={})
    second = dashboard_precompute(tenant=tenant, today=TODAY)
    with tenant_context(tenant):
        after = slice_series(tenant=tenant, computation=dashboard_computation(tenant=tenant), filters={})
    assert first.cells == second.cells
    assert {k: v.tolist() for k, v in before.cells.items()} == {k: v.tolist() for k, v in after.cells.items()}


def test_a_snapshot_whose_items_are_in_another_order_is_still_read_right(tenant):
    program = build_program(tenant, partners=5)
    with tenant_context(tenant):
        odd = ScorecardSnapshot.objects.order_by("-pk").first()
        odd.items = list(reversed(odd.items))
        odd.save(update_fields=["items"])
    dashboard_precompute(tenant=tenant, today=TODAY)
    with tenant_context(tenant):
        series = slice_series(tenant=tenant, computation=dashboard_computation(tenant=tenant), filters={})
    _assert_same(series, _expected(tenant, {}, {m.pk for m in program.metrics}))
