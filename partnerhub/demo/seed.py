"""The deterministic demo: two partner programs with people of every role and ~60 partners each.

Later issues extend ``seed_demo`` with their own data; everything here is idempotent (safe to run twice).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction

from partnerhub.core.domain.periods import add_months
from partnerhub.core.models import Membership, Partner, PartnerOwnerChange, Role, Tenant, User
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.demo.executive import seed_executive
from partnerhub.demo.investments import seed_investments
from partnerhub.demo.recognition import seed_recognition
from partnerhub.demo.remediation import seed_remediation
from partnerhub.demo.review_cadences import seed_cadences
from partnerhub.demo.review_calendar import seed_calendar
from partnerhub.demo.review_history import seed_review_history
from partnerhub.demo.review_portal import seed_portal
from partnerhub.demo.scorecard_templates import seed_templates
from partnerhub.demo.scorecards import seed_partner_data
from partnerhub.demo.week_ahead import seed_week_ahead
from reviews.models import ReviewCycle
from scorecards.models import Observation
from scorecards.services.data_quality import data_quality_run
from scorecards.services.deal_reviews import deal_reviews_refresh
from scorecards.services.glossary import glossary_seed
from scorecards.services.snapshots import snapshot_refresh

DEMO_PASSWORD = "partnerhub-demo-2026"  # noqa: S105 (documented demo credential)

PREFIXES = [
    "Acme",
    "Blue",
    "Bright",
    "Cedar",
    "Delta",
    "Echo",
    "Falcon",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Maple",
    "Nimbus",
    "Orbit",
    "Pioneer",
    "Quartz",
    "River",
    "Summit",
    "Tidal",
    "Umber",
    "Vertex",
    "Willow",
    "Zenith",
    "Atlas",
    "Beacon",
    "Cobalt",
    "Dune",
    "Ember",
]
SUFFIXES = [
    "Systems",
    "Digital",
    "Consulting",
    "Networks",
    "Cloud",
    "Partners",
    "Solutions",
    "Labs",
    "Group",
    "Integrations",
    "Technologies",
    "Services",
]
MARKETS = {
    "na": ["United States", "Canada"],
    "latam": ["Brazil", "Mexico"],
    "emea": ["Germany", "United Kingdom", "France"],
    "apac": ["Australia", "Japan", "Singapore"],
}


@dataclass(frozen=True)
class DemoProgram:
    slug: str
    name: str
    domain: str
    product_lines: tuple[str, ...]
    seed: int


PROGRAMS = (
    DemoProgram(
        "northwind",
        "Northwind Cloud Alliances",
        "northwind.example",
        ("Cloud Platform", "Security", "Data & AI", "Observability"),
        11,
    ),
    DemoProgram(
        "contoso",
        "Contoso Channel Program",
        "contoso.example",
        ("Endpoint", "Networking", "Collaboration", "Managed Backup"),
        23,
    ),
)
PEOPLE = [  # (local part, first, last, role, function)
    ("admin", "Ada", "Admin", Role.ADMIN, Membership.Function.ALLIANCES),
    ("manager", "Maya", "Manager", Role.MANAGER, Membership.Function.SALES),
    ("manager2", "Marco", "Rossi", Role.MANAGER, Membership.Function.SALES),
    ("manager3", "Mei", "Chen", Role.MANAGER, Membership.Function.CUSTOMER_SUCCESS),
    ("exec", "Evan", "Executive", Role.EXECUTIVE, Membership.Function.SALES),
    ("marketing", "Mina", "Okafor", Role.MANAGER, Membership.Function.MARKETING),
]
SHARED_USER = ("pat@partnerhub.example", "Pat", "Both")  # a manager in both programs, to show switching


def _user(email: str, first: str, last: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, first_name=first, last_name=last)
    return user


def demo_partner_rows(
    program: DemoProgram, tenant: Tenant, owners: list[Membership], steward: Membership, sponsor: Membership
) -> list[Partner]:
    rng = random.Random(program.seed)  # noqa: S311 (demo data, not security)
    types, tiers = list(Partner.Type.values), list(Partner.Tier.values)
    stages, regions = list(Partner.Stage.values), list(Partner.Region.values)
    names: list[str] = []
    while len(names) < 60:
        name = f"{rng.choice(PREFIXES)} {rng.choice(SUFFIXES)}"
        if name not in names:
            names.append(name)
    rows = []
    for i, name in enumerate(names):
        region = regions[i % len(regions)]
        rows.append(
            Partner(
                tenant=tenant,
                name=name,
                external_id=f"{program.slug[:2].upper()}-{1000 + i}",
                partner_type=types[i % len(types)],
                tier=tiers[(i // 5) % len(tiers)],
                stage=stages[(i // 2) % len(stages)],
                region=region,
                market=rng.choice(MARKETS[region]),
                product_lines=sorted(rng.sample(program.product_lines, k=1 + i % 3)),
                is_strategic=(i % 9 == 0),
                owner=owners[i % len(owners)],
                executive_sponsor=sponsor if i % 4 == 0 else None,
                data_steward=steward,
            )
        )
    return rows


@transaction.atomic
def seed_program(program: DemoProgram) -> dict[str, str]:
    """Create (or find) one demo program; return the login email per role."""
    tenant, _ = Tenant.objects.get_or_create(slug=program.slug, defaults={"name": program.name})
    logins: dict[str, str] = {}
    with tenant_context(tenant):
        members: dict[str, Membership] = {}
        for local, first, last, role, function in PEOPLE:
            email = f"{local}@{program.domain}"
            user = _user(email, first, last)
            members[local], _ = Membership.objects.get_or_create(
                tenant=tenant, user=user, defaults={"role": role, "function": function}
            )
            logins.setdefault(role, email)
        shared = _user(*SHARED_USER)
        Membership.objects.get_or_create(tenant=tenant, user=shared, defaults={"role": Role.MANAGER})
        owners = [members["manager"], members["manager2"], members["manager3"]]
        existing = set(Partner.objects.for_tenant(tenant).values_list("name", flat=True))
        rows = [
            p
            for p in demo_partner_rows(program, tenant, owners, members["manager3"], members["exec"])
            if p.name not in existing
        ]
        created = Partner.objects.bulk_create(rows)
        PartnerOwnerChange.objects.bulk_create(
            [
                PartnerOwnerChange(
                    tenant=tenant,
                    partner=p,
                    new_owner=p.owner,
                    changed_by=members["admin"],
                    reason="Initial assignment",
                )
                for p in created
            ]
        )
        first_partners = list(Partner.objects.for_tenant(tenant).order_by("name")[:2])
        for n, partner in enumerate(first_partners, start=1):
            email = f"partner{n}@{program.domain}"
            user = _user(email, "Paula" if n == 1 else "Piet", f"of {partner.name}")
            Membership.objects.get_or_create(
                tenant=tenant, user=user, defaults={"role": Role.PARTNER, "partner": partner}
            )
            logins.setdefault(Role.PARTNER, email)
        # The program's partner data (scorecards app): the metric glossary, then 24 months of data per partner.
        glossary_seed(tenant=tenant)
        seed_partner_data(tenant)
        data_quality_run(tenant=tenant)  # so the data-quality page shows the planted problems at once
        deal_reviews_refresh(tenant=tenant)  # large deals scored on the rubric and queued for joint review
        first_month = Observation.objects.for_tenant(tenant).order_by("month").values_list("month", flat=True).first()
        if first_month is not None:
            # Version 2 of the default scorecard takes effect 18 months in, so older snapshots keep version 1.
            change = add_months(first_month, 18)
            seed_templates(tenant, members["admin"], first_month=first_month, change_month=change)
        snapshot_refresh(tenant=tenant)  # idempotent: a second seed writes nothing
        # The review cadence (reviews app): cycles past and upcoming, then the past reviews' history, the partners'
        # self-assessments and forecasts, and the reminders due today. Each step reads what the one before wrote.
        if not ReviewCycle.objects.for_tenant(tenant).exists():  # a second seed leaves the history alone
            seed_cadences(tenant, actor=members["admin"])
            seed_review_history(tenant)
            seed_week_ahead(tenant)  # a manager's portfolio shows reviews in the coming week on any day
            seed_portal(tenant)
            seed_calendar(tenant)
        # Remediation: plans in every state on the weakest partners, findings from their reviews, lessons.
        seed_remediation(tenant)
        # Recognition: tiers, the framework, two quarters of recommendations and awards (reads the snapshots).
        seed_recognition(tenant, admin=members["admin"], executive=members["exec"], managers=owners)
        # Investments (recognition app): budgets, allocations, requests, claims, enablement, and their impact.
        seed_investments(tenant)  # once: a program with a budget is left alone
        # The executive layer (dashboard, memos, digests, governance) reads everything above.
        seed_executive(tenant)
    return logins


def seed_demo() -> dict[str, dict[str, str]]:
    return {program.name: seed_program(program) for program in PROGRAMS}
