"""The import services through the upload path: each kind, all-or-nothing, idempotency, updates, rollback."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from partnerhub.core.errors import PermissionDeniedError
from partnerhub.core.models import Role
from partnerhub.core.signals import partner_data_changed
from partnerhub.core.tenancy.context import tenant_context
from scorecards.errors import ImportInvalidError, ImportRollbackRefusedError, ImportStateError
from scorecards.models import Activity, Deal, ImportBatch, ImportChange, ImportMapping, Observation, SurveyResponse
from scorecards.selectors.imports import import_batch_changes, import_preview_rows
from scorecards.services.imports import import_commit, import_preview, import_remap, import_rollback
from tests.factories import PartnerFactory, member
from tests.scorecards.factories import (
    DEAL_HEADER,
    DealFactory,
    MetricFactory,
    ObservationFactory,
    csv_bytes,
    deal_rows,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(tenant):
    return PartnerFactory(tenant=tenant, name="Acme Cloud", external_id="P-ACME")


@pytest.fixture
def globex(tenant):
    return PartnerFactory(tenant=tenant, name="Globex", external_id="P-GLOBEX")


def preview(tenant, actor, kind, content, file_name="data.csv", **kwargs):
    with tenant_context(tenant):
        return import_preview(tenant=tenant, actor=actor, kind=kind, file_name=file_name, content=content, **kwargs)


def commit(tenant, actor, batch, **kwargs):
    with tenant_context(tenant):
        return import_commit(tenant=tenant, actor=actor, batch=batch, **kwargs)


def rollback(tenant, actor, batch):
    with tenant_context(tenant):
        return import_rollback(tenant=tenant, actor=actor, batch=batch)


def preview_and_commit(tenant, actor, kind, content, **kwargs):
    return commit(tenant, actor, preview(tenant, actor, kind, content, **kwargs))


def count(tenant, model):
    with tenant_context(tenant):
        return model.objects.count()


def deals_file(partner_ref, n=3, **kwargs):
    return csv_bytes(DEAL_HEADER, deal_rows(partner_ref, n, **kwargs))


# --- each kind ---


def test_a_deals_file_previews_without_writing_and_commits_every_row(tenant, manager, acme):
    batch = preview(tenant, manager, "deals", deals_file("P-ACME", 3))

    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.counts == {"new": 3, "updated": 0, "unchanged": 0, "invalid": 0}
    assert batch.errors == []
    assert count(tenant, Deal) == 0

    batch = commit(tenant, manager, batch)

    assert batch.status == ImportBatch.Status.COMMITTED
    assert batch.committed_at is not None
    assert batch.processed_rows == 3
    with tenant_context(tenant):
        deal = Deal.objects.get(external_id="D-000001")
    assert deal.partner_id == acme.pk
    assert deal.amount == Decimal("1000.00")
    assert deal.close_date == date(2025, 6, 30)
    assert deal.batch_id == batch.pk


def test_an_observations_spreadsheet_names_metrics_by_key_or_name_and_stores_the_month(tenant, manager, acme):
    MetricFactory(tenant=tenant, key="pipeline_created", name="Pipeline created")
    MetricFactory(tenant=tenant, key="csat", name="Customer satisfaction")
    content = xlsx_bytes(
        ["Partner", "Metric", "Month", "Value"],
        [
            ["Acme Cloud", "pipeline_created", date(2025, 3, 31), 125000.5],
            ["acme cloud ", "Customer satisfaction", "Mar 2025", "4,5"],
        ],
    )

    batch = preview_and_commit(tenant, manager, "observations", content, file_name="obs.xlsx")

    assert batch.counts["new"] == 2
    with tenant_context(tenant):
        values = {o.metric.key: (o.month, o.value, o.source) for o in Observation.objects.select_related("metric")}
    assert values == {
        "pipeline_created": (date(2025, 3, 1), Decimal("125000.5000"), "upload"),
        "csat": (date(2025, 3, 1), Decimal("4.5000"), "upload"),
    }


def test_an_activities_file_reads_kinds_by_their_words(tenant, manager, acme):
    content = csv_bytes(
        ["Partner", "Activity Type", "Title", "Date", "Attendees", "Leads", "Outcome"],
        [
            ["P-ACME", "Webinar", "Cloud security 101", "2025-02-10", "120", "14", "Good turnout"],
            ["P-ACME", "Co-sell campaign", "Spring push", "2025-03-01", "", "30", ""],
            ["P-ACME", "Certification", "Architect exam", "2025-03-15", "3", "0", "3 certified"],
        ],
    )

    preview_and_commit(tenant, manager, "activities", content)

    with tenant_context(tenant):
        kinds = dict(Activity.objects.values_list("title", "kind"))
        spring = Activity.objects.get(title="Spring push")
    assert kinds == {"Cloud security 101": "webinar", "Spring push": "co_sell", "Architect exam": "certification"}
    assert spring.attendees == 0
    assert spring.leads == 30


def test_a_surveys_file_links_deals_and_reads_the_respondent_type_from_the_survey(tenant, manager, acme):
    deal = DealFactory(partner=acme, external_id="OPP-9")
    content = csv_bytes(
        ["Partner", "Survey", "Respondent", "Deal ID", "Date", "Score", "Scale"],
        [
            ["Acme Cloud", "CSAT", "Jane@Customer.example", "OPP-9", "2025-04-02", "4", "5"],
            ["Acme Cloud", "Partner sentiment", "ops@acme.example", "", "2025-04-03", "8", "10"],
        ],
    )

    preview_and_commit(tenant, manager, "surveys", content)

    with tenant_context(tenant):
        answers = {s.survey: s for s in SurveyResponse.objects.all()}
    assert answers["csat"].respondent == "jane@customer.example"
    assert answers["csat"].respondent_type == "customer"
    assert answers["csat"].deal_id == deal.pk
    assert answers["partner_sentiment"].respondent_type == "partner"
    assert answers["partner_sentiment"].scale_max == 10


def test_a_crm_export_with_its_own_headers_is_mapped_and_imported(tenant, manager, acme):
    content = csv_bytes(
        [
            "Opportunity ID",
            "Opportunity Name",
            "Partner Account",
            "Account Name",
            "Deal Stage",
            "Amount",
            "Probability (%)",
            "Created Date",
            "Close Date",
        ],
        [
            [
                "006A1",
                "Acme - 500 seats",
                "Acme Cloud",
                "Initech",
                "Closed Won",
                "$12,500.00",
                "100%",
                "01/15/2025",
                "3/31/2025",
            ],
            [
                "006A2",
                "Acme - renewal",
                "Acme Cloud",
                "Hooli",
                "Negotiation",
                "$8,000.00",
                "60",
                "02/01/2025",
                "4/30/2025",
            ],
        ],
    )

    batch = preview_and_commit(tenant, manager, "deals", content, source="salesforce")

    assert batch.mapping["external_id"] == "Opportunity ID"
    assert batch.mapping["partner"] == "Partner Account"
    with tenant_context(tenant):
        won = Deal.objects.get(external_id="006A1")
        open_deal = Deal.objects.get(external_id="006A2")
    assert (won.status, won.amount, won.currency, won.probability) == ("won", Decimal("12500.00"), "USD", 100)
    assert open_deal.status == "open"
    assert open_deal.created_on == date(2025, 2, 1)  # "01/15" and "3/31" elsewhere show month-first dates


# --- all or nothing ---


def test_one_bad_row_fails_the_commit_and_writes_nothing(tenant, manager, acme):
    rows = deal_rows("P-ACME", 5)
    rows[3][4] = "lots"
    batch = preview(tenant, manager, "deals", csv_bytes(DEAL_HEADER, rows))
    assert batch.counts["invalid"] == 1

    # Like the commit view and task: the error is caught inside the tenant's transaction, which then commits.
    with tenant_context(tenant), pytest.raises(ImportInvalidError) as excinfo:
        import_commit(tenant=tenant, actor=manager, batch=batch)

    assert excinfo.value.extra["errors"] == [{"row": 5, "column": "amount", "value": "lots", "reason": "Not a number."}]
    assert count(tenant, Deal) == 0
    assert count(tenant, ImportChange) == 0
    with tenant_context(tenant):
        batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.errors[0]["row"] == 5


def test_a_commit_checks_the_data_again_and_fails_when_a_partner_disappeared_since_the_preview(tenant, manager):
    doomed = PartnerFactory(tenant=tenant, name="Short Lived")
    batch = preview(tenant, manager, "deals", deals_file("Short Lived", 2))
    with tenant_context(tenant):
        doomed.delete()

    with pytest.raises(ImportInvalidError):
        commit(tenant, manager, batch)

    assert count(tenant, Deal) == 0


# --- idempotency and updates ---


def test_committing_the_same_file_twice_changes_nothing_the_second_time(tenant, manager, acme):
    content = deals_file("P-ACME", 4)
    preview_and_commit(tenant, manager, "deals", content)
    with tenant_context(tenant):
        stamps = dict(Deal.objects.values_list("external_id", "updated_at"))

    again = preview_and_commit(tenant, manager, "deals", content)

    assert again.counts == {"new": 0, "updated": 0, "unchanged": 4, "invalid": 0}
    with tenant_context(tenant):
        assert ImportChange.objects.filter(batch=again).count() == 0
        assert dict(Deal.objects.values_list("external_id", "updated_at")) == stamps


def test_a_changed_value_is_an_update_that_remembers_the_previous_values(tenant, manager, acme):
    first = preview_and_commit(tenant, manager, "deals", deals_file("P-ACME", 3))
    rows = deal_rows("P-ACME", 3)
    rows[1][4] = "2500"

    second = preview_and_commit(tenant, manager, "deals", csv_bytes(DEAL_HEADER, rows))

    assert second.counts == {"new": 0, "updated": 1, "unchanged": 2, "invalid": 0}
    with tenant_context(tenant):
        change = import_batch_changes(tenant=tenant, batch=second).get()
        deal = Deal.objects.get(pk=change.object_id)
    assert deal.amount == Decimal("2500.00")
    assert deal.batch_id == second.pk
    assert change.action == ImportChange.Action.UPDATED
    assert change.before["amount"] == "1000.00"
    assert change.before["batch_id"] == first.pk


def test_columns_the_file_does_not_have_keep_their_stored_values(tenant, manager, acme):
    DealFactory(partner=acme, external_id="D-1", stage="Discovery", discount_pct=Decimal("12.50"), term_months=24)
    content = csv_bytes(["Deal ID", "Partner", "Amount", "Created"], [["D-1", "P-ACME", "1000", "2025-01-05"]])

    batch = preview_and_commit(tenant, manager, "deals", content)

    assert batch.counts["unchanged"] == 1
    with tenant_context(tenant):
        deal = Deal.objects.get(external_id="D-1")
    assert (deal.stage, deal.discount_pct, deal.term_months) == ("Discovery", Decimal("12.50"), 24)


def test_an_observation_is_updated_in_place_by_partner_metric_and_month(tenant, manager, acme):
    metric = MetricFactory(tenant=tenant, key="revenue")
    ObservationFactory(partner=acme, metric=metric, month=date(2025, 1, 1), value=Decimal("10"))
    content = csv_bytes(["partner", "metric", "month", "value"], [["P-ACME", "revenue", "2025-01-31", "12"]])

    batch = preview_and_commit(tenant, manager, "observations", content)

    assert batch.counts == {"new": 0, "updated": 1, "unchanged": 0, "invalid": 0}
    with tenant_context(tenant):
        assert Observation.objects.get().value == Decimal("12")


def test_a_commit_tells_the_snapshot_refresh_which_partners_changed(tenant, manager, acme, globex):
    received = []

    def listener(sender, tenant, partner_ids, **kwargs):
        received.append((sender, tenant.pk, partner_ids))

    partner_data_changed.connect(listener)
    try:
        content = csv_bytes(DEAL_HEADER, deal_rows("P-ACME", 1) + deal_rows("Globex", 1, start=5))
        preview_and_commit(tenant, manager, "deals", content)
    finally:
        partner_data_changed.disconnect(listener)

    assert received == [(ImportBatch, tenant.pk, sorted([acme.pk, globex.pk]))]


def test_progress_is_reported_while_rows_are_written(tenant, manager, acme):
    calls = []
    batch = preview(tenant, manager, "deals", deals_file("P-ACME", 12))

    commit(tenant, manager, batch, progress=lambda done, total: calls.append((done, total)))

    assert calls[-1] == (12, 12)


# --- mapping, remap and saved mappings ---


def test_a_committed_mapping_is_saved_and_reused_for_the_next_file_from_that_source(tenant, manager, acme):
    header = ["Ref", "Reseller Co", "Value USD", "Opened"]
    content = csv_bytes(header, [["X1", "P-ACME", "100", "2025-01-01"]])
    mapping = {"external_id": "Ref", "partner": "Reseller Co", "amount": "Value USD", "created_on": "Opened"}
    preview_and_commit(tenant, manager, "deals", content, source="Partner Portal", mapping=mapping)

    later = preview(
        tenant, manager, "deals", csv_bytes(header, [["X2", "P-ACME", "5", "2025-02-01"]]), source="partner portal"
    )

    assert later.mapping == mapping
    assert later.counts["new"] == 1
    with tenant_context(tenant):
        saved = ImportMapping.objects.get(kind="deals", source="partner portal")
    assert saved.columns == mapping
    assert saved.headers == header


def test_a_file_whose_headers_the_saved_mapping_does_not_fit_gets_a_suggestion_instead(tenant, manager, acme):
    with tenant_context(tenant):
        ImportMapping.objects.create(
            tenant=tenant, kind="deals", source="upload", columns={"external_id": "Ref"}, headers=["Ref"]
        )

    batch = preview(tenant, manager, "deals", deals_file("P-ACME", 1))

    assert batch.mapping["external_id"] == "external_id"


def test_remapping_a_previewed_batch_checks_it_again(tenant, manager, acme):
    content = csv_bytes(["Ref", "Who", "Value", "Opened"], [["X1", "P-ACME", "100", "2025-01-01"]])
    batch = preview(tenant, manager, "deals", content)
    assert batch.errors[0]["row"] == 0

    with tenant_context(tenant):
        batch = import_remap(
            tenant=tenant,
            actor=manager,
            batch=batch,
            mapping={"external_id": "Ref", "partner": "Who", "amount": "Value", "created_on": "Opened"},
        )

    assert batch.errors == []
    assert batch.counts["new"] == 1


def test_a_committed_batch_can_no_longer_be_remapped_or_committed_again(tenant, manager, acme):
    batch = preview_and_commit(tenant, manager, "deals", deals_file("P-ACME", 1))

    with pytest.raises(ImportStateError), tenant_context(tenant):
        import_remap(tenant=tenant, actor=manager, batch=batch, mapping={})
    with pytest.raises(ImportStateError):
        commit(tenant, manager, batch)


def test_the_preview_shows_the_first_rows_as_they_will_be_stored(tenant, manager, acme):
    DealFactory(partner=acme, external_id="D-000000", amount=Decimal("1"))
    batch = preview(tenant, manager, "deals", deals_file("P-ACME", 3))

    with tenant_context(tenant):
        rows = import_preview_rows(tenant=tenant, batch=batch, limit=2)

    assert [(r["row_number"], r["action"], r["partner"], r["external_id"]) for r in rows] == [
        (2, "updated", "Acme Cloud", "D-000000"),
        (3, "new", "Acme Cloud", "D-000001"),
    ]
    assert rows[0]["amount"] == Decimal("1000.00")


# --- rollback ---


def test_a_rollback_deletes_created_rows_and_restores_updated_ones(tenant, manager, acme):
    DealFactory(partner=acme, external_id="D-000000", amount=Decimal("1.00"), stage="Discovery")
    batch = preview_and_commit(tenant, manager, "deals", deals_file("P-ACME", 3))
    assert batch.counts == {"new": 2, "updated": 1, "unchanged": 0, "invalid": 0}

    batch = rollback(tenant, manager, batch)

    assert batch.status == ImportBatch.Status.ROLLED_BACK
    assert batch.rolled_back_at is not None
    with tenant_context(tenant):
        restored = Deal.objects.get()
    assert (restored.external_id, restored.amount, restored.stage, restored.batch_id) == (
        "D-000000",
        Decimal("1.00"),
        "Discovery",
        None,
    )


def test_a_rollback_is_refused_when_a_later_import_changed_the_same_rows(tenant, manager, acme):
    first = preview_and_commit(tenant, manager, "deals", deals_file("P-ACME", 2))
    second = preview_and_commit(tenant, manager, "deals", deals_file("P-ACME", 2, amount="5"))

    with pytest.raises(ImportRollbackRefusedError) as excinfo:
        rollback(tenant, manager, first)

    assert f"Import #{second.pk}" in excinfo.value.message
    assert count(tenant, Deal) == 2


def test_the_earlier_import_can_be_rolled_back_once_the_later_one_is(tenant, manager, acme):
    first = preview_and_commit(tenant, manager, "deals", deals_file("P-ACME", 2))
    second = preview_and_commit(tenant, manager, "deals", deals_file("P-ACME", 2, amount="5"))

    rollback(tenant, manager, second)
    with tenant_context(tenant):
        assert set(Deal.objects.values_list("amount", flat=True)) == {Decimal("1000.00")}
    rollback(tenant, manager, first)

    assert count(tenant, Deal) == 0


def test_only_a_committed_batch_can_be_rolled_back(tenant, manager, acme):
    batch = preview(tenant, manager, "deals", deals_file("P-ACME", 1))

    with pytest.raises(ImportStateError):
        rollback(tenant, manager, batch)


# --- who may import ---


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.PARTNER])
def test_executives_and_partner_users_may_not_import(tenant, acme, role):
    actor = member(tenant, role, partner=acme if role == Role.PARTNER else None)

    with pytest.raises(PermissionDeniedError):
        preview(tenant, actor, "deals", deals_file("P-ACME", 1))


def test_an_admin_may_import(tenant, acme):
    admin = member(tenant, Role.ADMIN)

    batch = preview_and_commit(tenant, admin, "deals", deals_file("P-ACME", 1))

    assert batch.status == ImportBatch.Status.COMMITTED


def test_rolling_back_observations_restores_values_and_sources(tenant, manager, acme):
    metric = MetricFactory(tenant=tenant, key="revenue")
    kept = ObservationFactory(partner=acme, metric=metric, month=date(2025, 1, 1), value=Decimal("10"), source="crm")
    content = csv_bytes(
        ["partner", "metric", "month", "value"],
        [["P-ACME", "revenue", "2025-01", "11"], ["P-ACME", "revenue", "2025-02", "12"]],
    )
    batch = preview_and_commit(tenant, manager, "observations", content, source="portal")
    with tenant_context(tenant):
        kept.refresh_from_db()
    assert (kept.value, kept.source) == (Decimal("11"), "portal")

    rollback(tenant, manager, batch)

    with tenant_context(tenant):
        assert list(Observation.objects.values_list("month", "value", "source")) == [
            (date(2025, 1, 1), Decimal("10.0000"), "crm")
        ]


def test_the_same_observation_from_another_source_is_unchanged(tenant, manager, acme):
    metric = MetricFactory(tenant=tenant, key="revenue")
    ObservationFactory(partner=acme, metric=metric, month=date(2025, 1, 1), value=Decimal("10"), source="crm")
    content = csv_bytes(["partner", "metric", "month", "value"], [["P-ACME", "revenue", "Jan 2025", "10.00"]])

    batch = preview_and_commit(tenant, manager, "observations", content, source="portal")

    assert batch.counts == {"new": 0, "updated": 0, "unchanged": 1, "invalid": 0}


def test_activities_and_survey_answers_are_updated_by_their_natural_keys(tenant, manager, acme):
    activity = csv_bytes(
        ["partner", "kind", "title", "date", "leads"], [["P-ACME", "webinar", "Launch", "2025-01-02", "3"]]
    )
    survey = csv_bytes(
        ["partner", "survey", "respondent", "date", "score"], [["P-ACME", "csat", "a@b.example", "2025-01-02", "3"]]
    )
    preview_and_commit(tenant, manager, "activities", activity)
    preview_and_commit(tenant, manager, "surveys", survey)

    activities = preview_and_commit(tenant, manager, "activities", activity.replace(b",3\r\n", b",9\r\n"))
    surveys = preview_and_commit(tenant, manager, "surveys", survey.replace(b",3\r\n", b",4\r\n"))

    assert activities.counts["updated"] == surveys.counts["updated"] == 1
    with tenant_context(tenant):
        assert Activity.objects.get().leads == 9
        assert SurveyResponse.objects.get().score == Decimal("4.00")


def test_a_failed_batch_commits_once_the_data_it_needs_exists(tenant, manager):
    batch = preview(tenant, manager, "deals", deals_file("Late Partner", 2))
    with tenant_context(tenant), pytest.raises(ImportInvalidError):
        import_commit(tenant=tenant, actor=manager, batch=batch)
    PartnerFactory(tenant=tenant, name="Late Partner")

    batch = commit(tenant, manager, batch)

    assert batch.status == ImportBatch.Status.COMMITTED
    assert batch.errors == []
    assert count(tenant, Deal) == 2


def test_a_euro_amount_sets_the_deals_currency(tenant, manager, acme):
    content = csv_bytes(["Deal ID", "Partner", "Amount", "Created"], [["E1", "P-ACME", "€ 1.234,50", "31.01.2025"]])

    preview_and_commit(tenant, manager, "deals", content)

    with tenant_context(tenant):
        deal = Deal.objects.get()
    assert (deal.amount, deal.currency, deal.created_on) == (Decimal("1234.50"), "EUR", date(2025, 1, 31))


def test_an_amount_in_one_currency_and_a_currency_column_saying_another_is_refused(tenant, manager, acme):
    content = csv_bytes(
        ["Deal ID", "Partner", "Amount", "Currency", "Created"], [["E1", "P-ACME", "€ 12", "USD", "2025-01-31"]]
    )

    batch = preview(tenant, manager, "deals", content)

    assert batch.errors == [
        {
            "row": 2,
            "column": "Currency",
            "value": "USD",
            "reason": "The amount is in EUR but the currency column says USD.",
        }
    ]
