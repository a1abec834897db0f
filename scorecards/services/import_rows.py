"""Write an import's difference in bulk, and undo a batch.

Per 5,000 written rows: one upsert (``INSERT … SELECT FROM unnest … ON CONFLICT DO UPDATE``) and one insert of the
batch's change history. What to write is planned by ``scorecards.selectors.import_rows``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from partnerhub.core.models import Membership, Partner, Tenant
from partnerhub.core.services.program import partner_import_undo, partner_import_write
from partnerhub.core.tenancy.sql import UnnestInsert, ensure_active_tenant
from scorecards.models import ImportBatch, ImportChange
from scorecards.selectors.import_rows import Plan, chunks, kind_spec_of


def write_plan(
    *,
    tenant: Tenant,
    batch: ImportBatch,
    plan: Plan,
    progress: Callable[[int, int], None] | None,
    done_before: int,
    total: int,
) -> None:
    """Upsert the new and changed rows in chunks of 5,000 and record each as an ImportChange (with its old values).

    One ``INSERT … SELECT FROM unnest(<one array per column>) ON CONFLICT (natural key) DO UPDATE`` per chunk (COPY
    is refused on tables under row-level security), then one insert of the chunk's change history.
    """
    ensure_active_tenant(tenant)
    spec = kind_spec_of(batch)
    model: Any = spec.model
    label = model._meta.label
    now = timezone.now()
    extra: dict[str, Any] = {"source": batch.source} if spec.kind == ImportBatch.Kind.OBSERVATIONS else {}
    data_columns = [*spec.natural_key, *spec.compared]
    upsert = UnnestInsert(
        model,
        ["tenant_id", "created_at", "updated_at", "batch_id", *extra, *data_columns],
        conflict=["tenant_id", *spec.natural_key],
        update=[*spec.compared, "batch_id", "updated_at", *extra],
        returning=["id", *spec.natural_key],
    )
    history = UnnestInsert(
        ImportChange, ["tenant_id", "created_at", "updated_at", "batch_id", "model", "object_id", "action", "before"]
    )
    remembered = ["batch_id", *spec.compared, *extra]
    work = [(i, True) for i in plan.creates] + [(i, False) for i in plan.updates]
    done = done_before
    for part in chunks(work):
        rows = [i for i, _ in part]
        size = len(rows)
        arrays: list[list[Any]] = [[tenant.pk] * size, [now] * size, [now] * size, [batch.pk] * size]
        arrays += [[value] * size for value in extra.values()]
        arrays += [[plan.values[attname][i] for i in rows] for attname in data_columns]
        ids = {tuple(row[1:]): row[0] for row in upsert.run(arrays)}
        object_ids = [ids[tuple(plan.values[a][i] for a in spec.natural_key)] for i in rows]
        befores = [
            None if created else json.dumps({a: _jsonable(plan.stored[a][i]) for a in remembered})
            for i, created in part
        ]
        history.run(
            [
                [tenant.pk] * size,
                [now] * size,
                [now] * size,
                [batch.pk] * size,
                [label] * size,
                object_ids,
                [ImportChange.Action.CREATED if created else ImportChange.Action.UPDATED for _, created in part],
                befores,
            ]
        )
        done += size
        if progress is not None:
            progress(min(done, total), total)


def write_partner_plan(*, tenant: Tenant, actor: Membership, batch: ImportBatch, plan: Plan) -> None:
    """Write a partners import through the core's partner service (one bulk write), then record its history."""
    spec = kind_spec_of(batch)
    columns = [*spec.natural_key, *spec.compared]
    creates = [{attname: plan.values[attname][i] for attname in columns} for i in plan.creates]
    updates = {
        plan.stored["id"][i]: {
            attname: plan.values[attname][i]
            for attname in spec.compared
            if plan.values[attname][i] != plan.stored[attname][i]
        }
        for i in plan.updates
    }
    created = partner_import_write(
        tenant=tenant, actor=actor, creates=creates, updates=updates, reason=f"Import #{batch.pk} ({batch.file_name})"
    )
    now = timezone.now()
    ImportChange.objects.bulk_create(
        [
            *(
                ImportChange(
                    tenant=tenant,
                    batch=batch,
                    model=spec.model._meta.label,
                    object_id=pk,
                    action=ImportChange.Action.CREATED,
                    created_at=now,
                    updated_at=now,
                )
                for pk in created
            ),
            *(
                ImportChange(
                    tenant=tenant,
                    batch=batch,
                    model=spec.model._meta.label,
                    object_id=pk,
                    action=ImportChange.Action.UPDATED,
                    before={attname: _jsonable(plan.stored[attname][i]) for i in [position] for attname in updates[pk]},
                    created_at=now,
                    updated_at=now,
                )
                for position in plan.updates
                if (pk := plan.stored["id"][position]) is not None
            ),
        ],
        batch_size=5000,
    )


