"""Writes of the core app. Each takes the tenant and the acting membership explicitly and owns its transaction."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models.deletion import Collector
from django.urls import reverse
from django.utils import timezone

from partnerhub.core.domain.currencies import CURRENCY_CODES
from partnerhub.core.domain.tokens import token_hash
from partnerhub.core.errors import CrossTenantReferenceError, InvalidStateError, NotFoundError
from partnerhub.core.models import AuditEntry, Invitation, Membership, Partner, PartnerOwnerChange, Role, Tenant, User
from partnerhub.core.rules import ensure_can
from partnerhub.core.signals import partner_data_changed, tenant_created
from partnerhub.core.tenancy.context import tenant_context

PARTNER_FIELDS = (
    "name",
    "external_id",
    "partner_type",
    "tier",
    "stage",
    "region",
    "market",
    "product_lines",
    "is_strategic",
    "owner",
    "executive_sponsor",
    "data_steward",
)


def ensure_same_tenant(tenant: Tenant, *objects: Any) -> None:
    """Refuse any object (or None-able reference) that another tenant owns: row-level security does not stop FKs."""
    for obj in objects:
        if obj is None:
            continue
        if getattr(obj, "tenant_id", None) != tenant.pk:
            raise CrossTenantReferenceError(
                "That object does not belong to this program.", extra={"object": type(obj).__name__}
            )


# --- tenants ---


def tenant_create(*, name: str, slug: str, admin_user: User) -> Tenant:
    """Sign up a new partner program with ``admin_user`` as its first admin."""
    tenant = Tenant(name=name.strip(), slug=slug.strip().lower())
    # Uniqueness is left to the database: the IntegrityError below also covers two sign-ups racing for a slug.
    tenant.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            tenant.save()
            with tenant_context(tenant):
                admin = Membership.objects.create(tenant=tenant, user=admin_user, role=Role.ADMIN)
                tenant_created.send(sender=Tenant, tenant=tenant, actor=admin)
    except IntegrityError as exc:
        raise InvalidStateError(
            "That address is taken; choose another.", extra={"fields": {"slug": ["taken"]}}
        ) from exc
    return tenant


@transaction.atomic
def tenant_update_security(*, tenant: Tenant, actor: Membership, require_mfa: bool) -> Tenant:
    ensure_same_tenant(tenant, actor)
    ensure_can(actor, "tenant.settings")
    tenant.require_mfa = require_mfa
    tenant.save(update_fields=["require_mfa"])
    _audit(tenant=tenant, actor=actor, obj=actor, message=f"Tenant MFA requirement set to {require_mfa}")
    return tenant


@transaction.atomic
def tenant_update_program(*, tenant: Tenant, actor: Membership, currency: str, fiscal_year_start: int) -> Tenant:
    """Set the program's reporting currency (ISO 4217) and fiscal-year start month (1-12); audited.

    Raises InvalidStateError for a currency or month we do not know, PermissionDeniedError for a non-admin.
    """
    ensure_same_tenant(tenant, actor)
    ensure_can(actor, "tenant.settings")
    code = (currency or "").strip().upper()
    if code not in CURRENCY_CODES:
        raise InvalidStateError(
            f"{currency!r} is not a currency code we know (use ISO codes such as USD, EUR).",
            extra={"fields": {"currency": ["unknown"]}},
        )
    if not 1 <= fiscal_year_start <= 12:
        raise InvalidStateError(
            "The fiscal year starts in a month from 1 (January) to 12.",
            extra={"fields": {"fiscal_year_start": ["range"]}},
        )
    before = (tenant.currency, tenant.fiscal_year_start)
    if before == (code, fiscal_year_start):
        return tenant
    tenant.currency, tenant.fiscal_year_start = code, fiscal_year_start
    tenant.full_clean(validate_unique=False)
    tenant.save(update_fields=["currency", "fiscal_year_start"])
    _audit(
        tenant=tenant,
        actor=actor,
        obj=actor,
        message=f"Program currency {before[0]} → {code}, fiscal year start month {before[1]} → {fiscal_year_start}",
    )
    return tenant


# --- partners ---


def _check_partner_people(tenant: Tenant, data: dict[str, Any]) -> None:
    ensure_same_tenant(tenant, data.get("owner"), data.get("executive_sponsor"), data.get("data_steward"))
    owner = data.get("owner")
    if owner is not None and (owner.role not in (Role.MANAGER, Role.ADMIN) or not owner.is_active):
        raise InvalidStateError(
            "The owner must be an active partner manager or admin.", extra={"fields": {"owner": ["role"]}}
        )
    for field in ("executive_sponsor", "data_steward"):
        member = data.get(field)
        if member is not None and member.role == Role.PARTNER:
            raise InvalidStateError("Choose an internal member.", extra={"fields": {field: ["role"]}})


@transaction.atomic
def partner_create(*, tenant: Tenant, actor: Membership, data: dict[str, Any]) -> Partner:
    """Create a partner; the owner, sponsor and steward must be members of this tenant."""
    ensure_same_tenant(tenant, actor)
    ensure_can(actor, "partners.create")
    _check_partner_people(tenant, data)
    partner = Partner(tenant=tenant, **{k: v for k, v in data.items() if k in PARTNER_FIELDS})
    if partner.owner is None and actor.role == Role.MANAGER:
        partner.owner = actor
    partner.full_clean()
    partner.save()
    if partner.owner is not None:
        PartnerOwnerChange.objects.create(
            tenant=tenant,
            partner=partner,
            previous_owner=None,
            new_owner=partner.owner,
            changed_by=actor,
            reason="Created",
        )
    return partner


@transaction.atomic
def partner_update(*, tenant: Tenant, actor: Membership, partner: Partner, data: dict[str, Any]) -> Partner:
    """Update a partner; an owner change is recorded in its owner history."""
    ensure_same_tenant(tenant, actor, partner)
    ensure_can(actor, "partners.change", partner)
    _check_partner_people(tenant, data)
    previous_owner_id = partner.owner_id
    scored = {k: getattr(partner, k) for k in ("partner_type", "stage", "tier", "size_factor", "baseline_month")}
    changed = [k for k in PARTNER_FIELDS if k in data]
    for key in changed:
        setattr(partner, key, data[key])
    partner.full_clean()
    partner.save(update_fields=[*changed, "updated_at"])
    if any(getattr(partner, k) != v for k, v in scored.items()):
        # Its scorecard depends on these (segment template, targets, normalisation, baseline): apps listen.
        partner_data_changed.send(sender=Partner, tenant=tenant, partner_ids=[partner.pk])
    if partner.owner_id != previous_owner_id:
        PartnerOwnerChange.objects.create(
            tenant=tenant,
            partner=partner,
            previous_owner_id=previous_owner_id,
            new_owner=partner.owner,
            changed_by=actor,
            reason="Edited",
        )
    return partner


@dataclass(frozen=True)
class ReassignResult:
    moved: int
    per_owner: dict[int, int]


@transaction.atomic
def partner_bulk_reassign(
    *, tenant: Tenant, actor: Membership, from_owner: Membership, to_owners: Sequence[Membership], reason: str = ""
) -> ReassignResult:
    """Hand every partner of ``from_owner`` to ``to_owners`` in turn (by name), keeping the owner history.

    Done in three statements whatever the number of partners: one read, one UPDATE … FROM (VALUES …), and one
    bulk insert each for the history and the audit log.
    """
    ensure_same_tenant(tenant, actor, from_owner, *to_owners)
    ensure_can(actor, "partners.reassign")
    if not to_owners:
        raise InvalidStateError("Choose at least one new owner.", extra={"fields": {"to_owners": ["required"]}})
    if any(m.pk == from_owner.pk for m in to_owners):
        raise InvalidStateError(
            "The leaving manager cannot also receive partners.", extra={"fields": {"to_owners": ["same"]}}
        )
    if any(m.role not in (Role.MANAGER, Role.ADMIN) or not m.is_active for m in to_owners):
        raise InvalidStateError(
            "New owners must be active managers or admins.", extra={"fields": {"to_owners": ["role"]}}
        )
    partners = list(
        Partner.objects.for_tenant(tenant)
        .filter(owner=from_owner)
        .order_by("name", "id")
        .select_for_update(of=("self",))  # scoped: for_tenant() filters, RLS confines the lock to this tenant
        .only("id", "name", "owner_id", "tenant_id")
    )
    if not partners:
        raise InvalidStateError(f"{from_owner.user} owns no partners.")
    assignment = {p.pk: to_owners[i % len(to_owners)].pk for i, p in enumerate(partners)}
    now = timezone.now()
    for partner in partners:
        partner.owner_id = assignment[partner.pk]
        partner.updated_at = now
    Partner.objects.for_tenant(tenant).bulk_update(partners, ["owner", "updated_at"], batch_size=2000)
    PartnerOwnerChange.objects.bulk_create(
        [
            PartnerOwnerChange(
                tenant=tenant,
                partner_id=p.pk,
                previous_owner=from_owner,
                new_owner_id=assignment[p.pk],
                changed_by=actor,
                reason=reason or "Bulk reassignment",
                created_at=now,
            )
            for p in partners
        ],
        batch_size=2000,
    )
    content_type = ContentType.objects.get_for_model(Partner)
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                tenant=tenant,
                content_type=content_type,
                object_pk=str(p.pk),
                object_id=p.pk,
                object_repr=p.name,
                action=LogEntry.Action.UPDATE,
                actor=actor.user,
                actor_email=actor.user.email,
                timestamp=now,
                changes={"owner": [str(from_owner.pk), str(assignment[p.pk])]},
                additional_data={"reason": reason or "Bulk reassignment"},
            )
            for p in partners
        ],
        batch_size=2000,
    )
    per_owner: dict[int, int] = {}
    for owner_id in assignment.values():
        per_owner[owner_id] = per_owner.get(owner_id, 0) + 1
    return ReassignResult(moved=len(partners), per_owner=per_owner)


# --- invitations ---


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str
    path: str


@transaction.atomic
def invitation_create(
    *, tenant: Tenant, actor: Membership, email: str, role: str, partner: Partner | None = None
) -> IssuedInvitation:
    """Invite ``email`` with ``role`` and email them a one-time link; only the token's hash is stored."""
    ensure_same_tenant(tenant, actor, partner)
    ensure_can(actor, "members.invite")
    email = email.strip().lower()
    if role not in Role.values:
        raise InvalidStateError("Unknown role.", extra={"fields": {"role": ["invalid"]}})
    if role == Role.PARTNER and partner is None:
        raise InvalidStateError(
            "A partner user must belong to a partner company.", extra={"fields": {"partner": ["required"]}}
        )
    if role != Role.PARTNER:
        partner = None
    if Membership.objects.for_tenant(tenant).filter(user__email=email).exists():
        raise InvalidStateError(f"{email} is already a member.", extra={"fields": {"email": ["member"]}})
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        tenant=tenant,
        email=email,
        role=role,
        partner=partner,
        token_hash=token_hash(token),
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    path = reverse("invitation_accept", kwargs={"tenant_slug": tenant.slug, "token": token})
    message = (
        f"{actor.user} invited you to join {tenant.name} as {invitation.get_role_display()}.\n\n"
        f"Accept: {settings.SITE_URL}{path}\n\nThe link works once and expires on "
        f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC."
    )
    # Only once the invitation exists for real: a rolled-back request sends nothing.
    transaction.on_commit(
        lambda: send_mail(
            subject=f"You are invited to {tenant.name} on PartnerHub",
            message=message,
            from_email=None,
            recipient_list=[email],
        )
    )
    return IssuedInvitation(invitation=invitation, token=token, path=path)


