"""Tenant pages of the executive layer (mounted under /t/<tenant_slug>/)."""

from django.urls import URLPattern, path

from partnerhub.executive.views import changes, concerns, dashboard, digest, feedback, framework, memo

urlpatterns: list[URLPattern] = [
    # the dashboard
    path("executive/", dashboard.dashboard_view, name="executive_dashboard"),
    path("executive/partners/", dashboard.dashboard_partners_view, name="executive_partners"),
    path("executive/definitions/", dashboard.dashboard_definitions_view, name="executive_definitions"),
    path("executive/dashboard.pdf", dashboard.dashboard_pdf_view, name="executive_dashboard_pdf"),
    path("executive/tables.csv", dashboard.dashboard_table_view, {"fmt": "csv"}, name="executive_table_csv"),
    path("executive/tables.xlsx", dashboard.dashboard_table_view, {"fmt": "xlsx"}, name="executive_table_xlsx"),
    # the quarterly memo
    path("executive/memos/", memo.memo_list_view, name="memo_list"),
    path("executive/memos/<int:memo_id>/", memo.memo_detail_view, name="memo_detail"),
    path("executive/memos/<int:memo_id>/edit/", memo.memo_edit_view, name="memo_edit"),
    path("executive/memos/<int:memo_id>/publish/", memo.memo_publish_view, name="memo_publish"),
    path("executive/memos/<int:memo_id>/redraft/", memo.memo_redraft_view, name="memo_redraft"),
    path(
        "executive/memos/<int:memo_id>/versions/<int:memo_version_id>/",
        memo.memo_version_view,
        name="memo_version",
    ),
    path(
        "executive/memos/<int:memo_id>/versions/<int:memo_version_id>/memo.pdf",
        memo.memo_pdf_view,
        name="memo_pdf",
    ),
    path("portal/memos/", memo.portal_memo_list_view, name="portal_memo_list"),
    path("portal/memos/<int:memo_id>/", memo.portal_memo_view, name="portal_memo"),
    path("portal/memos/<int:memo_id>/memo.pdf", memo.portal_memo_pdf_view, name="portal_memo_pdf"),
    # the monthly digest
    path("digest/", digest.digest_list_view, name="digest_list"),
    path("digest/settings/", digest.digest_settings_view, name="digest_settings"),
    path("digest/unsubscribe/<str:unsubscribe_token>/", digest.digest_unsubscribe_view, name="digest_unsubscribe"),
    path("digest/<str:month>/", digest.digest_detail_view, name="digest_detail"),
    # governance: the confidential concerns channel
    path("concerns/", concerns.concern_list_view, name="concern_list"),
    path("concerns/<int:concern_id>/", concerns.concern_detail_view, name="concern_detail"),
    # governance: partner feedback on the review process
    path("portal/feedback/", feedback.feedback_list_view, name="feedback_list"),
    path("portal/feedback/<int:review_id>/", feedback.feedback_form_view, name="feedback_form"),
    path("executive/review-quality/", feedback.review_quality_view, name="review_quality"),
    # governance: change notices
    path("executive/changes/", changes.change_list_view, name="change_list"),
    path("executive/changes/new/", changes.change_create_view, name="change_create"),
    path("executive/changes/<int:notice_id>/", changes.change_detail_view, name="change_detail"),
    path("executive/changes/<int:notice_id>/edit/", changes.change_edit_view, name="change_edit"),
    path("executive/changes/<int:notice_id>/publish/", changes.change_publish_view, name="change_publish"),
    path("portal/notices/", changes.portal_notice_list_view, name="portal_notice_list"),
    path("portal/notices/<int:notice_id>/", changes.portal_notice_view, name="portal_notice"),
    # governance: the framework review
    path("executive/framework/", framework.framework_list_view, name="framework_list"),
    path("executive/framework/<int:framework_review_id>/", framework.framework_detail_view, name="framework_detail"),
    path("portal/framework/<int:framework_review_id>/", framework.portal_framework_view, name="portal_framework"),
]
