from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from partnerhub.core.errors import InvalidStateError
from partnerhub.core.models import AuditEntry, Role
from partnerhub.core.tenancy.context import tenant_context
from reviews.domain.preread import MetricLine, PrereadInput, SnapshotFacts, preread_build
from reviews.models import ActionItem, Review, ReviewTransition
from reviews.services.preread import preread_generate, preread_generate_due
from reviews.services.reviews import review_transition
from reviews.tasks.preread import prereads_generate_due_task
from scorecards.models import DataQualityFinding, DealReview
from tests.factories import UserFactory, member
from tests.reviews.factories import ActionItemFactory, ReviewFactory
from tests.reviews.review_program import fresh, item, months_ago, on_its_day, program, snapshot, this_month
from tests.scorecards.factories import DealFactory, MetricFactory

# --- the pure rules ---

OCT = date(2026, 10, 1)


def _facts(**kwargs):
    base = {
        "period": "month",
        "period_start": OCT,
        "score": 64.2,
        "rag": "amber",
        "change_previous": -3.1,
        "trend": "stable",
        "trend_explanation": "Usual month-to-month movement ±2.0 points",
        "dq_flag": False,
    }
    return SnapshotFacts(**{**base, **kwargs})


def _input(**kwargs):
    base = {
        "partner_id": 1,
        "partner_name": "Northwind",
        "data_steward": "Dana Steward",
        "kind": "health_check",
        "kind_label": "Monthly health check",
        "as_of": date(2026, 11, 5),
        "month": _facts(),
    }
    return PrereadInput(**{**base, **kwargs})


def test_the_summary_says_score_rag_change_against_the_previous_month_and_the_trend():
    payload = preread_build(
        _input(month=_facts(trend="declining", trend_explanation="Fell 9.0 points over 4 months, beyond ±2.5"))
    )
    assert payload["summary"][0] == "Northwind scored 64.2 (amber) in October 2026, down 3.1 points from September."
    assert payload["summary"][1] == "The trend is declining: Fell 9.0 points over 4 months, beyond ±2.5."


@pytest.mark.parametrize(
    ("change", "words"), [(2.04, "up 2.0 points from September"), (0.0, "unchanged from September")]
)
def test_the_summary_words_a_rise_and_no_change(change, words):
    assert words in preread_build(_input(month=_facts(change_previous=change)))["summary"][0]


def test_january_compares_with_december_of_the_year_before():
    payload = preread_build(_input(month=_facts(period_start=date(2026, 1, 1))))
    assert "from December 2025" in payload["summary"][0]


def test_an_unscored_month_and_a_short_history_are_said_plainly():
    payload = preread_build(_input(month=_facts(score=None, rag="", trend="not_enough", trend_explanation="")))
    assert payload["summary"][0] == "Northwind could not be scored for October 2026: there is not enough data."
    assert payload["summary"][1] == "There is not enough history yet to call a trend."


def test_a_red_metric_is_a_risk_with_actual_against_target_and_a_recovery_recommendation():
    red = MetricLine(7, "Win rate", "percent", 12.5, 25.0, 50.0, "red", False)
    green = MetricLine(8, "Pipeline", "currency", 200000, 150000, 133.0, "green", False)
    payload = preread_build(_input(month=_facts(metrics=(red, green))))

    assert payload["risks"] == [
        {
            "kind": "red_metric",
            "title": "Win rate is red",
            "detail": "12.5 % against a target of 25.0 % (50 % of target).",
            "items": [],
            "metric_id": 7,
        }
    ]
    assert payload["recommendations"] == [
        {
            "rule": "red_metric",
            "text": "Agree a recovery target for Win rate (now 12.5 % against 25.0 %), with a date and an owner.",
        }
    ]
    assert payload["summary"][-1] == "Risk indicators: 1 red metric."


def test_a_missing_metric_is_not_called_red():
    missing = MetricLine(7, "Win rate", "percent", None, 25.0, None, "", True)
    assert preread_build(_input(month=_facts(metrics=(missing,))))["no_risks"] is True


def test_a_declining_trend_recommends_a_remediation_finding_and_deep_dive():
    payload = preread_build(_input(month=_facts(trend="declining", trend_explanation="Fell 9 points")))
    assert [r["kind"] for r in payload["risks"]] == ["declining"]
    assert payload["recommendations"][0]["rule"] == "declining"
    assert payload["recommendations"][0]["text"].startswith("Open a remediation finding and plan a deep dive")


