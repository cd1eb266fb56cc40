"""Portable checksums: the same data gives the same checksums on DuckDB and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.settings import Settings
from harness.validation.compare import compare_snapshots
from harness.warehouse import Warehouse
from tests.fixtures.warehouse import Db

TYPED = """
create table {schema}.typed (
    id integer, amount numeric(12, 3), ratio double precision, flag boolean, day date,
    at_local timestamp, at_utc timestamptz, label varchar(40), big bigint
)
"""
ROWS = """
insert into {schema}.typed values
    (1, 12.500, 0.1, true, '2018-01-01', '2018-01-01 10:00:00.5', '2018-01-01 10:00:00+02', 'a|b', 9007199254740993),
    (2, -3.000, 1.0, false, '1999-12-31', '1999-12-31 23:59:59', '1999-12-31 23:59:59+00', 'it''s', -1),
    (3, 0, -0.0, null, null, null, null, null, null),
    (4, 100, 1e20, true, '2024-02-29', '2024-02-29 00:00:00', '2024-02-29 12:00:00-05', '', 0)
"""


@pytest.mark.postgres
@pytest.mark.duckdb
def test_same_rows_give_the_same_portable_checksums_on_both_engines(
    duckdb_settings: Settings, postgres_settings: Settings
) -> None:
    snapshots = {}
    for settings in (duckdb_settings, postgres_settings):
        db = Db(settings)
        if db.adapter == "postgres":
            db.execute(f"create schema if not exists {db.schema}")
        db.execute(TYPED.format(schema=db.schema) + ";" + ROWS.format(schema=db.schema))
        snapshots[db.adapter] = Warehouse(settings).snapshot(db.schema, "typed", portable=True)
    duck, pg = snapshots["duckdb"], snapshots["postgres"]
    assert duck.table_checksum == pg.table_checksum
    assert {name: stats.checksum for name, stats in duck.columns.items()} == {
        name: stats.checksum for name, stats in pg.columns.items()
    }
    checks = compare_snapshots(duck, pg)
    assert all(check.passed for check in checks), [c for c in checks if not c.passed]


@pytest.mark.duckdb
def test_portable_and_native_snapshots_are_not_compared(duckdb_settings: Settings, tmp_path: Path) -> None:
    db = Db(duckdb_settings)
    db.execute("create table t as select 1 as id")
    warehouse = Warehouse(duckdb_settings)
    checks = compare_snapshots(warehouse.snapshot("main", "t"), warehouse.snapshot("main", "t", portable=True))
    assert [(c.name, c.passed) for c in checks] == [("row count", True), ("checksum kind", False)]


@pytest.mark.duckdb
def test_portable_checksum_sees_a_changed_value(duckdb_settings: Settings) -> None:
    db = Db(duckdb_settings)
    db.execute(TYPED.format(schema="main") + ";" + ROWS.format(schema="main"))
    warehouse = Warehouse(duckdb_settings)
    before = warehouse.snapshot("main", "typed", portable=True)
    db.execute("update typed set amount = 12.501 where id = 1")
    after = warehouse.snapshot("main", "typed", portable=True)
    failed = [c.name for c in compare_snapshots(before, after) if not c.passed]
    assert failed == ["column amount unchanged", "table checksum"]
