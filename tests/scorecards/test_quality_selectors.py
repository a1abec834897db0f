"""Reads of data quality: the finding list with its filters, counts by kind, and the scorecard's flags."""

from __future__ import annotations

from datetime import date

import pytest

from partnerhub.core.errors import NotFoundError
from partnerhub.core.tenancy.context import tenant_context
from scorecards.models import DataQualityFinding
from scorecards.selectors.data_quality import (
    finding_counts_by_kind,
    finding_get,
    finding_list,
)
from tests.factories import PartnerFactory
from tests.scorecards.factories import FindingFactory

pytestmark = pytest.mark.django_db

Kind, Status = DataQualityFinding.Kind, DataQualityFinding.Status
AUG, SEP = date(2026, 8, 1), date(2026, 9, 1)


@pytest.fixture
def acme(tenant):
    return PartnerFactory(tenant=tenant, name="Acme Cloud")


@pytest.fixture
def birch(tenant):
    return PartnerFactory(tenant=tenant, name="Birch Systems")


@pytest.fixture
def book(tenant, other_tenant, acme, birch):
    return {
        "acme_outlier": FindingFactory(tenant=tenant, partner=acme, kind=Kind.OUTLIER, month=SEP, detail="A spike."),
        "acme_stale": FindingFactory(tenant=tenant, partner=acme, kind=Kind.STALE, month=AUG, detail="Old data."),
        "birch_missing": FindingFactory(tenant=tenant, partner=birch, kind=Kind.MISSING, month=SEP, detail="None."),
        "birch_resolved": FindingFactory(
            tenant=tenant, partner=birch, kind=Kind.OUTLIER, month=SEP, status=Status.RESOLVED, detail="Fixed."
        ),
        "foreign": FindingFactory(tenant=other_tenant, partner=PartnerFactory(tenant=other_tenant), month=SEP),
    }


def ids(queryset) -> set[int]:
    return {f.pk for f in queryset}


def test_the_list_shows_the_open_findings_of_the_tenant_only(tenant, book):
    with tenant_context(tenant):
        listed = ids(finding_list(tenant=tenant))
    assert listed == {book["acme_outlier"].pk, book["acme_stale"].pk, book["birch_missing"].pk}


def test_the_list_filters_by_kind(tenant, book):
    with tenant_context(tenant):
        listed = ids(finding_list(tenant=tenant, kind=Kind.STALE))
    assert listed == {book["acme_stale"].pk}


def test_the_list_filters_by_part_of_the_partner_name(tenant, book):
    with tenant_context(tenant):
        listed = ids(finding_list(tenant=tenant, partner_name="birch"))
    assert listed == {book["birch_missing"].pk}


def test_the_list_filters_by_partner_and_status(tenant, book, birch):
    with tenant_context(tenant):
        listed = ids(finding_list(tenant=tenant, partner_id=birch.pk, status=Status.RESOLVED))
    assert listed == {book["birch_resolved"].pk}


def test_the_list_joins_partner_metric_and_owner_in_one_query(tenant, book, django_assert_num_queries):
    with tenant_context(tenant), django_assert_num_queries(1):
        rows = [(f.partner.name, f.metric.name, f.owner) for f in finding_list(tenant=tenant)]
    assert len(rows) == 3


def test_counts_by_kind_cover_every_kind(tenant, book):
    with tenant_context(tenant):
        counts = finding_counts_by_kind(tenant=tenant)
    assert counts == {"stale": 1, "missing": 1, "outlier": 1, "reconciliation": 0, "duplicate": 0}


def test_a_foreign_finding_is_not_found(tenant, book):
    with tenant_context(tenant), pytest.raises(NotFoundError):
        finding_get(tenant=tenant, finding_id=book["foreign"].pk)
