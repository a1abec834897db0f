"""The demo's investments: a fiscal year of budgets allocated by tier, requests and claims in every state,
enablement and terms, and impact estimates where some show a real effect, some none and some are only directional.
One program is seeded once (it takes a while) and every expectation is checked on it."""

from __future__ import annotations

import pytest

from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.demo.investments import seed_investments
from partnerhub.demo.seed import PROGRAMS, seed_program
from recognition.models import Allocation, Budget, Claim, FundRequest, ImpactEstimate, Investment, ProofFile

pytestmark = pytest.mark.django_db


def test_the_demo_program_holds_every_part_of_the_investments_story_and_a_second_seed_adds_nothing():
    seed_program(PROGRAMS[0])
    tenant = Tenant.objects.get(slug=PROGRAMS[0].slug)
    with tenant_context(tenant):
        budgets = list(Budget.objects.order_by("starts_on", "name"))
        ruled = Allocation.objects.filter(source="rule").values_list("budget_id", flat=True).distinct().count()
        requests = set(FundRequest.objects.values_list("status", flat=True))
        claims = set(Claim.objects.values_list("status", flat=True))
        proofs, claim_count = ProofFile.objects.count(), Claim.objects.count()
        kinds = set(Investment.objects.values_list("kind", flat=True))
        linked = Investment.objects.filter(kind="enablement", activity_links__isnull=False).distinct().count()
        estimates = list(ImpactEstimate.objects.filter(metric="score"))
        before = (FundRequest.objects.count(), claim_count, ImpactEstimate.objects.count())
    real = [e for e in estimates if e.verdict == "causal" and (e.ci_low > 0 or e.ci_high < 0)]
    none = [e for e in estimates if e.verdict == "causal" and e.ci_low <= 0 <= e.ci_high]
    directional = [e for e in estimates if e.verdict == "directional"]

    assert len([b for b in budgets if b.fiscal_quarter]) == 4
    assert [b.currency for b in budgets if not b.fiscal_quarter] == ["EUR"]
    assert ruled == 4
    assert {"submitted", "info_requested", "approved"} <= requests
    assert claims == set(Claim.Status.values)
    assert proofs == claim_count
    assert kinds == {"mdf", "enablement", "terms"}
    assert linked >= 1
    assert (len(real) > 0, len(none) > 0, len(directional) > 0) == (True, True, True)
    assert seed_investments(tenant) == {}
    with tenant_context(tenant):
        assert (FundRequest.objects.count(), Claim.objects.count(), ImpactEstimate.objects.count()) == before
