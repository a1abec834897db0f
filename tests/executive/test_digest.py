from __future__ import annotations

import json
from datetime import date

import pytest
from django.core import mail, signing

from partnerhub.core.models import Notification, Role
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.executive.domain.digest import digest_period, first_working_day
from partnerhub.executive.models import DigestDelivery, DigestSubscription
from partnerhub.executive.services.dashboard import dashboard_precompute
from partnerhub.executive.services.digest import digest_send, digest_set_frequency, unsubscribe_token
from reviews.models import ActionItem
from tests.executive.world import TODAY, build_program
from tests.factories import PartnerFactory, TenantFactory, member

pytestmark = pytest.mark.django_db
JULY = date(2025, 7, 1)


@pytest.fixture
def program(tenant, actor):
    program = build_program(tenant)
    program.admin = actor(Role.ADMIN)
    program.executive = actor(Role.EXECUTIVE)
    program.extra["partner_user"] = actor(Role.PARTNER, partner=program.partners[1])
    with tenant_context(tenant):
        # An internal action item of the partner user's own company: never in their digest.
        internal = ActionItem.objects.filter(partner=program.partners[1]).first()
        internal.visibility = "internal"
        internal.description = "INTERNAL-ONLY follow-up"
        internal.status = "open"
        internal.due_date = date(2025, 7, 20)
        internal.save()
    dashboard_precompute(tenant=tenant, today=TODAY)
    return program


def _content(tenant, who):
    with tenant_context(tenant):
        return DigestDelivery.objects.get(membership=who).content


def _text(content):
    return json.dumps(content, ensure_ascii=False)


@pytest.mark.parametrize(
    ("month", "expected"), [(date(2026, 8, 1), date(2026, 8, 3)), (date(2026, 9, 1), date(2026, 9, 1))]
)
def test_the_first_working_day_skips_a_weekend(month, expected):
    assert first_working_day(month) == expected


@pytest.mark.parametrize(
    ("frequency", "month", "expected"),
    [
        ("monthly", date(2025, 7, 1), ("month", date(2025, 6, 1))),
        ("quarterly", date(2025, 7, 1), ("quarter", date(2025, 4, 1))),
        ("quarterly", date(2025, 8, 1), None),
        ("off", date(2025, 7, 1), None),
    ],
)
def test_what_a_digest_covers_follows_the_readers_frequency(frequency, month, expected):
    assert digest_period(month, frequency) == expected


def test_each_reader_gets_their_own_scope(program):
    digest_send(tenant=program.tenant, month=JULY, today=JULY)
    names = {p.name for p in program.partners}
    executive = _text(_content(program.tenant, program.executive))
    manager = _text(_content(program.tenant, program.managers[0]))
    partner = _text(_content(program.tenant, program.extra["partner_user"]))

    assert "partners scored; average" in executive
    own = {p.name for p in program.partners if p.owner_id == program.managers[0].pk}
    assert {n for n in names if n in manager} <= own
    assert {n for n in names if n in manager}
    assert "Your score for June 2025" in partner
    assert {n for n in names if n in partner} <= {program.partners[1].name}
    assert "INTERNAL-ONLY" not in partner
    assert "New findings" not in partner


def test_a_digest_is_sent_once_per_member_and_month_in_the_app_and_by_email_in_html_and_text(
    program, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = digest_send(tenant=program.tenant, month=JULY, today=JULY)
    with tenant_context(program.tenant):
        members = DigestDelivery.objects.count()
        assert DigestDelivery.objects.filter(emailed_at__isnull=False).count() == members
    with django_capture_on_commit_callbacks(execute=True):
        second = digest_send(tenant=program.tenant, month=JULY, today=JULY)

    assert first.created == first.readers == members
    assert (second.created, second.emailed) == (0, 0)
    with tenant_context(program.tenant):
        assert Notification.objects.filter(kind="digest").count() == members
    assert len(mail.outbox) == first.emailed == members
    message = mail.outbox[0]
    assert message.alternatives[0][1] == "text/html"
    assert "Unsubscribe: http" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_member_who_opted_out_gets_none_and_a_quarterly_one_only_at_a_quarter_start(program):
    digest_set_frequency(tenant=program.tenant, member=program.executive, frequency="off")
    digest_set_frequency(tenant=program.tenant, member=program.admin, frequency="quarterly")
    digest_send(tenant=program.tenant, month=date(2025, 8, 1), today=date(2025, 8, 1))
    with tenant_context(program.tenant):
        assert not DigestDelivery.objects.filter(membership=program.executive).exists()
        assert not DigestDelivery.objects.filter(membership=program.admin).exists()
    digest_send(tenant=program.tenant, month=JULY, today=JULY)
    assert _content(program.tenant, program.admin)["period"] == "quarter"


def test_the_unsubscribe_link_works_without_logging_in(program, client):
    token = unsubscribe_token(tenant=program.tenant, member=program.managers[0])
    url = f"/t/alpha/digest/unsubscribe/{token}/"
    page = client.get(url)
    assert page.status_code == 200
    assert program.managers[0].user.email in page.content.decode()
    assert client.post(url).status_code == 200
    with tenant_context(program.tenant):
        assert DigestSubscription.objects.get(membership=program.managers[0]).frequency == "off"


def test_a_tampered_link_or_another_programs_link_says_so_writes_nothing_and_shows_no_one(program, client):
    other = TenantFactory(slug="beta", name="Beta")
    outsider = member(other, Role.MANAGER, partner=None)
    PartnerFactory(tenant=other)
    good = unsubscribe_token(tenant=program.tenant, member=program.managers[0])
    foreign = unsubscribe_token(tenant=other, member=outsider)
    forged = signing.dumps({"t": program.tenant.pk, "m": program.managers[0].pk}, salt="another-salt")
    for token in (good[:-3] + "abc", foreign, forged):
        for method in (client.get, client.post):
            response = method(f"/t/alpha/digest/unsubscribe/{token}/")
            body = response.content.decode()
            assert response.status_code == 404
            assert "This unsubscribe link is not valid." in body
            assert "@" not in body.split("<main", 1)[1].split("</main>", 1)[0]
    with tenant_context(program.tenant):
        assert not DigestSubscription.objects.exists()


def test_a_member_reads_their_own_digest_in_the_app_and_not_anyone_elses(program, client_for):
    digest_send(tenant=program.tenant, month=JULY, today=JULY)
    mine = _text(_content(program.tenant, program.managers[0]))
    theirs = _content(program.tenant, program.managers[1])
    client = client_for(program.managers[0])
    page = client.get("/t/alpha/digest/2025-07/").content.decode()
    assert "Your digest for June 2025" in page
    assert [i["text"] for s in theirs["sections"] for i in s["items"] if i["text"] not in mine] != []
    assert not any(i["text"] in page for s in theirs["sections"] for i in s["items"] if i["text"] not in mine)
    assert "You got no digest in August 2025" in client.get("/t/alpha/digest/2025-08/").content.decode()
    assert client.get("/t/alpha/digest/not-a-month/").status_code == 400
    settings = client.post("/t/alpha/digest/settings/", {"frequency": "quarterly"})
    assert settings.status_code == 302
    assert client.post("/t/alpha/digest/settings/", {"frequency": "hourly"}).status_code == 400
