"""Tenant pages of recognition (mounted under /t/<tenant_slug>/)."""

from django.urls import URLPattern, path

from recognition.views import awards, portal, recommendations, tiers

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
]
