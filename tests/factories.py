"""Factories: each enters its own tenant to write, and children take the tenant from their parent."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from partnerhub.core.models import Invitation, Membership, Partner, Role, Tenant, User
from partnerhub.core.tenancy.context import tenant_context

PASSWORD = "correct-horse-battery-staple"


class TenantFactory(DjangoModelFactory[Tenant]):
    class Meta:
        model = Tenant
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results: Any = None) -> None:
        if create:
            instance.save()


class TenantOwnedFactory(DjangoModelFactory[Any]):
    """Writes inside the object's own tenant, as production code must."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        with tenant_context(kwargs["tenant"]):
            return super()._create(model_class, *args, **kwargs)


class PartnerFactory(TenantOwnedFactory):
    class Meta:
        model = Partner

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Partner {n:05d}")
    partner_type = Partner.Type.RESELLER
    tier = Partner.Tier.SILVER
    stage = Partner.Stage.GROWTH
    region = Partner.Region.EMEA
    market = "Germany"
    product_lines = factory.LazyFunction(lambda: ["Cloud"])


class MembershipFactory(TenantOwnedFactory):
    class Meta:
        model = Membership

    tenant = factory.SubFactory(TenantFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MANAGER
    partner = None


class InvitationFactory(TenantOwnedFactory):
    class Meta:
        model = Invitation

    tenant = factory.SubFactory(TenantFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.test")
    role = Role.MANAGER
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


def token_hash(token: str) -> str:
    """How an invitation's token is stored (worked out here, not by the app, so a change to it shows)."""
    return hashlib.sha256(token.encode()).hexdigest()


def member(tenant: Tenant, role: str = Role.MANAGER, partner: Partner | None = None, **kwargs: Any) -> Membership:
    return MembershipFactory(tenant=tenant, role=role, partner=partner, **kwargs)


class ChangeNoticeFactory(TenantOwnedFactory):
    """A published change notice (what the publication guard asks of a later version or a cadence change); give it
    the version or the cadence (and ``cadence_revision``) it announces."""

    class Meta:
        model = "executive.ChangeNotice"

    tenant = factory.SubFactory(TenantFactory)
    kind = "template"
    title = factory.Sequence(lambda n: f"Change {n}")
    what_changed = "What changes."
    why = "Why it changes."
    impact = factory.LazyFunction(lambda: {"affected": 0, "partners": {}})
    status = "published"
    published_at = factory.LazyFunction(timezone.now)


def announced(subject: Any) -> Any:
    """Publish a change notice for a template version, a tier framework version or a cadence's next change, so that
    publishing it (or changing the cadence) passes the publication guard."""
    label = subject._meta.label
    if label == "scorecards.TemplateVersion":
        return ChangeNoticeFactory(tenant=subject.tenant, kind="template", template_version=subject)
    if label == "recognition.FrameworkVersion":
        return ChangeNoticeFactory(tenant=subject.tenant, kind="tier_framework", framework_version=subject)
    return ChangeNoticeFactory(
        tenant=subject.tenant, kind="cadence", cadence=subject, cadence_revision=subject.revision + 1
    )
