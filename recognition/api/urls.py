"""API endpoints of the recognition app (mounted under /api/v1/t/<tenant_slug>/)."""

from django.urls import URLPattern, path

from recognition.api import budgets, funds, investments

urlpatterns: list[URLPattern] = [
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