def invitation_get_by_token(*, tenant: Tenant, token: str) -> Invitation:
    invitation = (
        Invitation.objects.for_tenant(tenant).select_related("partner").filter(token_hash=token_hash(token)).first()
    )
    if invitation is None:
        raise NotFoundError("This invitation link is not valid.")
    return invitation


def invitation_problem(invitation: Invitation) -> str | None:
    """Why the invitation cannot be accepted any more, in words for the invitee; None when it can."""
    if invitation.revoked_at is not None:
        return "This invitation was withdrawn. Ask your program admin for a new one."
    if invitation.accepted_at is not None:
        return "This invitation has already been used. Log in instead, or ask for a new invitation."
    if invitation.expires_at <= timezone.now():
        return f"This invitation expired on {invitation.expires_at:%Y-%m-%d}. Ask your program admin for a new one."
    return None


@transaction.atomic
def invitation_accept(*, tenant: Tenant, token: str, user: User) -> Membership:
    """Turn a valid invitation into a membership for ``user``; a second use, or an expired link, is refused."""
    invitation = invitation_get_by_token(tenant=tenant, token=token)
    invitation = Invitation.objects.for_tenant(tenant).select_for_update().get(pk=invitation.pk)
    problem = invitation_problem(invitation)
    if problem:
        raise InvalidStateError(problem, code="invitation_unusable")
    if user.email.lower() != invitation.email:
        raise InvalidStateError(
            f"This invitation was sent to {invitation.email}; log in with that address.", code="invitation_wrong_user"
        )
    if Membership.objects.for_tenant(tenant).filter(user=user).exists():
        raise InvalidStateError("You are already a member of this program.", code="already_member")
    membership = Membership.objects.create(tenant=tenant, user=user, role=invitation.role, partner=invitation.partner)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return membership


