"""Partner pipeline forecasts: submitted in the portal before a QBR, scored for accuracy after the quarter.

Scoring writes the ``forecast_accuracy`` metric's observations for the quarter (an upsert that skips unchanged rows)
and sends ``partner_data_changed`` so the snapshot refresh picks the new values up. The measures are in
``reviews.domain.forecast_accuracy`` and docs/reviews-portal.md.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from partnerhub.core.domain.periods import quarter_end, quarter_label, quarter_months
from partnerhub.core.models import Membership, Tenant
from partnerhub.core.services.program import ensure_same_tenant
from partnerhub.core.signals import partner_data_changed
from reviews.domain.forecast_accuracy import LineOutcome, score
from reviews.errors import ForecastInvalidError, ForecastNotAskedError
from reviews.models import Forecast, ForecastLine, Review
from reviews.selectors.forecasts import forecast_metric, forecasts_due_for_scoring
from reviews.selectors.portal import forecast_quarter
from reviews.services.portal import ensure_partner_of_review, lock_open_review
from scorecards.selectors.deals import WonDeal, deal_ids_by_external_id, deal_list_won_between
from scorecards.services.observations import observations_record_scored

logger = logging.getLogger(__name__)

MAX_LINES = 100
# A forecast line's fields as the form and the API show them (ForecastLine columns, ForecastLineInput attributes).
LINE_FIELDS = ("opportunity", "deal_ref", "stage", "amount", "probability", "expected_close")
AMOUNT_LIMIT = Decimal(10) ** 14  # ForecastLine.amount: 16 digits, 2 of them decimals
# Observations written by scoring carry this source (imports carry their upload source, the demo the metric's).
OBSERVATION_SOURCE = "forecast scoring"


@dataclass(frozen=True)
class ForecastLineInput:
    opportunity: str
    stage: str
    amount: Decimal
    probability: int
    expected_close: date
    deal_ref: str = ""

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> ForecastLineInput:
        return cls(
            opportunity=str(data.get("opportunity") or "").strip(),
            stage=str(data.get("stage") or "").strip(),
            amount=data["amount"],
            probability=data["probability"],
            expected_close=data["expected_close"],
            deal_ref=str(data.get("deal_ref") or "").strip(),
        )


def forecast_line_errors(line: ForecastLineInput, *, quarter: date) -> dict[str, list[str]]:
    """Why one line cannot be saved, by field (empty when it can). The rules the forms and the API share."""
    errors: dict[str, list[str]] = {}
    if not line.opportunity:
        errors["opportunity"] = ["Name the opportunity."]
    elif len(line.opportunity) > 200:
        errors["opportunity"] = ["Keep the name under 200 characters."]
    if len(line.deal_ref) > 100:
        errors["deal_ref"] = ["Keep the CRM id under 100 characters."]
    if not line.stage:
        errors["stage"] = ["Give the opportunity's stage."]
    elif len(line.stage) > 60:
        errors["stage"] = ["Keep the stage under 60 characters."]
    amount = _decimal(line.amount)
    if amount is None:
        errors["amount"] = ["Give the amount as a number."]
    elif amount < 0:
        errors["amount"] = ["The amount cannot be negative."]
    elif amount >= AMOUNT_LIMIT or amount != amount.quantize(Decimal("0.01")):
        errors["amount"] = ["Give the amount in whole cents, below 100 trillion."]
    if isinstance(line.probability, bool) or not isinstance(line.probability, int):
        errors["probability"] = ["Give the probability as a whole percentage from 0 to 100."]
    elif not 0 <= line.probability <= 100:
        errors["probability"] = ["A probability is a percentage from 0 to 100."]
    if not isinstance(line.expected_close, date):
        errors["expected_close"] = ["Give the expected close date."]
    elif (problem := expected_close_error(line.expected_close, quarter=quarter)) is not None:
        errors["expected_close"] = [problem]
    return errors


def expected_close_error(day: date, *, quarter: date) -> str | None:
    """Why a line's expected close date cannot be (None when it can): it must fall in the quarter or later."""
    if day >= quarter:
        return None
    return (
        f"The forecast is for {quarter_label(quarter)}: the expected close date must be on or after "
        f"{quarter.day} {quarter:%b %Y}."
    )


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def forecast_errors(lines: Sequence[ForecastLineInput], *, quarter: date) -> dict[int, dict[str, list[str]]]:
    """Every line's problems (a CRM id named twice included), by line index; empty when all can be saved."""
    errors: dict[int, dict[str, list[str]]] = {}
    first_with_ref: dict[str, int] = {}
    for index, line in enumerate(lines):
        problems = forecast_line_errors(line, quarter=quarter)
        ref = line.deal_ref.strip()
        if ref and ref in first_with_ref and "deal_ref" not in problems:
            problems["deal_ref"] = [f"This CRM id is already on line {first_with_ref[ref] + 1}."]
        if ref:
            first_with_ref.setdefault(ref, index)
        if problems:
            errors[index] = problems
    return errors


