"""Demo data for investments (issue 15): a fiscal year of MDF budgets allocated by tier, requests and claims in every
state, enablement and favourable terms, and their measured impact.

- Budgets: the four fiscal quarters up to the current one (MDF, in the program's currency), allocated by the
  allocation rule (tier weights, performance, a cap), and an MDF budget for EMEA events in euros, with monthly EUR
  rates, allocated by hand to the EMEA partners.
- Requests and claims, through the services (so every step has its status history and audit): the demo's improving
  partners are funded as they turn upward (their impact is real), steady partners are funded too (no effect), a few
  requests are recent (only directional: too few months after), and the queues hold a request submitted, one sent
  back for information, one rejected, claims submitted, approved, partly approved, rejected and paid.
- Enablement: a "Cloud bootcamp" programme of technical days linked to the partners' imported trainings, and
  payment terms for platinum partners.
- Then the impact estimates are computed, as the nightly task would.

Deterministic for a program and a day (seeded by the program's slug), and a second run creates nothing (a program
with a budget is left alone). Dates of the history are set to when each step would have happened.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from partnerhub.core.domain.periods import add_months
from partnerhub.core.models import Membership, Partner, Role, Tenant
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.demo.scorecards import IMPROVING, NOISE, demo_trend_starts
from recognition.domain.budgets import fiscal_period_bounds, fiscal_period_of
from recognition.models import Allocation, Budget, Claim, FundRequest, FundTransition, Investment
from recognition.selectors.allocation_rules import allocation_proposal
from recognition.services.budgets import allocation_rule_apply, allocation_set, budget_create
from recognition.services.funds import (
    UploadedProof,
    claim_decide,
    claim_mark_paid,
    claim_submit,
    fund_request_decide,
    fund_request_submit,
)
from recognition.services.impact import impact_refresh
from recognition.services.investments import investment_record
from scorecards.models import Activity, ExchangeRate

QUARTER_BUDGET = Decimal("60000.00")
EMEA_BUDGET = Decimal("30000.00")
CAP = Decimal("4000.00")
ACTIVITIES = ("event", "campaign", "content", "demand_generation", "training")
TITLES = {
    "event": "Regional customer event",
    "campaign": "Co-branded email campaign",
    "content": "Joint solution brief and case study",
    "demand_generation": "Demand generation webinar series",
    "training": "Sales bootcamp for new sellers",
}


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=UTC)


def _proof(title: str) -> UploadedProof:
    body = f"%PDF-1.4\n% PartnerHub demo proof of performance: {title}\n%%EOF\n".encode()
    return UploadedProof(name=f"invoice-{title.lower().replace(' ', '-')[:40]}.pdf", content=body)


def _last_four_quarters(tenant: Tenant, today: date) -> list[tuple[int, int]]:
    year, quarter = fiscal_period_of(today, tenant.fiscal_year_start)
    out = []
    for _ in range(4):
        out.append((year, quarter))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return list(reversed(out))


class _Seeder:
    def __init__(self, tenant: Tenant, today: date) -> None:
        self.tenant, self.today = tenant, today
        self.rng = random.Random(f"{tenant.slug}:investments")  # noqa: S311 (demo data, not security)
        members = Membership.objects.for_tenant(tenant).select_related("user", "partner")
        self.admin = next(m for m in members if m.role == Role.ADMIN)
        self.partner_users = {m.partner_id: m for m in members if m.role == Role.PARTNER and m.partner_id}
        self.partners = {p.pk: p for p in Partner.objects.for_tenant(tenant).select_related("owner")}
        self.roles = demo_trend_starts(tenant, today=today)
        self.budgets: list[Budget] = []
        self.dates: list[tuple[FundRequest, date]] = []

    def _filer(self, partner: Partner) -> Membership:
        return self.partner_users.get(partner.pk) or partner.owner or self.admin

    def _decider(self, partner: Partner) -> Membership:
        return partner.owner or self.admin

    def budgets_and_allocations(self) -> None:
        for year, quarter in _last_four_quarters(self.tenant, self.today):
            budget = budget_create(
                tenant=self.tenant,
                actor=self.admin,
                data={"fiscal_year": year, "fiscal_quarter": quarter, "amount": QUARTER_BUDGET, "claim_days": 60},
            )
            proposal = allocation_proposal(
                tenant=self.tenant, budget=budget, as_of=min(budget.starts_on, self.today), cap=CAP
            )
            allocation_rule_apply(
                tenant=self.tenant,
                actor=self.admin,
                budget=budget,
                amounts={line.partner_id: line.amount for line in proposal.lines},
                note="Allocation rule: tier weights 4/3/2/1, performance, cap 4,000",
            )
            self.budgets.append(budget)
        year, _ = fiscal_period_of(self.today, self.tenant.fiscal_year_start)
        emea = budget_create(
            tenant=self.tenant,
            actor=self.admin,
            data={"name": f"MDF EMEA events FY{year}", "fiscal_year": year, "currency": "EUR", "amount": EMEA_BUDGET},
        )
        start, _ = fiscal_period_bounds(year - 1, 1, self.tenant.fiscal_year_start)
        for i in range(30):  # monthly EUR -> reporting currency rates, so totals convert
            month = add_months(start, i)
            if self.tenant.currency != "EUR":
                ExchangeRate.objects.create(
                    tenant=self.tenant,
                    from_currency="EUR",
                    to_currency=self.tenant.currency,
                    date=month,
                    rate=Decimal("1.08") + Decimal(i % 5) / 100,
                    source="Demo treasury",
                )
        emea_partners = sorted(
            (p for p in self.partners.values() if p.region == Partner.Region.EMEA), key=lambda p: p.name
        )[:6]
        for partner in emea_partners:
            allocation_set(tenant=self.tenant, actor=self.admin, budget=emea, partner=partner, amount=Decimal(4500))

    def _budget_for(self, day: date) -> Budget | None:
        return next((b for b in self.budgets if b.starts_on <= day <= b.ends_on), None)

    def request(self, partner: Partner, start: date, activity: str, *, share: float = 0.7) -> FundRequest | None:
        budget = self._budget_for(start)
        allocation = Allocation.objects.for_tenant(self.tenant).filter(budget=budget, partner=partner).first()
        if budget is None or allocation is None or allocation.amount < 500:
            return None
        amount = (allocation.amount * Decimal(str(share))).quantize(Decimal("1"))
        request = fund_request_submit(
            tenant=self.tenant,
            actor=self._filer(partner),
            allocation=allocation,
            data={
                "activity_type": activity,
                "title": f"{TITLES[activity]} ({start:%b %Y})",
                "description": "Planned with our partner manager; target accounts agreed.",
                "planned_start": start,
                "planned_end": start + timedelta(days=20),
                "requested_amount": amount,
                "expected_leads": self.rng.randint(10, 60),
                "expected_pipeline": amount * self.rng.randint(8, 20),
            },
        )
        self.dates.append((request, start - timedelta(days=21)))
        return request

    def approve(self, request: FundRequest, *, part: float = 1.0) -> FundRequest:
        amount = (request.requested_amount * Decimal(str(part))).quantize(Decimal("1"))
        return fund_request_decide(
            tenant=self.tenant,
            actor=self._decider(request.partner),
            request=request,
            decision="approve",
            amount=amount,
            note="" if part == 1.0 else "Approved for the venue and catering; travel is not covered.",
        )

    def claim(self, request: FundRequest, *, spend: float = 0.95, outcome: str = "paid") -> Claim | None:
        if request.planned_end + timedelta(days=5) >= self.today or request.approved_amount is None:
            return None
        amount = (request.approved_amount * Decimal(str(spend))).quantize(Decimal("0.01"))
        claim = claim_submit(
            tenant=self.tenant,
            actor=self._filer(request.partner),
            request=request,
            data={
                "amount": amount,
                "leads_reported": self.rng.randint(5, 50),
                "pipeline_reported": amount * self.rng.randint(5, 15),
                "outcome": "Attendance and leads as planned; invoices and the attendee list attached.",
            },
            files=[_proof(request.title)],
            today=request.planned_end + timedelta(days=5),
        )
        decider = self._decider(request.partner)
        if outcome in ("approved", "paid"):
            claim = claim_decide(tenant=self.tenant, actor=decider, claim=claim, decision="approve")
        elif outcome == "partly":
            claim = claim_decide(
                tenant=self.tenant,
                actor=decider,
                claim=claim,
                decision="partly_approve",
                amount=(amount * Decimal("0.8")).quantize(Decimal("0.01")),
                note="Two invoices were for another campaign.",
            )
        elif outcome == "rejected":
            claim = claim_decide(
                tenant=self.tenant,
                actor=decider,
                claim=claim,
                decision="reject",
                note="The attendee list does not show the agreed target accounts.",
            )
        if outcome == "paid":
            claim = claim_mark_paid(tenant=self.tenant, actor=self.admin, claim=claim, reference=f"PAY-{claim.pk:05d}")
        return claim

    def stories(self) -> dict[str, int]:
        rng, today = self.rng, self.today
        improving = sorted(pk for pk, (part, _) in self.roles.items() if part == IMPROVING)
        steady = sorted(pk for pk, (part, _) in self.roles.items() if part == NOISE)
        rng.shuffle(steady)
        counts: dict[str, int] = {}
        # Funded as they turn upward: the demo's real effects.
        for pk in improving:
            start = self.roles[pk][1] + timedelta(days=2)
            request = self.request(self.partners[pk], start, rng.choice(ACTIVITIES))
            if request is not None:
                self.claim(self.approve(request))
        # Steady partners funded in the earlier quarters: no effect to find. Their claims go through every outcome.
        outcomes = iter(("paid", "partly", "rejected", "approved", "paid", "paid", "paid", "paid", "paid", "paid"))
        for i, pk in enumerate(steady[:12]):
            start = add_months(today.replace(day=1), -(8 - i % 4)) + timedelta(days=3 + i)
            request = self.request(self.partners[pk], start, ACTIVITIES[i % len(ACTIVITIES)], share=0.5)
            if request is None:
                continue
            approved = self.approve(request, part=0.8 if i % 5 == 1 else 1.0)
            if approved.planned_end + timedelta(days=5) < today:
                self.claim(approved, outcome=next(outcomes, "paid"))
        # Recent ones: too few months after to be more than directional; one claimed and waiting for a decision.
        waiting = False
        for i, pk in enumerate(steady[12:16]):
            start = add_months(today.replace(day=1), -1) + timedelta(days=2 + i)
            request = self.request(self.partners[pk], start, ACTIVITIES[(i + 2) % len(ACTIVITIES)], share=0.4)
            if request is None:
                continue
            request = self.approve(request)
            if not waiting and self.claim(request, outcome="submitted") is not None:
                waiting = True
        # The queues, planned inside the current quarter's budget: submitted, sent back for information, rejected.
        current = self._budget_for(today)
        upcoming = min(today + timedelta(days=10), current.ends_on) if current else today
        queue = iter(("submitted", "ask_info", "reject", "submitted"))
        for i, pk in enumerate(steady[16:]):
            request = self.request(self.partners[pk], upcoming, ACTIVITIES[i % len(ACTIVITIES)], share=0.3)
            if request is None:
                continue
            state = next(queue, None)
            if state is None:
                break
            decider = self._decider(request.partner)
            if state == "ask_info":
                fund_request_decide(
                    tenant=self.tenant,
                    actor=decider,
                    request=request,
                    decision="ask_info",
                    note="Which accounts will you invite, and who presents from your side?",
                )
            elif state == "reject":
                fund_request_decide(
                    tenant=self.tenant,
                    actor=decider,
                    request=request,
                    decision="reject",
                    note="This duplicates the campaign we already fund for you this quarter.",
                )
        counts["requests"] = FundRequest.objects.for_tenant(self.tenant).count()
        return counts

    def enablement_and_terms(self) -> int:
        recorded = 0
        improving = sorted(pk for pk, (part, _) in self.roles.items() if part == IMPROVING)
        steady = sorted(pk for pk, (part, _) in self.roles.items() if part == NOISE)
        cohort = improving[:2] + steady[-3:]
        for pk in cohort:
            partner = self.partners[pk]
            part, turn = self.roles[pk]
            starts = turn if part == IMPROVING else add_months(self.today.replace(day=1), -6)
            trainings = list(
                Activity.objects.for_tenant(self.tenant)
                .filter(partner=partner, kind__in=("training", "certification"), date__gte=starts)
                .order_by("date")
                .values_list("pk", flat=True)[:4]
            )
            investment_record(
                tenant=self.tenant,
                actor=self.admin,
                partner=partner,
                data={
                    "kind": Investment.Kind.ENABLEMENT,
                    "category": Investment.Category.TECHNICAL_DAYS,
                    "title": "Cloud bootcamp: five technical enablement days",
                    "program": "Cloud bootcamp",
                    "value": Decimal("7500"),
                    "starts_on": starts,
                    "note": "Two architects on site; hands-on labs on the platform.",
                },
                activity_ids=trainings,
            )
            recorded += 1
        platinum = sorted(p.pk for p in self.partners.values() if p.tier == Partner.Tier.PLATINUM)[:3]
        for pk in platinum:
            investment_record(
                tenant=self.tenant,
                actor=self.admin,
                partner=self.partners[pk],
                data={
                    "kind": Investment.Kind.TERMS,
                    "category": Investment.Category.PAYMENT_TERMS,
                    "title": "Payment terms extended to 60 days",
                    "value": Decimal("3200"),
                    "starts_on": add_months(self.today.replace(day=1), -8),
                    "note": "Estimated cost: the financing of 30 more days on the expected quarterly orders.",
                },
            )
            recorded += 1
        return recorded

    def backdate(self) -> None:
        """Date each request, claim and step when it would have happened (the services stamped them today)."""
        for request, filed in self.dates:
            FundRequest.objects.for_tenant(self.tenant).filter(pk=request.pk).update(created_at=_at(filed))
            steps = list(FundTransition.objects.for_tenant(self.tenant).filter(request=request).order_by("id"))
            when = filed
            for step in steps:
                if step.claim_id is not None and step.from_status == "":
                    when = max(when, request.planned_end + timedelta(days=5))
                FundTransition.objects.for_tenant(self.tenant).filter(pk=step.pk).update(
                    created_at=_at(min(when, self.today))
                )
                when += timedelta(days=4)
            claimed = min(request.planned_end + timedelta(days=5), self.today)
            Claim.objects.for_tenant(self.tenant).filter(request=request).update(created_at=_at(claimed))
        Claim.objects.for_tenant(self.tenant).filter(status=Claim.Status.PAID).update(
            paid_at=F("created_at") + timedelta(days=12)
        )


@transaction.atomic
def seed_investments(tenant: Tenant, *, today: date | None = None) -> dict[str, Any]:
    """Give ``tenant`` its demo budgets, allocations, requests, claims, investments and impact estimates (once)."""
    today = today or timezone.localdate()
    with tenant_context(tenant):
        if Budget.objects.for_tenant(tenant).exists():
            return {}
        seeder = _Seeder(tenant, today)
        seeder.budgets_and_allocations()
        counts = seeder.stories()
        counts["enablement_and_terms"] = seeder.enablement_and_terms()
        seeder.backdate()
        refresh = impact_refresh(tenant=tenant, today=today)
        counts.update(causal=refresh.causal, directional=refresh.directional, not_estimated=refresh.not_estimated)
    return counts
