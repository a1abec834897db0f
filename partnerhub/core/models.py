"""Core data: tenants, users, memberships and invitations, partners and their owner history, the audit log."""

from __future__ import annotations

from typing import Any, ClassVar

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from partnerhub.core.errors import TenantScopeError
from partnerhub.core.tenancy.context import app_wall_is_off, current_tenant
from partnerhub.core.tenancy.managers import TenantScopedManager, TenantScopedQuerySet


class Tenant(models.Model):
    """One vendor's partner program. Global (not tenant-owned): resolved from the URL before a tenant is active."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    require_mfa = models.BooleanField(default=False, help_text="Members must set up an authenticator app.")
    currency = models.CharField(
        max_length=3,
        default="USD",
        validators=[RegexValidator(r"^[A-Z]{3}$", "An ISO 4217 code in capitals, such as USD or EUR.")],
        help_text="The program's reporting currency (ISO 4217): imports without a currency read amounts in it.",
    )
    fiscal_year_start = models.PositiveSmallIntegerField(
        default=1, help_text="The first month of the program's fiscal year (1 = January)."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fiscal_year_start__gte=1, fiscal_year_start__lte=12), name="tenant_fiscal_month"
            ),
            models.CheckConstraint(condition=models.Q(currency__regex=r"^[A-Z]{3}$"), name="tenant_currency_code"),
        ]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person; what they may see comes from their memberships, one per tenant."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class TenantOwnedModel(models.Model):
    """Base of every tenant-owned table: non-null tenant, scoped default manager, RLS applied after migrate."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedManager()
    unscoped = models.Manager()

    class Meta:
        abstract = True
        base_manager_name = "unscoped"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A guard, not a side effect: refuse to write a row for a tenant other than the active one.
        active = current_tenant()
        if not app_wall_is_off() and (active is None or active.pk != self.tenant_id):
            raise TenantScopeError(f"{type(self).__name__} saved outside its tenant")
        super().save(*args, **kwargs)


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Partner manager"
    EXECUTIVE = "executive", "Executive"
    PARTNER = "partner", "Partner user"


class Membership(TenantOwnedModel):
    """A user's role in one tenant; a partner membership names its partner company."""

    class Function(models.TextChoices):
        NONE = "", "—"
        SALES = "sales", "Sales"
        MARKETING = "marketing", "Marketing"
        PRODUCT = "product", "Product"
        CUSTOMER_SUCCESS = "customer_success", "Customer success"
        ALLIANCES = "alliances", "Alliances"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices)
    partner = models.ForeignKey("partnerhub.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    function = models.CharField(max_length=20, choices=Function.choices, blank=True, default="")
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="membership_one_per_tenant"),
            models.CheckConstraint(
                condition=(
                    models.Q(role="partner", partner__isnull=False)
                    | (~models.Q(role="partner") & models.Q(partner__isnull=True))
                ),
                name="membership_partner_iff_partner_role",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "role"])]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class Invitation(TenantOwnedModel):
    """An emailed, one-time, expiring invitation to join a tenant with a role. Only a hash of the token is kept."""

    email = models.EmailField()
    role = models.CharField(max_length=12, choices=Role.choices)
    partner = models.ForeignKey("partnerhub.Partner", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    token_hash = models.CharField(max_length=64)
    invited_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role="partner", partner__isnull=False)
                    | (~models.Q(role="partner") & models.Q(partner__isnull=True))
                ),
                name="invitation_partner_iff_partner_role",
            ),
            # Unique within the tenant (the accept link names it), so the table can be sharded by tenant.
            models.UniqueConstraint(fields=["tenant", "token_hash"], name="invitation_token_once_per_tenant"),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"