def test_no_risk_at_all_says_so():
    payload = preread_build(_input())
    assert payload["risks"] == []
    assert payload["no_risks"] is True
    assert payload["summary"][-1].startswith("No risk indicators: no red metrics, no declining trend")
    assert payload["recommendations"] == [
        {
            "rule": "none",
            "text": "No risk needs action: use the review to confirm targets and plan the next period's joint growth.",
        }
    ]


def test_without_a_snapshot_the_pre_read_says_there_is_no_scorecard_and_asks_the_steward():
    payload = preread_build(_input(month=None))
    assert payload["summary"][0] == "There is no scorecard yet for Northwind: its data has not been loaded or scored."
    assert payload["risks"][0]["kind"] == "no_scorecard"
    assert payload["recommendations"][0]["text"].startswith("Ask Dana Steward to load Northwind's data")


def test_more_than_five_red_metrics_are_counted_not_listed_one_by_one():
    reds = tuple(MetricLine(i, f"M{i}", "count", 1, 10, 10.0, "red", False) for i in range(8))
    payload = preread_build(_input(month=_facts(metrics=reds)))
    assert len([r for r in payload["recommendations"] if r["rule"] == "red_metric"]) == 6
    assert payload["risks"][5]["title"] == "3 more red metrics"
    assert payload["summary"][-1] == "Risk indicators: 8 red metrics."


# --- from the database: each risk and its recommendation ---


@pytest.fixture
def p(tenant):
    return program(tenant, kind="health_check")


def _build(p):
    with tenant_context(p.tenant):
        review_transition(tenant=p.tenant, actor=p.admin, review=fresh(p.review), to_state=Review.State.PREPARING)
    return fresh(p.review).preread


def test_the_pre_read_reads_the_latest_monthly_snapshot_of_the_partner(p):
    snapshot(p.partner, months_ago(2), score=80, rag="green")
    snapshot(p.partner, months_ago(1), score=64.2, rag="amber", change=-3.1)

    preread = _build(p)

    label = f"{months_ago(1):%B %Y}"
    assert preread["summary"][0].startswith(f"Northwind Traders scored 64.2 (amber) in {label}, down 3.1 points")
    assert preread["month"]["period_start"] == months_ago(1).isoformat()


def test_a_red_metric_gives_its_risk_and_recommendation(p):
    metric = MetricFactory(tenant=p.tenant, key="win_rate", name="Win rate", unit="percent")
    snapshot(p.partner, this_month(), items=[item(metric, actual=12.5, target=25, rag="red")])

    preread = _build(p)

    assert preread["risks"][0]["title"] == "Win rate is red"
    assert preread["recommendations"][0]["text"].startswith("Agree a recovery target for Win rate (now 12.5 %")
    assert preread["metrics"][0]["name"] == "Win rate"


def test_a_declining_trend_gives_its_risk_with_the_engines_explanation(p):
    snapshot(p.partner, this_month(), trend="declining", explanation="Score fell 8.0 points in 3 months")
    preread = _build(p)
    assert preread["risks"] == [
        {"kind": "declining", "title": "Declining trend", "detail": "Score fell 8.0 points in 3 months.", "items": []}
    ]
    assert "The trend is declining: Score fell 8.0 points in 3 months." in preread["summary"]


def test_a_data_quality_flag_names_its_reason_and_the_owner_who_should_fix_it(p):
    steward = member(p.tenant, Role.MANAGER, user=UserFactory(first_name="Dora", last_name="Data"))
    metric = MetricFactory(tenant=p.tenant, key="csat", name="CSAT")
    reason = "CSAT for March jumps far outside its own history."
    with tenant_context(p.tenant):
        DataQualityFinding.objects.create(
            tenant=p.tenant,
            partner=p.partner,
            metric=metric,
            kind=DataQualityFinding.Kind.OUTLIER,
            month=this_month(),
            detail=reason,
            owner=steward,
        )
    snapshot(p.partner, this_month(), dq_reasons=[reason, "No data for Pipeline."])

    preread = _build(p)

    risk = next(r for r in preread["risks"] if r["kind"] == "data_quality")
    assert risk["items"] == [reason, "No data for Pipeline."]
    texts = [r["text"] for r in preread["recommendations"] if r["rule"] == "data_quality"]
    assert texts == [
        f"Ask Dora Data to fix this before the review: {reason}",
        "Ask the partner's data steward to fix this before the review: No data for Pipeline.",
    ]