@transaction.atomic
def invitation_revoke(*, tenant: Tenant, actor: Membership, invitation: Invitation) -> Invitation:
    ensure_same_tenant(tenant, actor, invitation)
    ensure_can(actor, "members.invite")
    if invitation.accepted_at is not None:
        raise InvalidStateError("An accepted invitation cannot be withdrawn.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    return invitation


@transaction.atomic
def membership_update(
    *, tenant: Tenant, actor: Membership, membership: Membership, role: str, partner: Partner | None, is_active: bool
) -> Membership:
    """Change a member's role or deactivate them; an admin cannot demote or deactivate themself."""
    ensure_same_tenant(tenant, actor, membership, partner)
    ensure_can(actor, "members.invite")
    if membership.pk == actor.pk and (role != Role.ADMIN or not is_active):
        raise InvalidStateError("You cannot remove your own admin access.")
    membership.role = role
    membership.partner = partner if role == Role.PARTNER else None
    membership.is_active = is_active
    try:
        membership.full_clean()
    except ValidationError as exc:
        raise InvalidStateError("Check the member's role and partner.", extra={"fields": exc.message_dict}) from exc
    membership.save(update_fields=["role", "partner", "is_active", "updated_at"])
    return membership


def _audit(*, tenant: Tenant, actor: Membership, obj: Any, message: str) -> None:
    AuditEntry.objects.create(
        tenant=tenant,
        content_type=ContentType.objects.get_for_model(obj),
        object_pk=str(obj.pk),
        object_id=obj.pk,
        object_repr=str(obj),
        action=LogEntry.Action.UPDATE,
        actor=actor.user,
        actor_email=actor.user.email,
        changes_text=message,
        changes={"note": message},
    )


# --- partners from an import (scorecards' import engine checks the rows; these write them in bulk) ---

SCORED_PARTNER_FIELDS = ("partner_type", "stage", "tier", "size_factor", "baseline_month")


def _partner_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[str | None]]:
    return {
        key: [None if before.get(key) is None else str(before.get(key)), None if value is None else str(value)]
        for key, value in after.items()
        if before.get(key) != value
    }


