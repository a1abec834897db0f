"""Two tenants with people of every role, for the isolation suite; every foreign thing has a unique marker."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.db import connection
from rest_framework.authtoken.models import Token

from partnerhub.core.domain.tokens import token_hash
from partnerhub.core.models import Invitation, Membership, Partner, Role, Tenant
from partnerhub.core.tenancy.context import tenant_context
from partnerhub.core.tenancy.rls import tenant_owned_models
from scorecards.models import (
    DataQualityFinding,
    Deal,
    DealReview,
    ImportBatch,
    MetricDefinition,
    ScorecardTemplate,
    TemplateVersion,
)
from tests.factories import InvitationFactory, PartnerFactory, TenantFactory, UserFactory, member

ROLES = (Role.ADMIN, Role.MANAGER, Role.EXECUTIVE, Role.PARTNER)


@dataclass
class World:
    a: Tenant
    b: Tenant
    actors: dict[str, Membership]
    tokens: dict[str, str]
    own_partner: Partner  # the partner user's company
    sibling_partner: Partner  # another partner in the same tenant
    foreign_partner: Partner
    foreign_manager: Membership
    sibling_member: Membership
    invitation_tokens: dict[str, str]
    invitation_ids: dict[str, int]
    own_metric_id: int = 0
    foreign_metric_id: int = 0
    own_batch_id: int = 0
    foreign_batch_id: int = 0
    sibling_finding_id: int = 0
    foreign_finding_id: int = 0
    own_template_id: int = 0
    foreign_template_id: int = 0
    own_version_id: int = 0
    foreign_version_id: int = 0
    sibling_deal_review_id: int = 0
    foreign_deal_review_id: int = 0
    own_cadence_id: int = 0
    foreign_cadence_id: int = 0
    own_cycle_id: int = 0
    foreign_cycle_id: int = 0
    own_review_id: int = 0  # the partner user's own company's review
    sibling_review_id: int = 0
    foreign_review_id: int = 0
    own_action_id: int = 0
    sibling_action_id: int = 0
    foreign_action_id: int = 0
    own_attendee_id: int = 0  # an attendee of own_review_id
    sibling_attendee_id: int = 0
    foreign_attendee_id: int = 0
    foreign_notification_id: int = 0  # a notification of the other tenant's manager
    own_memo_id: int = 0  # a published quarterly memo (program-wide: the sibling case is this tenant's own)
    foreign_memo_id: int = 0
    own_memo_version_id: int = 0
    foreign_memo_version_id: int = 0
    unsubscribe_tokens: dict[str, str] = field(default_factory=dict)  # digest unsubscribe links
    own_concern_id: int = 0  # raised by this tenant's partner user
    sibling_concern_id: int = 0  # raised by the sibling partner's user: only the admins (and its sender) see it
    foreign_concern_id: int = 0
    own_framework_review_id: int = 0  # the partner user is invited to comment on it
    foreign_framework_review_id: int = 0
    own_notice_id: int = 0  # a published change notice affecting the partner user's company
    foreign_notice_id: int = 0
    feed_tokens: dict[str, str] = field(default_factory=dict)
    foreign_markers: list[str] = field(default_factory=list)  # strings of tenant B that must never show in A
    sibling_markers: list[str] = field(default_factory=list)  # strings a partner user of A must never see


def build_world() -> World:
    a = TenantFactory(name="Alpha Alliances", slug="alpha")
    b = TenantFactory(name="Bravo Hidden Program", slug="bravo")
    manager_a = member(a, Role.MANAGER, user=UserFactory(email="manager@alpha.test"))
    own = PartnerFactory(tenant=a, name="Alpha Own Partner", owner=manager_a)
    sibling = PartnerFactory(tenant=a, name="SIBLING-PARTNER-MARKER", owner=manager_a)
    actors = {
        Role.ADMIN: member(a, Role.ADMIN, user=UserFactory(email="admin@alpha.test")),
        Role.MANAGER: manager_a,
        Role.EXECUTIVE: member(a, Role.EXECUTIVE, user=UserFactory(email="exec@alpha.test")),
        Role.PARTNER: member(a, Role.PARTNER, partner=own, user=UserFactory(email="partner@alpha.test")),
    }
    sibling_member = member(a, Role.PARTNER, partner=sibling, user=UserFactory(email="sibling-user@alpha.test"))
    foreign_manager = member(b, Role.MANAGER, user=UserFactory(email="foreign-manager@bravo.test"))
    member(b, Role.ADMIN, user=UserFactory(email="foreign-admin@bravo.test"))
    foreign = PartnerFactory(tenant=b, name="FOREIGN-PARTNER-MARKER", external_id="BRAVO-EXT-1", owner=foreign_manager)
    InvitationFactory(tenant=b, email="foreign-invitee@bravo.test", token_hash=token_hash("foreign-token"))
    InvitationFactory(
        tenant=a,
        email="sibling-invitee@alpha.test",
        role=Role.PARTNER,
        partner=sibling,
        token_hash=token_hash("sibling-token"),
    )
    with tenant_context(b):
        foreign_invitation = Invitation.objects.get(email="foreign-invitee@bravo.test")
    with tenant_context(a):
        sibling_invitation = Invitation.objects.get(email="sibling-invitee@alpha.test")
    tokens = {role: Token.objects.create(user=m.user).key for role, m in actors.items()}
    own_metric, own_batch = _partner_data(a, "alpha-metric", actors[Role.ADMIN])
    foreign_metric, foreign_batch = _partner_data(b, "FOREIGN-METRIC-MARKER", foreign_manager)
    sibling_finding = _finding(a, sibling, own_metric, "Sibling finding")
    foreign_finding = _finding(b, foreign, foreign_metric, "FOREIGN-FINDING-MARKER")
    sibling_review = _deal_review(a, sibling, "SIBLING-DEAL")
    foreign_review = _deal_review(b, foreign, "FOREIGN-DEAL-MARKER")
    own_version = _template(a, "Alpha default")
    foreign_version = _template(b, "FOREIGN-TEMPLATE-MARKER")
    own_reviews = _reviews(a, {own: "Alpha own action", sibling: "SIBLING-ACTION-MARKER"}, manager_a, "Alpha QBR")
    foreign_reviews = _reviews(b, {foreign: "FOREIGN-ACTION-MARKER"}, foreign_manager, "FOREIGN-CADENCE-MARKER")
    feed_tokens = {
        "own": _calendar_feed(a, manager_a, "alpha-feed-token"),
        "other_partner": _calendar_feed(a, sibling_member, "sibling-feed-token"),
        "other_tenant": _calendar_feed(b, foreign_manager, "foreign-feed-token"),
    }
    world = World(
        a=a,
        b=b,
        actors=actors,
        tokens=tokens,
        own_partner=own,
        sibling_partner=sibling,
        foreign_partner=foreign,
        foreign_manager=foreign_manager,
        sibling_member=sibling_member,
        invitation_tokens={"other_tenant": "foreign-token", "other_partner": "sibling-token"},
        invitation_ids={"other_tenant": foreign_invitation.pk, "other_partner": sibling_invitation.pk},
        own_metric_id=own_metric.pk,
        foreign_metric_id=foreign_metric.pk,
        own_batch_id=own_batch.pk,
        foreign_batch_id=foreign_batch.pk,
        sibling_finding_id=sibling_finding.pk,
        foreign_finding_id=foreign_finding.pk,
        own_template_id=own_version.template_id,
        foreign_template_id=foreign_version.template_id,
        own_version_id=own_version.pk,
        foreign_version_id=foreign_version.pk,
        sibling_deal_review_id=sibling_review.pk,
        foreign_deal_review_id=foreign_review.pk,
        foreign_markers=[
            "FOREIGN-PARTNER-MARKER",
            "FOREIGN-METRIC-MARKER",
            "FOREIGN-BATCH-MARKER.csv",
            "FOREIGN-FINDING-MARKER",
            "FOREIGN-TEMPLATE-MARKER",
            "FOREIGN-DEAL-MARKER",
            "Bravo Hidden Program",
            "foreign-manager@bravo.test",
            "foreign-admin@bravo.test",
            "foreign-invitee@bravo.test",
        ],
        sibling_markers=[
            "SIBLING-PARTNER-MARKER",
            "sibling-user@alpha.test",
            "sibling-invitee@alpha.test",
            "SIBLING-ACTION-MARKER",
        ],
    )
    world.own_cadence_id, world.own_cycle_id = own_reviews["cadence"], own_reviews["cycle"]
    world.foreign_cadence_id, world.foreign_cycle_id = foreign_reviews["cadence"], foreign_reviews["cycle"]
    world.own_review_id, world.own_action_id = own_reviews[own.pk]
    world.sibling_review_id, world.sibling_action_id = own_reviews[sibling.pk]
    world.foreign_review_id, world.foreign_action_id = foreign_reviews[foreign.pk]
    world.own_attendee_id = own_reviews[("attendee", own.pk)]
    world.sibling_attendee_id = own_reviews[("attendee", sibling.pk)]
    world.foreign_attendee_id = foreign_reviews[("attendee", foreign.pk)]
    world.feed_tokens = feed_tokens
    world.foreign_notification_id = _notification(b, foreign_manager, "FOREIGN-NOTIFICATION-MARKER")
    world.own_memo_id, world.own_memo_version_id = _memo(a, "Alpha memo line")
    world.foreign_memo_id, world.foreign_memo_version_id = _memo(b, "FOREIGN-MEMO-MARKER")
    world.own_concern_id = _concern(a, actors[Role.PARTNER], own, "Alpha own concern")
    world.sibling_concern_id = _concern(a, sibling_member, sibling, "SIBLING-CONCERN-MARKER")
    world.foreign_concern_id = _concern(b, foreign_manager, foreign, "FOREIGN-CONCERN-MARKER")
    world.own_framework_review_id = _framework_review(a, actors[Role.PARTNER], "Alpha checklist item")
    world.foreign_framework_review_id = _framework_review(b, foreign_manager, "FOREIGN-FRAMEWORK-MARKER")
    world.own_notice_id = _notice(a, own, "Alpha notice")
    world.foreign_notice_id = _notice(b, foreign, "FOREIGN-NOTICE-MARKER")
    world.unsubscribe_tokens = {
        "own": _unsubscribe_token(a, manager_a),
        "other_partner": _unsubscribe_token(a, sibling_member),
        "other_tenant": _unsubscribe_token(b, foreign_manager),
    }
    world.foreign_markers += [
        "FOREIGN-CADENCE-MARKER",
        "FOREIGN-ACTION-MARKER",
        "FOREIGN-ATTENDEE-MARKER",
        "FOREIGN-NOTIFICATION-MARKER",
        "FOREIGN-MEMO-MARKER",
        "FOREIGN-CONCERN-MARKER",
        "FOREIGN-NOTICE-MARKER",
        "FOREIGN-FRAMEWORK-MARKER",
    ]
    world.sibling_markers.append("SIBLING-CONCERN-MARKER")
    return world


def _partner_data(tenant: Tenant, metric_name: str, uploader: Membership) -> tuple[MetricDefinition, ImportBatch]:
    with tenant_context(tenant):
        metric = MetricDefinition.objects.create(
            tenant=tenant,
            key=metric_name.lower()[:50],
            name=metric_name,
            definition="A probe metric.",
            unit=MetricDefinition.Unit.COUNT,
            timing=MetricDefinition.Timing.LEADING,
            category=MetricDefinition.Category.ENGAGEMENT,
            aggregation=MetricDefinition.Aggregation.SUM,
        )
        name = "FOREIGN-BATCH-MARKER.csv" if tenant.slug == "bravo" else "alpha-batch.csv"
        batch = ImportBatch.objects.create(
            tenant=tenant,
            kind=ImportBatch.Kind.DEALS,
            file_name=name,
            content=b"Opportunity ID\n",
            uploaded_by=uploader,
        )
    return metric, batch


def _finding(tenant: Tenant, partner: Partner, metric: MetricDefinition, detail: str) -> DataQualityFinding:
    with tenant_context(tenant):
        return DataQualityFinding.objects.create(
            tenant=tenant,
            partner=partner,
            metric=metric,
            kind=DataQualityFinding.Kind.OUTLIER,
            month=date(2026, 9, 1),
            detail=detail,
        )


def _deal_review(tenant: Tenant, partner: Partner, external_id: str) -> DealReview:
    with tenant_context(tenant):
        deal = Deal.objects.create(
            tenant=tenant, partner=partner, external_id=external_id, amount=90000, created_on=date(2026, 9, 1)
        )
        return DealReview.objects.create(
            tenant=tenant,
            deal=deal,
            partner=partner,
            pricing_integrity=3,
            discount_discipline=3,
            contract_terms=3,
            renewal_risk=3,
            technical_risk=3,
            quality=3,
        )


def _reviews(tenant: Tenant, actions: dict[Partner, str], moderator: Membership, cadence_name: str) -> dict[Any, Any]:
    """A QBR cadence, one cycle, and per partner a review with a shared action item: {partner pk: (review, action)},
    and an attendee (a named contact): {("attendee", partner pk): attendee}."""
    from reviews.models import ActionItem, Attendee, Cadence, Review, ReviewCycle

    with tenant_context(tenant):
        cadence = Cadence.objects.create(
            tenant=tenant, name=cadence_name, kind=Cadence.Kind.QBR, frequency=Cadence.Frequency.QUARTERLY
        )
        cycle = ReviewCycle.objects.create(
            tenant=tenant, cadence=cadence, period_start=date(2026, 10, 1), period_end=date(2026, 12, 31)
        )
        out: dict[Any, Any] = {"cadence": cadence.pk, "cycle": cycle.pk}
        for partner, description in actions.items():
            review = Review.objects.create(
                tenant=tenant,
                cycle=cycle,
                cadence=cadence,
                partner=partner,
                kind=cadence.kind,
                scheduled_for=datetime(2026, 10, 15, 15, 0, tzinfo=UTC),
                moderator=moderator,
            )
            action = ActionItem.objects.create(
                tenant=tenant, review=review, partner=partner, description=description, due_date=date(2026, 11, 30)
            )
            out[partner.pk] = (review.pk, action.pk)
            attendee = Attendee.objects.create(
                tenant=tenant, review=review, name=description.replace("ACTION", "ATTENDEE"), side="partner"
            )
            out[("attendee", partner.pk)] = attendee.pk
    return out


def _calendar_feed(tenant: Tenant, membership: Membership, token: str) -> str:
    from reviews.models import CalendarFeed

    with tenant_context(tenant):
        CalendarFeed.objects.create(tenant=tenant, membership=membership, token_hash=token_hash(token))
    return token


def _notification(tenant: Tenant, recipient: Membership, title: str) -> int:
    from partnerhub.core.models import Notification

    with tenant_context(tenant):
        return Notification.objects.create(
            tenant=tenant, recipient=recipient, kind="probe", title=title, dedupe_key="matrix-probe"
        ).pk


def _memo(tenant: Tenant, text: str) -> tuple[int, int]:
    """A quarterly memo with one published version (its PDF a stub: the matrix reads, it does not render)."""
    from partnerhub.executive.models import Memo, MemoVersion

    with tenant_context(tenant):
        memo = Memo.objects.create(tenant=tenant, quarter_start=date(2026, 7, 1))
        line = {"id": "summary-1", "section": "summary", "text": text, "owner": "Lead", "timeline": "Q3 2026"}
        version = MemoVersion.objects.create(
            tenant=tenant,
            memo=memo,
            number=1,
            status=MemoVersion.Status.PUBLISHED,
            lines=[{**line, "evidence": [], "public": True, "removed": False}],
            published_at=datetime(2026, 10, 5, tzinfo=UTC),
            html=f"<p>{text}</p>",
            partner_html=f"<p>{text}</p>",
            pdf=b"%PDF-1.4 probe",
            partner_pdf=b"%PDF-1.4 probe",
        )
    return memo.pk, version.pk


def _concern(tenant: Tenant, sender: Membership, partner: Partner, subject: str) -> int:
    from partnerhub.executive.models import Concern, ConcernMessage

    with tenant_context(tenant):
        concern = Concern.objects.create(tenant=tenant, raised_by=sender, partner=partner, subject=subject)
        ConcernMessage.objects.create(tenant=tenant, concern=concern, author=sender, body=subject)
    return concern.pk


def _framework_review(tenant: Tenant, invited: Membership, text: str) -> int:
    from partnerhub.executive.models import FrameworkReview

    with tenant_context(tenant):
        return FrameworkReview.objects.create(
            tenant=tenant,
            due_on=date(2026, 12, 15),
            checklist=[{"key": "coverage-1", "kind": "coverage", "text": text}],
            invited_ids=[invited.pk],
        ).pk


def _notice(tenant: Tenant, partner: Partner, title: str) -> int:
    from partnerhub.executive.models import ChangeNotice

    with tenant_context(tenant):
        return ChangeNotice.objects.create(
            tenant=tenant,
            title=title,
            what_changed=title,
            why=title,
            status=ChangeNotice.Status.PUBLISHED,
            published_at=datetime(2026, 10, 5, tzinfo=UTC),
            impact={"affected": 1, "partners": {str(partner.pk): [60.0, 62.0, "amber", "amber"]}},
            affected_partner_ids=[partner.pk],
        ).pk


def _unsubscribe_token(tenant: Tenant, membership: Membership) -> str:
    from partnerhub.executive.services.digest import unsubscribe_token

    return unsubscribe_token(tenant=tenant, member=membership)


def _template(tenant: Tenant, name: str) -> TemplateVersion:
    with tenant_context(tenant):
        template = ScorecardTemplate.objects.create(tenant=tenant, name=name, is_default=True)
        return TemplateVersion.objects.create(tenant=tenant, template=template, number=1)


def fingerprint(tenant: Tenant, tables: Iterable[str] | None = None) -> dict[str, str]:
    """A digest of every tenant-owned row of ``tenant`` (read under its own RLS setting), table by table;
    ``tables`` narrows it to those tables."""
    names = tenant_owned_tables() if tables is None else tuple(tables)
    digest: dict[str, str] = {}
    with tenant_context(tenant), connection.cursor() as cursor:
        for table in names:
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x.id), '')) FROM \"{table}\" x"
            )
            digest[table] = ":".join(str(v) for v in cursor.fetchone())
    return digest


def tenant_owned_tables() -> tuple[str, ...]:
    return tuple(model._meta.db_table for model in tenant_owned_models())


def write_counters(tables: tuple[str, ...]) -> dict[str, tuple[int, ...]]:
    """Per table, the rows this transaction has inserted, updated and deleted so far, and the table's file.

    PostgreSQL counts every attempted write of the transaction, in any savepoint, rolled back or not, whichever
    tenant the row belongs to (row-level security does not hide the counters), so the counters only ever grow;
    TRUNCATE, which they do not count, gives the table a new file until its savepoint is rolled back. Two equal
    readings, both taken inside the savepoint a cell runs in, mean the cell wrote nothing: one cheap query in
    place of a digest of every row.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.name, pg_relation_filenode(c.oid), pg_stat_get_xact_tuples_inserted(c.oid),"
            " pg_stat_get_xact_tuples_updated(c.oid), pg_stat_get_xact_tuples_deleted(c.oid)"
            " FROM unnest(%s::text[]) AS t(name) JOIN pg_class c ON c.oid = quote_ident(t.name)::regclass",
            [list(tables)],
        )
        counters = {name: tuple(values) for name, *values in cursor.fetchall()}
    if set(counters) != set(tables):
        raise LookupError(f"no write counters for {sorted(set(tables) - set(counters))}")
    return counters


