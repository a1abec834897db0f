"""Reads of the core app: partners, memberships, invitations, audit entries. Every one is tenant-explicit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.text import capfirst

from partnerhub.core.errors import NotFoundError
from partnerhub.core.models import AuditEntry, Invitation, Membership, Partner, PartnerOwnerChange, Role, Tenant

PARTNER_FILTER_FIELDS = (
    "partner_type",
    "tier",
    "stage",
    "region",
    "market",
    "product_line",
    "owner",
    "executive_sponsor",
    "data_steward",
)

# The partner list's own sort keys (a higher app's columns add theirs: ``ListColumns.sorts``); each ends on the id.
PARTNER_SORTS: dict[str, tuple[str, ...]] = {"name": ("name", "id"), "-name": ("-name", "-id")}


@dataclass(frozen=True)
class PartnerFilters:
    q: str = ""
    partner_type: str = ""
    tier: str = ""
    stage: str = ""
    region: str = ""
    market: str = ""
    product_line: str = ""
    owner: int | None = None
    executive_sponsor: int | None = None
    data_steward: int | None = None


def partner_list(*, tenant: Tenant, filters: PartnerFilters | None = None) -> QuerySet[Partner]:
    """Partners of ``tenant`` matching ``filters``, by name; owner, sponsor and steward joined in one query."""
    f = filters or PartnerFilters()
    qs = Partner.objects.for_tenant(tenant).select_related(
        "owner__user", "executive_sponsor__user", "data_steward__user"
    )
    if f.q:
        qs = qs.filter(name__icontains=f.q)
    exact = {
        "partner_type": f.partner_type,
        "tier": f.tier,
        "stage": f.stage,
        "region": f.region,
        "market": f.market,
        "owner_id": f.owner,
        "executive_sponsor_id": f.executive_sponsor,
        "data_steward_id": f.data_steward,
    }
    qs = qs.filter(**{field: value for field, value in exact.items() if value not in ("", None)})
    if f.product_line:
        qs = qs.filter(product_lines__contains=[f.product_line])
    return qs.order_by("name", "id")


def partner_get(*, tenant: Tenant, partner_id: int) -> Partner:
    """The partner, or NotFoundError for a missing id and for another tenant's id alike."""
    partner = (
        Partner.objects.for_tenant(tenant)
        .select_related("owner__user", "executive_sponsor__user", "data_steward__user")
        .filter(pk=partner_id)
        .first()
    )
    if partner is None:
        raise NotFoundError("Partner not found.")
    return partner


def partner_owner_history(*, tenant: Tenant, partner: Partner) -> QuerySet[PartnerOwnerChange]:
    return (
        PartnerOwnerChange.objects.for_tenant(tenant)
        .filter(partner=partner)
        .select_related("previous_owner__user", "new_owner__user", "changed_by__user")
        .order_by("-created_at", "-id")
    )


def partner_markets(*, tenant: Tenant) -> list[str]:
    return list(
        Partner.objects.for_tenant(tenant)
        .exclude(market="")
        .values_list("market", flat=True)
        .distinct()
        .order_by("market")
    )


def partner_product_lines(*, tenant: Tenant) -> list[str]:
    from django.db import connection

    # unnest() over the array column: one query, no Python loop over 20,000 partners.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT unnest(product_lines) AS line FROM partnerhub_partner WHERE tenant_id = %s ORDER BY line",
            [tenant.pk],
        )
        return [row[0] for row in cursor.fetchall()]


def membership_list(*, tenant: Tenant, roles: tuple[str, ...] | None = None) -> QuerySet[Membership]:
    qs = Membership.objects.for_tenant(tenant).select_related("user", "partner")
    if roles:
        qs = qs.filter(role__in=roles)
    return qs.order_by("user__first_name", "user__last_name", "user__email")


def membership_list_with_security(*, tenant: Tenant) -> QuerySet[Membership]:
    """The members page: each member with ``has_mfa`` (an authenticator app set up) beside the user's last login."""
    from allauth.mfa.models import Authenticator

    totp = Authenticator.objects.filter(user_id=OuterRef("user_id"), type=Authenticator.Type.TOTP)
    return membership_list(tenant=tenant).annotate(has_mfa=Exists(totp))


def membership_for_user(*, tenant: Tenant, user_id: int | None) -> Membership | None:
    """The user's active membership in ``tenant`` (None when there is none): who is acting, for each request."""
    if user_id is None:
        return None
    return (
        Membership.objects.for_tenant(tenant)
        .select_related("user", "partner")
        .filter(user_id=user_id, is_active=True)
        .first()
    )


def membership_get(*, tenant: Tenant, membership_id: int) -> Membership:
    membership = membership_list(tenant=tenant).filter(pk=membership_id).first()
    if membership is None:
        raise NotFoundError("Member not found.")
    return membership


def managers_for_tenant(*, tenant: Tenant) -> QuerySet[Membership]:
    """Members who may own partners: managers and admins, active ones only."""
    return membership_list(tenant=tenant, roles=(Role.MANAGER, Role.ADMIN)).filter(is_active=True)


def invitation_list_pending(*, tenant: Tenant) -> QuerySet[Invitation]:
    return (
        Invitation.objects.for_tenant(tenant)
        .filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("partner", "invited_by__user")
        .order_by("-created_at")
    )


@dataclass(frozen=True)
class AuditFilters:
    """What the audit log is narrowed to; the empty value of each field means "any"."""

    q: str = ""
    actor_id: int | None = None
    system_only: bool = False
    kind: str = ""  # "app_label.model"
    action: int | None = None
    since: date | None = None
    until: date | None = None


def audited_kinds() -> list[tuple[str, str]]:
    """Every kind of record the audit log keeps, as (``app_label.model``, its name), by name: read from the audit
    registry, not from the entries (no query)."""
    from auditlog.registry import auditlog

    kinds = {
        f"{m._meta.app_label}.{m._meta.model_name}": capfirst(str(m._meta.verbose_name)) for m in auditlog.get_models()
    }
    return sorted(kinds.items(), key=lambda item: item[1])


def audit_entry_list(*, tenant: Tenant, q: str = "", filters: AuditFilters | None = None) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.for_tenant(tenant).select_related("actor", "content_type")
    f = filters or AuditFilters(q=q)
    if f.q:
        qs = qs.filter(Q(object_repr__icontains=f.q) | Q(actor_email__icontains=f.q))
    if f.system_only:
        qs = qs.filter(actor__isnull=True)
    elif f.actor_id is not None:
        qs = qs.filter(actor_id=f.actor_id)
    if f.kind and "." in f.kind:
        app_label, model = f.kind.split(".", 1)
        qs = qs.filter(content_type__app_label=app_label, content_type__model=model)
    if f.action is not None:
        qs = qs.filter(action=f.action)
    # Dates are the program's days (the active time zone), both ends included.
    if f.since is not None:
        qs = qs.filter(timestamp__date__gte=f.since)
    if f.until is not None:
        qs = qs.filter(timestamp__date__lte=f.until)
    return qs.order_by("-timestamp", "-id")


def audit_entries_for_object(*, tenant: Tenant, obj: Partner) -> QuerySet[AuditEntry]:
    from django.contrib.contenttypes.models import ContentType

    return audit_entry_list(tenant=tenant).filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
