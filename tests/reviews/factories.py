"""Factories for the review cadence. Children take their tenant from their parent, as in ``tests.factories``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import factory
from django.utils import timezone

from reviews.models import ActionItem, Cadence, Review, ReviewCycle
from tests.factories import PartnerFactory, TenantFactory, TenantOwnedFactory

DEFAULT_AGENDA = [
    {
        "key": "performance",
        "title": "Performance results",
        "prompts": [{"key": "targets", "text": "How did the partner do against the agreed targets?"}],
    },
    {
        "key": "collaboration",
        "title": "Collaboration health",
        "prompts": [{"key": "responsiveness", "text": "How responsive was the partner to escalations this quarter?"}],
    },
]


class CadenceFactory(TenantOwnedFactory):
    class Meta:
        model = Cadence

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"QBR {n}")
    kind = Cadence.Kind.QBR
    frequency = Cadence.Frequency.QUARTERLY
    asks_forecast = True
    agenda = factory.LazyFunction(lambda: [dict(s) for s in DEFAULT_AGENDA])


class CycleFactory(TenantOwnedFactory):
    class Meta:
        model = ReviewCycle

    cadence = factory.SubFactory(CadenceFactory)
    tenant = factory.SelfAttribute("cadence.tenant")
    period_start = date(2026, 10, 1)
    period_end = date(2026, 12, 31)


class ReviewFactory(TenantOwnedFactory):
    class Meta:
        model = Review

    cycle = factory.SubFactory(CycleFactory)
    tenant = factory.SelfAttribute("cycle.tenant")
    cadence = factory.SelfAttribute("cycle.cadence")
    partner = factory.SubFactory(PartnerFactory, tenant=factory.SelfAttribute("..tenant"))
    kind = factory.SelfAttribute("cadence.kind")
    agenda = factory.SelfAttribute("cadence.agenda")
    scheduled_for = factory.LazyFunction(lambda: datetime.now(UTC).replace(microsecond=0) + timedelta(days=14))
    moderator = factory.SelfAttribute("partner.owner")


class ActionItemFactory(TenantOwnedFactory):
    class Meta:
        model = ActionItem

    review = factory.SubFactory(ReviewFactory)
    tenant = factory.SelfAttribute("review.tenant")
    partner = factory.SelfAttribute("review.partner")
    description = factory.Sequence(lambda n: f"Action {n}")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
