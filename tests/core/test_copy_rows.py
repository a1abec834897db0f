"""``TenantSql.copy_rows``: a binary COPY of fixed-width columns read straight into numpy arrays (no grouping)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from partnerhub.core.tenancy.context import tenant_context
from partnerhub.core.tenancy.sql import TenantSql

COLUMNS = [("id", "int8"), ("small", "int4"), ("value", "float8"), ("flag", "bool"), ("day", "date")]
SELECT = """
    SELECT g::int8, (g * 3 - 50000)::int4, g / 7.0::float8, g % 3 = 0, DATE '2000-01-01' + g
    FROM generate_series(1, %s) g
"""


@pytest.mark.parametrize("rows", [0, 1, 5, 120_000])
def test_every_row_and_column_is_read_with_its_value(tenant: Any, rows: int) -> None:
    with tenant_context(tenant):
        out = TenantSql(tenant).copy_rows(SELECT, [rows], COLUMNS, jit=False)
    g = np.arange(1, rows + 1)
    assert out["id"].dtype == np.int64
    assert out["id"].tolist() == g.tolist()
    assert out["small"].dtype == np.int32
    assert out["small"].tolist() == (g * 3 - 50000).tolist()
    assert out["value"].dtype == np.float64
    assert np.array_equal(out["value"], g / 7.0)
    assert out["flag"].dtype == np.bool_
    assert out["flag"].tolist() == (g % 3 == 0).tolist()
    assert out["day"].tolist() == g.tolist()  # days since 2000-01-01


def test_rows_wider_than_a_parsing_block_are_read_across_blocks(tenant: Any) -> None:
    # 40 float8 columns x 60,000 rows: about 29 MB, parsed in two blocks with a row split between them.
    columns = [("id", "int8"), *((f"c{i}", "float8") for i in range(40))]
    values = ", ".join(f"(g + {i})::float8" for i in range(40))
    select = f"SELECT g::int8, {values} FROM generate_series(1, 60000) g"
    with tenant_context(tenant):
        out = TenantSql(tenant).copy_rows(select, [], columns)
    assert out["id"].tolist() == list(range(1, 60001))
    assert np.array_equal(out["c39"], np.arange(1, 60001) + 39.0)


def test_a_null_is_refused_rather_than_misread(tenant: Any) -> None:
    with tenant_context(tenant), pytest.raises(RuntimeError, match="fixed-width, non-null"):
        TenantSql(tenant).copy_rows(
            "SELECT g::int8, CASE WHEN g = 3 THEN NULL ELSE 1.0 END::float8 FROM generate_series(1, 5) g",
            [],
            [("id", "int8"), ("value", "float8")],
        )


def test_a_column_of_another_width_than_declared_is_refused(tenant: Any) -> None:
    with tenant_context(tenant), pytest.raises(RuntimeError, match="fixed-width, non-null"):
        TenantSql(tenant).copy_rows("SELECT g::int4 FROM generate_series(1, 5) g", [], [("id", "int8")])


def test_jit_is_off_for_the_statement_only(tenant: Any) -> None:
    with tenant_context(tenant):
        sql = TenantSql(tenant)
        before = sql.execute("SELECT current_setting('jit')")[0][0]
        inside = sql.copy_rows(
            "SELECT current_setting('jit') = 'off' FROM generate_series(1, 1)", [], [("off", "bool")], jit=False
        )
        after = sql.execute("SELECT current_setting('jit')")[0][0]
    assert inside["off"].tolist() == [True]
    assert after == before
