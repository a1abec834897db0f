"""Writes of the quarterly memo: written from the data once a quarter closes, edited as a draft (commentary, lines
removed and restored), published (frozen: HTML and PDF rendered once, for the program and for partners), and
redrafted from the last published version. Every write is audited (auditlog on both models).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from partnerhub.core.domain.periods import period_label, quarter_start
from partnerhub.core.errors import InvalidStateError
from partnerhub.core.models import Membership, Tenant
from partnerhub.core.rules import ensure_can
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.core.tenancy.sql import LOCK_EXECUTIVE_MEMO, tenant_xact_lock
from partnerhub.executive.domain.memo import memo_lines, memo_sections
from partnerhub.executive.errors import MemoFrozenError, MemoLineError
from partnerhub.executive.models import Memo, MemoVersion
from partnerhub.executive.selectors.memo import memo_draft, memo_facts, memo_latest_published
from partnerhub.executive.services.documents import render_pdf


def _ensure_same_tenant(tenant: Tenant, *objects: object) -> None:
    for obj in objects:
        if obj is not None and getattr(obj, "tenant_id", tenant.pk) != tenant.pk:
            raise MemoLineError("That belongs to another program.")


@dataclass(frozen=True)
class MemoGenerated:
    memo: Memo
    created: bool


def memo_generate(*, tenant: Tenant, quarter: date, actor: Membership | None = None) -> MemoGenerated:
    """Write the memo of a closed quarter as draft version 1; a quarter that has a memo already keeps it (its edits
    are never overwritten). ``actor`` None: the scheduled run after the quarter's snapshots.

    Raises MemoQuarterOpenError for a quarter not closed yet; PermissionDeniedError for someone who may not edit memos.
    """
    if actor is not None:
        ensure_can(actor, "executive.memo.edit")
    start = quarter_start(quarter)
    with tenant_context(tenant):
        tenant_xact_lock(LOCK_EXECUTIVE_MEMO, tenant)
        existing = Memo.objects.for_tenant(tenant).filter(quarter_start=start).first()
        if existing is not None:
            return MemoGenerated(existing, created=False)
        facts = memo_facts(tenant=tenant, quarter_start=start)
        memo = Memo.objects.create(tenant=tenant, quarter_start=start)
        MemoVersion.objects.create(
            tenant=tenant,
            memo=memo,
            number=1,
            lines=[line.as_dict() for line in memo_lines(facts)],
            created_by=actor,
        )
    return MemoGenerated(memo, created=True)


def _draft_of(tenant: Tenant, version: MemoVersion) -> MemoVersion:
    if version.status != MemoVersion.Status.DRAFT:
        raise MemoFrozenError(
            f"Version {version.number} is published and stays as it was. Start a new draft to change the memo."
        )
    return version


@transaction.atomic
def memo_edit(
    *,
    tenant: Tenant,
    actor: Membership,
    version: MemoVersion,
    commentary: str | None = None,
    remove: str | None = None,
    restore: str | None = None,
) -> MemoVersion:
    """Edit a draft: replace its commentary, remove a line or restore one. Raises MemoFrozenError for a published
    version and MemoLineError for a line the draft does not have (nothing written either way)."""
    ensure_can(actor, "executive.memo.edit")
    _ensure_same_tenant(tenant, version, actor)
    with tenant_context(tenant):
        version = MemoVersion.objects.for_tenant(tenant).select_for_update(of=("self",)).get(pk=version.pk)
        _draft_of(tenant, version)
        fields = ["updated_at"]
        for line_id, removed in ((remove, True), (restore, False)):
            if line_id is None:
                continue
            line = next((line for line in version.lines if line["id"] == line_id), None)
            if line is None:
                raise MemoLineError("The memo has no such line.", extra={"fields": {"line": ["Unknown line."]}})
            line["removed"] = removed
            fields.append("lines")
        if commentary is not None:
            version.commentary = commentary.strip()
            fields.append("commentary")
        version.save(update_fields=sorted(set(fields)))
    return version


def render_memo(*, tenant: Tenant, memo: Memo, version: MemoVersion, partner: bool, site: str = "") -> str:
    """The memo's body as HTML: every section (internal), or the program-level lines only (partner-facing);
    ``site`` in front of the evidence links (a PDF's links must be absolute)."""
    return render_to_string(
        "executive/partials/_memo_body.html",
        {
            "tenant": tenant,
            "memo": memo,
            "version": version,
            "sections": memo_sections(version.lines, public_only=partner),
            "partner": partner,
            "label": period_label("quarter", memo.quarter_start),
            "site": site,
        },
    )


def render_memo_pdf(*, tenant: Tenant, memo: Memo, version: MemoVersion, partner: bool) -> bytes:
    body = render_memo(tenant=tenant, memo=memo, version=version, partner=partner, site=settings.SITE_URL)
    return render_pdf(
        "executive/memo_pdf.html",
        {"tenant": tenant, "body": body, "label": period_label("quarter", memo.quarter_start), "partner": partner},
    )


def memo_publish(*, tenant: Tenant, actor: Membership, version: MemoVersion) -> MemoVersion:
    """Publish a draft: frozen from now on, its HTML and PDF (internal and partner-facing) rendered once and kept.

    Raises MemoFrozenError when the version is published already (publishing twice writes nothing).
    """
    ensure_can(actor, "executive.memo.edit")
    _ensure_same_tenant(tenant, version, actor)
    with tenant_context(tenant):
        tenant_xact_lock(LOCK_EXECUTIVE_MEMO, tenant)
        version = (
            MemoVersion.objects.for_tenant(tenant)
            .select_for_update(of=("self",))
            .select_related("memo")
            .get(pk=version.pk)
        )
        if version.status == MemoVersion.Status.PUBLISHED:
            raise MemoFrozenError(
                f"Version {version.number} was published on {version.published_at:%-d %B %Y}; publishing it again "
                "changes nothing."
            )
        memo = version.memo
        version.status = MemoVersion.Status.PUBLISHED
        version.published_by = actor
        version.published_at = timezone.now()
        version.html = render_memo(tenant=tenant, memo=memo, version=version, partner=False)
        version.partner_html = render_memo(tenant=tenant, memo=memo, version=version, partner=True)
        version.pdf = render_memo_pdf(tenant=tenant, memo=memo, version=version, partner=False)
        version.partner_pdf = render_memo_pdf(tenant=tenant, memo=memo, version=version, partner=True)
        version.save(
            update_fields=[
                "status",
                "published_by",
                "published_at",
                "html",
                "partner_html",
                "pdf",
                "partner_pdf",
                "updated_at",
            ]
        )
    return version


def memo_redraft(*, tenant: Tenant, actor: Membership, memo: Memo) -> MemoVersion:
    """Start a new draft from the latest published version (its lines and commentary). Raises InvalidStateError when
    the memo has a draft already or was never published."""
    ensure_can(actor, "executive.memo.edit")
    _ensure_same_tenant(tenant, memo, actor)
    with tenant_context(tenant):
        tenant_xact_lock(LOCK_EXECUTIVE_MEMO, tenant)
        if memo_draft(tenant=tenant, memo=memo) is not None:
            raise InvalidStateError("This memo has a draft already: edit that one.")
        latest = memo_latest_published(tenant=tenant, memo=memo)
        if latest is None:
            raise InvalidStateError("This memo has no published version to start from.")
        return MemoVersion.objects.create(
            tenant=tenant,
            memo=memo,
            number=latest.number + 1,
            lines=latest.lines,
            commentary=latest.commentary,
            created_by=actor,
        )
