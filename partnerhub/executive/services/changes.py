"""Writes of change notices: draft one for a draft scorecard template version (its what-if attached at once), set
its sponsor, decision window and wording, and publish it (telling the partners it affects, in the portal)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from partnerhub.core.errors import CrossTenantReferenceError
from partnerhub.core.models import Membership, Role, Tenant
from partnerhub.core.rules import ensure_can
from partnerhub.core.services.notifications import NotificationItem, notify_many
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.executive.errors import ChangeNoticeError
from partnerhub.executive.models import ChangeNotice
from scorecards.models import TemplateVersion
from scorecards.selectors.whatif import version_whatif


def _impact(tenant: Tenant, version: TemplateVersion) -> tuple[dict[str, object], list[int]]:
    whatif = version_whatif(tenant=tenant, version=version)
    partners = {
        str(row.partner_id): [row.old_score, row.new_score, row.old_rag, row.new_rag]
        for row in whatif.rows
        if row.affected
    }
    impact: dict[str, object] = {
        "month": whatif.month.isoformat() if whatif.month else None,
        "affected": whatif.affected,
        "direction": whatif.direction,
        "moves": [{"label": m.label, "count": m.count, "worse": m.worse} for m in whatif.moves],
        "partners": partners,
    }
    return impact, [int(pid) for pid in partners]


@transaction.atomic
def change_notice_draft(
    *, tenant: Tenant, actor: Membership, version_id: int, title: str, what_changed: str, why: str
) -> ChangeNotice:
    """Draft the notice of a draft template version, its impact attached from the what-if. A version of another
    program (or none) is a CrossTenantReferenceError; a published version a ChangeNoticeError."""
    ensure_can(actor, "executive.changes.manage")
    with tenant_context(tenant):
        version = TemplateVersion.objects.for_tenant(tenant).filter(pk=version_id).select_related("template").first()
        if version is None:
            raise CrossTenantReferenceError("That scorecard version is not in this program.")
        if version.status != TemplateVersion.Status.DRAFT:
            raise ChangeNoticeError(f"Version {version.number} is published already: announce a draft.")
        if not title.strip() or not what_changed.strip() or not why.strip():
            raise ChangeNoticeError("Say what changes and why, under a title.")
        impact, affected = _impact(tenant, version)
        return ChangeNotice.objects.create(
            tenant=tenant,
            kind=ChangeNotice.Kind.TEMPLATE,
            template_version=version,
            title=title.strip()[:200],
            what_changed=what_changed.strip(),
            why=why.strip(),
            impact=impact,
            affected_partner_ids=affected,
        )


@transaction.atomic
def change_notice_update(
    *,
    tenant: Tenant,
    actor: Membership,
    notice: ChangeNotice,
    sponsor_id: int | None,
    decision_opens: date | None,
    decision_closes: date | None,
    title: str,
    what_changed: str,
    why: str,
) -> ChangeNotice:
    """Set a draft's sponsor, decision window and wording. A sponsor from another program is refused (400)."""
    ensure_can(actor, "executive.changes.manage")
    if notice.tenant_id != tenant.pk:
        raise CrossTenantReferenceError("That notice is not in this program.")
    if notice.status != ChangeNotice.Status.DRAFT:
        raise ChangeNoticeError("This notice is published: it stays as the partners read it.")
    with tenant_context(tenant):
        sponsor = None
        if sponsor_id is not None:
            sponsor = Membership.objects.for_tenant(tenant).filter(pk=sponsor_id).exclude(role=Role.PARTNER).first()
            if sponsor is None:
                raise CrossTenantReferenceError("The sponsor must be one of this program's people.")
        if decision_opens and decision_closes and decision_opens > decision_closes:
            raise ChangeNoticeError("The decision window closes before it opens.")
        notice.sponsor = sponsor
        notice.decision_opens, notice.decision_closes = decision_opens, decision_closes
        notice.title, notice.what_changed, notice.why = title.strip()[:200], what_changed.strip(), why.strip()
        notice.save(
            update_fields=["sponsor", "decision_opens", "decision_closes", "title", "what_changed", "why", "updated_at"]
        )
    return notice


def change_notice_missing(notice: ChangeNotice, today: date) -> list[str]:
    """What a notice still needs before it may be published (empty: ready)."""
    missing = []
    if not notice.impact:
        missing.append("an impact assessment")
    if notice.sponsor_id is None:
        missing.append("a sponsor")
    if notice.decision_opens is None or notice.decision_closes is None:
        missing.append("a decision window")
    elif notice.decision_closes < today:
        missing.append("a decision window that has not closed yet")
    if not (notice.title and notice.what_changed and notice.why):
        missing.append("what changes and why")
    return missing


@transaction.atomic
def change_notice_publish(*, tenant: Tenant, actor: Membership, notice: ChangeNotice) -> ChangeNotice:
    """Publish a ready notice and tell the partner users of the partners it affects. Raises ChangeNoticeError naming
    what is missing, or when the notice is published already (nothing written either way)."""
    ensure_can(actor, "executive.changes.manage")
    if notice.tenant_id != tenant.pk:
        raise CrossTenantReferenceError("That notice is not in this program.")
    with tenant_context(tenant):
        notice = ChangeNotice.objects.for_tenant(tenant).select_for_update(of=("self",)).get(pk=notice.pk)
        if notice.status == ChangeNotice.Status.PUBLISHED:
            raise ChangeNoticeError("This notice is published already: publishing it again changes nothing.")
        if missing := change_notice_missing(notice, timezone.now().date()):
            raise ChangeNoticeError("Before publishing, the notice needs " + ", ".join(missing) + ".")
        notice.status, notice.published_at, notice.published_by = (
            ChangeNotice.Status.PUBLISHED,
            timezone.now(),
            actor,
        )
        notice.save(update_fields=["status", "published_at", "published_by", "updated_at"])
        readers = Membership.objects.for_tenant(tenant).filter(
            role=Role.PARTNER, is_active=True, partner_id__in=notice.affected_partner_ids
        )
        notify_many(
            tenant,
            [
                NotificationItem(
                    recipient_id=member.pk,
                    kind="change_notice",
                    title=f"A change to your scorecard: {notice.title}",
                    body=notice.what_changed[:500],
                    url=reverse("portal_notice", kwargs={"tenant_slug": tenant.slug, "notice_id": notice.pk}),
                    dedupe_key=f"change-notice:{notice.pk}",
                )
                for member in readers
            ],
        )
    return notice
