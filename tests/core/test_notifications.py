"""Notifications: sent in bulk once per key, e-mailed once after commit; the page, the badge and the API."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from partnerhub.core.errors import CrossTenantReferenceError, NotificationNotYoursError
from partnerhub.core.models import Notification, Role
from partnerhub.core.services.notifications import (
    NotificationItem,
    notifications_mark_read,
    notify_many,
)
from partnerhub.core.tenancy.context import tenant_context
from tests.factories import PartnerFactory, member
from tests.queries import settled_queries
from tests.tenant_urls import tenant_url

pytestmark = pytest.mark.django_db


def item(recipient, key="k1", **overrides):
    return NotificationItem(
        **{
            "recipient_id": recipient.pk,
            "kind": "test",
            "title": f"Title {key}",
            "body": "Body",
            "url": "/t/alpha/partners/",
            "dedupe_key": key,
            **overrides,
        }
    )


def send(tenant, items, **kwargs):
    with tenant_context(tenant):
        return notify_many(tenant, items, **kwargs)


def rows(tenant, **filters):
    with tenant_context(tenant):
        return list(Notification.objects.filter(**filters).order_by("id"))


# --- notify_many ---


def test_notify_many_inserts_each_key_once_per_recipient(tenant, manager, admin):
    first = send(tenant, [item(manager, "a"), item(manager, "b"), item(admin, "a"), item(manager, "a")])
    second = send(tenant, [item(manager, "a"), item(admin, "a"), item(admin, "c")])
    assert (first.created, second.created) == (3, 1)
    assert (first.emailed, second.emailed) == (3, 1)
    assert {(n.recipient_id, n.dedupe_key) for n in rows(tenant)} == {
        (manager.pk, "a"),
        (manager.pk, "b"),
        (admin.pk, "a"),
        (admin.pk, "c"),
    }


def test_notify_many_accepts_mappings_naming_a_membership(tenant, manager):
    result = send(tenant, [{"recipient": manager, "kind": "x", "title": "Hi", "dedupe_key": "m"}])
    assert result.created == 1


def test_notify_many_refuses_a_recipient_of_another_tenant_and_writes_nothing(tenant, manager, foreign_manager):
    with pytest.raises(CrossTenantReferenceError):
        send(tenant, [item(manager), item(foreign_manager)])
    assert rows(tenant) == []


def test_a_deactivated_member_gets_nothing(tenant, manager, other_manager):
    with tenant_context(tenant):
        other_manager.is_active = False
        other_manager.save(update_fields=["is_active"])
    assert send(tenant, [item(manager), item(other_manager)]).created == 1


def test_emails_leave_after_commit_once_each(
    tenant, manager, admin, mailoutbox, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        send(tenant, [item(manager, "a"), item(admin, "a")])
    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mailoutbox) == ["admin@alpha.test", "manager@alpha.test"]
    message = mailoutbox[0]
    assert message.subject == "[Alpha Alliances] Title a"
    assert "Body" in message.body
    assert f"{settings.SITE_URL}/t/alpha/partners/" in message.body
    with django_capture_on_commit_callbacks(execute=True):
        send(tenant, [item(manager, "a"), item(admin, "a")])
    assert len(mailoutbox) == 2
    assert all(n.emailed_at is not None for n in rows(tenant))


def test_a_rolled_back_send_emails_nobody(tenant, manager, mailoutbox, django_capture_on_commit_callbacks):
    def fail_after_sending():
        with transaction.atomic():
            send(tenant, [item(manager)])
            raise RuntimeError("the caller fails after sending")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        fail_after_sending()
    assert callbacks == []
    assert mailoutbox == []
    assert rows(tenant) == []


def test_a_failed_email_is_released_and_sent_by_the_next_run(
    tenant, manager, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        send(tenant, [item(manager)])
    assert [n.emailed_at for n in rows(tenant)] == [None]
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        result = send(tenant, [item(manager)])
    assert (result.created, result.emailed, len(mailoutbox)) == (0, 1, 1)


def test_notify_many_runs_three_queries_however_many_items(tenant, manager, admin, django_assert_num_queries):
    people = [member(tenant, Role.MANAGER) for _ in range(20)]
    with tenant_context(tenant), django_assert_num_queries(3):
        notify_many(tenant, [item(p, f"k{n}") for p in [manager, admin, *people] for n in range(5)])


# --- read-marks ---


def test_marking_read_ids_of_someone_else_is_refused_and_marks_nothing(tenant, manager, admin):
    send(tenant, [item(manager, "mine"), item(admin, "theirs")])
    mine, theirs = rows(tenant, dedupe_key="mine")[0], rows(tenant, dedupe_key="theirs")[0]
    with tenant_context(tenant), pytest.raises(NotificationNotYoursError):
        notifications_mark_read(tenant=tenant, actor=manager, ids=[mine.pk, theirs.pk])
    assert all(n.read_at is None for n in rows(tenant))


# --- the page ---


def test_the_page_lists_my_notifications_newest_first_with_unread_highlighted(tenant, manager, admin, client_for):
    send(tenant, [item(manager, "old"), item(manager, "new"), item(admin, "not-mine")])
    old = rows(tenant, dedupe_key="old")[0]
    with tenant_context(tenant):
        Notification.objects.filter(pk=old.pk).update(read_at=old.created_at)
    page = client_for(manager).get(tenant_url("notification_list", tenant)).content.decode()
    assert page.index("Title new") < page.index("Title old")
    assert "Title not-mine" not in page
    assert page.count("notif notif-unread") == 1
    assert "Mark all read" in page


def test_mark_all_read(tenant, manager, admin, client_for):
    send(tenant, [item(manager, "a"), item(manager, "b"), item(admin, "a")])
    response = client_for(manager).post(tenant_url("notification_read", tenant))
    assert response.status_code == 302
    assert all(n.read_at is not None for n in rows(tenant, recipient=manager))
    assert all(n.read_at is None for n in rows(tenant, recipient=admin))


def test_opening_a_notification_marks_it_read_and_follows_its_link(tenant, manager, client_for):
    send(tenant, [item(manager, "a"), item(manager, "b")])
    a = rows(tenant, dedupe_key="a")[0]
    response = client_for(manager).post(tenant_url("notification_read", tenant), {"id": a.pk})
    assert response.status_code == 302
    assert response["Location"] == "/t/alpha/partners/"
    assert [n.read_at is not None for n in rows(tenant)] == [True, False]


def test_a_notification_linking_elsewhere_lands_back_on_the_list(tenant, manager, client_for):
    send(tenant, [item(manager, url="https://evil.example/")])
    n = rows(tenant)[0]
    response = client_for(manager).post(tenant_url("notification_read", tenant), {"id": n.pk})
    assert response["Location"] == tenant_url("notification_list", tenant)


@pytest.mark.parametrize("bad_id", ["OTHER", "999999", "abc"])
def test_opening_someone_elses_or_no_notification_is_a_400(tenant, manager, admin, client_for, bad_id):
    send(tenant, [item(admin)])
    other = rows(tenant)[0]
    value = str(other.pk) if bad_id == "OTHER" else bad_id
    response = client_for(manager).post(tenant_url("notification_read", tenant), {"id": value})
    assert response.status_code == 400
    assert rows(tenant)[0].read_at is None


def test_a_partner_user_has_notifications_too(tenant, client_for):
    partner_user = member(tenant, Role.PARTNER, partner=PartnerFactory(tenant=tenant))
    send(tenant, [item(partner_user)])
    page = client_for(partner_user).get(tenant_url("notification_list", tenant)).content.decode()
    assert "Title k1" in page
    assert "Reviews in your calendar app" in page


def test_the_page_reads_as_many_queries_for_50_notifications_as_for_5(tenant, manager, client_for):
    client = client_for(manager)

    def queries():
        return settled_queries(client, tenant_url("notification_list", tenant))

    send(tenant, [item(manager, f"a{n}") for n in range(5)])
    few = queries()
    send(tenant, [item(manager, f"b{n}") for n in range(45)])
    assert queries() == few


# --- the badge ---


def test_the_top_bar_shows_the_unread_count(tenant, manager, client_for):
    send(tenant, [item(manager, f"k{n}") for n in range(3)])
    page = client_for(manager).get(tenant_url("partner_list", tenant)).content.decode()
    assert '<span class="badge">3<span class="visually-hidden"> unread</span></span>' in page


def test_the_badge_caps_at_99_plus(tenant, manager, client_for):
    send(tenant, [item(manager, f"k{n}") for n in range(120)])
    page = client_for(manager).get(tenant_url("partner_list", tenant)).content.decode()
    assert '<span class="badge">99+<span class="visually-hidden"> unread</span></span>' in page


def test_no_badge_when_all_is_read(tenant, manager, client_for):
    page = client_for(manager).get(tenant_url("partner_list", tenant)).content.decode()
    assert ">Notifications</a>" in page


def test_the_badge_costs_one_query(tenant, manager, client_for):
    send(tenant, [item(manager, f"k{n}") for n in range(3)])
    client = client_for(manager)
    with CaptureQueriesContext(connection) as captured:
        client.get(tenant_url("partner_list", tenant))
    assert len([q for q in captured.captured_queries if "partnerhub_notification" in q["sql"]]) == 1


# --- the API ---


def test_the_api_lists_my_notifications_only(tenant, manager, admin, api_client_for):
    send(tenant, [item(manager, "a"), item(manager, "b"), item(admin, "c")])
    response = api_client_for(manager).get(f"/api/v1/t/{tenant.slug}/notifications/")
    assert response.status_code == 200
    assert [n["title"] for n in response.json()["results"]] == ["Title b", "Title a"]


def test_the_api_lists_the_unread_ones(tenant, manager, api_client_for):
    send(tenant, [item(manager, "a"), item(manager, "b")])
    a = rows(tenant, dedupe_key="a")[0]
    api_client_for(manager).post(f"/api/v1/t/{tenant.slug}/notifications/read/", {"ids": [a.pk]}, format="json")
    response = api_client_for(manager).get(f"/api/v1/t/{tenant.slug}/notifications/", {"unread": "true"})
    assert [n["title"] for n in response.json()["results"]] == ["Title b"]


def test_the_api_marks_all_read(tenant, manager, api_client_for):
    send(tenant, [item(manager, "a"), item(manager, "b")])
    response = api_client_for(manager).post(f"/api/v1/t/{tenant.slug}/notifications/read/", {}, format="json")
    assert response.json() == {"marked": 2}


def test_the_api_refuses_ids_that_are_not_mine_and_marks_nothing(tenant, manager, admin, api_client_for):
    send(tenant, [item(manager, "a"), item(admin, "b")])
    ids = [n.pk for n in rows(tenant)]
    response = api_client_for(manager).post(f"/api/v1/t/{tenant.slug}/notifications/read/", {"ids": ids}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_notification"
    assert all(n.read_at is None for n in rows(tenant))


def test_the_api_refuses_another_tenants_notification(tenant, other_tenant, manager, foreign_manager, api_client_for):
    send(other_tenant, [item(foreign_manager)])
    foreign = rows(other_tenant)[0]
    response = api_client_for(manager).post(
        f"/api/v1/t/{tenant.slug}/notifications/read/", {"ids": [foreign.pk]}, format="json"
    )
    assert response.status_code == 400
    assert rows(other_tenant)[0].read_at is None
