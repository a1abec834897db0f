"""The executive dashboard: the page (outcomes, leading indicators), the partners behind a number, the definitions of
its figures, and its exports (PDF; CSV and XLSX of its tables). Every page reads the precomputed cube."""

from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.text import slugify

from partnerhub.core.domain.spreadsheets import Format
from partnerhub.core.http import TenantRequest, table_download
from partnerhub.core.views.program import tenant_view
from partnerhub.executive.domain.cube import DIMENSIONS, MOVE_RAGS
from partnerhub.executive.domain.definitions import DEFINITIONS
from partnerhub.executive.errors import DashboardFilterError
from partnerhub.executive.forms.dashboard import LABELS, DashboardFilterForm
from partnerhub.executive.selectors.cube import dashboard_computation
from partnerhub.executive.selectors.dashboard import Dashboard, dashboard_build, dashboard_owner_names
from partnerhub.executive.selectors.drilldown import drilldown
from partnerhub.executive.services.documents import render_pdf
from partnerhub.executive.views import charts

TABS = ("outcomes", "leading")
TABLE_NAMES = ("figures", "metrics", "distribution", "movement", "history")
DOWNLOAD_TABLES = (
    ("figures", "Figures"),
    ("metrics", "Metrics against target"),
    ("distribution", "Score distribution"),
    ("movement", "RAG movement"),
    ("history", "Over time"),
)


def _first_error(form: forms.Form) -> str:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return f"{label}: {errors[0]}" if label else str(errors[0])
    return ""


def _board(request: TenantRequest) -> tuple[DashboardFilterForm, Dashboard, str]:
    """The form, the dashboard it asks for, and the message to show when it asks for something the program lacks."""
    tenant = request.tenant
    computation = dashboard_computation(tenant=tenant)
    owners = dashboard_owner_names(tenant=tenant, computation=computation) if computation else {None: "No owner"}
    form = DashboardFilterForm(request.GET or None, computation=computation, owner_names=owners)
    if form.is_bound and not form.is_valid():
        return form, Dashboard(computation=computation, query=form.query()), _first_error(form)
    try:
        board = dashboard_build(tenant=tenant, query=form.query(), computation=computation, owner_names=owners)
    except DashboardFilterError as exc:
        return form, Dashboard(computation=computation, query=form.query()), exc.message
    cast(forms.Select, form.fields["at"].widget).choices = [
        ("", "Latest"),
        *((start.isoformat(), label) for start, label in board.periods),
    ]
    return form, board, ""


def filter_labels(board: Dashboard) -> list[tuple[str, str]]:
    """The slice's filters as (label, value) for a heading: owners by name, "none" for an empty market or owner."""
    out = []
    for name, value in board.filters.items():
        label = LABELS[name][0]
        if name == "owner":
            out.append((label, board.owner_names.get(value, "a former member")))
        else:
            out.append((label, str(LABELS[name][2].get(value, value)) if value else "none"))
    return out


def slice_query(request: TenantRequest, board: Dashboard) -> str:
    """The query string that names this dashboard's slice and period (the period resolved, so links keep it)."""
    query = QueryDict(mutable=True)
    for name in DIMENSIONS:
        if value := request.GET.get(name):
            query[name] = value
    query["granularity"] = board.query.granularity
    if board.period is not None:
        query["at"] = board.period.start.isoformat()
    query["compare"] = board.query.compare
    return query.urlencode()


@tenant_view("executive.dashboard")
def dashboard_view(request: TenantRequest) -> HttpResponse:
    """The program at a glance: outcomes first, leading indicators on the second tab."""
    form, board, error = _board(request)
    tab = request.GET.get("tab", "outcomes")
    tab = tab if tab in TABS else "outcomes"
    context: dict[str, Any] = {
        "form": form,
        "board": board,
        "error": error,
        "tab": tab,
        "slice_query": slice_query(request, board),
        "move_rags": MOVE_RAGS,
        "filter_count": len(board.filters),
        "download_tables": DOWNLOAD_TABLES,
        "mover_lists": [("Rose most", board.risers), ("Fell most", board.fallers)],
    }
    if board.ready:
        # JSON in a data attribute (the template escapes it): app.js hands it to plotly, no inline script.
        context["figures"] = {
            name: json.dumps(figure, allow_nan=False)
            for name, figure in (
                ("distribution", charts.distribution_figure(board)),
                ("history", charts.history_figure(board)),
                ("outcomes", charts.outcome_metrics_figure(board)),
                ("movers", charts.movers_figure(board)),
                ("leading", charts.leading_metrics_figure(board)),
            )
        }
    return render(request, "executive/dashboard.html", context, status=400 if error else 200)