def test_an_overdue_action_of_an_earlier_review_is_a_risk_to_close_or_re_plan(p):
    earlier = ReviewFactory(
        cycle__cadence=p.review.cadence,
        cycle__period_start=date(2026, 4, 1),
        partner=p.partner,
        scheduled_for=datetime.now(UTC) - timedelta(days=60),
    )
    due = timezone.localdate() - timedelta(days=10)
    ActionItemFactory(review=earlier, description="Send the joint plan", due_date=due, owner=p.moderator)
    ActionItemFactory(review=earlier, description="Already done", due_date=due, status=ActionItem.Status.DONE)
    ActionItemFactory(review=earlier, description="Not due yet", due_date=timezone.localdate() + timedelta(days=3))
    snapshot(p.partner, this_month())

    preread = _build(p)

    risk = next(r for r in preread["risks"] if r["kind"] == "overdue_actions")
    assert risk["title"] == "1 overdue action item"
    assert risk["items"] == [f"Send the joint plan (Maya Moderator, due {due:%d %b %Y})"]
    assert {
        "rule": "overdue_actions",
        "text": f"Close or re-plan 1 overdue action item (the oldest was due {due:%d %b %Y}).",
    } in preread["recommendations"]


def test_deals_waiting_for_joint_review_recommend_holding_it_naming_the_largest(p):
    for ref, amount, status in [("D-1", 90000, "queued"), ("D-2", 250000, "in_review"), ("D-3", 990000, "approved")]:
        deal = DealFactory(partner=p.partner, external_id=ref, amount=Decimal(amount), account_name=f"Acct {ref}")
        with tenant_context(p.tenant):
            DealReview.objects.create(
                tenant=p.tenant,
                deal=deal,
                partner=p.partner,
                pricing_integrity=3,
                discount_discipline=3,
                contract_terms=3,
                renewal_risk=3,
                technical_risk=3,
                quality=3,
                status=status,
            )
    snapshot(p.partner, this_month())

    preread = _build(p)

    risk = next(r for r in preread["risks"] if r["kind"] == "deals_waiting")
    assert risk["title"] == "2 deals waiting for joint review"
    rec = next(r for r in preread["recommendations"] if r["rule"] == "deals_waiting")
    assert rec["text"].startswith("Hold the joint deal review for 2 deals (largest: D-2 (Acct D-2), 250,000")


def test_none_of_those_gives_the_no_risks_wording(p):
    snapshot(p.partner, this_month(), rag="green", score=88)
    preread = _build(p)
    assert preread["no_risks"] is True
    assert preread["recommendations"][0]["rule"] == "none"


