from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Avg

from partnerhub.core.errors import InvalidStateError, PermissionDeniedError
from partnerhub.core.models import Role
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.executive.errors import MemoFrozenError, MemoLineError, MemoQuarterOpenError
from partnerhub.executive.models import Memo, MemoVersion
from partnerhub.executive.services.dashboard import dashboard_precompute
from partnerhub.executive.services.memo import memo_edit, memo_generate, memo_publish, memo_redraft
from partnerhub.executive.tasks.memo import memo_for_closed_quarter_task
from scorecards.models import ScorecardSnapshot
from tests.executive.world import TODAY, build_program

pytestmark = pytest.mark.django_db
Q2 = date(2025, 4, 1)


@pytest.fixture
def program(tenant, actor):
    program = build_program(tenant)
    program.admin = actor(Role.ADMIN)
    program.executive = actor(Role.EXECUTIVE)
    dashboard_precompute(tenant=tenant, today=TODAY)
    return program


def _draft(tenant, memo):
    with tenant_context(tenant):
        return MemoVersion.objects.get(memo=memo, status="draft")


def test_the_memo_of_a_closed_quarter_is_written_from_its_numbers_every_line_with_owner_timeline_evidence(program):
    memo = memo_generate(tenant=program.tenant, quarter=Q2).memo
    lines = _draft(program.tenant, memo).lines
    with tenant_context(program.tenant):
        q2 = ScorecardSnapshot.objects.filter(period="quarter", period_start=Q2, score__isnull=False)
        scored, mean = q2.count(), float(q2.aggregate(m=Avg("score"))["m"])
    summary = next(line for line in lines if line["section"] == "summary")
    assert summary["text"].startswith(f"{scored} partners were scored in Q2 2025; the average score was {mean:.1f}")
    assert all(line["owner"] and line["timeline"] for line in lines)
    assert all(line["evidence"] for line in lines if "not yet available" not in line["text"])
    sections = {line["section"] for line in lines}
    assert {"summary", "risks", "reviews", "remediation", "recognition", "investments"} <= sections
    assert sum("not yet available" in line["text"] for line in lines) == 0  # every app declares its figures


def test_the_partner_facing_lines_name_no_partner(program):
    memo = memo_generate(tenant=program.tenant, quarter=Q2).memo
    lines = _draft(program.tenant, memo).lines
    public = [line for line in lines if line["public"]]
    named = [line for line in lines if any(p.name in line["text"] for p in program.partners)]
    assert public
    assert named
    assert not any(p.name in line["text"] for line in public for p in program.partners)
    assert all(not line["public"] for line in named)


def test_top_movers_are_named_with_their_change_and_owner(program):
    memo = memo_generate(tenant=program.tenant, quarter=Q2).memo
    with tenant_context(program.tenant):
        best = (
            ScorecardSnapshot.objects.filter(period="quarter", period_start=Q2, change_previous__gt=0)
            .select_related("partner__owner__user")
            .order_by("-change_previous", "partner__name")
            .first()
        )
    line = next(x for x in _draft(program.tenant, memo).lines if x["text"].startswith("Most improved"))
    assert f"{best.partner.name} (+{float(best.change_previous):.1f} points)" in line["text"]
    owner = str(best.partner.owner.user) if best.partner.owner else str(program.admin.user)
    assert owner in line["owner"]


@pytest.mark.parametrize("quarter", [date(2025, 7, 1), date(2031, 1, 1)])
def test_a_quarter_not_closed_gets_no_memo_and_a_clear_message(program, quarter):
    with pytest.raises(MemoQuarterOpenError, match="is not closed yet"):
        memo_generate(tenant=program.tenant, quarter=quarter)
    with tenant_context(program.tenant):
        assert not Memo.objects.exists()


def test_a_second_run_keeps_the_memo_and_its_edits(program):
    memo = memo_generate(tenant=program.tenant, quarter=Q2).memo
    draft = _draft(program.tenant, memo)
    memo_edit(tenant=program.tenant, actor=program.executive, version=draft, commentary="A good quarter.")
    again = memo_generate(tenant=program.tenant, quarter=Q2)
    assert (again.created, again.memo.pk) == (False, memo.pk)
    assert _draft(program.tenant, memo).commentary == "A good quarter."


