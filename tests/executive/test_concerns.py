from __future__ import annotations

import pytest

from partnerhub.core.models import Notification, Role
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.executive.models import Concern, ConcernMessage
from tests.factories import PartnerFactory, TenantFactory

pytestmark = pytest.mark.django_db
SUBJECT = "CONFIDENTIAL-CONCERN-SUBJECT"


@pytest.fixture
def people(tenant, actor):
    manager = actor(Role.MANAGER)
    owned = PartnerFactory(tenant=tenant, name="Owned Partner", owner=manager)
    owner_admin = actor(Role.ADMIN)
    anonymous_about = PartnerFactory(tenant=tenant, name="Admin-owned Partner", owner=owner_admin)
    return {
        "admin": actor(Role.ADMIN),
        "owner_admin": owner_admin,
        "manager": manager,
        "executive": actor(Role.EXECUTIVE),
        "sender": actor(Role.PARTNER, partner=owned),
        "other_partner_user": actor(Role.PARTNER),
        "owned": owned,
        "anonymous_about": anonymous_about,
    }


def _raise(client_for, who, **extra):
    data = {"subject": SUBJECT, "body": "Our deal registrations are being ignored.", **extra}
    return client_for(who).post("/t/alpha/concerns/", data)


def _concerns(tenant):
    with tenant_context(tenant):
        return list(Concern.objects.all())


def test_only_the_admins_and_the_sender_see_a_concern(tenant, people, client_for):
    response = _raise(client_for, people["sender"])
    concern = _concerns(tenant)[0]
    assert response.url == f"/t/alpha/concerns/{concern.pk}/"
    assert concern.partner_id == people["owned"].pk
    for role in ("admin", "sender"):
        page = client_for(people[role]).get(f"/t/alpha/concerns/{concern.pk}/")
        assert page.status_code == 200
        assert SUBJECT in page.content.decode()
    for role in ("manager", "executive", "other_partner_user"):
        client = client_for(people[role])
        assert client.get(f"/t/alpha/concerns/{concern.pk}/").status_code == 404
        assert SUBJECT not in client.get("/t/alpha/concerns/").content.decode()


def test_a_concern_never_shows_on_the_partners_pages(tenant, people, client_for):
    _raise(client_for, people["sender"])
    client = client_for(people["admin"])
    for path in (f"/t/alpha/partners/{people['owned'].pk}/", f"/t/alpha/partners/{people['owned'].pk}/scorecard/"):
        response = client.get(path)
        assert response.status_code == 200
        assert SUBJECT not in response.content.decode()
    portal = client_for(people["sender"]).get("/t/alpha/portal/")
    assert SUBJECT not in portal.content.decode()


def test_an_anonymous_concern_hides_the_sender_from_the_admin_who_owns_the_partner_only(tenant, people, client_for):
    manager = people["manager"]
    _raise(client_for, manager, partner=str(people["anonymous_about"].pk), anonymous_to_owner="on")
    concern = _concerns(tenant)[0]
    owner_view = client_for(people["owner_admin"]).get(f"/t/alpha/concerns/{concern.pk}/").content.decode()
    other_view = client_for(people["admin"]).get(f"/t/alpha/concerns/{concern.pk}/").content.decode()
    name = str(manager.user)
    assert name not in owner_view.split("<main", 1)[1]
    assert "asked not to be named to you" in owner_view
    assert name in other_view


def test_the_admins_are_told_and_a_reply_reaches_the_sender(tenant, people, client_for):
    _raise(client_for, people["sender"])
    concern = _concerns(tenant)[0]
    client_for(people["admin"]).post(f"/t/alpha/concerns/{concern.pk}/", {"body": "We are looking into it."})
    client_for(people["admin"]).post(f"/t/alpha/concerns/{concern.pk}/", {"status": "in_review"})
    with tenant_context(tenant):
        told = set(Notification.objects.filter(kind="concern").values_list("recipient_id", "title"))
        assert ConcernMessage.objects.filter(concern=concern).count() == 2
        assert Concern.objects.get().status == "in_review"
    assert (people["admin"].pk, "A confidential concern was raised") in told
    assert (people["sender"].pk, "A reply to your concern") in told
    assert not any(recipient == people["manager"].pk for recipient, _ in told)


@pytest.mark.parametrize("who", ["manager", "sender"])
def test_a_concern_naming_another_programs_partner_is_refused_and_writes_nothing(tenant, people, client_for, who):
    foreign = PartnerFactory(tenant=TenantFactory(slug="beta", name="Beta"), name="FOREIGN-PARTNER")
    response = _raise(client_for, people[who], partner=str(foreign.pk))
    assert response.status_code == 400
    body = response.content.decode()
    assert "FOREIGN-PARTNER" not in body
    assert "not in this program" in body or "your own company only" in body
    assert _concerns(tenant) == []


def test_a_partner_user_may_not_raise_a_concern_about_another_partner(tenant, people, client_for):
    response = _raise(client_for, people["sender"], partner=str(people["anonymous_about"].pk))
    assert response.status_code == 400
    assert _concerns(tenant) == []


def test_an_empty_concern_is_refused(tenant, people, client_for):
    response = client_for(people["sender"]).post("/t/alpha/concerns/", {"subject": " ", "body": ""})
    assert response.status_code == 400
    assert _concerns(tenant) == []


def test_a_manager_may_not_change_the_status_of_their_own_concern(tenant, people, client_for):
    _raise(client_for, people["manager"])
    concern = _concerns(tenant)[0]
    response = client_for(people["manager"]).post(f"/t/alpha/concerns/{concern.pk}/", {"status": "closed"})
    assert response.status_code == 400
    assert _concerns(tenant)[0].status == "open"