class Partner(TenantOwnedModel):
    """A partner company in the program."""

    class Type(models.TextChoices):
        RESELLER = "reseller", "Reseller"
        SI = "si", "Systems integrator"
        TECHNOLOGY = "technology", "Technology"
        REFERRAL = "referral", "Referral"
        MSP = "msp", "Managed service provider"

    class Tier(models.TextChoices):
        PLATINUM = "platinum", "Platinum"
        GOLD = "gold", "Gold"
        SILVER = "silver", "Silver"
        REGISTERED = "registered", "Registered"

    class Stage(models.TextChoices):
        ONBOARDING = "onboarding", "Onboarding"
        GROWTH = "growth", "Growth"
        MATURE = "mature", "Mature"
        AT_RISK = "at_risk", "At risk"

    class Region(models.TextChoices):
        NORTH_AMERICA = "na", "North America"
        LATAM = "latam", "Latin America"
        EMEA = "emea", "EMEA"
        APAC = "apac", "APAC"

    name = models.CharField(max_length=200)
    external_id = models.CharField(max_length=100, blank=True, default="", help_text="The partner's id in your CRM.")
    partner_type = models.CharField("type", max_length=12, choices=Type.choices)
    tier = models.CharField(max_length=12, choices=Tier.choices, default=Tier.REGISTERED)
    stage = models.CharField("lifecycle stage", max_length=12, choices=Stage.choices, default=Stage.ONBOARDING)
    region = models.CharField(max_length=8, choices=Region.choices)
    market = models.CharField(max_length=80, blank=True, default="", help_text="Country or market segment.")
    product_lines = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    is_strategic = models.BooleanField(default=False)
    size_factor = models.DecimalField(
        max_digits=10,
        decimal_places=4,
        default=1,
        help_text="Size or territory factor for normalised scorecard items (> 0).",
    )
    baseline_month = models.DateField(
        null=True, blank=True, help_text="The month whose score is this partner's baseline."
    )
    owner = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="owner manager"
    )
    executive_sponsor = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data_steward = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="partner_unique_name_per_tenant"),
            models.CheckConstraint(condition=models.Q(size_factor__gt=0), name="partner_size_factor_positive"),
        ]
        indexes = [
            models.Index(fields=["tenant", "name"]),
            models.Index(fields=["tenant", "partner_type", "name"]),
            models.Index(fields=["tenant", "tier", "name"]),
            models.Index(fields=["tenant", "stage", "name"]),
            models.Index(fields=["tenant", "region", "name"]),
            models.Index(fields=["tenant", "owner", "name"]),
            GinIndex(fields=["product_lines"], name="partner_product_lines_gin"),
            GinIndex(fields=["name"], name="partner_name_trgm", opclasses=["gin_trgm_ops"]),
        ]

    def __str__(self) -> str:
        return self.name


class PartnerOwnerChange(TenantOwnedModel):
    """One change of a partner's owner manager (succession history)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="owner_changes")
    previous_owner = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    new_owner = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    changed_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "partner", "created_at"])]

    def __str__(self) -> str:
        return f"{self.partner_id}: {self.previous_owner_id} -> {self.new_owner_id}"


# django-auditlog ships no type information, so its classes are Any to mypy: the two classes below subclass Any.
class AuditEntryManager(LogEntryManager, TenantScopedManager["AuditEntry"]):  # type: ignore[misc]
    def log_create(self, instance: Any, force_log: bool = False, **kwargs: Any) -> Any:
        # Audit rows belong to the tenant of the object they describe; objects outside tenants are not audited here.
        tenant_id = getattr(instance, "tenant_id", None)
        if tenant_id is None:
            return None
        kwargs.setdefault("tenant_id", tenant_id)
        return super().log_create(instance, force_log=force_log, **kwargs)

    def log_m2m_changes(
        self, changed_queryset: Any, instance: Any, operation: Any, field_name: Any, **kwargs: Any
    ) -> Any:
        tenant_id = getattr(instance, "tenant_id", None)
        if tenant_id is None:
            return None
        kwargs.setdefault("tenant_id", tenant_id)
        return super().log_m2m_changes(changed_queryset, instance, operation, field_name, **kwargs)

    def get_queryset(self) -> TenantScopedQuerySet[AuditEntry]:
        return TenantScopedQuerySet(self.model, using=self._db)


class AuditEntry(AbstractLogEntry, TenantOwnedModel):  # type: ignore[misc]
    """django-auditlog's entry, tenant-owned like every other history table."""

    objects: ClassVar[AuditEntryManager] = AuditEntryManager()

    class Meta(AbstractLogEntry.Meta):  # type: ignore[misc]
        indexes = [models.Index(fields=["tenant", "-timestamp"])]

    def __str__(self) -> str:
        text: str = AbstractLogEntry.__str__(self)
        return text


class Notification(TenantOwnedModel):
    """An in-app message to one member (also emailed). ``dedupe_key`` makes sending the same reminder twice a no-op."""

    recipient = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, default="")
    url = models.CharField(max_length=300, blank=True, default="")
    dedupe_key = models.CharField(max_length=200)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "recipient", "dedupe_key"], name="notification_once_per_key")
        ]
        indexes = [models.Index(fields=["tenant", "recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.title
