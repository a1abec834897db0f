"""Tenant pages of recognition (mounted under /t/<tenant_slug>/)."""

from django.urls import URLPattern, path

from recognition.views import awards, budgets, funds, impact, investments, portal, portal_funds, recommendations, tiers

urlpatterns: list[URLPattern] = [
    # tiers and the framework
    path("tiers/", recommendations.recommendation_list_view, name="recommendation_list"),
    path("tiers/decide/", recommendations.recommendation_bulk_decide_view, name="recommendation_bulk_decide"),
    path(
        "tiers/recommendations/<int:recommendation_id>/",
        recommendations.recommendation_detail_view,
        name="recommendation_detail",
    ),
    path(
        "tiers/recommendations/<int:recommendation_id>/decide/",
        recommendations.recommendation_decide_view,
        name="recommendation_decide",
    ),
    path("tiers/benefits/", tiers.tier_list_view, name="tier_list"),
    path("tiers/benefits/new/", tiers.tier_create_view, name="tier_create"),
    path("tiers/benefits/<int:tier_id>/edit/", tiers.tier_edit_view, name="tier_edit"),
    path("tiers/framework/", tiers.framework_view, name="framework"),
    path("tiers/framework/draft/", tiers.framework_draft_open_view, name="framework_draft_open"),
    path("tiers/framework/<int:framework_version_id>/", tiers.framework_version_view, name="framework_version"),
    path("tiers/framework/<int:framework_version_id>/edit/", tiers.framework_edit_view, name="framework_edit"),
    path("tiers/framework/<int:framework_version_id>/preview/", tiers.framework_preview_view, name="framework_preview"),
    path("tiers/framework/<int:framework_version_id>/publish/", tiers.framework_publish_view, name="framework_publish"),
    path("partners/<int:partner_id>/tiers/", recommendations.partner_tier_history_view, name="partner_tier_history"),
    path(
        "partners/<int:partner_id>/tiers/exception/",
        recommendations.partner_tier_exception_view,
        name="partner_tier_exception",
    ),
    # awards
    path("awards/", awards.award_list_view, name="award_list"),
    path("awards/categories/new/", awards.award_category_create_view, name="award_category_create"),
    path("awards/categories/<int:category_id>/edit/", awards.award_category_edit_view, name="award_category_edit"),
    path("awards/nominate/", awards.nomination_create_view, name="nomination_create"),
    path("awards/nominations/<int:nomination_id>/", awards.nomination_detail_view, name="nomination_detail"),
    path("awards/nominations/<int:nomination_id>/decide/", awards.nomination_decide_view, name="nomination_decide"),
    path("recognition/", awards.wall_view, name="recognition_wall"),
    # the partner's side
    path("portal/tier/", portal.portal_tier_view, name="portal_tier"),
    # investments (issue 15): budgets and allocations
    path("investments/", budgets.budget_list_view, name="budget_list"),
    path("investments/budgets/new/", budgets.budget_create_view, name="budget_create"),
    path("investments/budgets/<int:budget_id>/", budgets.budget_detail_view, name="budget_detail"),
    path("investments/budgets/<int:budget_id>/amount/", budgets.budget_amount_view, name="budget_amount"),
    path("investments/budgets/<int:budget_id>/allocations/", budgets.allocation_set_view, name="allocation_set"),
    path("investments/budgets/<int:budget_id>/rule/", budgets.allocation_rule_view, name="allocation_rule"),
    # requests and claims
    path("investments/requests/", funds.fund_request_queue_view, name="fund_request_queue"),
    path("investments/requests/new/", funds.fund_request_create_view, name="fund_request_create"),
    path("investments/requests/bulk/", funds.fund_request_bulk_view, name="fund_request_bulk"),
    path("investments/requests/<int:request_id>/", funds.fund_request_detail_view, name="fund_request_detail"),
    path("investments/requests/<int:request_id>/decide/", funds.fund_request_decide_view, name="fund_request_decide"),
    path("investments/claims/", funds.claim_queue_view, name="claim_queue"),
    path("investments/claims/bulk/", funds.claim_bulk_view, name="claim_bulk"),
    path("investments/claims/<int:claim_id>/decide/", funds.claim_decide_view, name="claim_decide"),
    path("investments/claims/<int:claim_id>/pay/", funds.claim_pay_view, name="claim_pay"),
    path("investments/claims/<int:claim_id>/proofs/<int:proof_id>/", funds.proof_download_view, name="proof_download"),
    # investments and their impact
    path("investments/all/", investments.investment_list_view, name="investment_list"),
    path("investments/all/new/", investments.investment_record_view, name="investment_record"),
    path("investments/all/<int:investment_id>/", investments.investment_detail_view, name="investment_detail"),
    path("investments/all/<int:investment_id>/activities/", investments.investment_link_view, name="investment_link"),
    path("investments/impact/", impact.impact_list_view, name="impact_list"),
    path("investments/impact/refresh/", impact.impact_refresh_view, name="impact_refresh"),
    path("investments/impact/<int:investment_id>/", impact.impact_detail_view, name="impact_detail"),
    # the partner's funds, in the portal
    path("portal/funds/", portal_funds.portal_funds_view, name="portal_funds"),
    path("portal/funds/request/", portal_funds.portal_fund_request_view, name="portal_fund_request"),
    path(
        "portal/funds/requests/<int:request_id>/",
        portal_funds.portal_fund_request_detail_view,
        name="portal_fund_request_detail",
    ),
    path(
        "portal/funds/requests/<int:request_id>/answer/",
        portal_funds.portal_fund_answer_view,
        name="portal_fund_answer",
    ),
    path("portal/funds/requests/<int:request_id>/claim/", portal_funds.portal_claim_view, name="portal_claim"),
]