@transaction.atomic
def forecast_submit(
    *, tenant: Tenant, actor: Membership, review: Review, lines: Sequence[ForecastLineInput]
) -> Forecast:
    """Replace the partner's forecast for the review's quarter with ``lines``, all or nothing.

    Each line with a CRM id is matched to that deal of the partner (by ``Deal.external_id``); an id that matches
    nothing is kept and matched again when the forecast is scored. Raises NotFoundError for another partner's
    review, PermissionDeniedError for a non-partner user, ForecastNotAskedError when the cadence asks for no
    forecast, ReviewLockedError once the review is held, signed off or cancelled, and ForecastInvalidError (with
    every line's problems) when there is no line or any line is invalid; nothing is written on any error.
    """
    ensure_partner_of_review(tenant, actor, review)
    if not review.cadence.asks_forecast:
        raise ForecastNotAskedError("This review does not ask for a pipeline forecast.")
    quarter = forecast_quarter(review)
    if not lines:
        raise ForecastInvalidError("Add at least one opportunity to the forecast.", extra={"lines": {}})
    if len(lines) > MAX_LINES:
        raise ForecastInvalidError(f"A forecast holds at most {MAX_LINES} lines.", extra={"lines": {}})
    errors = forecast_errors(lines, quarter=quarter)
    if errors:
        count = "1 line has" if len(errors) == 1 else f"{len(errors)} lines have"
        raise ForecastInvalidError(f"Nothing was saved: {count} errors.", extra={"lines": errors})
    locked = lock_open_review(tenant, review)
    forecast = Forecast.objects.for_tenant(tenant).filter(review=locked).first()
    now = timezone.now()
    if forecast is None:
        forecast = Forecast.objects.create(
            tenant=tenant,
            review=locked,
            partner_id=locked.partner_id,
            quarter_start=quarter,
            submitted_by=actor,
            submitted_at=now,
        )
    else:
        forecast.quarter_start, forecast.submitted_by, forecast.submitted_at = quarter, actor, now
        forecast.save(update_fields=["quarter_start", "submitted_by", "submitted_at", "updated_at"])
    deals = deal_ids_by_external_id(
        tenant=tenant, partner_ids=[locked.partner_id], external_ids=[x.deal_ref for x in lines]
    )
    ForecastLine.objects.for_tenant(tenant).filter(forecast=forecast).delete()
    ForecastLine.objects.bulk_create(
        [
            ForecastLine(
                tenant=tenant,
                forecast=forecast,
                opportunity=line.opportunity,
                deal_ref=line.deal_ref,
                deal_id=deals.get((locked.partner_id, line.deal_ref)) if line.deal_ref else None,
                stage=line.stage,
                amount=Decimal(str(line.amount)),
                probability=line.probability,
                expected_close=line.expected_close,
            )
            for line in lines
        ]
    )
    return forecast


# --- scoring ---


@dataclass
class ForecastScoreRun:
    scored: int = 0
    observations_written: int = 0
    partner_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scored": self.scored,
            "observations_written": self.observations_written,
            "partner_ids": self.partner_ids,
        }


