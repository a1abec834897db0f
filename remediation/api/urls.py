"""API endpoints of the remediation app (mounted under /api/v1/t/<tenant_slug>/)."""

from django.urls import URLPattern, path

from remediation.api import findings, plans, portal

urlpatterns: list[URLPattern] = [
    path("remediation/findings/", findings.FindingListApi.as_view(), name="api_finding_list"),
    path(
        "remediation/findings/<int:remediation_finding_id>/",
        findings.FindingDetailApi.as_view(),
        name="api_finding_detail",
    ),
    path("remediation/lessons/", findings.LessonListApi.as_view(), name="api_lesson_list"),
    path("remediation/plans/", plans.PlanListApi.as_view(), name="api_plan_list"),
    path("remediation/plans/<int:plan_id>/", plans.PlanDetailApi.as_view(), name="api_plan_detail"),
    path("remediation/plans/<int:plan_id>/transition/", plans.PlanTransitionApi.as_view(), name="api_plan_transition"),
    path("remediation/plans/<int:plan_id>/checkpoints/", plans.CheckpointListApi.as_view(), name="api_checkpoint_list"),
    path("remediation/plans/<int:plan_id>/actions/", plans.PlanActionListApi.as_view(), name="api_plan_action_list"),
    path("remediation/plans/<int:plan_id>/updates/", plans.ProgressUpdateListApi.as_view(), name="api_update_list"),
    path("remediation/checkpoints/<int:checkpoint_id>/", plans.CheckpointDetailApi.as_view(), name="api_checkpoint"),
    path(
        "remediation/checkpoints/<int:checkpoint_id>/waive/",
        plans.CheckpointWaiveApi.as_view(),
        name="api_checkpoint_waive",
    ),
    path(
        "remediation/checkpoints/<int:checkpoint_id>/comments/",
        plans.CheckpointCommentApi.as_view(),
        name="api_checkpoint_comment",
    ),
    path("remediation/actions/<int:plan_action_id>/", plans.PlanActionApi.as_view(), name="api_plan_action"),
    path("portal/plan/", portal.PortalPlanApi.as_view(), name="api_portal_plan"),
    path(
        "portal/plan/actions/<int:plan_action_id>/",
        portal.PortalPlanActionApi.as_view(),
        name="api_portal_plan_action",
    ),
    path("portal/plan/updates/", portal.PortalPlanUpdateApi.as_view(), name="api_portal_plan_update"),
]