def test_a_draft_is_edited_then_published_frozen_and_publishing_twice_writes_nothing(program):
    memo = memo_generate(tenant=program.tenant, quarter=Q2).memo
    draft = _draft(program.tenant, memo)
    first = draft.lines[0]["id"]
    memo_edit(tenant=program.tenant, actor=program.admin, version=draft, commentary="Commentary.", remove=first)
    published = memo_publish(tenant=program.tenant, actor=program.executive, version=draft)

    assert published.status == "published"
    assert bytes(published.pdf).startswith(b"%PDF")
    assert bytes(published.partner_pdf).startswith(b"%PDF")
    assert "Commentary." in published.html
    assert draft.lines[0]["text"] not in published.html
    with tenant_context(program.tenant):
        before = MemoVersion.objects.values_list("pk", "updated_at", "status").get(pk=published.pk)
    with pytest.raises(MemoFrozenError, match="publishing it again changes nothing"):
        memo_publish(tenant=program.tenant, actor=program.executive, version=published)
    with pytest.raises(MemoFrozenError):
        memo_edit(tenant=program.tenant, actor=program.admin, version=published, commentary="Changed")
    with tenant_context(program.tenant):
        assert MemoVersion.objects.values_list("pk", "updated_at", "status").get(pk=published.pk) == before
        assert MemoVersion.objects.count() == 1


def test_a_new_draft_starts_from_the_published_version_and_the_history_keeps_both(program):
    memo = memo_generate(tenant=program.tenant, quarter=Q2).memo
    published = memo_publish(tenant=program.tenant, actor=program.admin, version=_draft(program.tenant, memo))
    second = memo_redraft(tenant=program.tenant, actor=program.admin, memo=memo)
    assert (second.number, second.status, second.lines) == (2, "draft", published.lines)
    with pytest.raises(InvalidStateError, match="has a draft already"):
        memo_redraft(tenant=program.tenant, actor=program.admin, memo=memo)


def test_an_unknown_line_is_refused_and_a_manager_may_not_edit(program, actor):
    memo = memo_generate(tenant=program.tenant, quarter=Q2).memo
    draft = _draft(program.tenant, memo)
    with pytest.raises(MemoLineError):
        memo_edit(tenant=program.tenant, actor=program.admin, version=draft, remove="no-such-line")
    with pytest.raises(PermissionDeniedError):
        memo_edit(tenant=program.tenant, actor=actor(Role.MANAGER), version=draft, commentary="x")


def test_the_task_writes_the_memo_of_the_latest_closed_quarter_once(program):
    first = memo_for_closed_quarter_task(tenant_id=program.tenant.pk)
    second = memo_for_closed_quarter_task(tenant_id=program.tenant.pk)
    assert (first["quarter"], first["created"], second["created"]) == ("2025-04-01", True, False)


# --- the pages ---


def test_an_executive_publishes_from_the_page_and_publishing_again_says_so(program, client_for):
    client = client_for(program.executive)
    response = client.post("/t/alpha/executive/memos/", {"quarter": "2025-04-01"})
    memo_url = response.url
    assert client.post(memo_url + "publish/").status_code == 302
    again = client.post(memo_url + "publish/")
    assert again.status_code == 400
    assert "publishing it again changes nothing" in again.content.decode()
    page = client.get(memo_url)
    assert "Published v1" in page.content.decode()


def test_a_partner_user_reads_the_partner_version_naming_no_partner(program, actor, client_for):
    memo = memo_generate(tenant=program.tenant, quarter=Q2).memo
    memo_publish(tenant=program.tenant, actor=program.admin, version=_draft(program.tenant, memo))
    partner_user = actor(Role.PARTNER, partner=program.partners[0])
    client = client_for(partner_user)
    listing = client.get("/t/alpha/portal/memos/").content.decode()
    assert "Q2 2025" in listing
    body = client.get(f"/t/alpha/portal/memos/{memo.pk}/").content.decode()
    assert "partners were scored in Q2 2025" in body
    assert not any(p.name in body for p in program.partners)
    assert client.get(f"/t/alpha/portal/memos/{memo.pk}/memo.pdf").content.startswith(b"%PDF")
    assert client.get("/t/alpha/executive/memos/").status_code == 403