def forecasts_score_due(*, tenant: Tenant, today: date | None = None) -> ForecastScoreRun:
    """Score every unscored forecast whose quarter has ended (plus the grace days); idempotent.

    Scored forecasts are never scored again, so a second run writes nothing. See ``forecasts_score``.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        # Rows locked (and re-checked by PostgreSQL) so two runs at once score each forecast once.
        due = list(forecasts_due_for_scoring(tenant=tenant, today=today).select_for_update(of=("self",)))
        return forecasts_score(tenant=tenant, forecasts=due)


@transaction.atomic
def forecasts_score(*, tenant: Tenant, forecasts: Sequence[Forecast]) -> ForecastScoreRun:
    """Score these forecasts against the deals won in their quarters and store the result on each.

    Lines are matched to deals by CRM id again (deals imported after the forecast count). Then the accuracy of
    each partner's quarter (the mean when a partner has several forecasts for one quarter) is written as the
    ``forecast_accuracy`` observation of each of the quarter's three months, skipping rows that already hold that
    value, and ``partner_data_changed`` is sent for the partners whose observations changed. A fixed number of
    queries however many forecasts are scored.
    """
    ensure_same_tenant(tenant, *forecasts)
    run = ForecastScoreRun()
    if not forecasts:
        return run
    partner_ids = {f.partner_id for f in forecasts}
    lines_by_forecast: dict[int, list[ForecastLine]] = defaultdict(list)
    for line in ForecastLine.objects.for_tenant(tenant).filter(forecast__in=[f.pk for f in forecasts]).order_by("id"):
        lines_by_forecast[line.forecast_id].append(line)
    refs = {line.deal_ref for lines in lines_by_forecast.values() for line in lines if line.deal_ref}
    deal_ids = deal_ids_by_external_id(tenant=tenant, partner_ids=partner_ids, external_ids=refs)
    start = min(f.quarter_start for f in forecasts)
    end = max(quarter_end(f.quarter_start) for f in forecasts)
    won_by_partner: dict[int, list[WonDeal]] = defaultdict(list)
    for won_deal in deal_list_won_between(tenant=tenant, partner_ids=partner_ids, start=start, end=end):
        won_by_partner[won_deal.partner_id].append(won_deal)
    now = timezone.now()
    relinked: list[ForecastLine] = []
    for forecast in forecasts:
        q_start, q_end = forecast.quarter_start, quarter_end(forecast.quarter_start)
        won_here = [d for d in won_by_partner[forecast.partner_id] if q_start <= d.close_date <= q_end]
        won_ids = {d.deal_id for d in won_here}
        outcomes: list[LineOutcome] = []
        for line in lines_by_forecast[forecast.pk]:
            deal_id = deal_ids.get((forecast.partner_id, line.deal_ref)) if line.deal_ref else None
            if deal_id != line.deal_id:
                line.deal_id = deal_id
                relinked.append(line)
            if line.expected_close <= q_end:  # lines expected after the quarter are pipeline, not this forecast
                outcomes.append(LineOutcome(line.amount, line.probability, deal_id is not None and deal_id in won_ids))
        result = score(outcomes, sum((d.amount for d in won_here), Decimal(0)))
        forecast.forecast_amount, forecast.actual_amount = result.forecast_amount, result.actual_amount
        forecast.wape, forecast.brier, forecast.accuracy = result.wape, result.brier, result.accuracy
        forecast.scored_at = now
    if relinked:
        ForecastLine.objects.for_tenant(tenant).bulk_update(relinked, ["deal"])
    Forecast.objects.for_tenant(tenant).bulk_update(
        forecasts, ["forecast_amount", "actual_amount", "wape", "brier", "accuracy", "scored_at", "updated_at"]
    )
    run.scored = len(forecasts)
    run.observations_written, changed = _write_observations(tenant, forecasts)
    run.partner_ids = sorted(changed)
    if changed:
        partner_data_changed.send(sender=Forecast, tenant=tenant, partner_ids=run.partner_ids)
    return run


def _write_observations(tenant: Tenant, forecasts: Sequence[Forecast]) -> tuple[int, set[int]]:
    """Upsert the quarter's ``forecast_accuracy`` observations; return how many rows changed and whose."""
    metric = forecast_metric(tenant=tenant)
    if metric is None:
        logger.warning(
            "forecast_accuracy metric missing: scores not written as observations", extra={"tenant": tenant.pk}
        )
        return 0, set()
    by_quarter: dict[tuple[int, date], list[Decimal]] = defaultdict(list)
    for forecast in forecasts:
        if forecast.accuracy is not None:
            by_quarter[(forecast.partner_id, forecast.quarter_start)].append(forecast.accuracy)
    wanted: dict[tuple[int, date], Decimal] = {}
    for (partner_id, start), values in by_quarter.items():
        mean = (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.0001"))
        for month in quarter_months(start):
            wanted[(partner_id, month)] = mean
    if not wanted:
        return 0, set()
    recorded = observations_record_scored(tenant=tenant, metric=metric, values=wanted, source=OBSERVATION_SOURCE)
    return recorded.written, set(recorded.partner_ids)
