import pytest

from partnerhub.core.tenancy.context import tenant_context
from reviews.models import ActionItem
from tests.factories import member
from tests.reviews.factories import ActionItemFactory


@pytest.mark.django_db
def test_an_action_item_builds_its_review_cycle_cadence_and_partner_in_one_tenant():
    item = ActionItemFactory()
    assert item.review.partner.tenant_id == item.tenant_id == item.review.cycle.cadence.tenant_id
    with tenant_context(item.tenant):
        assert ActionItem.objects.count() == 1
    assert member(item.tenant, "manager").tenant_id == item.tenant_id
