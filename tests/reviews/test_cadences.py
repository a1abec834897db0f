"""Cadences: the agenda editor's parsing and stable keys, the cadence services' rules, the defaults of a new program."""

from __future__ import annotations

import pytest

from partnerhub.core.errors import CrossTenantReferenceError, PermissionDeniedError
from partnerhub.core.models import Role
from partnerhub.core.services import program as core_services
from partnerhub.core.tenancy.context import tenant_context
from reviews.domain.agenda import (
    DEFAULT_AGENDA,
    KEY_MAX,
    LIGHT_AGENDA,
    agenda_from_data,
    agenda_parse,
    agenda_text,
)
from reviews.errors import AgendaInvalidError, CadenceInvalidError
from reviews.models import Cadence
from reviews.services.cadences import (
    cadence_create,
    cadence_defaults_seed,
    cadence_update,
)
from tests.factories import PartnerFactory, UserFactory, announced, member
from tests.reviews.factories import CadenceFactory

AGENDA = """
## Performance results
- How did the partner do against the agreed targets?
- Which results surprised either side?

## Collaboration health
- How responsive was the partner to escalations this quarter?
"""


def keys(agenda):
    return [(s["key"], [p["key"] for p in s["prompts"]]) for s in agenda]


def problems_of(text):
    with pytest.raises(AgendaInvalidError) as refused:
        agenda_parse(text)
    return refused.value.problems


def cadence_data(**overrides):
    return {
        "name": "Partner QBR",
        "kind": Cadence.Kind.QBR,
        "frequency": Cadence.Frequency.QUARTERLY,
        "partner_types": [],
        "tiers": [],
        "stages": [],
        "review_offset_days": 21,
        "prep_lead_days": 7,
        "self_assessment_lead_days": 10,
        "asks_forecast": True,
        "detailed_cap": 12,
        "agenda_text": AGENDA,
        **overrides,
    }


def stored_cadences(tenant):
    with tenant_context(tenant):
        return list(Cadence.objects.for_tenant(tenant).order_by("name"))


# --- the agenda text ---


def test_an_agenda_text_becomes_ordered_sections_with_their_prompts():
    agenda = agenda_parse(AGENDA)
    assert [s["title"] for s in agenda] == ["Performance results", "Collaboration health"]
    assert [p["text"] for p in agenda[1]["prompts"]] == ["How responsive was the partner to escalations this quarter?"]
    assert keys(agenda) == [
        ("performance_results", ["against_agreed_targets", "results_surprised_either_side"]),
        ("collaboration_health", ["responsive_escalations_quarter"]),
    ]


def test_the_agenda_text_round_trips_through_the_editor():
    agenda = agenda_parse(AGENDA)
    assert agenda_parse(agenda_text(agenda), previous=agenda) == agenda


def test_extra_spaces_blank_lines_and_star_bullets_are_accepted():
    agenda = agenda_parse("\n\n  ##   Pipeline   health  \n\n   *  Is new   pipeline arriving?\n")
    assert agenda == [
        {
            "key": "pipeline_health",
            "title": "Pipeline health",
            "prompts": [{"key": "new_pipeline_arriving", "text": "Is new pipeline arriving?"}],
        }
    ]


def test_a_section_may_hold_notes_only_without_a_rated_prompt():
    assert agenda_parse("## Open discussion")[0]["prompts"] == []


def test_a_section_moved_keeps_its_key_and_a_reworded_prompt_gets_a_new_one_while_the_others_keep_theirs():
    before = agenda_parse(AGENDA)
    edited = """
## Collaboration health
- How responsive was the partner to escalations this quarter?
- Did both teams share their plans?
## Performance results
- How did the partner do against the targets agreed in the plan?
- Which results surprised either side?
"""
    after = agenda_parse(edited, previous=before)
    assert keys(after) == [
        ("collaboration_health", ["responsive_escalations_quarter", "teams_share_plans"]),
        ("performance_results", ["against_targets_agreed_plan", "results_surprised_either_side"]),
    ]


