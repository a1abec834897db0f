"""Raw SQL under tenancy, shared by the bulk engines (the snapshot refresh, the import writer).

Every helper here runs inside the active tenant (``ensure_active_tenant``: the scoped manager's check, since raw SQL
bypasses the manager) and names the tenant in its own WHERE clauses; row-level security is the second wall.

- ``TenantSql``: statements counted, and ``copy_out``, a ``COPY ... TO STDOUT (FORMAT binary)`` read into numpy
  arrays (one row per partner holding an array per column);
- ``UnnestInsert``: ``INSERT ... SELECT FROM unnest(<one array per column>) [ON CONFLICT ... DO UPDATE]``, the bulk
  write that works under row-level security (COPY into such a table is refused).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection
from psycopg import sql as psycopg_sql

from partnerhub.core.errors import TenantScopeError
from partnerhub.core.models import Tenant
from partnerhub.core.tenancy.context import app_wall_is_off, current_tenant

_SEPARATOR, _NULL = "\x1f", "\x1e"


def column_param(values: list[Any]) -> tuple[str, Any]:
    """One query parameter for a whole column of values, and the SQL that turns it into an array (cast it after).

    The values travel as one text joined by the ASCII unit separator (NULL as the record separator), which
    PostgreSQL splits with ``string_to_array``: quoting one string is far cheaper than quoting an array of 5,000
    elements one by one, and COPY is refused on tables under row-level security. A leading separator keeps a
    column of one empty text from becoming an empty array. A text that holds a separator itself (never in parsed
    files: control characters are refused) falls back to a plain array parameter.
    """
    texts = [_NULL if value is None else str(value) for value in values]
    joined = _SEPARATOR + _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) == len(texts) and texts.count(_NULL) == values.count(None):
        return "(string_to_array(%s, chr(31), chr(30)))[2:]", joined
    return "%s", list(values)


class UnnestInsert:
    """``INSERT INTO t (cols) SELECT * FROM unnest(<array>::type[], …) [ON CONFLICT … DO UPDATE …] [RETURNING …]``."""

    def __init__(
        self,
        model: Any,
        columns: list[str],
        *,
        conflict: list[str] | None = None,
        update: list[str] | None = None,
        returning: list[str] | None = None,
    ) -> None:
        fields = {f.attname: f for f in model._meta.concrete_fields}
        quote = connection.ops.quote_name
        self.types = [fields[c].db_type(connection) for c in columns]
        names = ", ".join(quote(fields[c].column) for c in columns)
        self.head = f"INSERT INTO {quote(model._meta.db_table)} ({names}) SELECT * FROM unnest"
        self.tail = ""
        if conflict:
            target = ", ".join(quote(fields[c].column) for c in conflict)
            assignments = ", ".join(
                f"{quote(fields[c].column)} = EXCLUDED.{quote(fields[c].column)}" for c in update or []
            )
            self.tail += f" ON CONFLICT ({target}) DO UPDATE SET {assignments}"
        if returning:
            self.tail += " RETURNING " + ", ".join(quote(fields[c].column) for c in returning)
        self.returning = bool(returning)

    def run(self, arrays: list[list[Any]]) -> list[tuple[Any, ...]]:
        fragments, params = [], []
        for values, db_type in zip(arrays, self.types, strict=True):
            fragment, param = column_param(values)
            fragments.append(f"{fragment}::{db_type}[]")
            params.append(param)
        with connection.cursor() as cursor:
            cursor.execute(f"{self.head}({', '.join(fragments)}){self.tail}", params)
            return cursor.fetchall() if self.returning else []


def ensure_active_tenant(tenant: Tenant, what: str = "rows") -> None:
    """Refuse raw SQL for ``tenant`` unless it is the active tenant: the scoped manager's check, made by hand.

    Raw SQL bypasses the manager, so it makes the same check itself; row-level security is the second wall.
    """
    active = current_tenant()
    if not app_wall_is_off() and (active is None or active.pk != tenant.pk):
        raise TenantScopeError(f"{what} read or written outside their tenant")


class TenantSql:
    """Raw SQL of one bulk job in one tenant: statements counted (``count`` wraps the connection; COPY is counted by
    hand)."""

    def __init__(self, tenant: Tenant) -> None:
        ensure_active_tenant(tenant, "raw SQL")
        self.tenant = tenant
        self.statements = 0

    def count(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.statements += 1
        return execute(sql, params, many, context)

    def execute(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params if isinstance(params, dict) else list(params))
            return cursor.fetchall() if cursor.description else []

    def copy_out(
        self,
        select: str,
        params: Iterable[Any],
        columns: list[tuple[str, str]],
        totals: Sequence[tuple[str, str]] = (),
    ) -> dict[str, np.ndarray]:
        """The rows of ``select`` as numpy arrays, one per column (non-null, fixed-width types), read by COPY.

        ``columns`` names each column and its type: ``int8``, ``int4``, ``float8``, ``bool`` or ``date`` (returned as
        days since 2000-01-01); the first one (an id, such as a partner id) groups the rows. PostgreSQL sends one row
        per group with an array per column (``COPY ... TO STDOUT (FORMAT binary)``), which numpy reads in place: a
        Python call per group rather than per row is what makes millions of rows as fast to read as the COPY itself.
        The rows come out ordered by that first column. ``totals`` adds, per (name, aggregate over the named columns
        returning bigint), one value per group, repeated on each of the group's rows like the key (NULL reads as 0):
        a digest of the group's rows, say, computed in the same pass.
        """
        key, rest = columns[0], columns[1:]
        names = ", ".join(name for name, _ in columns)
        arrays = ", ".join([f"array_agg({name})" for name, _ in rest] + [aggregate for _, aggregate in totals])
        grouped = f"SELECT {key[0]}, {arrays} FROM ({select}) AS rows ({names}) GROUP BY {key[0]} ORDER BY {key[0]}"
        codes = {"int8": ">i8", "int4": ">i4", "float8": ">f8", "bool": "?", "date": ">i4"}
        native = {"int8": np.int64, "int4": np.int32, "float8": np.float64, "bool": np.bool_, "date": np.int32}
        elements = [np.dtype([("length", ">i4"), ("value", codes[kind])]) for _, kind in rest]
        keys: list[int] = []
        sizes: list[int] = []
        parts: list[list[np.ndarray]] = [[] for _ in rest]
        sums: list[list[int]] = [[] for _ in totals]

        def parse(data: bytes, position: int) -> int:
            # Every complete row from ``position``: (int16 fields, then per field int32 length + bytes); a 1-D array
            # is ndim, flags, element type, size, lower bound (int32 each), then per element int32 length + value.
            end = len(data)
            while end - position >= 2:
                (fields,) = struct.unpack_from(">h", data, position)
                if fields == -1:  # the trailer
                    return end
                offsets, cursor = [], position + 2
                for _ in range(fields):
                    if end - cursor < 4:
                        return position
                    (length,) = struct.unpack_from(">i", data, cursor)
                    offsets.append(cursor + 4)
                    cursor += 4 + max(length, 0)
                if cursor > end:
                    return position
                keys.append(struct.unpack_from(">q", data, offsets[0])[0])
                (size,) = struct.unpack_from(">i", data, offsets[1] + 12)
                sizes.append(size)
                arrays_at = offsets[1 : len(columns)]
                for part, start, element, (_, kind) in zip(parts, arrays_at, elements, rest, strict=True):
                    values = np.frombuffer(data, dtype=element, count=size, offset=start + 20)["value"]
                    part.append(values.astype(native[kind]))
                for total, start in zip(sums, offsets[len(columns) :], strict=True):
                    null = struct.unpack_from(">i", data, start - 4)[0] < 0
                    total.append(0 if null else struct.unpack_from(">q", data, start)[0])
                position = cursor
            return position

        self.statements += 1  # the COPY (the two settings are counted by the execute wrapper)
        previous = self.execute("SELECT current_setting('enable_hashagg'), set_config('enable_hashagg', 'off', true)")
        # Sorted grouping streams in constant memory; hashing the arrays would spill to disk.
        statement = bind_params(f"COPY ({grouped}) TO STDOUT (FORMAT binary)", params)
        header = 19  # signature (11), flags (4), header extension length (4): skipped once
        pending, blocks, size = b"", [], 0
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            while block := copy.read():
                blocks.append(bytes(block))
                size += len(block)
                if size >= 1 << 24 and size + len(pending) > header:
                    data = pending + b"".join(blocks)
                    pending, blocks, size, header = data[parse(data, header) :], [], 0, 0
        data = pending + b"".join(blocks)
        if parse(data, header) != len(data):
            raise RuntimeError("unexpected COPY binary layout")
        self.execute("SELECT set_config('enable_hashagg', %s, true)", [previous[0][0]])
        counts = np.array(sizes, dtype=np.int64)
        out = {key[0]: np.repeat(np.array(keys, dtype=np.int64), counts)}
        for (name, kind), part in zip(rest, parts, strict=True):
            out[name] = np.concatenate(part) if part else np.zeros(0, dtype=native[kind])
        for (name, _), total in zip(totals, sums, strict=True):
            out[name] = np.repeat(np.array(total, dtype=np.int64), counts)
        return out

    def copy_rows(
        self, select: str, params: Iterable[Any], columns: list[tuple[str, str]], *, jit: bool = True
    ) -> dict[str, np.ndarray]:
        """The rows of ``select`` as numpy arrays, one per column, read by ``COPY ... TO STDOUT (FORMAT binary)``
        exactly as PostgreSQL sends them: no grouping, no sort, in the order the plan produces them.

        Every column must be non-null and fixed-width (``int8``, ``int4``, ``float8``, ``bool``, ``date`` as days
        since 2000-01-01): each row is then the same number of bytes, so a block of rows is one structured numpy
        array (``np.frombuffer``) with no Python call per row or per group; a NULL or another width is refused
        (``RuntimeError``) rather than misread. ``jit=False`` turns PostgreSQL's JIT off for this statement: a
        select of many expressions costs seconds to compile, more than it saves over a few hundred thousand rows.
        """
        codes = {"int8": ">i8", "int4": ">i4", "float8": ">f8", "bool": "?", "date": ">i4"}
        native = {"int8": np.int64, "int4": np.int32, "float8": np.float64, "bool": np.bool_, "date": np.int32}
        fields: list[tuple[str, str]] = [("fields", ">i2")]
        for position, (_, kind) in enumerate(columns):
            fields += [(f"length_{position}", ">i4"), (f"value_{position}", codes[kind])]
        row = np.dtype(fields)
        widths = [np.dtype(codes[kind]).itemsize for _, kind in columns]
        parts: list[list[np.ndarray]] = [[] for _ in columns]

        def parse(data: bytes | bytearray, start: int, end: int) -> None:
            records = np.frombuffer(data, dtype=row, count=(end - start) // row.itemsize, offset=start)
            if (records["fields"] != len(columns)).any() or any(
                (records[f"length_{position}"] != width).any() for position, width in enumerate(widths)
            ):
                raise RuntimeError("COPY binary rows are not of the declared fixed-width, non-null columns")
            for position, (part, (_, kind)) in enumerate(zip(parts, columns, strict=True)):
                part.append(records[f"value_{position}"].astype(native[kind]))

        self.statements += 1  # the COPY (the settings are counted by the execute wrapper)
        previous = None
        if not jit:
            previous = self.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")[0][0]
        statement = bind_params(f"COPY ({select}) TO STDOUT (FORMAT binary)", params)
        buffer = bytearray()
        offset = 19  # signature (11), flags (4), header extension length (4)
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            while block := copy.read():
                buffer += block
                if len(buffer) >= 1 << 24:
                    whole = offset + (len(buffer) - offset) // row.itemsize * row.itemsize
                    parse(buffer, offset, whole)
                    del buffer[:whole]
                    offset = 0
        if len(buffer) < offset + 2 or buffer[-2:] != b"\xff\xff" or (len(buffer) - offset - 2) % row.itemsize:
            # A NULL (or a column of another width) makes a row shorter or longer than the others.
            raise RuntimeError("COPY binary rows are not of the declared fixed-width, non-null columns")
        parse(buffer, offset, len(buffer) - 2)
        if previous is not None:
            self.execute("SELECT set_config('jit', %s, true)", [previous])
        return {
            name: np.concatenate(part) if part else np.zeros(0, dtype=native[kind])
            for part, (name, kind) in zip(parts, columns, strict=True)
        }


def bind_params(statement: str, params: Iterable[Any]) -> str:
    """Bind ``%s`` parameters client-side: COPY takes no server-side parameters (and Django's debug cursor none)."""
    raw = connection.connection
    if raw is None:
        connection.ensure_connection()
        raw = connection.connection
    template = psycopg_sql.SQL(statement.replace("{", "{{").replace("}", "}}").replace("%s", "{}"))
    return template.format(*(psycopg_sql.Literal(p) for p in params)).as_string(raw)


def pg_days_to_months(days: npt.NDArray[np.int32]) -> npt.NDArray[np.int64]:
    """PostgreSQL binary dates (days since 2000-01-01) as month numbers (a table over the range of days: one gather)."""
    if not len(days):
        return np.zeros(0, dtype=np.int64)
    low, high = int(days.min()), int(days.max())
    span = np.datetime64("2000-01-01", "D") + np.arange(low, high + 1).astype("timedelta64[D]")
    table = span.astype("datetime64[M]").astype(np.int64) + 1970 * 12
    return table[days - low]


# Namespaces of the per-tenant transaction locks (``tenant_xact_lock``), side by side so that none is reused.
LOCK_DATA_QUALITY = 4_180_301  # one data-quality run (or manual resolution) per tenant at a time
LOCK_SNAPSHOT_REFRESH = 4_180_302  # one snapshot refresh per tenant at a time
LOCK_DEAL_REVIEWS = 4_180_303  # one refresh of a program's deal-review queue at a time
LOCK_REVIEW_CYCLES = 4_180_310  # one generation of a program's review cycles at a time
LOCK_REMEDIATION = 4_180_320  # one checkpoint evaluation / trigger run or ladder climb per tenant at a time
LOCK_TIER_RECOMMENDATIONS = 4_180_330  # one run of a program's tier recommendations (or decision batch) at a time
LOCK_INVESTMENT_IMPACT = 4_180_340  # one refresh of a program's investment impact estimates at a time
LOCK_EXECUTIVE_DASHBOARD = 4_180_350  # one dashboard precompute per tenant at a time
LOCK_EXECUTIVE_MEMO = 4_180_351  # one quarterly-memo generation or publication per tenant at a time
LOCK_EXECUTIVE_DIGEST = 4_180_352  # one monthly-digest run per tenant at a time


def tenant_xact_lock(namespace: int, tenant: Tenant) -> None:
    """Wait for, then hold until the transaction ends, the tenant's lock in ``namespace`` (pg_advisory_xact_lock)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [namespace, tenant.pk])
