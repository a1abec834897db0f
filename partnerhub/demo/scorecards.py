"""Deterministic demo data for every partner of a program: 24 months of observations, deals, activities and surveys.

The shape is chosen to exercise the rest of the app: a few partners clearly improve over the last 6 to 9 months, a few
clearly decline, the rest move only by noise around their own level; and a few data-quality problems are planted on
purpose (a reported pipeline far off the deals, a metric that stopped reporting, an absurd outlier month).

Everything is written in bulk, a partner that already has data of its own is left alone (so a second run creates
nothing), and the same tenant slug and ``today`` always give the same rows.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.text import slugify

from partnerhub.core.domain.periods import add_months
from partnerhub.core.models import Membership, Partner, Role, Tenant
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import Activity, Deal, MetricDefinition, Observation, SurveyResponse
from scorecards.services.glossary import glossary_seed

BATCH_SIZE = 2000
IMPROVING, DECLINING, NOISE = "improving", "declining", "noise"
TREND_SHARE = 1 / 6  # of the partners improve, and as many decline
TIER_SCALE: dict[str, float] = {
    Partner.Tier.PLATINUM: 3.0,
    Partner.Tier.GOLD: 1.8,
    Partner.Tier.SILVER: 1.0,
    Partner.Tier.REGISTERED: 0.5,
}
# Who keeps each category's data in the demo: the member of that team (a manager before an admin), else an admin.
OWNER_ROLES = (Role.MANAGER, Role.ADMIN, Role.EXECUTIVE)
OWNER_FUNCTION: dict[str, str] = {
    MetricDefinition.Category.PIPELINE: Membership.Function.SALES,
    MetricDefinition.Category.DEAL_QUALITY: Membership.Function.SALES,
    MetricDefinition.Category.ENGAGEMENT: Membership.Function.MARKETING,
    MetricDefinition.Category.CUSTOMER: Membership.Function.CUSTOMER_SUCCESS,
    MetricDefinition.Category.CAPABILITY: Membership.Function.ALLIANCES,
    MetricDefinition.Category.COLLABORATION: Membership.Function.ALLIANCES,
}
# Quarter ends and December close more business; January and August less.
SEASON = {1: 0.93, 3: 1.05, 6: 1.05, 8: 0.95, 9: 1.05, 12: 1.1}
OPEN_STAGES = (  # (share of the sales cycle elapsed, stage, probability %)
    (0.25, "Prospecting", 10),
    (0.45, "Qualification", 20),
    (0.6, "Needs Analysis", 30),
    (0.8, "Proposal/Price Quote", 60),
    (math.inf, "Negotiation/Review", 80),
)
ACCOUNT_PREFIXES = (
    "Northgate", "Harborview", "Silverline", "Redwood", "Blackstone", "Clearwater", "Eastfield", "Goldcrest",
    "Highland", "Ironbridge", "Lakeside", "Meridian", "Oakridge", "Pinecrest", "Riverside", "Stonegate",
    "Westbrook", "Brightwater", "Crescent", "Fairview",
)  # fmt: skip
ACCOUNT_SUFFIXES = (
    "Bank", "Health", "Logistics", "Retail", "Energy", "Foods", "Insurance", "Manufacturing", "University",
    "Municipality", "Telecom", "Pharma", "Airlines", "Media",
)  # fmt: skip
CUSTOMER_CONTACTS = ("it.director", "cio", "ops.lead", "procurement", "security.lead")
PARTNER_CONTACTS = ("alex.morgan", "sam.taylor", "jordan.lee", "casey.kim", "robin.diaz")
CSAT_COMMENTS = (
    "",
    "",
    "",
    "Smooth rollout, responsive team.",
    "Good project, a little late on the handover.",
    "Very knowledgeable engineers.",
    "Onboarding took longer than promised.",
    "Would work with them again.",
)


@dataclass(frozen=True)
class Profile:
    """How a partner's performance moves: flat, or ramping up or down over the last ``length`` months."""

    kind: str
    length: int = 0
    strength: float = 0.0

    def trend(self, index: int, months: int) -> float:
        """The multiplier of the partner's level in month ``index`` (1.0 is the partner's usual self)."""
        start = months - self.length
        if self.kind == NOISE or index < start:
            return 1.0
        progress = (index - start + 1) / self.length
        return 1 + (self.strength if self.kind == IMPROVING else -self.strength) * progress