def test_a_qbr_pre_read_also_reads_the_latest_quarter(tenant):
    p = program(tenant, kind="qbr")
    snapshot(p.partner, this_month(), score=70)
    quarter = date(this_month().year, (this_month().month - 1) // 3 * 3 + 1, 1)
    snapshot(p.partner, quarter, score=66, rag="amber", change=1.5, period="quarter")

    preread = _build(p)

    assert preread["quarter"]["score"] == 66.0
    q = (quarter.month - 1) // 3 + 1
    assert f"For Q{q} {quarter.year} the score was 66.0 (amber), up 1.5 points" in " ".join(preread["summary"])


def test_a_qbr_pre_read_labels_a_quarter_to_date_and_states_no_change(tenant):
    p = program(tenant, kind="qbr")
    snapshot(p.partner, this_month(), score=70)
    quarter = date(this_month().year, (this_month().month - 1) // 3 * 3 + 1, 1)
    snapshot(p.partner, quarter, score=66, rag="amber", period="quarter", months_covered=2)

    preread = _build(p)

    q = (quarter.month - 1) // 3 + 1
    assert preread["quarter"]["label"] == f"Q{q} {quarter.year}, to date (2 of 3 months)"
    assert f"For Q{q} {quarter.year}, to date (2 of 3 months), the score was 66.0 (amber)." in " ".join(
        preread["summary"]
    )


# --- frozen once held ---


def test_the_pre_read_follows_the_data_until_held_then_stays_what_was_discussed(p):
    on_its_day(p)
    snapshot(p.partner, this_month(), score=64.2)
    _build(p)

    snapshot(p.partner, this_month(), score=50.0, rag="red")  # new data while preparing
    with tenant_context(p.tenant):
        preread_generate(tenant=p.tenant, actor=p.moderator, review=fresh(p.review))
    assert "scored 50.0 (red)" in fresh(p.review).preread["summary"][0]

    with tenant_context(p.tenant):
        review_transition(tenant=p.tenant, actor=p.moderator, review=fresh(p.review), to_state=Review.State.HELD)
    frozen = fresh(p.review).preread

    snapshot(p.partner, this_month(), score=91.0, rag="green")  # later data
    with tenant_context(p.tenant):
        with pytest.raises(InvalidStateError, match="frozen"):
            preread_generate(tenant=p.tenant, actor=p.moderator, review=fresh(p.review))
        preread_generate_due(tenant=p.tenant)
    assert fresh(p.review).preread == frozen
    assert "scored 50.0 (red)" in frozen["summary"][0]


# --- generated automatically, lead days ahead ---


def _review_in(p, days, lead=7, state=Review.State.SCHEDULED):
    with tenant_context(p.tenant):
        p.review.cadence.prep_lead_days = lead
        p.review.cadence.save(update_fields=["prep_lead_days"])
    return ReviewFactory(
        cycle__cadence=p.review.cadence,
        cycle__period_start=date(2030, 1, 1) + timedelta(days=40 * abs(days)),
        partner=p.partner,
        scheduled_for=datetime.now(UTC) + timedelta(days=days),
        state=state,
    )


def test_due_reviews_get_their_pre_read_and_start_preparing_once(p):
    snapshot(p.partner, this_month())
    due = _review_in(p, 5)  # 7 lead days: due two days ago
    not_yet = _review_in(p, 30)

    with tenant_context(p.tenant):
        first = preread_generate_due(tenant=p.tenant)
        second = preread_generate_due(tenant=p.tenant)

    assert (first.prepared, second.prepared, second.refreshed) == (1, 0, 0)
    assert second.unchanged == 1
    assert fresh(due).state == Review.State.PREPARING
    assert fresh(due).preread["partner"]["name"] == "Northwind Traders"
    assert fresh(not_yet).state == Review.State.SCHEDULED
    assert fresh(not_yet).preread is None
    with tenant_context(p.tenant):
        transition = ReviewTransition.objects.get(review=due)
        audit = AuditEntry.objects.get(
            content_type=ContentType.objects.get_for_model(Review), object_id=due.pk, action=AuditEntry.Action.UPDATE
        )
    assert (transition.from_state, transition.to_state, transition.actor_id) == ("scheduled", "preparing", None)
    assert audit.changes == {"state": ["scheduled", "preparing"]}


def test_a_preparing_pre_read_is_refreshed_by_the_task_only_when_the_data_changed(p):
    snapshot(p.partner, this_month(), score=70)
    due = _review_in(p, 2)
    with tenant_context(p.tenant):
        preread_generate_due(tenant=p.tenant)
    stamp = fresh(due).preread_generated_at

    with tenant_context(p.tenant):
        assert preread_generate_due(tenant=p.tenant).unchanged == 1
    assert fresh(due).preread_generated_at == stamp

    snapshot(p.partner, this_month(), score=55, rag="red")
    with tenant_context(p.tenant):
        run = preread_generate_due(tenant=p.tenant)
    assert (run.prepared, run.refreshed) == (0, 1)
    assert "scored 55.0 (red)" in fresh(due).preread["summary"][0]


def test_the_task_runs_in_its_tenant_and_is_idempotent(p):
    _review_in(p, 1)
    assert prereads_generate_due_task(tenant_id=p.tenant.pk) == {"prepared": 1, "refreshed": 0, "unchanged": 0}
    assert prereads_generate_due_task(tenant_id=p.tenant.pk) == {"prepared": 0, "refreshed": 0, "unchanged": 1}


def test_the_bulk_run_reads_a_bounded_number_of_queries(p, django_assert_max_num_queries):
    snapshot(p.partner, this_month())
    for days in range(1, 7):
        _review_in(p, days)
    with tenant_context(p.tenant), django_assert_max_num_queries(20):
        assert preread_generate_due(tenant=p.tenant).prepared == 6


# --- the page and the PDF ---


def _get(client, p, name, who="moderator"):
    client.force_login(getattr(p, who).user)
    return client.get(reverse(name, kwargs={"tenant_slug": p.tenant.slug, "review_id": p.review.pk}))


def test_the_pre_read_page_shows_summary_risks_and_recommendations(client, p):
    metric = MetricFactory(tenant=p.tenant, key="win_rate", name="Win rate", unit="percent")
    snapshot(p.partner, this_month(), items=[item(metric, actual=12.5, target=25, rag="red")])
    _build(p)

    body = _get(client, p, "review_preread").content.decode()

    assert "Executive summary" in body
    assert "Win rate is red" in body
    assert "Agree a recovery target for Win rate" in body
    assert "follows the data until the review is held" in body


def test_before_generation_the_page_shows_a_preview_and_stores_nothing(client, p):
    response = _get(client, p, "review_preread")
    assert response.status_code == 200
    assert "Preview from today's data" in response.content.decode()
    assert fresh(p.review).preread is None


def _pdf_text(pdf: bytes) -> str:
    """The PDF's metadata strings and its (inflated) streams, enough to find a title or a word."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    text = b"\n".join(chunks)
    decoded = text.decode("latin-1")
    # UTF-16 hex strings (<FEFF...>) in the info dictionary
    for hexa in re.findall(r"<FEFF([0-9A-Fa-f]+)>", decoded):
        decoded += bytes.fromhex(hexa).decode("utf-16-be", errors="ignore")
    return decoded


def test_the_pdf_is_a_pdf_named_after_the_tenant_with_the_partner_in_it(client, p):
    snapshot(p.partner, this_month())
    _build(p)

    response = _get(client, p, "review_preread_pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 5000
    assert f'filename="{p.tenant.slug}-preread-northwind-traders-' in response["Content-Disposition"]
    assert "Northwind Traders" in _pdf_text(response.content)
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
        ).stdout.decode()
        assert "Pre-read: Northwind Traders" in text
        assert "Executive summary" in text


def test_the_pdf_fetches_nothing_even_when_the_page_names_outside_urls(p, monkeypatch):
    from reviews.views import pdf

    fetched = []
    original = pdf.NoFetchURLFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pdf.NoFetchURLFetcher, "fetch", spy)
    monkeypatch.setattr(pdf, "_print_css", lambda: "@import url('http://example.invalid/x.css'); body { color: red }")
    pdf_bytes = pdf.render_preread_pdf(
        context={"review": p.review, "preread": preread_build(_input()), "tenant": p.tenant}
    )
    assert pdf_bytes.startswith(b"%PDF")
    assert fetched == ["http://example.invalid/x.css"]  # asked, and refused


def test_a_preparing_review_whose_date_has_passed_keeps_its_pre_read(p):
    snapshot(p.partner, this_month(), score=70)
    with tenant_context(p.tenant):
        review_transition(tenant=p.tenant, actor=p.admin, review=fresh(p.review), to_state=Review.State.PREPARING)
        Review.objects.filter(pk=p.review.pk).update(scheduled_for=timezone.now() - timedelta(hours=2))
    before = fresh(p.review).preread
    snapshot(p.partner, this_month(), score=40, rag="red")
    with tenant_context(p.tenant):
        run = preread_generate_due(tenant=p.tenant)
    assert (run.prepared, run.refreshed, run.unchanged) == (0, 0, 0)
    assert fresh(p.review).preread == before


@pytest.mark.worker
@pytest.mark.xdist_group("worker")
def test_on_a_real_worker_the_task_prepares_due_reviews_once(tenant, celery_worker_process):
    p = program(tenant, kind="health_check")
    due = _review_in(p, 3)
    first = prereads_generate_due_task.delay(tenant_id=tenant.pk).get(timeout=60)
    second = prereads_generate_due_task.delay(tenant_id=tenant.pk).get(timeout=60)
    assert first == {"prepared": 1, "refreshed": 0, "unchanged": 0}
    assert second == {"prepared": 0, "refreshed": 0, "unchanged": 1}
    assert fresh(due).state == Review.State.PREPARING
    with tenant_context(tenant):
        assert ReviewTransition.objects.filter(review=due).count() == 1


@pytest.mark.parametrize(("count", "listed"), [(10, 10), (12, 11), (25, 11)])
def test_a_risk_lists_ten_items_and_says_how_many_more_there_are(count, listed):
    from reviews.domain.preread import OverdueAction, WaitingDeal

    deals = tuple(WaitingDeal(f"D-{n:03}", "", Decimal(1000 + n), "USD") for n in range(count))
    overdue = tuple(OverdueAction(f"Task {n}", "Ana", date(2026, 1, 1) + timedelta(days=n)) for n in range(count))
    body = preread_build(
        PrereadInput(
            partner_id=1,
            partner_name="Acme",
            data_steward="Dee",
            kind="qbr",
            kind_label="QBR",
            as_of=date(2026, 11, 30),
            month=None,
            overdue_actions=overdue,
            waiting_deals=deals,
        )
    )
    risks = {r["kind"]: r for r in body["risks"]}
    for kind, noun in (("deals_waiting", "deal"), ("overdue_actions", "overdue action item")):
        items = risks[kind]["items"]
        assert risks[kind]["title"].startswith(f"{count} ")
        assert len(items) == listed
        if count > 10:
            assert items[-1].startswith(f"…and {count - 10} more {noun}")
    assert risks["deals_waiting"]["items"][0].startswith(f"D-{count - 1:03}")  # the largest first
