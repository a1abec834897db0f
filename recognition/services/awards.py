"""Writes of awards: categories (the defaults, and the program's own), nominations with their case and evidence, and
executives' decisions, which put the winners on the recognition wall with a citation and the rule's figures."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlparse

from auditlog.context import set_actor
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from partnerhub.core.domain.periods import quarter_label, quarter_start
from partnerhub.core.models import Membership, Partner, Role, Tenant
from partnerhub.core.rules import ensure_can
from partnerhub.core.services.notifications import NotificationItem, notify_many
from partnerhub.core.services.program import ensure_same_tenant
from recognition.domain.awards import NOMINATIONS_ONLY, TOP_METRIC
from recognition.domain.defaults import DEFAULT_AWARDS
from recognition.errors import AwardCategoryInvalidError, NominationInvalidError
from recognition.models import AwardCategory, Nomination
from recognition.selectors.awards import award_category_list, partner_figures
from scorecards.selectors.glossary import metric_find_by_key
from scorecards.selectors.snapshot_series import latest_complete_quarter

CATEGORY_FIELDS = ("name", "description", "rule", "metric", "min_responses", "candidate_count", "is_active")
MAX_LINKS = 10
MAX_CASE = 5000


def award_categories_seed(*, tenant: Tenant) -> int:
    """Give a program the default categories it lacks (partner of the quarter, most improved, best joint initiative,
    highest customer satisfaction); idempotent. Returns how many were created."""
    with transaction.atomic():
        names = set(award_category_list(tenant=tenant).values_list("name", flat=True))
        rows = []
        for default in DEFAULT_AWARDS:
            if default.name in names:
                continue
            metric = metric_find_by_key(tenant=tenant, key=default.metric_key) if default.metric_key else None
            rule = default.rule if default.metric_key is None or metric is not None else NOMINATIONS_ONLY
            rows.append(
                AwardCategory(
                    tenant=tenant, name=default.name, description=default.description, rule=rule, metric=metric
                )
            )
        AwardCategory.objects.bulk_create(rows)
    return len(rows)


def _category_errors(exc: ValidationError) -> AwardCategoryInvalidError:
    fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    first = next(iter(fields.values()))[0] if fields else "Check the category's fields."
    return AwardCategoryInvalidError(first, extra={"fields": fields})


def _check_category(tenant: Tenant, category: AwardCategory) -> None:
    try:
        category.full_clean(validate_constraints=False, validate_unique=False)
    except ValidationError as exc:
        raise _category_errors(exc) from exc
    if category.rule == TOP_METRIC and category.metric_id is None:
        message = "Choose the metric this award ranks partners by."
        raise AwardCategoryInvalidError(message, extra={"fields": {"metric": [message]}})
    clash = AwardCategory.objects.for_tenant(tenant).exclude(pk=category.pk).filter(name__iexact=category.name)
    if clash.exists():
        message = "Another award has this name."
        raise AwardCategoryInvalidError(message, extra={"fields": {"name": [message]}})


@transaction.atomic
def award_category_create(*, tenant: Tenant, actor: Membership, data: dict[str, Any]) -> AwardCategory:
    """Add an award category with its candidate rule. Raises AwardCategoryInvalidError or CrossTenantReferenceError
    (a metric of another program); nothing written."""
    ensure_same_tenant(tenant, actor, data.get("metric"))
    ensure_can(actor, "awards.change")
    category = AwardCategory(tenant=tenant, **{k: data[k] for k in CATEGORY_FIELDS if k in data})
    category.name = category.name.strip()
    _check_category(tenant, category)
    with set_actor(actor.user):
        category.save()
    return category


@transaction.atomic
def award_category_update(
    *, tenant: Tenant, actor: Membership, category: AwardCategory, data: dict[str, Any]
) -> AwardCategory:
    """Change a category (its earlier awards keep the figures they were given)."""
    ensure_same_tenant(tenant, actor, category, data.get("metric"))
    ensure_can(actor, "awards.change")
    changed = [k for k in CATEGORY_FIELDS if k in data]
    for key in changed:
        setattr(category, key, data[key])
    category.name = category.name.strip()
    _check_category(tenant, category)
    with set_actor(actor.user):
        category.save(update_fields=[*changed, "updated_at"])
    return category


def _links(raw: list[str]) -> list[str]:
    links = [link.strip() for link in raw if link and link.strip()]
    if len(links) > MAX_LINKS:
        raise NominationInvalidError(
            f"At most {MAX_LINKS} evidence links.", extra={"fields": {"evidence_links": ["Too many."]}}
        )
    for link in links:
        parsed = urlparse(link)
        if parsed.scheme not in ("http", "https") or not parsed.netloc or len(link) > 500:
            message = f"{link[:80]} is not a web address (http or https)."
            raise NominationInvalidError(message, extra={"fields": {"evidence_links": [message]}})
    return links


@transaction.atomic
def nomination_create(
    *,
    tenant: Tenant,
    actor: Membership,
    category: AwardCategory,
    partner: Partner,
    quarter: date,
    case: str,
    evidence_links: list[str] | None = None,
) -> Nomination:
    """Nominate a partner (a candidate of the rule, or any partner) for a category and a complete quarter, with the
    written case and evidence links; the rule's figures for the partner are attached.

    Raises CrossTenantReferenceError (another program's partner or category), NominationInvalidError (no case, a bad
    link, a quarter not complete yet, an inactive category, the partner already nominated); nothing written.
    """
    ensure_same_tenant(tenant, actor, category, partner)
    ensure_can(actor, "awards.nominate")
    case = case.strip()
    if not case:
        raise NominationInvalidError("Write the case for this nomination.", extra={"fields": {"case": ["Required."]}})
    if len(case) > MAX_CASE:
        raise NominationInvalidError(
            f"Keep the case under {MAX_CASE} characters.", extra={"fields": {"case": ["Too long."]}}
        )
    if not category.is_active:
        raise NominationInvalidError(
            f"{category.name} is not awarded any more.", extra={"fields": {"category": ["Inactive."]}}
        )
    quarter = quarter_start(quarter)
    latest = latest_complete_quarter(tenant=tenant)
    if latest is None or quarter > latest:
        message = f"{quarter_label(quarter)} is not complete yet: awards are for complete quarters."
        raise NominationInvalidError(message, extra={"fields": {"quarter": [message]}})
    links = _links(evidence_links or [])
    figures = partner_figures(tenant=tenant, category=category, quarter=quarter, partner_id=partner.pk)
    candidate_rank = figures.rank if figures is not None else None
    nomination = Nomination(
        tenant=tenant,
        category=category,
        quarter=quarter,
        partner=partner,
        nominated_by=actor,
        case=case,
        evidence_links=links,
        from_candidate=candidate_rank is not None and candidate_rank <= category.candidate_count,
        figures={**figures.figures, "rank": figures.rank, "headline": figures.headline} if figures else {},
    )
    try:
        with set_actor(actor.user), transaction.atomic():
            nomination.save()
    except IntegrityError as exc:
        message = f"{partner.name} is already nominated for {category.name} in {quarter_label(quarter)}."
        raise NominationInvalidError(message, extra={"fields": {"partner": [message]}}) from exc
    return nomination


@transaction.atomic
def nomination_decide(
    *, tenant: Tenant, actor: Membership, nomination: Nomination, award: bool, citation: str = "", note: str = ""
) -> Nomination:
    """Award a nomination (with a citation: it goes on the recognition wall) or decline it (with a note).

    Raises NominationInvalidError for a decided nomination, one's own nomination, an award without a citation, or a
    category already awarded for the quarter; nothing written.
    """
    ensure_same_tenant(tenant, actor, nomination)
    ensure_can(actor, "awards.decide")
    locked = (
        Nomination.objects.for_tenant(tenant)
        .select_for_update(of=("self",))
        .select_related("category", "partner")
        .get(pk=nomination.pk)
    )
    if locked.status != Nomination.Status.SUBMITTED:
        raise NominationInvalidError(
            f"This nomination was already decided ({locked.get_status_display().lower()}).", code="already_decided"
        )
    if locked.nominated_by_id == actor.pk:
        raise NominationInvalidError("You made this nomination: another executive decides it.", code="own_nomination")
    citation, note = citation.strip(), note.strip()
    if award and not citation:
        raise NominationInvalidError(
            "Write the citation: it is shown on the recognition wall.", extra={"fields": {"citation": ["Required."]}}
        )
    if award:
        winner = (
            Nomination.objects.for_tenant(tenant)
            .filter(category=locked.category, quarter=locked.quarter, status=Nomination.Status.AWARDED)
            .select_related("partner")
            .first()
        )
        if winner is not None:
            raise NominationInvalidError(
                f"{locked.category.name} for {quarter_label(locked.quarter)} already went to {winner.partner.name}.",
                code="already_awarded",
            )
    locked.status = Nomination.Status.AWARDED if award else Nomination.Status.DECLINED
    locked.decided_by, locked.decided_at = actor, timezone.now()
    locked.citation, locked.decision_note = citation, note
    with set_actor(actor.user):
        locked.save(update_fields=["status", "decided_by", "decided_at", "citation", "decision_note", "updated_at"])
    if award:
        _announce(tenant, locked)
    return locked


def _announce(tenant: Tenant, nomination: Nomination) -> None:
    """Tell the winner's users, its owner and the nominator."""
    partner = nomination.partner
    recipients = set(
        Membership.objects.for_tenant(tenant)
        .filter(role=Role.PARTNER, partner=partner, is_active=True)
        .values_list("pk", flat=True)
    )
    recipients |= {pk for pk in (partner.owner_id, nomination.nominated_by_id) if pk}
    title = f"{partner.name} wins {nomination.category.name} ({quarter_label(nomination.quarter)})"
    url = reverse("recognition_wall", kwargs={"tenant_slug": tenant.slug})
    notify_many(
        tenant,
        [
            NotificationItem(
                recipient_id=pk,
                kind="award",
                title=title,
                body=nomination.citation,
                url=url,
                dedupe_key=f"award:{nomination.pk}",
            )
            for pk in sorted(recipients)
        ],
    )