def create_named_partners(
    *, tenant: Tenant, actor: Membership, batch: ImportBatch, plan: Plan, choice: dict[str, str]
) -> None:
    """Create the partners a file names but the program lacks (as chosen on the page: one type and region for all),
    point the plan's rows at them, and record them in the batch's history (an undo removes them)."""
    created = partner_import_write(
        tenant=tenant,
        actor=actor,
        creates=[
            {"name": name, "partner_type": choice["partner_type"], "region": choice["region"]}
            for _placeholder, name in plan.new_partners
        ],
        updates={},
        reason=f"Named in import #{batch.pk} ({batch.file_name})",
    )
    real = {placeholder: pk for (placeholder, _name), pk in zip(plan.new_partners, created, strict=True)}
    plan.values["partner_id"] = [real.get(value, value) for value in plan.values["partner_id"]]
    now = timezone.now()
    ImportChange.objects.bulk_create(
        [
            ImportChange(
                tenant=tenant,
                batch=batch,
                model=Partner._meta.label,
                object_id=pk,
                action=ImportChange.Action.CREATED,
                created_at=now,
                updated_at=now,
            )
            for pk in created
        ]
    )


def restore_partners(
    *, tenant: Tenant, actor: Membership, batch: ImportBatch, changes: list[tuple[int, str, dict[str, Any] | None]]
) -> None:
    """Undo a partners import through the core's partner service (refused when a created partner has data now)."""
    fields = {f.attname: f for f in Partner._meta.concrete_fields}
    partner_import_undo(
        tenant=tenant,
        actor=actor,
        delete_ids=[object_id for object_id, action, _ in changes if action == ImportChange.Action.CREATED],
        restore={
            object_id: {
                attname: None if raw is None else fields[attname].to_python(raw)
                for attname, raw in (before or {}).items()
            }
            for object_id, action, before in changes
            if action == ImportChange.Action.UPDATED
        },
        reason=f"Import #{batch.pk} ({batch.file_name}) rolled back",
    )


def restore(*, tenant: Tenant, batch: ImportBatch, changes: list[tuple[int, str, dict[str, Any] | None]]) -> set[int]:
    """Undo a batch: delete the rows it created, put back the previous values of the rows it updated.

    ``changes`` holds (object id, action, before). Returns the partners whose data changed.
    """
    spec = kind_spec_of(batch)
    model: Any = spec.model
    created = [object_id for object_id, action, _ in changes if action == ImportChange.Action.CREATED]
    updated = {
        object_id: before or {} for object_id, action, before in changes if action == ImportChange.Action.UPDATED
    }
    scoped = model.objects.for_tenant(tenant)
    partner_ids: set[int] = set()
    for part in chunks(created):
        partner_ids.update(scoped.filter(pk__in=part).values_list("partner_id", flat=True))
        scoped.filter(pk__in=part).delete()
    fields_by_attname = {f.attname: f for f in model._meta.concrete_fields}
    earlier = {batch_id for before in updated.values() if (batch_id := before.get("batch_id")) is not None}
    # A previous batch is normally still there; if one was deleted, its rows point at no batch (as SET_NULL would).
    existing_batches = set(ImportBatch.objects.for_tenant(tenant).filter(pk__in=earlier).values_list("pk", flat=True))
    for before in updated.values():
        if before.get("batch_id") not in existing_batches:
            before["batch_id"] = None
    now = timezone.now()
    for part in chunks(list(updated)):
        objects = list(scoped.filter(pk__in=part))
        if not objects:
            continue
        names: set[str] = set()
        for obj in objects:
            partner_ids.add(obj.partner_id)
            for attname, raw in updated[obj.pk].items():
                model_field = fields_by_attname[attname]
                setattr(obj, attname, None if raw is None else model_field.to_python(raw))
                names.add(model_field.name)
            obj.updated_at = now
            partner_ids.add(obj.partner_id)
        scoped.bulk_update(objects, sorted(names | {"updated_at"}), batch_size=1000)
    return partner_ids


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
