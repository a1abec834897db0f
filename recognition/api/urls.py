"""API endpoints of recognition (mounted under /api/v1/t/<tenant_slug>/)."""

from django.urls import URLPattern, path

from recognition.api import awards, tiers

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
]
