"""Writes of change notices: draft one for a draft scorecard template version (its what-if attached at once), a draft
tier framework version (its preview attached: who would move up, down or stay) or a cadence's next change (the
partners whose reviews follow it attached), set its sponsor, decision window and wording, and publish it (telling
the partners it affects, in the portal). A published notice is what the publication guard asks for
(``selectors.changes.change_notice_gate``)."""

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
from recognition.models import FrameworkVersion
from recognition.selectors.tiers import framework_preview
from reviews.models import Cadence
from reviews.selectors.cadences import cadence_matching_partners
from scorecards.models import TemplateVersion
from scorecards.selectors.whatif import version_whatif

NOTIFICATION_TITLES = {
    ChangeNotice.Kind.TEMPLATE: "A change to your scorecard",
    ChangeNotice.Kind.TIER_FRAMEWORK: "A change to the tier framework",
    ChangeNotice.Kind.CADENCE: "A change to your reviews",
}


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


def _framework_impact(tenant: Tenant, version: FrameworkVersion) -> tuple[dict[str, object], list[int]]:
    """The preview of the draft: the counts, and every partner it evaluates (a framework applies to them all, as a
    template version applies to its segment's partners), each with its tier and recommendation now and under it."""
    preview = framework_preview(tenant=tenant, draft=version, sample=0, every_partner=True)
    partners = {str(row.partner_id): [row.tier, row.now, row.draft, row.draft_target] for row in preview.rows}
    impact: dict[str, object] = {
        "quarter": preview.quarter.isoformat() if preview.quarter else None,
        "quarter_label": preview.quarter_label,
        "evaluated": preview.partners,
        "up": preview.up,
        "down": preview.down,
        "stay": preview.stay,
        "affected": len(partners),
        "changed": preview.changed_total,
        "draft_counts": preview.draft_counts,
        "current_counts": preview.current_counts,
        "partners": partners,
    }
    return impact, [int(pid) for pid in partners]


def _cadence_impact(tenant: Tenant, cadence: Cadence) -> tuple[dict[str, object], list[int]]:
    partner_ids = list(cadence_matching_partners(tenant=tenant, cadence=cadence).values_list("pk", flat=True))
    impact: dict[str, object] = {
        "cadence": cadence.name,
        "frequency": cadence.get_frequency_display(),
        "active": cadence.is_active,
        "affected": len(partner_ids),
        "partners": {str(pid): [] for pid in partner_ids},
    }
    return impact, partner_ids


@transaction.atomic
def change_notice_draft(
    *,
    tenant: Tenant,
    actor: Membership,
    kind: str = ChangeNotice.Kind.TEMPLATE,
    subject_id: int,
    title: str,
    what_changed: str,
    why: str,
) -> ChangeNotice:
    """Draft the notice of a change, its impact attached at once: for a draft template version its what-if, for a
    draft tier framework version its preview (who would move up, down or stay, each partner's recommendation now
    and under it), for a cadence the partners whose reviews follow it (the notice announces its next revision).

    A subject of another program (or none) is a CrossTenantReferenceError; a published version, an unknown kind or
    missing wording a ChangeNoticeError (nothing written)."""
    ensure_can(actor, "executive.changes.manage")
    if kind not in ChangeNotice.Kind.values:
        raise ChangeNoticeError("Choose what the notice announces: a scorecard version, a tier framework or a cadence.")
    if not title.strip() or not what_changed.strip() or not why.strip():
        raise ChangeNoticeError("Say what changes and why, under a title.")
    links: dict[str, object] = {}
    with tenant_context(tenant):
        if kind == ChangeNotice.Kind.TEMPLATE:
            version = (
                TemplateVersion.objects.for_tenant(tenant).filter(pk=subject_id).select_related("template").first()
            )
            if version is None:
                raise CrossTenantReferenceError("That scorecard version is not in this program.")
            if version.status != TemplateVersion.Status.DRAFT:
                raise ChangeNoticeError(f"Version {version.number} is published already: announce a draft.")
            impact, affected = _impact(tenant, version)
            links["template_version"] = version
        elif kind == ChangeNotice.Kind.TIER_FRAMEWORK:
            framework = FrameworkVersion.objects.for_tenant(tenant).filter(pk=subject_id).first()
            if framework is None:
                raise CrossTenantReferenceError("That tier framework version is not in this program.")
            if framework.status != FrameworkVersion.Status.DRAFT:
                raise ChangeNoticeError(
                    f"Tier framework version {framework.number} is published already: announce a draft."
                )
            impact, affected = _framework_impact(tenant, framework)
            links["framework_version"] = framework
        else:
            cadence = Cadence.objects.for_tenant(tenant).filter(pk=subject_id).first()
            if cadence is None:
                raise CrossTenantReferenceError("That cadence is not in this program.")
            impact, affected = _cadence_impact(tenant, cadence)
            links["cadence"], links["cadence_revision"] = cadence, cadence.revision + 1
        return ChangeNotice.objects.create(
            tenant=tenant,
            kind=kind,
            title=title.strip()[:200],
            what_changed=what_changed.strip(),
            why=why.strip(),
            impact=impact,
            affected_partner_ids=affected,
            **links,
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


def _ensure_still_ahead(tenant: Tenant, notice: ChangeNotice) -> None:
    """A notice announces a change not made yet: its version still a draft, its cadence not changed since."""
    made = False
    if notice.kind == ChangeNotice.Kind.TEMPLATE:
        made = notice.template_version is None or notice.template_version.status != TemplateVersion.Status.DRAFT
    elif notice.kind == ChangeNotice.Kind.TIER_FRAMEWORK:
        made = notice.framework_version is None or notice.framework_version.status != FrameworkVersion.Status.DRAFT
    elif notice.cadence_id is None or notice.cadence_revision is None:
        made = True
    else:
        stored = Cadence.objects.for_tenant(tenant).filter(pk=notice.cadence_id).values_list("revision", flat=True)
        made = stored.first() != notice.cadence_revision - 1
    if made:
        raise ChangeNoticeError("The change this notice announces is made already (or gone): draft a new notice.")


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
        _ensure_still_ahead(tenant, notice)
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
                    title=f"{NOTIFICATION_TITLES[ChangeNotice.Kind(notice.kind)]}: {notice.title}",
                    body=notice.what_changed[:500],
                    url=reverse("portal_notice", kwargs={"tenant_slug": tenant.slug, "notice_id": notice.pk}),
                    dedupe_key=f"change-notice:{notice.pk}",
                )
                for member in readers
            ],
        )
    return notice
