"""Tenant pages of the executive layer (mounted under /t/<tenant_slug>/)."""

from django.urls import URLPattern, path

from partnerhub.executive.views import dashboard

urlpatterns: list[URLPattern] = [
    path("executive/", dashboard.dashboard_view, name="executive_dashboard"),
    path("executive/partners/", dashboard.dashboard_partners_view, name="executive_partners"),
    path("executive/definitions/", dashboard.dashboard_definitions_view, name="executive_definitions"),
    path("executive/dashboard.pdf", dashboard.dashboard_pdf_view, name="executive_dashboard_pdf"),
    path("executive/tables.csv", dashboard.dashboard_table_view, {"fmt": "csv"}, name="executive_table_csv"),
    path("executive/tables.xlsx", dashboard.dashboard_table_view, {"fmt": "xlsx"}, name="executive_table_xlsx"),
]