@transaction.atomic
def partner_import_write(
    *,
    tenant: Tenant,
    actor: Membership,
    creates: list[dict[str, Any]],
    updates: dict[int, dict[str, Any]],
    reason: str,
) -> list[int]:
    """Create and update partners for an import whose rows were checked already, in bulk: one insert, one update,
    and one insert each of owner history and audit entries. ``creates`` and ``updates`` hold model attnames
    (``owner_id``…); owners, sponsors and stewards must be members of ``tenant``. Returns the new partners' ids,
    in order. Sends ``partner_data_changed`` for updated partners whose scoring inputs changed.

    Raises PermissionDeniedError without ``partners.create``, CrossTenantReferenceError for a foreign member.
    """
    ensure_same_tenant(tenant, actor)
    ensure_can(actor, "partners.create")
    people = {value for data in (*creates, *updates.values()) for key, value in data.items() if key in PEOPLE and value}
    if people and Membership.objects.for_tenant(tenant).filter(pk__in=people).count() != len(people):
        raise CrossTenantReferenceError("A partner's owner, sponsor or steward is not a member of this program.")
    now = timezone.now()
    new = [Partner(tenant=tenant, created_at=now, updated_at=now, **data) for data in creates]
    Partner.objects.bulk_create(new, batch_size=2000)
    existing = list(
        Partner.objects.for_tenant(tenant).filter(pk__in=list(updates)).select_for_update(of=("self",))
    )  # scoped: for_tenant() filters, RLS confines the lock to this tenant
    before = {p.pk: {key: getattr(p, key) for key in updates[p.pk]} for p in existing}
    fields: set[str] = set()
    for partner in existing:
        for key, value in updates[partner.pk].items():
            setattr(partner, key, value)
            fields.add(key)
        partner.updated_at = now
    if existing:
        names = sorted({_PARTNER_FIELD_NAMES[key] for key in fields} | {"updated_at"})
        Partner.objects.for_tenant(tenant).bulk_update(existing, names, batch_size=2000)
    owner_changes = [
        PartnerOwnerChange(
            tenant=tenant,
            partner_id=p.pk,
            previous_owner=None,
            new_owner_id=p.owner_id,
            changed_by=actor,
            reason=reason,
            created_at=now,
        )
        for p in new
        if p.owner_id is not None
    ] + [
        PartnerOwnerChange(
            tenant=tenant,
            partner_id=p.pk,
            previous_owner_id=before[p.pk]["owner_id"],
            new_owner_id=p.owner_id,
            changed_by=actor,
            reason=reason,
            created_at=now,
        )
        for p in existing
        if "owner_id" in before[p.pk] and before[p.pk]["owner_id"] != p.owner_id
    ]
    PartnerOwnerChange.objects.bulk_create(owner_changes, batch_size=2000)
    content_type = ContentType.objects.get_for_model(Partner)
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                tenant=tenant,
                content_type=content_type,
                object_pk=str(p.pk),
                object_id=p.pk,
                object_repr=p.name[:200],
                action=action,
                actor=actor.user,
                actor_email=actor.user.email,
                timestamp=now,
                changes=changes,
                additional_data={"reason": reason},
            )
            for p, action, changes in [
                *(
                    (p, LogEntry.Action.CREATE, _partner_changes({}, data))
                    for p, data in zip(new, creates, strict=True)
                ),
                *((p, LogEntry.Action.UPDATE, _partner_changes(before[p.pk], updates[p.pk])) for p in existing),
            ]
        ],
        batch_size=2000,
    )
    scored = [
        p.pk
        for p in existing
        if any(key in SCORED_PARTNER_FIELDS for key in _partner_changes(before[p.pk], updates[p.pk]))
    ]
    if scored:
        partner_data_changed.send(sender=Partner, tenant=tenant, partner_ids=scored)
    return [p.pk for p in new]