def test_a_renamed_section_gets_a_new_key_and_keeps_its_prompts_keys():
    before = agenda_parse(AGENDA)
    after = agenda_parse(AGENDA.replace("## Collaboration health", "## Working together"), previous=before)
    assert keys(after)[1] == ("working_together", ["responsive_escalations_quarter"])


def test_an_existing_key_is_kept_even_when_it_no_longer_matches_its_slug():
    previous = [
        {"key": "perf", "title": "Performance results", "prompts": [{"key": "targets", "text": "Targets met?"}]}
    ]
    assert keys(agenda_parse("## Performance results\n- Targets met?", previous=previous)) == [("perf", ["targets"])]


def test_prompt_keys_are_unique_across_the_whole_agenda():
    agenda = agenda_parse("## One\n- How was the quarter?\n## Two\n- How was the quarter, really?")
    assert [p["key"] for s in agenda for p in s["prompts"]] == ["quarter", "quarter_really"]
    agenda = agenda_parse("## One\n- The quarter?\n## Two\n- Quarter!")
    assert [p["key"] for s in agenda for p in s["prompts"]] == ["quarter", "quarter_2"]


def test_keys_fit_the_database_columns():
    agenda = agenda_parse("## " + "Very long section title " * 5 + "\n- " + "An unusually long question " * 10)
    assert all(len(s["key"]) <= KEY_MAX and all(len(p["key"]) <= KEY_MAX for p in s["prompts"]) for s in agenda)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Add at least one section"),
        ("- A prompt first\n## Then a section", "Line 1: a prompt needs a section above it"),
        ("## Results\nJust a sentence", "Line 2: start a section with '## ' or a prompt with '- '"),
        ("## Results\n- ", "Line 2: a prompt needs its question"),
        ("##", "Line 1: a section needs a title"),
        ("## Results\n- Same?\n## Results", "The section “Results” appears twice."),
        ("## A\n- Same?\n## B\n- same?", "The prompt “same?” appears twice."),
        ("## " + "x" * 121, "Line 1: keep a section title to 120 characters."),
        ("\n".join(f"## Section {n}" for n in range(13)), "Keep to 12 sections at most"),
        ("## A\n" + "\n".join(f"- Question {n}?" for n in range(11)), "“A” has 11 prompts; keep to 10."),
    ],
)
def test_a_bad_agenda_is_refused_with_a_clear_message(text, expected):
    assert any(expected in problem for problem in problems_of(text))


def test_every_problem_of_an_agenda_is_reported_at_once():
    problems = problems_of("- orphan\n## Fine\nstray line\n- ok")
    assert [p.split(":")[0] for p in problems] == ["Line 1", "Line 3"]


def test_an_agenda_as_json_is_keyed_like_the_text_and_callers_keys_are_ignored():
    agenda = agenda_from_data(
        [{"key": "mine", "title": "Pipeline health", "prompts": [{"key": "x", "text": "Coverage?"}, "Velocity?"]}]
    )
    assert keys(agenda) == [("pipeline_health", ["coverage", "velocity"])]


@pytest.mark.parametrize(
    "sections",
    [
        "not a list",
        [{"prompts": []}],
        [{"title": "A", "prompts": "not a list"}],
        [{"title": "A", "prompts": [{"text": ""}]}],
        [],
    ],
)
def test_a_malformed_agenda_as_json_is_refused(sections):
    with pytest.raises(AgendaInvalidError):
        agenda_from_data(sections)


def test_the_default_agendas_cover_the_six_sections_of_the_practice_with_one_to_three_prompts_each():
    assert [s["title"] for s in DEFAULT_AGENDA] == [
        "Performance results",
        "Pipeline health",
        "Deal quality",
        "Joint engagement",
        "Collaboration health",
        "Development commitments",
    ]
    assert all(1 <= len(s["prompts"]) <= 3 for s in DEFAULT_AGENDA)
    assert "How responsive was the partner to escalations this quarter?" in {
        p["text"] for s in DEFAULT_AGENDA for p in s["prompts"]
    }
    assert len(LIGHT_AGENDA) < len(DEFAULT_AGENDA)


