"""Tenant pages of the remediation app (mounted under /t/<tenant_slug>/)."""

from django.urls import URLPattern, path

from remediation.views import findings, lessons, plans, portal, settings

urlpatterns: list[URLPattern] = [
    # findings
    path("remediation/findings/", findings.finding_list_view, name="finding_list"),
    path("remediation/findings/new/", findings.finding_create_view, name="finding_create"),
    path("remediation/findings/lessons-hint/", findings.finding_lessons_hint_view, name="finding_lessons_hint"),
    path("remediation/findings/<int:remediation_finding_id>/", findings.finding_detail_view, name="finding_detail"),
    path("remediation/findings/<int:remediation_finding_id>/edit/", findings.finding_edit_view, name="finding_edit"),
    # plans
    path("remediation/plans/", plans.plan_list_view, name="plan_list"),
    path("remediation/plans/new/", plans.plan_create_view, name="plan_create"),
    path("remediation/plans/<int:plan_id>/", plans.plan_detail_view, name="plan_detail"),
    path("remediation/plans/<int:plan_id>/edit/", plans.plan_edit_view, name="plan_edit"),
    path("remediation/plans/<int:plan_id>/move/", plans.plan_move_view, name="plan_move"),
    path("remediation/plans/<int:plan_id>/checkpoints/", plans.checkpoint_add_view, name="checkpoint_add"),
    path("remediation/plans/<int:plan_id>/actions/", plans.plan_action_add_view, name="plan_action_add"),
    path("remediation/plans/<int:plan_id>/updates/", plans.progress_update_add_view, name="progress_update_add"),
    path("remediation/plans/<int:plan_id>/findings/", plans.plan_findings_add_view, name="plan_findings_add"),
    path("remediation/checkpoints/<int:checkpoint_id>/waive/", plans.checkpoint_waive_view, name="checkpoint_waive"),
    path(
        "remediation/checkpoints/<int:checkpoint_id>/comments/",
        plans.checkpoint_comment_view,
        name="checkpoint_comment",
    ),
    path("remediation/actions/<int:plan_action_id>/", plans.plan_action_update_view, name="plan_action_update"),
    # lessons and settings
    path("remediation/lessons/", lessons.lesson_list_view, name="lesson_list"),
    path("remediation/settings/", settings.remediation_settings_view, name="remediation_settings"),
    path("remediation/settings/categories/", settings.category_add_view, name="cause_category_add"),
    path(
        "remediation/settings/categories/<int:cause_category_id>/",
        settings.category_toggle_view,
        name="cause_category_toggle",
    ),
    # the partner's side
    path("portal/plan/", portal.portal_plan_view, name="portal_plan"),
    path("portal/plan/actions/<int:plan_action_id>/", portal.portal_plan_action_view, name="portal_plan_action"),
    path("portal/plan/updates/", portal.portal_plan_update_view, name="portal_plan_update"),
]
