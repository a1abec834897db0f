"""Import pages: upload, map the file's columns, preview, commit (in the request or on a worker), history, undo."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from partnerhub.core.errors import DomainError
from partnerhub.core.http import TenantRequest, table_download
from partnerhub.core.rules import can
from partnerhub.core.views.program import tenant_view
from scorecards.forms.imports import ImportMappingForm, ImportUploadForm
from scorecards.models import ImportBatch
from scorecards.selectors.imports import (
    import_batch_get,
    import_batch_list,
    import_fields,
    import_file_headers,
    import_preview_rows,
    import_preview_table,
    import_progress_get,
    import_summary_lines,
)
from scorecards.services.imports import (
    import_commit,
    import_commit_enqueue,
    import_preview,
    import_remap,
    import_rollback,
)

ERRORS_SHOWN = 50


def _detail_url(request: TenantRequest, batch: ImportBatch) -> str:
    return reverse("import_detail", kwargs={"tenant_slug": request.tenant.slug, "batch_id": batch.pk})


@tenant_view("imports.view")
def import_list_view(request: TenantRequest) -> HttpResponse:
    page = Paginator(import_batch_list(tenant=request.tenant), 25).get_page(request.GET.get("page"))
    return render(
        request, "scorecards/import_list.html", {"page": page, "can_run": can(request.membership, "imports.run")}
    )


@tenant_view("imports.run", methods=("GET", "POST"))
def import_upload_view(request: TenantRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = import_preview(
            tenant=request.tenant,
            actor=request.membership,
            kind=form.cleaned_data["kind"],
            file_name=upload.name,
            content=upload.read(),
            source=form.cleaned_data["source"],
        )
        return redirect(_detail_url(request, batch))
    return render(request, "scorecards/import_upload.html", {"form": form}, status=400 if form.errors else 200)


@tenant_view("imports.view", methods=("GET", "POST"))
def import_detail_view(request: TenantRequest, batch_id: int) -> HttpResponse:
    """The batch: its mapping (editable until committed), counts, errors, first rows, and what to do next."""
    tenant, actor = request.tenant, request.membership
    batch = import_batch_get(tenant=tenant, batch_id=batch_id)
    editable = batch.status in (ImportBatch.Status.PREVIEWED, ImportBatch.Status.FAILED) and can(actor, "imports.run")
    headers = import_file_headers(batch=batch)
    data = request.POST if request.method == "POST" else None
    form = ImportMappingForm(
        data,
        kind=batch.kind,
        headers=headers,
        initial=batch.mapping,
        summary=batch.summary,
        options=batch.options,
        program_currency=tenant.currency,
    )
    status = 200
    if request.method == "POST":
        if not editable:
            return redirect(_detail_url(request, batch))
        if form.is_valid():
            try:
                batch = import_remap(
                    tenant=tenant, actor=actor, batch=batch, mapping=form.mapping(), options=form.options()
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            return redirect(_detail_url(request, batch))
        status = 400
    progress = import_progress_get(tenant=tenant, batch=batch)
    context = {
        "batch": batch,
        "form": form,
        "editable": editable,
        "headers": headers,
        "fields": import_fields(batch.kind),
        "errors": batch.errors[:ERRORS_SHOWN],
        "more_errors": max(0, len(batch.errors) - ERRORS_SHOWN),
        "preview": import_preview_table(
            batch=batch,
            rows=import_preview_rows(tenant=tenant, batch=batch)
            if batch.status != ImportBatch.Status.ROLLED_BACK
            else [],
        ),
        "progress": progress,
        "summary_lines": import_summary_lines(batch=batch),
        "can_run": can(actor, "imports.run"),
    }
    return render(request, "scorecards/import_detail.html", context, status=status)


@tenant_view("imports.run", methods=("POST",))
def import_commit_view(request: TenantRequest, batch_id: int) -> HttpResponse:
    """Commit in the request when the file is small; hand a large one to a worker and show its progress."""
    tenant, actor = request.tenant, request.membership
    batch = import_batch_get(tenant=tenant, batch_id=batch_id)
    if batch.status not in (ImportBatch.Status.PREVIEWED, ImportBatch.Status.FAILED):
        messages.error(request, f"This import is {batch.get_status_display().lower()}; there is nothing to commit.")
        return redirect(_detail_url(request, batch))
    if batch.total_rows > settings.IMPORT_SYNC_MAX_ROWS:
        batch = import_commit_enqueue(tenant=tenant, actor=actor, batch=batch)
        messages.info(request, f"Importing {batch.total_rows:,} rows in the background.")
        return redirect(_detail_url(request, batch))
    try:
        batch = import_commit(tenant=tenant, actor=actor, batch=batch)
    except DomainError as exc:
        # The failure (with its per-row report) is recorded on the batch; a redirect keeps that record.
        messages.error(request, exc.message)
    else:
        counts = batch.counts
        messages.success(
            request,
            f"Imported: {counts.get('new', 0)} new, {counts.get('updated', 0)} updated, "
            f"{counts.get('unchanged', 0)} unchanged.",
        )
    return redirect(_detail_url(request, batch))


@tenant_view("imports.view")
def import_progress_view(request: TenantRequest, batch_id: int) -> HttpResponse:
    """Polled by the page while a worker commits: the bar, or a refresh once the batch is done."""
    batch = import_batch_get(tenant=request.tenant, batch_id=batch_id)
    if batch.status not in (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING):
        response = HttpResponse(f"{batch.get_status_display()}.", content_type="text/plain")
        response["HX-Refresh"] = "true"  # done: reload the page to show the outcome
        return response
    progress = import_progress_get(tenant=request.tenant, batch=batch)
    return render(request, "scorecards/partials/_import_progress.html", {"batch": batch, "progress": progress})


@tenant_view("imports.view")
def import_errors_csv_view(request: TenantRequest, batch_id: int) -> HttpResponse:
    batch = import_batch_get(tenant=request.tenant, batch_id=batch_id)
    rows = ([e.get("row", ""), e.get("column", ""), e.get("value", ""), e.get("reason", "")] for e in batch.errors)
    name = f"{request.tenant.slug}-import-{batch.pk}-errors"
    return table_download(name, ["row", "column", "value", "reason"], rows, "csv")


@tenant_view("imports.run", methods=("POST",))
def import_rollback_view(request: TenantRequest, batch_id: int) -> HttpResponse:
    batch = import_batch_get(tenant=request.tenant, batch_id=batch_id)
    try:
        import_rollback(tenant=request.tenant, actor=request.membership, batch=batch)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The import was rolled back.")
    return redirect(_detail_url(request, batch))