# --- the defaults of a new program ---


def test_a_new_program_starts_with_a_health_check_a_qbr_and_a_deep_dive(db):
    tenant = core_services.tenant_create(name="Gamma", slug="gamma", admin_user=UserFactory())
    cadences = {c.kind: c for c in stored_cadences(tenant)}
    assert set(cadences) == {Cadence.Kind.HEALTH_CHECK, Cadence.Kind.QBR, Cadence.Kind.DEEP_DIVE}
    health, qbr, deep = cadences["health_check"], cadences["qbr"], cadences["deep_dive"]
    assert (health.frequency, health.partner_types, health.tiers, health.stages) == ("monthly", [], [], [])
    assert (health.agenda, health.asks_forecast, health.detailed_cap) == (LIGHT_AGENDA, False, None)
    assert (qbr.frequency, qbr.agenda, qbr.asks_forecast, qbr.detailed_cap) == ("quarterly", DEFAULT_AGENDA, True, 12)
    assert (deep.frequency, deep.stages, deep.include_strategic) == ("biannual", ["at_risk"], True)
    assert all(c.is_active for c in cadences.values())


def test_seeding_the_defaults_twice_adds_nothing_and_leaves_an_admins_edits_alone(tenant):
    assert cadence_defaults_seed(tenant=tenant) == 3
    with tenant_context(tenant):
        Cadence.objects.filter(name="Quarterly business review").update(detailed_cap=5, is_active=False)
    assert cadence_defaults_seed(tenant=tenant) == 0
    qbr = next(c for c in stored_cadences(tenant) if c.kind == Cadence.Kind.QBR)
    assert (len(stored_cadences(tenant)), qbr.detailed_cap, qbr.is_active) == (3, 5, False)


def test_each_program_gets_its_own_defaults(tenant, other_tenant):
    cadence_defaults_seed(tenant=tenant)
    cadence_defaults_seed(tenant=other_tenant)
    assert {c.tenant_id for c in stored_cadences(tenant)} == {tenant.pk}
    assert len(stored_cadences(other_tenant)) == 3


# --- creating and editing ---


def test_an_admin_creates_a_cadence_with_filters_in_their_natural_order(tenant):
    admin = member(tenant, Role.ADMIN)
    with tenant_context(tenant):
        cadence = cadence_create(
            tenant=tenant, actor=admin, data=cadence_data(tiers=["silver", "platinum"], stages=["at_risk"])
        )
    stored = stored_cadences(tenant)[0]
    assert (stored.pk, stored.tiers, stored.stages, stored.detailed_cap) == (
        cadence.pk,
        ["platinum", "silver"],
        ["at_risk"],
        12,
    )
    assert keys(stored.agenda) == keys(agenda_parse(AGENDA))


def test_a_cadence_created_without_an_agenda_gets_the_default_one(tenant):
    data = cadence_data()
    del data["agenda_text"]
    with tenant_context(tenant):
        cadence = cadence_create(tenant=tenant, actor=member(tenant, Role.ADMIN), data=data)
    assert cadence.agenda == DEFAULT_AGENDA


@pytest.mark.parametrize("role", [Role.MANAGER, Role.EXECUTIVE, Role.PARTNER])
def test_only_an_admin_may_create_a_cadence(tenant, role):
    actor = member(tenant, role, partner=PartnerFactory(tenant=tenant) if role == Role.PARTNER else None)
    with tenant_context(tenant), pytest.raises(PermissionDeniedError):
        cadence_create(tenant=tenant, actor=actor, data=cadence_data())
    assert stored_cadences(tenant) == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"tiers": ["diamond"]}, "tiers"),
        ({"partner_types": "reseller"}, "partner_types"),
        ({"stages": ["growth", "dormant"]}, "stages"),
        ({"detailed_cap": 0}, "detailed_cap"),
        ({"review_offset_days": 40, "frequency": "monthly"}, "review_offset_days"),
        ({"self_assessment_lead_days": 61}, "self_assessment_lead_days"),
        ({"kind": "weekly_sync"}, "kind"),
        ({"name": "   "}, "name"),
        ({"agenda_text": "- no section"}, "agenda_text"),
    ],
)
def test_a_bad_cadence_is_refused_naming_the_field_and_nothing_is_written(tenant, overrides, field):
    with tenant_context(tenant), pytest.raises(CadenceInvalidError) as refused:
        cadence_create(tenant=tenant, actor=member(tenant, Role.ADMIN), data=cadence_data(**overrides))
    assert field in refused.value.extra["fields"]
    assert stored_cadences(tenant) == []


