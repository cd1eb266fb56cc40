"""`harness move` on real engines: DuckDB -> PostgreSQL, PostgreSQL -> another PostgreSQL database,
PostgreSQL -> DuckDB and -> Parquet, with a transformation; NULLs, decimals, floats, timestamps
with time zones, text with quotes, newlines and unicode, a composite key; refusals that change
nothing; a corrupted destination range found by the verification, named with its keys."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.errors import ConnectionFailed, InputError
from harness.move import Endpoint, MoveOptions, MoveResult, run_move
from harness.settings import Settings
from tests.fixtures.warehouse import PG, Db, pg_query

ROWS = 2_500
BATCH = 400

# Every kind of value the move must carry exactly: NULLs in each column, quotes, a newline, a tab,
# non-ASCII letters and an emoji, negative decimals, floats that print differently, instants in
# other time zones.
ORDERS = f"""
create table {{schema}}.orders (
    order_id bigint not null, line_no integer not null, amount decimal(12, 2), price double,
    note varchar, placed_at timestamptz, paid boolean, primary key (order_id, line_no));
insert into {{schema}}.orders
select i // 3 + 1, i % 3 + 1,
       case when i % 17 = 0 then null else (i * 37 % 100000 - 50000) / 100.0 end,
       case when i % 19 = 0 then null else i / 7.0 end,
       case i % 6 when 0 then null when 1 then 'it''s "quoted"' when 2 then e'line one\\nline two\\ttab'
            when 3 then 'Zoë, Ærø, 東京 🚀' else 'plain ' || i end,
       case when i % 23 = 0 then null
            else timestamptz '2024-03-01 12:00:00+00' + i * interval '1 hour 7 minutes 3.25 seconds' end,
       case when i % 5 = 0 then null else i % 2 = 0 end
