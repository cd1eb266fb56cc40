"""Locating differences between two tables, on both adapters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.diff import diff_across, diff_relations
from harness.errors import InputError
from harness.settings import Settings
from harness.warehouse import Warehouse
from tests.fixtures.warehouse import Db

Pair = tuple[tuple[str, str], tuple[str, str]]


@pytest.fixture
def copies(loaded: Warehouse, db: Db) -> Pair:
    """customers and an identical copy, customers_copy, in the same schema."""
    loaded.copy_table((db.schema, "customers"), (db.schema, "customers_copy"))
    return (db.schema, "customers"), (db.schema, "customers_copy")


def test_identical_tables_have_no_differences(loaded: Warehouse, copies: Pair) -> None:
    result = diff_relations(loaded, *copies, "id", segments=4, leaf_rows=8)
    assert result.identical and result.rows_a == result.rows_b == 100
    assert result.segments_compared == 4  # one level: every segment matched


def test_bisection_names_each_changed_missing_and_extra_key(loaded: Warehouse, db: Db, copies: Pair) -> None:
    db.execute("update customers_copy set last_name = 'Q.' where id = 37")
    db.execute("delete from customers_copy where id = 81")
    db.execute("insert into customers_copy values (150, 'New', 'N.')")
    result = diff_relations(loaded, *copies, "id", segments=4, leaf_rows=8)
    assert [(d.key, d.kind) for d in result.differences] == [(37, "changed"), (81, "only in A"), (150, "only in B")]
    changed = result.differences[0]
    assert changed.columns == {"last_name": (db.query("select last_name from customers where id = 37")[0][0], "Q.")}
    assert result.differences[1].columns["first_name"][1] is None
    assert result.differences[2].columns["first_name"] == (None, "New")
    # narrowed by levels, not by fetching everything: far fewer rows fetched than the table holds
    assert result.segments_compared < 40


def test_cli_diff_exits_1_and_writes_json(
    loaded: Warehouse,
    db: Db,
    copies: Pair,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in loaded.settings.environment().items():
        monkeypatch.setenv(name, value)
    db.execute("update customers_copy set first_name = 'Zed' where id = 5")
    target = ["--target", loaded.settings.target or "duckdb"]
    out = tmp_path / "diff.json"
    args = [*target, "diff", f"{db.schema}.customers", f"{db.schema}.customers_copy", "--key", "id", "--json", str(out)]
    result = CliRunner().invoke(app, [*args, "--show-values"], terminal_width=200)
    assert result.exit_code == 1, result.output
    assert "Zed" in result.output
    data = json.loads(out.read_text())
    assert data["changed"] == 1 and data["differences"][0]["key"] == 5 and data["values_shown"] is True
    db.execute("update customers_copy set first_name = (select first_name from customers where id = 5) where id = 5")
    assert CliRunner().invoke(app, args).exit_code == 0


def test_non_integer_key_is_refused(loaded: Warehouse, copies: Pair) -> None:
    with pytest.raises(InputError, match="integer key"):
        diff_relations(loaded, *copies, "first_name")


def test_missing_table_or_key_is_a_clear_input_error(loaded: Warehouse, db: Db, copies: Pair) -> None:
    with pytest.raises(InputError, match="does not exist"):
        diff_relations(loaded, copies[0], (db.schema, "no_such_table"), "id")
    with pytest.raises(InputError, match="not a column"):
        diff_relations(loaded, *copies, "customer_id")


def test_column_only_on_one_side_is_reported(loaded: Warehouse, db: Db, copies: Pair) -> None:
    db.execute("alter table customers_copy add column email varchar")
    result = diff_relations(loaded, *copies, "id")
    assert result.columns_only_in_b == ["email"] and not result.differences and not result.identical


@pytest.mark.duckdb
@pytest.mark.postgres
def test_diff_across_duckdb_and_postgres_names_each_difference(
    duckdb_settings: Settings, postgres_settings: Settings
) -> None:
    duck, pg = Warehouse(duckdb_settings), Warehouse(postgres_settings)
    for warehouse in (duck, pg):
        warehouse.seed(["raw_orders"])
    same = diff_across(duck, ("main", "raw_orders"), pg, (postgres_settings.schema or "", "raw_orders"), "id")
    assert same.identical and same.rows_a == same.rows_b == 99
    pg_db = Db(postgres_settings)
    pg_db.execute("update raw_orders set status = 'lost' where id = 12")
    pg_db.execute("delete from raw_orders where id = 60")
    Db(duckdb_settings).execute("update raw_orders set order_date = date '2018-02-02' where id = 90")
    result = diff_across(
        duck, ("main", "raw_orders"), pg, (postgres_settings.schema or "", "raw_orders"), "id", segments=4, leaf_rows=10
    )
    assert [(d.key, d.kind) for d in result.differences] == [(12, "changed"), (60, "only in A"), (90, "changed")]
    assert (
        result.differences[0].columns == {"status": ("completed", "lost")} or "status" in result.differences[0].columns
    )
    assert result.differences[2].columns["order_date"][0] == "2018-02-02"