def test_two_cadences_may_not_share_a_name_whatever_its_case(tenant):
    admin = member(tenant, Role.ADMIN)
    with tenant_context(tenant):
        cadence_create(tenant=tenant, actor=admin, data=cadence_data())
        with pytest.raises(CadenceInvalidError) as refused:
            cadence_create(tenant=tenant, actor=admin, data=cadence_data(name="partner qbr"))
    assert refused.value.extra["fields"] == {"name": ["Another cadence has this name."]}


def test_editing_the_agenda_keeps_the_keys_of_what_did_not_change(tenant):
    admin = member(tenant, Role.ADMIN)
    with tenant_context(tenant):
        cadence = cadence_create(tenant=tenant, actor=admin, data=cadence_data())
        edited = AGENDA + "\n## Development commitments\n- What will each side do next?\n"
        announced(cadence)
        cadence = cadence_update(tenant=tenant, actor=admin, cadence=cadence, data={"agenda_text": edited})
    assert keys(stored_cadences(tenant)[0].agenda) == [
        ("performance_results", ["against_agreed_targets", "results_surprised_either_side"]),
        ("collaboration_health", ["responsive_escalations_quarter"]),
        ("development_commitments", ["each_side_next"]),
    ]


def test_an_admin_deactivates_a_cadence_and_only_the_fields_sent_change(tenant):
    admin = member(tenant, Role.ADMIN)
    with tenant_context(tenant):
        cadence = cadence_create(tenant=tenant, actor=admin, data=cadence_data())
        announced(cadence)
        cadence_update(tenant=tenant, actor=admin, cadence=cadence, data={"is_active": False})
    stored = stored_cadences(tenant)[0]
    assert (stored.is_active, stored.name, stored.detailed_cap, stored.revision) == (False, "Partner QBR", 12, 2)


def test_a_new_name_or_pre_read_lead_is_no_revision_and_needs_no_notice(tenant):
    admin = member(tenant, Role.ADMIN)
    with tenant_context(tenant):
        cadence = cadence_create(tenant=tenant, actor=admin, data=cadence_data())
        cadence_update(tenant=tenant, actor=admin, cadence=cadence, data={"name": "QBR", "prep_lead_days": 5})
    stored = stored_cadences(tenant)[0]
    assert (stored.name, stored.prep_lead_days, stored.revision) == ("QBR", 5, 1)


def test_a_refused_edit_leaves_the_stored_cadence_and_the_callers_object_as_they_were(tenant):
    admin = member(tenant, Role.ADMIN)
    with tenant_context(tenant):
        cadence = cadence_create(tenant=tenant, actor=admin, data=cadence_data())
        with pytest.raises(CadenceInvalidError):
            cadence_update(tenant=tenant, actor=admin, cadence=cadence, data={"name": "Renamed", "tiers": ["x"]})
    assert (cadence.name, stored_cadences(tenant)[0].name) == ("Partner QBR", "Partner QBR")


def test_another_programs_cadence_cannot_be_edited(tenant, other_tenant):
    foreign = CadenceFactory(tenant=other_tenant, name="FOREIGN")
    with tenant_context(tenant), pytest.raises(CrossTenantReferenceError):
        cadence_update(tenant=tenant, actor=member(tenant, Role.ADMIN), cadence=foreign, data={"name": "Mine"})
    assert stored_cadences(other_tenant)[0].name == "FOREIGN"
