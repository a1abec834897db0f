from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import Deal
from scorecards.selectors.deals import WonDeal, deal_ids_by_external_id, deal_list_won_between
from tests.factories import PartnerFactory
from tests.scorecards.factories import DealFactory

pytestmark = pytest.mark.django_db


def test_deal_ids_match_each_partners_own_crm_ids_in_one_query(tenant, django_assert_num_queries):
    first, second = PartnerFactory.create_batch(2, tenant=tenant)
    ours = [DealFactory(partner=first, external_id=f"OPP-{i}") for i in range(3)]
    DealFactory(partner=second, external_id="OPP-9")

    with tenant_context(tenant), django_assert_num_queries(1):
        found = deal_ids_by_external_id(
            tenant=tenant, partner_ids=[first.pk], external_ids=["OPP-0", "OPP-1", "OPP-2", "OPP-9", ""]
        )

    assert found == {(first.pk, d.external_id): d.pk for d in ours}


def test_no_crm_id_reads_nothing(tenant, django_assert_num_queries):
    with tenant_context(tenant), django_assert_num_queries(0):
        assert deal_ids_by_external_id(tenant=tenant, partner_ids=[1], external_ids=["", ""]) == {}


def test_won_deals_are_those_won_in_the_range_in_one_query(tenant, django_assert_num_queries):
    partner = PartnerFactory(tenant=tenant)
    won = [
        DealFactory(partner=partner, status=Deal.Status.WON, close_date=date(2026, 7, d), amount=Decimal(100 * d))
        for d in (1, 15, 31)
    ]
    DealFactory(partner=partner, status=Deal.Status.WON, close_date=date(2026, 6, 30))
    DealFactory(partner=partner, status=Deal.Status.LOST, close_date=date(2026, 7, 10))
    DealFactory(partner=PartnerFactory(tenant=tenant), status=Deal.Status.WON, close_date=date(2026, 7, 10))

    with tenant_context(tenant), django_assert_num_queries(1):
        rows = deal_list_won_between(
            tenant=tenant, partner_ids=[partner.pk], start=date(2026, 7, 1), end=date(2026, 7, 31)
        )

    assert sorted(rows, key=lambda r: r.close_date) == [
        WonDeal(partner.pk, d.pk, d.external_id, d.amount, d.close_date) for d in won
    ]