@tenant_view("executive.dashboard")
def dashboard_partners_view(request: TenantRequest) -> HttpResponse:
    """The partners behind one number of the dashboard (``show``), in the dashboard's slice and period."""
    _, board, error = _board(request)
    drill = None
    if not error and board.ready:
        try:
            drill = drilldown(tenant=request.tenant, board=board, show=request.GET.get("show", "scored"))
        except DashboardFilterError as exc:
            error = exc.message
    rows: Any = drill.rows if drill else []
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "board": board,
        "drill": drill,
        "page": page,
        "error": error,
        "query": query.urlencode(),
        "slice_query": slice_query(request, board),
        "filters": filter_labels(board),
    }
    return render(request, "executive/dashboard_partners.html", context, status=400 if error else 200)


@tenant_view("executive.dashboard")
def dashboard_definitions_view(request: TenantRequest) -> HttpResponse:
    """What each figure of the dashboard counts (metrics have their own glossary entries)."""
    return render(request, "executive/definitions.html", {"definitions": DEFINITIONS})


def _nothing_yet(request: TenantRequest) -> HttpResponse:
    """Back to the dashboard, which says why there is nothing to download yet."""
    messages.info(request, "There are no dashboard figures to download yet.")
    return redirect("executive_dashboard", tenant_slug=request.tenant.slug)


def _filename(request: TenantRequest, board: Dashboard, what: str) -> str:
    period = slugify(board.period.label) if board.period else "no-period"
    return f"{request.tenant.slug}-dashboard-{what}-{period}"


def _tables(board: Dashboard) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Every table of the dashboard as (columns, rows), for CSV and XLSX downloads."""
    period = board.period.label if board.period else ""
    compared = board.compared.label if board.compared else ""
    figures: list[list[Any]] = [
        [n.label, n.value, n.unit, n.compare, n.delta, period, compared]
        for n in [*board.headline, *board.rag, *board.trend, *board.activity]
    ] + [
        [
            s.spec.label,
            int(s.value) if s.value is not None and s.spec.unit == "count" else s.value,
            board.currency if s.spec.unit == "currency" else s.spec.unit,
            None,
            None,
            period,
            "not yet available" if not s.available else "",
        ]
        for s in board.seams
    ]
    metrics: list[list[Any]] = [
        [
            m.name,
            m.key,
            "leading" if m.timing == "leading" else "outcome",
            m.unit,
            m.actual,
            m.target,
            m.attainment,
            m.compare,
            m.partners,
        ]
        for m in [*board.outcome_metrics, *board.leading_metrics]
    ]
    return {
        "figures": (["Figure", "Value", "Unit", "Compared value", "Change", "Period", "Compared with"], figures),
        "metrics": (
            ["Metric", "Key", "Kind", "Unit", "Actual", "Target", "Attainment %", "Compared actual", "Partners"],
            metrics,
        ),
        "distribution": (
            ["Score band", f"Partners ({period})", f"Partners ({compared})"],
            [[band, now, then] for band, now, then in board.distribution],
        ),
        "movement": (
            ["From \\ to", *MOVE_RAGS],
            [[before, *row] for before, row in zip(MOVE_RAGS, board.moves, strict=True)],
        ),
        "history": (
            ["Period", "Average score", "Green %", "Amber %", "Red %", "No score %"],
            [
                [h["label"], h["mean"], h["share_green"], h["share_amber"], h["share_red"], h["share_none"]]
                for h in board.history
            ],
        ),
    }


@tenant_view("executive.dashboard")
def dashboard_table_view(request: TenantRequest, fmt: Format) -> HttpResponse:
    """One table of the dashboard (``table``: figures, metrics, distribution, movement, history) as CSV or XLSX."""
    _, board, error = _board(request)
    table = request.GET.get("table", "figures")
    if error or table not in TABLE_NAMES:
        message = error or "There is no such table."
        context = {"title": "Nothing to download", "message": message}
        return render(request, "partnerhub/error.html", context, status=400)
    if not board.ready:
        return _nothing_yet(request)
    tables = _tables(board)
    columns, rows = tables[table]
    return table_download(_filename(request, board, table), columns, rows, fmt, sheet=table.capitalize())


@tenant_view("executive.dashboard")
def dashboard_pdf_view(request: TenantRequest) -> HttpResponse:
    """The dashboard as a PDF: its figures and tables, printed (no charts' JavaScript in a PDF: bars drawn in CSS)."""
    _, board, error = _board(request)
    if error:
        return render(request, "partnerhub/error.html", {"title": "Nothing to print", "message": error}, status=400)
    if not board.ready:
        return _nothing_yet(request)
    html_context = {"board": board, "tenant": request.tenant, "filters": filter_labels(board), "move_rags": MOVE_RAGS}
    pdf = render_pdf("executive/dashboard_pdf.html", html_context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(request, board, "summary")}.pdf"'
    return response
