"""Tenant pages of the scorecards app (mounted under /t/<tenant_slug>/)."""

from django.urls import path

from scorecards.views import data_quality as views_quality
from scorecards.views import deal_reviews as views_deal_reviews
from scorecards.views import deals as views_deals
from scorecards.views import exchange_rates as views_rates
from scorecards.views import glossary as views_glossary
from scorecards.views import imports as views_imports
from scorecards.views import scorecards as views_scorecards
from scorecards.views import templates as views_templates

urlpatterns = [
    path("glossary/", views_glossary.metric_list_view, name="metric_list"),
    path("glossary/<int:metric_id>/", views_glossary.metric_detail_view, name="metric_detail"),
    path("glossary/<int:metric_id>/edit/", views_glossary.metric_edit_view, name="metric_edit"),
    path("imports/", views_imports.import_list_view, name="import_list"),
    path("imports/new/", views_imports.import_upload_view, name="import_upload"),
    path("imports/<int:batch_id>/", views_imports.import_detail_view, name="import_detail"),
    path("imports/<int:batch_id>/commit/", views_imports.import_commit_view, name="import_commit"),
    path("imports/<int:batch_id>/progress/", views_imports.import_progress_view, name="import_progress"),
    path("imports/<int:batch_id>/errors.csv", views_imports.import_errors_csv_view, name="import_errors_csv"),
    path("imports/<int:batch_id>/rollback/", views_imports.import_rollback_view, name="import_rollback"),
    path("quality/", views_quality.quality_list_view, name="quality_list"),
    path("deals/", views_deals.deal_list_view, name="deal_list"),
    path("deals/export.csv", views_deals.deal_export_view, {"fmt": "csv"}, name="deal_export_csv"),
    path("deals/export.xlsx", views_deals.deal_export_view, {"fmt": "xlsx"}, name="deal_export_xlsx"),
    path("deals/<int:deal_id>/", views_deals.deal_detail_view, name="deal_detail"),
    path("partners/<int:partner_id>/deals/", views_deals.partner_deal_list_view, name="partner_deal_list"),
    path("activities/", views_deals.activity_list_view, name="activity_list"),
    path("surveys/", views_deals.survey_list_view, name="survey_list"),
    path("deals/reviews/", views_deal_reviews.deal_review_list_view, name="deal_review_list"),
    path(
        "deals/reviews/<int:deal_review_id>/",
        views_deal_reviews.deal_review_action_view,
        name="deal_review_action",
    ),
    path("exchange-rates/", views_rates.exchange_rate_list_view, name="exchange_rate_list"),
    path("exchange-rates/<int:rate_id>/delete/", views_rates.exchange_rate_delete_view, name="exchange_rate_delete"),
    path("scorecards/", views_scorecards.portfolio_view, name="portfolio"),
    path("scorecards/export.csv", views_scorecards.portfolio_export_view, {"fmt": "csv"}, name="portfolio_csv"),
    path("scorecards/export.xlsx", views_scorecards.portfolio_export_view, {"fmt": "xlsx"}, name="portfolio_xlsx"),
    path("scorecards/help/", views_scorecards.scorecard_help_view, name="scorecard_help"),
    path("portal/scorecard/", views_scorecards.portal_scorecard_view, name="portal_scorecard"),
    path("partners/<int:partner_id>/scorecard/", views_scorecards.partner_scorecard_view, name="partner_scorecard"),
    path("scorecards/templates/", views_templates.template_list_view, name="template_list"),
    path("scorecards/templates/new/", views_templates.template_create_view, name="template_create"),
    path("scorecards/templates/<int:template_id>/", views_templates.template_detail_view, name="template_detail"),
    path("scorecards/templates/<int:template_id>/draft/", views_templates.template_draft_view, name="template_draft"),
    path("scorecards/versions/<int:version_id>/edit/", views_templates.version_edit_view, name="version_edit"),
    path("scorecards/versions/<int:version_id>/publish/", views_templates.version_publish_view, name="version_publish"),
    path("scorecards/versions/<int:version_id>/whatif/", views_templates.version_whatif_view, name="version_whatif"),
    path(
        "quality/<int:finding_id>/resolve/", views_quality.quality_finding_resolve_view, name="quality_finding_resolve"
    ),
    path("quality/<int:finding_id>/link/", views_quality.quality_finding_link_view, name="quality_finding_link"),
]