from generate_series(0, {ROWS - 1}) as t(i);
"""


def create_duckdb_orders(settings: Settings) -> None:
    with duckdb.connect(str(settings.duckdb_path)) as connection:
        connection.execute("set timezone = 'Europe/Berlin'")
        connection.execute(
            ORDERS.format(schema="main").replace(
                "e'line one\\nline two\\ttab'", "'line one' || chr(10) || 'line two' || chr(9) || 'tab'"
            )
        )


def create_postgres_orders(settings: Settings) -> None:
    db = Db(settings)
    db.execute(f"create schema if not exists {db.schema}")
    db.execute("set timezone = 'America/New_York'; " + ORDERS.format(schema=db.schema).replace("double", "float8")
               .replace("i // 3", "i / 3").replace("varchar", "text"))  # fmt: skip
    db.execute(f"create index orders_paid_note on {db.schema}.orders (paid, note) where amount > 0")


@pytest.fixture
def other_database(postgres_settings: Settings) -> Iterator[Settings]:
    """A second PostgreSQL database (created by the test on first use), the same schema name."""
    name = f"{PG['dbname']}_move"
    if not pg_query(f"select 1 from pg_database where datname = '{name}'"):
        pg_query(f'create database "{name}"')
    settings = replace(postgres_settings, pg_database=name)
    schemas = (settings.schema, settings.meta_schema, settings.backup_schema)
    drop = "; ".join(f"drop schema if exists {schema} cascade" for schema in schemas)
    pg_query(drop, dbname=name)
    yield settings
    pg_query(drop, dbname=name)


def table(settings: Settings, name: str = "orders") -> Endpoint:
    return Endpoint(settings=settings, schema=settings.schema or "main", table=name)


def rows_of(settings: Settings, relation: str, database: str | None = None) -> list[tuple[Any, ...]]:
    """Every row, in key order, with each engine's spelling made comparable (instants as epoch
    seconds, decimals as text)."""
    columns = "order_id, line_no, amount::varchar, price, note, placed_at, paid"
    sql = f"select {columns} from {relation} order by order_id, line_no"
    if settings.target == "postgres":
        return [_normalise(row) for row in pg_query(f"set timezone = 'UTC'; {sql}", dbname=database or PG["dbname"])]
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as connection:
        return [_normalise(row) for row in connection.execute(sql).fetchall()]


def parquet_rows(folder: Path) -> list[tuple[Any, ...]]:
    with duckdb.connect() as connection:
        return [_normalise(row) for row in connection.execute(
            f"select order_id, line_no, amount::varchar, price, note, placed_at, paid from "
            f"read_parquet('{folder}/*.parquet') order by order_id, line_no").fetchall()]  # fmt: skip


def _normalise(row: tuple[Any, ...]) -> tuple[Any, ...]:
    order_id, line_no, amount, price, note, placed_at, paid = row
    instant = placed_at.timestamp() if placed_at is not None else None
    return (int(order_id), int(line_no), amount, price, note, instant, paid)


def check_verified(result: MoveResult, rows: int = ROWS) -> None:
    assert result.verified, result.summary(show_values=True)
    assert result.rows_total == rows
    assert {"load", "verify"} <= {step.step for step in result.steps}


def test_duckdb_to_postgres_carries_every_value_exactly(duckdb_settings: Settings, postgres_settings: Settings) -> None:
    create_duckdb_orders(duckdb_settings)
    result = run_move(table(duckdb_settings), table(postgres_settings), MoveOptions(batch_size=BATCH, workers=2))
    check_verified(result)
    assert result.key == ["order_id", "line_no"]  # the source's composite primary key
    assert result.ranges == pytest.approx(ROWS / BATCH, abs=2)
    schema = postgres_settings.schema
    assert rows_of(postgres_settings, f"{schema}.orders") == rows_of(duckdb_settings, "main.orders")
    # Loaded without the key, which is built after the load: it is there now, and statistics too.
    assert pg_query(f"select count(*) from pg_constraint where conrelid = '{schema}.orders'::regclass "
                    "and contype = 'p'") == [(1,)]  # fmt: skip
    assert pg_query(f"select last_analyze is not null or last_autoanalyze is not null from pg_stat_user_tables "
                    f"where relid = '{schema}.orders'::regclass")[0][0]  # fmt: skip
    # Each range is recorded with its checkpoint in the destination's meta schema.
    checkpoints = pg_query(f"select count(*), sum(row_count) from {postgres_settings.meta_schema}.move_checkpoints")
    assert checkpoints == [(result.ranges, ROWS)]


def test_postgres_to_another_postgres_database_with_a_transformation(
    postgres_settings: Settings, other_database: Settings
) -> None:
    create_postgres_orders(postgres_settings)
    options = MoveOptions(batch_size=BATCH, workers=3, transforms={
        "note": "upper(note)", "amount_cents": "cast(amount * 100 as bigint)"})  # fmt: skip
    result = run_move(table(postgres_settings), table(other_database), options)
    check_verified(result)
    schema = other_database.schema
    moved = pg_query(f"select note, amount_cents, amount from {schema}.orders order by order_id, line_no",
                     dbname=other_database.pg_database)  # fmt: skip
    source = pg_query(f"select upper(note), (amount * 100)::bigint, amount from {schema}.orders "
                      "order by order_id, line_no")  # fmt: skip
    assert moved == source
    assert any(note and "ZOË" in note for note, _, _ in moved)
    # Built after the load: the primary key and the source's other index (same definition).
    indexes = pg_query(f"select indexdef from pg_indexes where schemaname = '{schema}' and tablename = 'orders' "
                       "order by indexname", dbname=other_database.pg_database)  # fmt: skip
    assert [definition for (definition,) in indexes] == [
        f"CREATE INDEX orders_paid_note ON {schema}.orders USING btree (paid, note) WHERE (amount > (0)::numeric)",
        f"CREATE UNIQUE INDEX orders_pkey ON {schema}.orders USING btree (order_id, line_no)",
    ]


def test_postgres_to_duckdb_and_to_parquet(postgres_settings: Settings, duckdb_settings: Settings,
                                           tmp_path: Path) -> None:  # fmt: skip
    create_postgres_orders(postgres_settings)
    expected = rows_of(postgres_settings, f"{postgres_settings.schema}.orders")
    to_duckdb = run_move(table(postgres_settings), Endpoint(settings=duckdb_settings, schema="main", table="orders"),
                         MoveOptions(batch_size=BATCH))  # fmt: skip
    check_verified(to_duckdb)
    assert rows_of(duckdb_settings, "main.orders") == expected
    folder = tmp_path / "orders_parquet"
    to_parquet = run_move(table(postgres_settings), Endpoint(folder=folder), MoveOptions(batch_size=BATCH))
    check_verified(to_parquet)
    assert parquet_rows(folder) == expected
    assert len(list(folder.glob("part-*.parquet"))) == to_parquet.ranges
    # ... and back from the Parquet files into DuckDB (a Parquet source has no primary key: --key).
    back = Endpoint(settings=duckdb_settings, schema="main", table="orders_back")
    check_verified(run_move(Endpoint(folder=folder), back, MoveOptions(key=["order_id", "line_no"], batch_size=BATCH)))
    assert rows_of(duckdb_settings, "main.orders_back") == expected


def test_refusals_change_nothing(duckdb_settings: Settings, postgres_settings: Settings) -> None:
    create_duckdb_orders(duckdb_settings)
    source, dest = table(duckdb_settings), table(postgres_settings)
    with pytest.raises(InputError, match="does not exist"):
        run_move(replace(source, table="no_such_table"), dest, MoveOptions())
    assert not pg_query(f"select 1 from pg_namespace where nspname = '{postgres_settings.meta_schema}'")
    db = Db(postgres_settings)
    db.execute(f"create schema {db.schema}; create table {db.schema}.orders (order_id bigint, line_no int)")
    db.execute(f"insert into {db.schema}.orders values (1, 1)")
    with pytest.raises(InputError, match="exists and is not empty") as refused:
        run_move(source, dest, MoveOptions())
    assert refused.value.exit_code == 2 and "--append" in str(refused.value)
    with pytest.raises(InputError, match="key cannot be transformed"):
        run_move(source, dest, MoveOptions(mode="replace", transforms={"order_id": "order_id + 1"}))
    with pytest.raises(InputError, match="outside the row"):
        run_move(source, dest, MoveOptions(mode="replace", transforms={"note": "read_text('/etc/passwd')"}))
    with pytest.raises(InputError, match="integer"):
        run_move(source, dest, MoveOptions(mode="replace", key=["note"]))
    unreachable = replace(postgres_settings, pg_port=1)
    with pytest.raises(ConnectionFailed, match="cannot reach"):
        run_move(source, table(unreachable), MoveOptions())
    assert db.query(f"select * from {db.schema}.orders") == [(1, 1)]  # untouched, every time
    assert not pg_query(f"select 1 from pg_namespace where nspname = '{postgres_settings.meta_schema}'")


def test_replace_takes_a_verified_backup_and_append_adds(
    duckdb_settings: Settings, postgres_settings: Settings
) -> None:
    create_duckdb_orders(duckdb_settings)
    db = Db(postgres_settings)
    db.execute(f"create schema {db.schema}; create table {db.schema}.orders as select 1::bigint as order_id, "
               "1 as line_no, 1.5::numeric(12,2) as amount")  # fmt: skip
    replaced = run_move(table(duckdb_settings), table(postgres_settings), MoveOptions(mode="replace", batch_size=BATCH))
    check_verified(replaced)
    assert replaced.backup and replaced.backup.startswith(f"{postgres_settings.backup_schema}.orders__before_move_")
    backup = replaced.backup.split(" ")[0]
    assert pg_query(f"select order_id, line_no, amount from {backup}") == [(1, 1, pytest.approx(1.5))]
    # Append: a second source with other keys; the verification counts the rows already there.
    with duckdb.connect(str(duckdb_settings.duckdb_path)) as connection:
        connection.execute("create table main.more as select order_id + 10000 as order_id, line_no, amount, price, "
                           "note, placed_at, paid from main.orders where order_id < 100")  # fmt: skip
        added = connection.execute("select count(*) from main.more").fetchone()[0]  # type: ignore[index]
    appended = run_move(table(duckdb_settings, "more"), table(postgres_settings),
                        MoveOptions(key=["order_id", "line_no"], mode="append", batch_size=BATCH))  # fmt: skip
    check_verified(appended, ROWS + added)
    assert db.query(f"select count(*) from {db.schema}.orders") == [(ROWS + added,)]


def test_a_corrupted_destination_range_is_named_with_its_keys(duckdb_settings: Settings,
                                                               postgres_settings: Settings) -> None:  # fmt: skip
    """The destination's own trigger damages what arrives (a value changed, a row dropped): the
    checkpoints say what was sent, the destination's checksums say what it holds."""
    create_duckdb_orders(duckdb_settings)
    db = Db(postgres_settings)
    db.execute(f"""
        create schema {db.schema};
        create table {db.schema}.orders (order_id bigint, line_no integer, amount numeric(12, 2), price float8,
                                         note varchar, placed_at timestamptz, paid boolean);
        create function {db.schema}.tamper() returns trigger language plpgsql as $$
        begin
            if new.order_id = 700 and new.line_no = 1 then return null; end if;
            if new.order_id = 500 and new.line_no = 2 then new.note := 'tampered'; end if;
            return new;
        end $$;
        create trigger tamper before insert on {db.schema}.orders for each row execute function {db.schema}.tamper();
    """)
    result = run_move(table(duckdb_settings), table(postgres_settings), MoveOptions(batch_size=BATCH))
    assert not result.verified
    assert len(result.mismatches) == 2
    keys = {tuple(d.key): d.kind for m in result.mismatches for d in m.keys}
    assert keys == {("500", "2"): "changed", ("700", "1"): "only in source"}
    text = result.summary(show_values=True)
    assert "(500, 2)" in text and "(700, 1)" in text and "rows expected" in text
    assert "500" not in result.summary(show_values=False)  # keys are values from rows: redacted by default
    # The run is recorded as failed, and no key is built on a table that failed verification.
    assert pg_query(f"select state from {postgres_settings.meta_schema}.move_runs") == [("failed_verification",)]
    assert "index" not in [step.step for step in result.steps]