def written_tables(before: dict[str, tuple[int, ...]], after: dict[str, tuple[int, ...]]) -> list[str]:
    return [table for table, counts in after.items() if before[table] != counts]


def own_object_id(world: World, param: str) -> Any:
    """The id to put in a URL parameter for an object this tenant's admin may act on (its own, or a sibling's)."""
    values = {
        "tenant_slug": world.a.slug,
        "partner_id": world.own_partner.pk,
        "membership_id": world.sibling_member.pk,
        "invitation_id": world.invitation_ids["other_partner"],
        "token": "sibling-token",
        "metric_id": world.own_metric_id,
        "batch_id": world.own_batch_id,
        "finding_id": world.sibling_finding_id,
        "template_id": world.own_template_id,
        "version_id": world.own_version_id,
        "deal_review_id": world.sibling_deal_review_id,
        "kind": "deals",
        "month": "2026-11",
        "cadence_id": world.own_cadence_id,
        "cycle_id": world.own_cycle_id,
        "review_id": world.own_review_id,
        "action_id": world.own_action_id,
        "attendee_id": world.own_attendee_id,
        "feed_token": world.feed_tokens["own"],
        "memo_id": world.own_memo_id,
        "memo_version_id": world.own_memo_version_id,
        "unsubscribe_token": world.unsubscribe_tokens["own"],
        "concern_id": world.own_concern_id,
        "notice_id": world.own_notice_id,
        "framework_review_id": world.own_framework_review_id,
    }
    return values[param]


