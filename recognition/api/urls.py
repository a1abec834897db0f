"""API endpoints of recognition (mounted under /api/v1/t/<tenant_slug>/)."""

from django.urls import URLPattern, path

from recognition.api import awards, budgets, funds, investments, tiers

urlpatterns: list[URLPattern] = [
    # tiers and the framework
    path("tiers/", tiers.TierListApi.as_view(), name="api_tier_list"),
    path("tiers/<int:tier_id>/", tiers.TierDetailApi.as_view(), name="api_tier_detail"),
    path("tier-framework/versions/", tiers.FrameworkVersionListApi.as_view(), name="api_framework_version_list"),
    path(
        "tier-framework/versions/<int:framework_version_id>/",
        tiers.FrameworkVersionDetailApi.as_view(),
        name="api_framework_version_detail",
    ),
    path(
        "tier-framework/versions/<int:framework_version_id>/preview/",
        tiers.FrameworkPreviewApi.as_view(),
        name="api_framework_preview",
    ),
    path(
        "tier-framework/versions/<int:framework_version_id>/publish/",
        tiers.FrameworkPublishApi.as_view(),
        name="api_framework_publish",
    ),
    # recommendations
    path("tier-recommendations/", tiers.RecommendationListApi.as_view(), name="api_recommendation_list"),
    path(
        "tier-recommendations/<int:recommendation_id>/",
        tiers.RecommendationDetailApi.as_view(),
        name="api_recommendation_detail",
    ),
    path("tier-recommendations/decide/", tiers.RecommendationDecideApi.as_view(), name="api_recommendation_decide"),
    path(
        "tier-recommendations/exceptions/",
        tiers.RecommendationExceptionApi.as_view(),
        name="api_recommendation_exception",
    ),
    path("partners/<int:partner_id>/tier/", tiers.PartnerTierApi.as_view(), name="api_partner_tier"),
    path("portal/tier/", tiers.PortalTierApi.as_view(), name="api_portal_tier"),
    # awards
    path("award-categories/", awards.AwardCategoryListApi.as_view(), name="api_award_category_list"),
    path(
        "award-categories/<int:category_id>/", awards.AwardCategoryDetailApi.as_view(), name="api_award_category_detail"
    ),
    path(
        "award-categories/<int:category_id>/candidates/",
        awards.AwardCandidatesApi.as_view(),
        name="api_award_candidates",
    ),
    path("nominations/", awards.NominationListApi.as_view(), name="api_nomination_list"),
    path("nominations/<int:nomination_id>/", awards.NominationDetailApi.as_view(), name="api_nomination_detail"),
    path("nominations/<int:nomination_id>/decide/", awards.NominationDecideApi.as_view(), name="api_nomination_decide"),
    path("recognition-wall/", awards.RecognitionWallApi.as_view(), name="api_recognition_wall"),
    # investments (issue 15)
    path("budgets/", budgets.BudgetListApi.as_view(), name="api_budget_list"),
    path("budgets/<int:budget_id>/", budgets.BudgetDetailApi.as_view(), name="api_budget_detail"),
    path("budgets/<int:budget_id>/allocations/", budgets.AllocationListApi.as_view(), name="api_allocation_list"),
    path("budgets/<int:budget_id>/proposal/", budgets.AllocationProposalApi.as_view(), name="api_allocation_proposal"),
    path("fund-requests/", funds.FundRequestListApi.as_view(), name="api_fund_request_list"),
    path("fund-requests/<int:request_id>/", funds.FundRequestDetailApi.as_view(), name="api_fund_request_detail"),
    path(
        "fund-requests/<int:request_id>/decision/",
        funds.FundRequestDecisionApi.as_view(),
        name="api_fund_request_decision",
    ),
    path(
        "fund-requests/<int:request_id>/answer/", funds.FundRequestAnswerApi.as_view(), name="api_fund_request_answer"
    ),
    path("fund-requests/<int:request_id>/claims/", funds.ClaimCreateApi.as_view(), name="api_claim_create"),
    path("claims/", funds.ClaimListApi.as_view(), name="api_claim_list"),
    path("claims/<int:claim_id>/", funds.ClaimDetailApi.as_view(), name="api_claim_detail"),
    path("claims/<int:claim_id>/decision/", funds.ClaimDecisionApi.as_view(), name="api_claim_decision"),
    path("claims/<int:claim_id>/payment/", funds.ClaimPaymentApi.as_view(), name="api_claim_payment"),
    path("claims/<int:claim_id>/proofs/<int:proof_id>/", funds.ProofFileApi.as_view(), name="api_proof_file"),
    path("investments/", investments.InvestmentListApi.as_view(), name="api_investment_list"),
    path("investments/<int:investment_id>/", investments.InvestmentDetailApi.as_view(), name="api_investment_detail"),
    path(
        "investments/<int:investment_id>/activities/",
        investments.InvestmentActivitiesApi.as_view(),
        name="api_investment_activities",
    ),
    path("impact/", investments.ImpactListApi.as_view(), name="api_impact_list"),
    path("impact/<int:estimate_id>/", investments.ImpactDetailApi.as_view(), name="api_impact_detail"),
    path("spend/", investments.SpendApi.as_view(), name="api_spend"),
    path("portal/funds/", investments.PortalFundsApi.as_view(), name="api_portal_funds"),
]