def test_cli_move_reports_json_and_junit_and_exit_codes(
    duckdb_settings: Settings, postgres_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_duckdb_orders(duckdb_settings)
    for name, value in {**duckdb_settings.environment(), **postgres_settings.environment()}.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    common = ["--meta-schema", postgres_settings.meta_schema, "--backup-schema", postgres_settings.backup_schema]
    args = [*common, "move", "main.orders", f"{postgres_settings.schema}.orders", "--source-target", "duckdb",
            "--dest-target", "postgres", "--batch-size", str(BATCH), "--transform", "note=lower(note)",
            "--json", str(tmp_path / "move.json"), "--junit-xml", str(tmp_path / "move.xml")]  # fmt: skip
    moved = runner.invoke(app, args, terminal_width=200)
    assert moved.exit_code == 0, moved.output
    data = json.loads((tmp_path / "move.json").read_text())
    assert data["verified"] and data["rows_total"] == ROWS and data["key"] == ["order_id", "line_no"]
    assert 'tests="3"' in (tmp_path / "move.xml").read_text()  # load, verify, index
    again = runner.invoke(app, args, terminal_width=200)
    assert again.exit_code == 2 and "not empty" in again.output
    assert runner.invoke(app, ["move", "--help"], terminal_width=200).output.count("Example:") == 1