@dataclass
class PartnerRows:
    deals: list[Deal] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    surveys: list[SurveyResponse] = field(default_factory=list)
    # Customer CSAT answers point at their deal, which has no primary key until the deals are inserted.
    deal_surveys: list[tuple[Deal, SurveyResponse]] = field(default_factory=list)


@dataclass(frozen=True)
class Plan:
    """Which partner plays which part in the demo: trends and planted data-quality problems."""

    profiles: dict[int, Profile]
    reconciliation: Partner | None
    accurate_reporters: tuple[Partner, ...]
    stale: Partner | None
    outlier: Partner | None


def _days_in_month(month: date) -> int:
    return (add_months(month, 1) - month).days


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _dec(value: float, places: int = 2) -> Decimal:
    return Decimal(f"{value:.{places}f}")


def _plan(tenant: Tenant, partners: Sequence[Partner]) -> Plan:
    """Cast the partners: about one in six improve, one in six decline (preferring stages that fit), the rest are
    noise; enough of each for the portfolio to show all three trend verdicts."""
    rng = random.Random(f"{tenant.slug}:plan")  # noqa: S311 (demo data, not security)
    pool = rng.sample(list(partners), len(partners))
    share = max(1, round(len(partners) * TREND_SHARE))
    chosen: set[int] = set()

    def pick(preferred: Iterable[str]) -> list[Partner]:
        stages = tuple(preferred)
        ranked = [p for p in pool if p.stage in stages] + [p for p in pool if p.stage not in stages]
        picked = [p for p in ranked if p.pk not in chosen][:share]
        chosen.update(p.pk for p in picked)
        return picked

    improving = pick((Partner.Stage.GROWTH, Partner.Stage.ONBOARDING))
    declining = pick((Partner.Stage.AT_RISK, Partner.Stage.MATURE))
    profiles = {p.pk: Profile(NOISE) for p in partners}
    for p in improving:
        profiles[p.pk] = Profile(IMPROVING, length=rng.randint(6, 9), strength=rng.uniform(0.4, 0.6))
    for p in declining:
        profiles[p.pk] = Profile(DECLINING, length=rng.randint(6, 9), strength=rng.uniform(0.5, 0.6))
    noise = sorted((p for p in pool if p.pk not in chosen), key=lambda p: p.name)
    cast: list[Partner | None] = [*rng.sample(noise, min(5, len(noise))), None, None, None, None, None]
    return Plan(
        profiles=profiles,
        reconciliation=cast[0],
        stale=cast[1],
        outlier=cast[2],
        accurate_reporters=tuple(p for p in cast[3:5] if p is not None),
    )


