"""Bad input: one clear error, a non-zero exit, and the data unchanged (rows and checksum)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.errors import ConnectionFailed, HarnessError, InputError, SpecError
from harness.lifecycle.migration import Migration
from harness.settings import Settings
from harness.spec import load_spec
from harness.warehouse import Warehouse
from tests.fixtures.warehouse import Db, write_spec

GOOD = """
name: bad_input_probe
table: {table}
key: [{key}]
operations:
  - type: add_column
    column: {column}
    data_type: {data_type}
    up: "{up}"
"""


def spec_text(**overrides: str) -> str:
    values = {"table": "customers", "key": "id", "column": "full_name", "data_type": "text",
              "up": "first_name || ' ' || last_name"}  # fmt: skip
    values.update(overrides)
    return GOOD.format(**values)


@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        ({"table": "customerz"}, InputError, "table .*customerz does not exist"),
        ({"key": "customer_no"}, InputError, "key column\\(s\\) customer_no not found"),
        ({"data_type": "integer", "up": "cast(last_name as integer)"}, InputError, "cannot be computed as integer"),
        ({"up": "no_such_column || 'x'"}, InputError, "operations\\[0\\].up"),
        ({"column": "first_name"}, InputError, "first_name already exists"),
    ],
    ids=["missing-table", "missing-key-column", "uncastable-up", "unknown-column-in-up", "existing-column"],
)
def test_bad_spec_is_refused_and_data_unchanged(
    loaded: Warehouse, db: Db, tmp_path: Path, overrides: dict[str, str], error: type[HarnessError], message: str
) -> None:
    rows_before = db.rows("customers")
    checksum_before = loaded.snapshot(db.schema, "customers").table_checksum
    spec = load_spec(write_spec(tmp_path, spec_text(**overrides)))
    with pytest.raises(error, match=message) as raised:
        Migration(loaded, spec).start()
    assert raised.value.exit_code == 2
    assert raised.value.fix  # every message says what to do
    assert db.rows("customers") == rows_before
    assert loaded.snapshot(db.schema, "customers").table_checksum == checksum_before
    assert db.columns("customers") == ["id", "first_name", "last_name"]


@pytest.mark.parametrize(
    ("checks", "message"),
    [
        ("not_null: [fullname]", r"checks.not_null: fullname is not a column of the new shape"),
        ("accepted_values: {nope: [a]}", r"checks.accepted_values: nope is not a column"),
        ("recent_rows: {column: first_name}", r"first_name is .*, not a date or timestamp"),
        (
            "foreign_keys: [{column: id, table: raw_orderz, references: customers.id}]",
            r"checks.foreign_keys\[0\]: table .*raw_orderz does not exist",
        ),
        (
            "foreign_keys: [{column: user_id, table: raw_orders, references: customers.ident}]",
            r"checks.foreign_keys\[0\]: customers has no column ident",
        ),
    ],
    ids=["not-null-column", "accepted-values-column", "recent-rows-type", "fk-table", "fk-parent-column"],
)
def test_a_rule_that_could_not_run_is_refused_before_anything_changes(
    loaded: Warehouse, db: Db, tmp_path: Path, checks: str, message: str
) -> None:
    """Every validation rule is judged at preflight (columns of the new shape, types, tables): a
    rule that could not run is refused with exit 2, never skipped at validation."""
    rows = db.rows("customers")
    spec = load_spec(write_spec(tmp_path, spec_text() + f"checks:\n  {checks}\n"))
    with pytest.raises(InputError, match=message) as raised:
        Migration(loaded, spec).start()
    assert raised.value.exit_code == 2 and raised.value.fix
    assert db.rows("customers") == rows and db.columns("customers") == ["id", "first_name", "last_name"]
    assert Migration(loaded, spec).current_run() is None


def test_table_without_usable_key_is_refused(loaded: Warehouse, db: Db, tmp_path: Path) -> None:
    db.execute(f"insert into {db.schema}.customers values (5, 'Twin', 'T.')")
    rows_before = db.rows("customers", order_by="id, first_name")
    spec = load_spec(write_spec(tmp_path, spec_text()))
    with pytest.raises(InputError, match="1 duplicated key value") as raised:
        Migration(loaded, spec).start()
    assert "add one" in str(raised.value)
    assert db.rows("customers", order_by="id, first_name") == rows_before


@pytest.mark.parametrize(
    ("field", "value"),
    [("table", '"; drop table customers; --'), ("column", 'x"; drop table customers; --'), ("key", "id; drop")],
)
def test_injected_identifier_is_rejected_before_touching_data(
    loaded: Warehouse, db: Db, tmp_path: Path, field: str, value: str
) -> None:
    rows_before = db.rows("customers")
    path = write_spec(tmp_path, spec_text(**{field: value.replace('"', '\\"')}))
    with pytest.raises(SpecError, match="not a plain identifier") as raised:
        load_spec(path)
    assert str(path) in str(raised.value)
    assert db.rows("customers") == rows_before


def test_injected_expression_is_rejected_and_cli_exits_2(
    loaded: Warehouse, db: Db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows_before = db.rows("customers")
    for name, value in loaded.settings.environment().items():
        monkeypatch.setenv(name, value)
    path = write_spec(tmp_path, spec_text(up="first_name; drop table customers"))
    settings = db.settings
    schemas = ["--meta-schema", settings.meta_schema, "--backup-schema", settings.backup_schema]
    result = CliRunner().invoke(app, ["--target", settings.target or "duckdb", *schemas, "migrate", "start", str(path)])
    assert result.exit_code == 2
    assert "operations[0].up" in result.output and "';'" in result.output
    assert db.rows("customers") == rows_before


@pytest.mark.postgres
def test_unreachable_postgres_is_a_connection_error(
    postgres_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPORT", "1")  # nothing listens there
    unreachable = Settings(target="postgres", target_dir=postgres_settings.target_dir)
    with pytest.raises(ConnectionFailed, match="cannot reach the warehouse") as raised:
        Warehouse(unreachable).info()
    assert raised.value.exit_code == 2
    assert "port 1 failed" in raised.value.message  # the host and port that were tried, in the driver's words


def test_an_unknown_target_names_the_valid_ones(tmp_path: Path) -> None:
    unknown = r"does not have a target named 'oracle'.*valid target names.*duckdb"
    with pytest.raises(InputError, match=unknown) as raised:
        Warehouse(Settings(target="oracle", target_dir=tmp_path / "t")).info()
    assert raised.value.exit_code == 2


@pytest.mark.postgres
def test_cli_reports_unreachable_postgres_with_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGPORT", "1")
    result = CliRunner().invoke(app, ["--target", "postgres", "snapshot", "public.customers"])
    assert result.exit_code == 2
    assert "cannot reach the warehouse" in result.output


@pytest.mark.duckdb
def test_unopenable_duckdb_file_is_a_connection_error(tmp_path: Path) -> None:
    (tmp_path / "not_a_dir").write_text("a file where a folder should be")
    settings = Settings(target="duckdb", target_dir=tmp_path / "t", duckdb_path=tmp_path / "not_a_dir" / "w.duckdb")
    with pytest.raises(ConnectionFailed) as raised:
        Warehouse(settings).info()
    assert raised.value.exit_code == 2


@pytest.mark.parametrize(
    "operations",
    [
        "  - {type: drop_column, column: nickname}\n  - {type: create_index, name: ix, columns: [score]}\n",
        # a unique index on a backfilled shadow column (built after the backfill): contract would drop the
        # old column and rename the shadow under it, which DuckDB refuses
        "  - {type: add_unique, name: accounts_email_key, columns: [email],\n"
        "     up: {email: \"coalesce(email, 'x' || id)\"}}\n",
    ],
    ids=["index-and-drop", "unique-with-up"],
)
def test_duckdb_refuses_an_index_that_would_block_contract_before_any_change(
    duckdb_settings: Settings, tmp_path: Path, operations: str
) -> None:
    from tests.fixtures.accounts import create_accounts

    db = Db(duckdb_settings)
    create_accounts(db)
    original = db.rows("accounts")
    spec = load_spec(write_spec(tmp_path, f"name: ix_probe\ntable: accounts\nkey: [id]\noperations:\n{operations}"))
    migration = Migration(Warehouse(duckdb_settings), spec)
    with pytest.raises(InputError, match="DuckDB cannot drop or rename columns"):
        migration.start()
    assert db.rows("accounts") == original
    assert migration.current_run() is None


@pytest.mark.postgres
def test_a_missing_privilege_is_said_as_such_not_as_a_missing_table(
    postgres_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user without USAGE on the table's schema cannot see the table: preflight names the user
    and the grant instead of saying the table does not exist."""
    db = Db(postgres_settings)
    db.execute(f"create schema if not exists {db.schema}")
    db.execute(f"create table {db.schema}.customers (id integer primary key, first_name text, last_name text)")
    db.execute("do $$ begin if not exists (select 1 from pg_roles where rolname = 'ec_limited') then "
               "create role ec_limited login; end if; end $$")  # fmt: skip
    monkeypatch.setenv("PGUSER", "ec_limited")
    migration = Migration(Warehouse(postgres_settings), load_spec(write_spec(tmp_path, spec_text())))
    with pytest.raises(InputError, match=r"exists, but user ec_limited lacks .*USAGE on schema") as raised:
        migration.preflight()
    assert f"grant usage on schema {db.schema} to ec_limited" in raised.value.fix
    assert raised.value.exit_code == 2
    described = migration.warehouse.describe_table(db.schema, "customers", [], [])
    assert described["exists"] and described["hidden"]["user"] == "ec_limited"  # there, not absent
    # The whole command, from the CLI: the first statement it may not run is named as a privilege, exit 2.
    result = CliRunner().invoke(app, ["--target", "postgres", "migrate", "start", str(tmp_path / "spec.yml")])
    assert result.exit_code == 2, result.output
    assert "lacks a privilege: permission denied" in " ".join(result.output.split())