PEOPLE = ("owner_id", "executive_sponsor_id", "data_steward_id")
_PARTNER_FIELD_NAMES = {f.attname: f.name for f in Partner._meta.concrete_fields}


@transaction.atomic
def partner_import_undo(
    *, tenant: Tenant, actor: Membership, delete_ids: list[int], restore: dict[int, dict[str, Any]], reason: str
) -> None:
    """Undo an import of partners: delete the partners it created and put back the values of those it updated.

    Refused (InvalidStateError) when a partner it created has anything of its own now (deals, observations,
    reviews, members…): deleting it would delete that too. Audited in bulk.
    """
    ensure_same_tenant(tenant, actor)
    ensure_can(actor, "partners.create")
    created = list(Partner.objects.for_tenant(tenant).filter(pk__in=delete_ids))
    if created:
        collector = Collector(using=Partner.objects.db)
        collector.collect(created)
        kept = {Partner, PartnerOwnerChange}
        used = sorted(
            {
                str(model._meta.verbose_name_plural)
                for model, objects in collector.data.items()
                if model not in kept and objects
            }
            | {
                str(qs.model._meta.verbose_name_plural)
                for qs in collector.fast_deletes
                if qs.model not in kept and qs.exists()
            }
        )
        if used:
            raise InvalidStateError(
                f"Partners this import created have data of their own now ({', '.join(used)}): undoing it would "
                "delete that too. Remove those partners by hand if you mean to."
            )
    now = timezone.now()
    content_type = ContentType.objects.get_for_model(Partner)
    entries = [
        AuditEntry(
            tenant=tenant,
            content_type=content_type,
            object_pk=str(p.pk),
            object_id=p.pk,
            object_repr=p.name[:200],
            action=LogEntry.Action.DELETE,
            actor=actor.user,
            actor_email=actor.user.email,
            timestamp=now,
            changes={},
            additional_data={"reason": reason},
        )
        for p in created
    ]
    Partner.objects.for_tenant(tenant).filter(pk__in=[p.pk for p in created]).delete()
    existing = list(Partner.objects.for_tenant(tenant).filter(pk__in=list(restore)).select_for_update(of=("self",)))
    fields: set[str] = set()
    for partner in existing:
        values = restore[partner.pk]
        entries.append(
            AuditEntry(
                tenant=tenant,
                content_type=content_type,
                object_pk=str(partner.pk),
                object_id=partner.pk,
                object_repr=partner.name[:200],
                action=LogEntry.Action.UPDATE,
                actor=actor.user,
                actor_email=actor.user.email,
                timestamp=now,
                changes=_partner_changes({k: getattr(partner, k) for k in values}, values),
                additional_data={"reason": reason},
            )
        )
        for key, value in values.items():
            setattr(partner, key, value)
            fields.add(key)
        partner.updated_at = now
    if existing:
        names = sorted({_PARTNER_FIELD_NAMES[key] for key in fields} | {"updated_at"})
        Partner.objects.for_tenant(tenant).bulk_update(existing, names, batch_size=2000)
        partner_data_changed.send(sender=Partner, tenant=tenant, partner_ids=[p.pk for p in existing])
    AuditEntry.objects.bulk_create(entries, batch_size=2000)