class PartnerGenerator:
    """Generates one partner's rows from its own random stream, so partners do not depend on each other."""

    def __init__(
        self,
        *,
        tenant: Tenant,
        partner: Partner,
        profile: Profile,
        months: list[date],
        today: date,
        metrics: dict[str, MetricDefinition],
    ) -> None:
        self.tenant, self.partner, self.profile = tenant, partner, profile
        self.months, self.today, self.metrics = months, today, metrics
        self.rng = random.Random(f"{tenant.slug}/{partner.name}")  # noqa: S311 (demo data, not security)
        rng = self.rng
        self.scale = TIER_SCALE.get(partner.tier, 1.0) * rng.uniform(0.75, 1.35)
        self.code = partner.external_id or f"P{partner.pk}"
        self.domain = (slugify(partner.name).replace("-", "") or f"partner{partner.pk}") + ".example"
        self.accounts = [
            f"{a} {b}" for a, b in rng.sample([(a, b) for a in ACCOUNT_PREFIXES for b in ACCOUNT_SUFFIXES], 24)
        ]
        # The partner's own level of every measure, around which its months vary.
        self.deals_per_month = rng.uniform(42, 58) / 12
        self.deal_size = 16_000 * self.scale
        self.cycle_days = rng.uniform(45, 80)
        self.win_rate = rng.uniform(0.24, 0.38)
        self.renewal_rate = rng.uniform(0.74, 0.88)
        self.discount = rng.uniform(6, 11)
        self.registration_share = rng.uniform(0.6, 0.85)
        self.revenue = 30_000 * self.scale * rng.uniform(0.9, 1.1)
        self.forecast_accuracy = rng.uniform(70, 84)
        self.response_hours = rng.uniform(8, 20)
        self.csat = rng.uniform(3.7, 4.3)
        self.sentiment = rng.uniform(6.2, 7.6)
        self.collaboration = rng.uniform(3.4, 4.1)
        self.retention = rng.uniform(84, 92)
        self.activity_rate = 0.6 + 0.5 * math.sqrt(self.scale)
        self.certified = max(1, round(3 * math.sqrt(self.scale) + rng.uniform(0, 3)))
        self.internal_respondent = (
            partner.owner.user.email if partner.owner is not None else f"alliances@{tenant.slug}.example"
        )
        self.rows = PartnerRows()
        self.csat_answered: set[tuple[str, date]] = set()

    def trend(self, index: int) -> float:
        return self.profile.trend(index, len(self.months))

    def generate(self, plan: Plan) -> PartnerRows:
        deals_created: dict[int, float] = defaultdict(float)
        registrations: dict[int, int] = defaultdict(int)
        for index, month in enumerate(self.months):
            for deal in self._deals(index, month):
                deals_created[index] += float(deal.amount)
                if deal.registered_on is not None:
                    registrations[self._index_of(deal.registered_on)] += 1
        activity = [self._activities(index, month) for index, month in enumerate(self.months)]
        self._observations(activity, registrations)
        self._plant_problems(plan, deals_created)
        return self.rows

    def _index_of(self, day: date) -> int:
        first = self.months[0]
        return (day.year - first.year) * 12 + day.month - first.month

    # --- deals and customer CSAT ---

    def _deals(self, index: int, month: date) -> list[Deal]:
        rng, t = self.rng, self.trend(index)
        won_accounts: list[str] = [d.account_name for d in self.rows.deals if d.status == Deal.Status.WON]
        created: list[Deal] = []
        for _ in range(_poisson(rng, self.deals_per_month * t**0.8)):
            created_on = month + timedelta(days=rng.randrange(_days_in_month(month)))
            renewal = bool(won_accounts) and rng.random() < 0.2
            account = rng.choice(won_accounts) if renewal else rng.choice(self.accounts)
            size = self.deal_size * rng.lognormvariate(0, 0.45) * (0.6 if renewal else 1.0) * t**0.5
            amount = max(1000, round(size / 50) * 50)
            cycle = max(10, round(self.cycle_days * rng.lognormvariate(0, 0.3) * (2 - t) ** 0.8))
            close_date = created_on + timedelta(days=cycle)
            deal = Deal(
                tenant=self.tenant,
                partner=self.partner,
                external_id=f"{self.code}-OPP-{len(self.rows.deals) + 1:04d}",
                account_name=account,
                amount=Decimal(amount),
                currency="USD",
                created_on=created_on,
                close_date=close_date,
                is_renewal=renewal,
                term_months=rng.choice((12, 12, 24, 36) if renewal else (12, 12, 12, 24, 36, 36)),
                discount_pct=_dec(_clamp(round(rng.gauss(self.discount - (t - 1) * 15, 4.5) * 2) / 2, 0, 45)),
            )
            if renewal:
                deal.discount_pct = _dec(float(deal.discount_pct) / 2)
            self._outcome(deal, t, cycle)
            if not renewal and rng.random() < self.registration_share:
                self._registration(deal)
            self.rows.deals.append(deal)
            created.append(deal)
            if deal.status == Deal.Status.WON:
                self._customer_csat(deal, index)
        return created

    def _outcome(self, deal: Deal, t: float, cycle: int) -> None:
        assert deal.close_date is not None  # noqa: S101 (set just above)
        if deal.close_date <= self.today:
            chance = (self.renewal_rate + (t - 1) * 0.4) if deal.is_renewal else (self.win_rate + (t - 1) * 0.35)
            won = self.rng.random() < _clamp(chance, 0.05, 0.97)
            deal.status = Deal.Status.WON if won else Deal.Status.LOST
            deal.stage, deal.probability = ("Closed Won", 100) if won else ("Closed Lost", 0)
            return
        elapsed = (self.today - deal.created_on).days / cycle
        deal.status = Deal.Status.OPEN
        deal.stage, deal.probability = next((s, p) for limit, s, p in OPEN_STAGES if elapsed < limit)

    def _registration(self, deal: Deal) -> None:
        registered_on = min(deal.created_on + timedelta(days=self.rng.randint(0, 4)), self.today)
        deal.registered_on = registered_on
        if self.rng.random() < 0.07:
            deal.registration_status = Deal.Registration.REJECTED
            return
        # The vendor answers a registration within days; only recent, still-open deals may be waiting.
        waiting = deal.status == Deal.Status.OPEN and (self.today - registered_on).days <= 45
        pending = waiting and self.rng.random() < 0.4
        deal.registration_status = Deal.Registration.PENDING if pending else Deal.Registration.APPROVED
        deal.registration_expires_on = registered_on + timedelta(days=90)

    def _customer_csat(self, deal: Deal, index: int) -> None:
        rng = self.rng
        assert deal.close_date is not None  # noqa: S101 (a won deal has closed)
        answered_on = deal.close_date + timedelta(days=rng.randint(5, 25))
        contact = rng.choice(CUSTOMER_CONTACTS)
        respondent = f"{contact}@{slugify(deal.account_name)}.example"
        # One answer per person and day (the survey's natural key); most customers do not answer at all.
        if answered_on > self.today or rng.random() > 0.55 or (respondent, answered_on) in self.csat_answered:
            return
        self.csat_answered.add((respondent, answered_on))
        level = self.csat + (self.trend(index) - 1) * 2.0
        response = SurveyResponse(
            tenant=self.tenant,
            partner=self.partner,
            survey=SurveyResponse.Survey.CSAT,
            respondent_type=SurveyResponse.Respondent.CUSTOMER,
            respondent=respondent,
            account_name=deal.account_name,
            date=answered_on,
            score=_dec(_clamp(round(rng.gauss(level, 0.75)), 1, 5)),
            scale_max=5,
            comment=rng.choice(CSAT_COMMENTS),
        )
        self.rows.deal_surveys.append((deal, response))

    # --- joint activities ---

    def _activities(self, index: int, month: date) -> dict[str, int]:
        """Create the month's joint activities; return what they add up to (for the observations)."""
        rng, t = self.rng, self.trend(index)
        kinds = list(Activity.Kind.values)
        weights = [3, 2.5, 2.5 if self.partner.partner_type == Partner.Type.TECHNOLOGY else 0.7, 2.5, 1.2]
        lines = self.partner.product_lines or ["our platform"]
        totals = {"count": 0, "leads": 0, "trained": 0, "certified": 0}
        seen: set[tuple[str, date, str]] = set()
        for _ in range(_poisson(rng, self.activity_rate * t)):
            kind = rng.choices(kinds, weights)[0]
            day = month + timedelta(days=rng.randrange(_days_in_month(month)))
            line = rng.choice(lines)
            attendees, leads, title, outcome = self._activity_detail(kind, line, t)
            if (kind, day, title) in seen:
                continue
            seen.add((kind, day, title))
            self.rows.activities.append(
                Activity(
                    tenant=self.tenant,
                    partner=self.partner,
                    kind=kind,
                    title=title,
                    date=day,
                    outcome=outcome,
                    attendees=attendees,
                    leads=leads,
                )
            )
            totals["count"] += 1
            totals["leads"] += leads
            totals["trained"] += attendees if kind == Activity.Kind.TRAINING else 0
            totals["certified"] += attendees if kind == Activity.Kind.CERTIFICATION else 0
        return totals

    def _activity_detail(self, kind: str, line: str, t: float) -> tuple[int, int, str, str]:
        rng = self.rng
        if kind == Activity.Kind.WEBINAR:
            attendees = round(rng.randint(20, 140) * t)
            leads = round(attendees * rng.uniform(0.1, 0.3))
            return attendees, leads, f"Webinar: what's new in {line}", f"{attendees} attended, {leads} leads"
        if kind == Activity.Kind.CO_SELL:
            targets = rng.randint(5, 30)
            leads = round(rng.randint(2, 15) * t)
            return 0, leads, f"Co-sell campaign: {line}", f"{targets} target accounts worked, {leads} qualified leads"
        if kind == Activity.Kind.INTEGRATION:
            step = rng.choice(("design review", "beta connector", "certified connector", "marketplace listing"))
            return 0, 0, f"{line} integration: {step}", f"Milestone reached: {step}"
        if kind == Activity.Kind.TRAINING:
            attendees = max(1, round(rng.randint(3, 14) * t))
            return attendees, 0, f"{line} sales and technical training", f"{attendees} people trained"
        certified = max(1, round(rng.randint(1, 3) * t))
        return certified, 0, f"{line} certification exam", f"{certified} people certified"

    # --- monthly observations and partner surveys ---

    def _observations(self, activity: list[dict[str, int]], registrations: dict[int, int]) -> None:
        rng, certified = self.rng, self.certified
        for index, month in enumerate(self.months):
            t, done = self.trend(index), activity[index]
            certified += done["certified"]
            leaving = 0.3 if t < 1 else 0.08
            if certified > 1 and rng.random() < leaving:
                certified -= 1
            values: dict[str, float] = {
                "revenue": self.revenue * SEASON.get(month.month, 1.0) * t * rng.gauss(1, 0.06),
                "forecast_accuracy": _clamp(self.forecast_accuracy + (t - 1) * 40 + rng.gauss(0, 3), 30, 99),
                "time_to_first_response": max(1.0, self.response_hours * (2 - t) * rng.gauss(1, 0.08)),
                "certified_staff": certified,
                "joint_activities": done["count"],
                "csat": _clamp(self.csat + (t - 1) * 2.0 + rng.gauss(0, 0.08), 1, 5),
                "partner_sentiment": _clamp(self.sentiment + (t - 1) * 5 + rng.gauss(0, 0.25), 0, 10),
                "collaboration_quality": _clamp(self.collaboration + (t - 1) * 2 + rng.gauss(0, 0.1), 1, 5),
                "deal_registrations": registrations.get(index, 0),
                "marketing_leads": done["leads"] + _poisson(rng, 6 * math.sqrt(self.scale) * t),
                "training_completions": round(done["trained"] * 0.8) + _poisson(rng, 1.5 * t),
                "customer_retention": _clamp(self.retention + (t - 1) * 25 + rng.gauss(0, 1.2), 40, 99.5),
            }
            for key, value in values.items():
                self._observation(key, month, value)
            self._pulse_surveys(index, month, t)

    def _observation(self, key: str, month: date, value: float, source: str = "") -> None:
        metric = self.metrics.get(key)
        if metric is None:
            return
        self.rows.observations.append(
            Observation(
                tenant=self.tenant,
                partner=self.partner,
                metric=metric,
                month=month,
                value=_dec(value),
                source=source or metric.data_source[:60],
            )
        )

    def _pulse_surveys(self, index: int, month: date, t: float) -> None:
        rng = self.rng
        last_day = min(_days_in_month(month) - 1, 27)
        sentiment = self.sentiment + (t - 1) * 5
        for contact in rng.sample(PARTNER_CONTACTS, rng.randint(1, 2)):
            self.rows.surveys.append(
                SurveyResponse(
                    tenant=self.tenant,
                    partner=self.partner,
                    survey=SurveyResponse.Survey.SENTIMENT,
                    respondent_type=SurveyResponse.Respondent.PARTNER,
                    respondent=f"{contact}@{self.domain}",
                    date=month + timedelta(days=rng.randint(2, last_day)),
                    score=_dec(_clamp(round(rng.gauss(sentiment, 1.0)), 0, 10)),
                    scale_max=10,
                )
            )
        self.rows.surveys.append(
            SurveyResponse(
                tenant=self.tenant,
                partner=self.partner,
                survey=SurveyResponse.Survey.COLLABORATION,
                respondent_type=SurveyResponse.Respondent.INTERNAL,
                respondent=self.internal_respondent,
                date=month + timedelta(days=rng.randint(2, last_day)),
                score=_dec(_clamp(round(rng.gauss(self.collaboration + (t - 1) * 2, 0.6)), 1, 5)),
                scale_max=5,
            )
        )

    # --- planted data-quality problems ---

    def _plant_problems(self, plan: Plan, deals_created: dict[int, float]) -> None:
        partner, months = self.partner, self.months
        if partner in plan.accurate_reporters or partner == plan.reconciliation:
            # The partner reports its own pipeline too; the reconciliation check compares it with the deals.
            inflated_from = len(months) - 4 if partner == plan.reconciliation else len(months)
            for index, month in enumerate(months):
                derived = deals_created.get(index, 0.0)
                factor = 2.6 if index >= inflated_from else self.rng.uniform(0.99, 1.01)
                self._observation("pipeline_created", month, derived * factor, source="partner report")
        if partner == plan.stale:
            # The support desk feed stopped three months ago.
            stale = self.metrics.get("time_to_first_response")
            cutoff = months[-3]
            self.rows.observations = [
                o for o in self.rows.observations if not (o.metric is stale and o.month >= cutoff)
            ]
        if partner == plan.outlier:
            # Two extra zeros typed into last month's marketing leads (recent, so the nightly check flags it;
            # not revenue, whose trend the demo's improving and declining partners are told apart by).
            leads = self.metrics.get("marketing_leads")
            for obs in self.rows.observations:
                if obs.metric is leads and obs.month == months[-2]:
                    obs.value *= 100