def object_id(world: World, param: str, target: str) -> Any:
    """The id to put in a URL parameter for a target: another tenant's object, or a sibling partner's."""
    foreign = target == "other_tenant"
    if param == "partner_id":
        return world.foreign_partner.pk if foreign else world.sibling_partner.pk
    if param == "membership_id":
        return world.foreign_manager.pk if foreign else world.sibling_member.pk
    if param == "invitation_id":
        return world.invitation_ids[target]
    if param == "token":
        return world.invitation_tokens[target]
    if param == "metric_id":  # the glossary is tenant-wide: the sibling case is this tenant's own metric
        return world.foreign_metric_id if foreign else world.own_metric_id
    if param == "deal_review_id":
        return world.foreign_deal_review_id if foreign else world.sibling_deal_review_id
    if param == "template_id":  # templates are program-wide: the sibling case is this tenant's own
        return world.foreign_template_id if foreign else world.own_template_id
    if param == "version_id":
        return world.foreign_version_id if foreign else world.own_version_id
    if param == "finding_id":
        return world.foreign_finding_id if foreign else world.sibling_finding_id
    if param == "batch_id":
        return world.foreign_batch_id if foreign else world.own_batch_id
    if param == "cadence_id":  # cadences and cycles are program-wide: the sibling case is this tenant's own
        return world.foreign_cadence_id if foreign else world.own_cadence_id
    if param == "cycle_id":
        return world.foreign_cycle_id if foreign else world.own_cycle_id
    if param == "review_id":
        return world.foreign_review_id if foreign else world.sibling_review_id
    if param == "action_id":
        return world.foreign_action_id if foreign else world.sibling_action_id
    if param == "attendee_id":  # an attendee of the foreign review, or of the sibling review
        return world.foreign_attendee_id if foreign else world.sibling_attendee_id
    if param == "feed_token":
        return world.feed_tokens[target]
    if param == "memo_id":  # memos are program-wide: the sibling case is this tenant's own
        return world.foreign_memo_id if foreign else world.own_memo_id
    if param == "memo_version_id":
        return world.foreign_memo_version_id if foreign else world.own_memo_version_id
    if param == "unsubscribe_token":
        return world.unsubscribe_tokens[target]
    if param == "framework_review_id":  # program-wide: the sibling case is this tenant's own
        return world.foreign_framework_review_id if foreign else world.own_framework_review_id
    if param == "notice_id":  # notices are program-wide: the sibling case is this tenant's own
        return world.foreign_notice_id if foreign else world.own_notice_id
    if param == "concern_id":
        return world.foreign_concern_id if foreign else world.sibling_concern_id
    raise LookupError(f"the isolation matrix has no foreign object for URL parameter {param!r}: add one in world.py")
