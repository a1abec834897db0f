"""The audit log's filters: by person (or the system), kind of record, what was done, a date range and an object's
name; a bad value says why and drops only that filter; the person list names this program's members only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auditlog.context import set_actor
from django.utils import timezone

from partnerhub.core.models import AuditEntry
from partnerhub.core.services import program as services
from partnerhub.core.tenancy.context import tenant_context
from tests.factories import PartnerFactory
from tests.scorecards.factories import MetricFactory
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(tenant, admin, manager):
    """An admin creates a partner through the service (an actor), a factory writes another (no actor: the system),
    a metric is created, and the admin's partner is edited; one entry is moved back 40 days."""
    with tenant_context(tenant):
        with set_actor(admin.user):  # what the request middleware does for a change made on a page
            by_admin = services.partner_create(
                tenant=tenant, actor=admin, data={"name": "Made By Ana", "partner_type": "si", "region": "emea"}
            )
            by_admin.tier = "gold"
            by_admin.save()
        PartnerFactory(tenant=tenant, name="Made By A Task")
        MetricFactory(tenant=tenant, name="Audited metric")
        old = AuditEntry.objects.filter(object_repr="Made By A Task").get()
        AuditEntry.objects.filter(pk=old.pk).update(timestamp=timezone.now() - timedelta(days=40))
    return by_admin


def _page(client_for, admin, tenant, **params):
    response = client_for(admin).get(tenant_url("audit_list", tenant), params)
    return response, response.content.decode()


def test_the_person_filter_keeps_that_persons_changes(history, tenant, admin, client_for):
    response, body = _page(client_for, admin, tenant, person=admin.user_id)
    assert response.status_code == 200
    assert "Made By Ana" in body
    assert "Made By A Task" not in body
    assert "Audited metric" not in body


def test_the_system_filter_keeps_changes_no_person_made(history, tenant, admin, client_for):
    _, body = _page(client_for, admin, tenant, person=0)
    assert "Made By A Task" in body
    assert "Made By Ana" not in body
    assert "The system" in body


def test_the_kind_filter_keeps_one_kind_of_record(history, tenant, admin, client_for):
    _, body = _page(client_for, admin, tenant, kind="scorecards.metricdefinition")
    assert "Audited metric" in body
    assert "Made By Ana" not in body


def test_the_action_filter_keeps_changes_and_leaves_creations_out(history, tenant, admin, client_for):
    _, body = _page(client_for, admin, tenant, action=1)
    assert "Registered → Gold" in body
    assert "Made By A Task" not in body


def test_the_date_range_includes_both_ends_and_leaves_older_changes_out(history, tenant, admin, client_for):
    today = timezone.localdate()
    _, body = _page(client_for, admin, tenant, since=(today - timedelta(days=7)).isoformat(), until=today.isoformat())
    assert "Made By Ana" in body
    assert "Made By A Task" not in body
    _, body = _page(
        client_for, admin, tenant, since=(today - timedelta(days=41)).isoformat(), until=(today - timedelta(days=39))
    )
    assert "Made By A Task" in body
    assert "Made By Ana" not in body


def test_a_range_that_ends_before_it_starts_says_so_and_filters_nothing_by_its_end(history, tenant, admin, client_for):
    today = timezone.localdate()
    response, body = _page(
        client_for, admin, tenant, since=today.isoformat(), until=(today - timedelta(days=3)).isoformat()
    )
    assert response.status_code == 200
    assert "The end of the range is before its start." in body
    assert "Made By Ana" in body


def test_an_unknown_person_or_kind_is_a_field_error_not_a_leak(
    history, tenant, other_tenant, admin, foreign_admin, client_for
):
    response, body = _page(client_for, admin, tenant, person=foreign_admin.user_id, kind="nope.nothing")
    assert response.status_code == 200
    assert "Select a valid choice" in body
    assert "Made By Ana" in body  # the bad filters are dropped, the page still lists this program's history
    assert str(foreign_admin.user) not in body.split("</form>")[0]  # never offered as a person


def test_the_page_names_who_made_each_change(history, tenant, admin, client_for):
    _, body = _page(client_for, admin, tenant, q="Made By Ana")
    assert str(admin.user) in body