def _assign_data_owners(tenant: Tenant) -> int:
    """Name a data owner for each metric that has none, by the team that keeps its data; return how many."""
    members = list(
        Membership.objects.for_tenant(tenant)
        .filter(is_active=True, role__in=OWNER_ROLES)
        .order_by("id")
        .only("id", "role", "function")
    )
    members.sort(key=lambda m: OWNER_ROLES.index(m.role))
    admins = [m for m in members if m.role == Role.ADMIN]
    metrics = list(MetricDefinition.objects.for_tenant(tenant).filter(data_owner__isnull=True))
    for metric in metrics:
        team = OWNER_FUNCTION.get(metric.category, Membership.Function.ALLIANCES)
        owner = next((m for m in members if m.function == team), admins[0] if admins else None)
        metric.data_owner = owner
    owned = [m for m in metrics if m.data_owner is not None]
    MetricDefinition.objects.for_tenant(tenant).bulk_update(owned, ["data_owner"])
    return len(owned)


def _insert(model: type[Any], rows: list[Any], **kwargs: Any) -> int:
    for start in range(0, len(rows), BATCH_SIZE):
        model.objects.bulk_create(rows[start : start + BATCH_SIZE], **kwargs)
    return len(rows)


def _partners_with_data(tenant: Tenant) -> set[int]:
    ids: set[int] = set()
    for model in (Deal, Observation, Activity, SurveyResponse):
        ids.update(model.objects.for_tenant(tenant).values_list("partner_id", flat=True).distinct())
    return ids


def seed_partner_data(tenant: Tenant, *, months: int = 24, today: date | None = None) -> dict[str, Any]:
    """Give every partner of ``tenant`` that has no data yet ``months`` months of it, ending last month.

    The metric catalog is seeded first if need be, and metrics without a data owner get one (by team).

    Returns the counts created and who plays which part (improving, declining, the planted problems).
    """
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    window = [add_months(this_month, i - months) for i in range(months)]
    with tenant_context(tenant):
        glossary_seed(tenant=tenant)
        _assign_data_owners(tenant)
        metrics = {m.key: m for m in MetricDefinition.objects.for_tenant(tenant).filter(derived_from_deals=False)}
        metrics.update({m.key: m for m in MetricDefinition.objects.for_tenant(tenant).filter(key="pipeline_created")})
        partners = list(Partner.objects.for_tenant(tenant).select_related("owner__user").order_by("name", "id"))
        plan = _plan(tenant, partners)
        done = _partners_with_data(tenant)
        rows = PartnerRows()
        for partner in partners:
            if partner.pk in done:
                continue
            generator = PartnerGenerator(
                tenant=tenant,
                partner=partner,
                profile=plan.profiles[partner.pk],
                months=window,
                today=today,
                metrics=metrics,
            )
            made = generator.generate(plan)
            for name in ("deals", "activities", "observations", "surveys", "deal_surveys"):
                getattr(rows, name).extend(getattr(made, name))
        _insert(Deal, rows.deals)
        for deal, response in rows.deal_surveys:
            response.deal = deal
        counts = {
            "partners": len({d.partner_id for d in rows.deals} | {o.partner_id for o in rows.observations}),
            "deals": len(rows.deals),
            "activities": _insert(Activity, rows.activities),
            "observations": _insert(Observation, rows.observations),
            "surveys": _insert(SurveyResponse, rows.surveys + [r for _, r in rows.deal_surveys]),
        }
    return {**counts, **_describe(plan, partners)}


def _describe(plan: Plan, partners: Sequence[Partner]) -> dict[str, Any]:
    def named(kind: str) -> list[str]:
        return [p.name for p in partners if plan.profiles[p.pk].kind == kind]

    return {
        "improving": named(IMPROVING),
        "declining": named(DECLINING),
        "reconciliation": plan.reconciliation.name if plan.reconciliation else None,
        "stale": (plan.stale.name, "time_to_first_response") if plan.stale else None,
        "outlier": (plan.outlier.name, "marketing_leads") if plan.outlier else None,
    }


def demo_trend_starts(tenant: Tenant, *, months: int = 24, today: date | None = None) -> dict[int, tuple[str, date]]:
    """Partner id -> its part in the demo (improving, declining, noise) and the first month its trend moves (for a
    noise partner, the month after the window). Other demo modules place their stories on it (investments fund the
    improving partners as they turn upward)."""
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    with tenant_context(tenant):
        partners = list(Partner.objects.for_tenant(tenant).order_by("name", "id"))
        plan = _plan(tenant, partners)
    return {
        pk: (profile.kind, add_months(this_month, -profile.length) if profile.kind != NOISE else this_month)
        for pk, profile in plan.profiles.items()
    }
