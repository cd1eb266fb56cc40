"""Dual write while both shapes exist: PostgreSQL sync triggers (installed at expand, removed at
contract and rollback); DuckDB, which has no triggers, refuses to promise it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from harness.errors import InputError, ValidationFailed
from harness.lifecycle.migration import Migration
from harness.lifecycle.step import NullReporter
from harness.settings import Settings
from harness.spec import load_spec
from harness.warehouse import Warehouse
from tests.fixtures.accounts import SPLIT_AND_RETYPE, create_accounts, sync_objects
from tests.fixtures.warehouse import Db, write_spec


def start(settings: Settings, tmp_path: Path, db: Db, spec: str = SPLIT_AND_RETYPE) -> Migration:
    create_accounts(db)
    migration = Migration(Warehouse(settings), load_spec(write_spec(tmp_path, spec)))
    migration.start()
    return migration


def test_writes_through_either_shape_reach_the_other(postgres_settings: Settings, tmp_path: Path) -> None:
    db = Db(postgres_settings)
    migration = start(postgres_settings, tmp_path, db)
    # The sync trigger and its function; the new shape's INSTEAD OF trigger (on accounts_v2) and its function.
    assert sorted(name for (name,) in sync_objects(db)) == ["accounts__ec_sync"] * 2 + ["accounts__ec_write"] * 2
    s = db.schema
    # Old shape (the table itself, as the running application writes it).
    db.execute(
        f"insert into {s}.accounts (id, email, score, nickname, full_name) values (100, 'a@x', 9, 'n', 'Ann Lee')"
    )
    db.execute(f"update {s}.accounts set full_name = 'Bo Diddley', score = 50 where id = 1")
    # New shape (the v2 view: renamed column, split name, numeric score).
    db.execute(
        f"insert into {s}.accounts_v2 (id, email_address, score, nickname, first_name, last_name) "
        "values (101, 'b@x', 12.5, 'm', 'Cy', 'Young')"
    )
    db.execute(f"update {s}.accounts_v2 set last_name = 'Smith', score = 4.5 where id = 2")
    old = dict(
        (row[0], row[1:])
        for row in db.query(f"select id, full_name, score, email from {s}.accounts_v1 where id in (1, 2, 100, 101)")
    )
    new = dict(
        (row[0], row[1:])
        for row in db.query(
            f"select id, first_name, last_name, score, email_address from {s}.accounts_v2 where id in (1, 2, 100, 101)"
        )
    )
    assert old[100] == ("Ann Lee", 9, "a@x") and new[100][:2] == ("Ann", "Lee") and float(new[100][2]) == 4.5
    assert old[1][:2] == ("Bo Diddley", 50) and new[1][:2] == ("Bo", "Diddley") and float(new[1][2]) == 25
    assert old[101] == ("Cy Young", 25, "b@x") and new[101][:2] == ("Cy", "Young")
    assert old[2][:2] == ("First2 Smith", 9) and new[2][:2] == ("First2", "Smith")
    report = migration.validate(record=False)  # concurrent_writes: shape, derived columns, counts in tolerance
    assert report.passed, [c for c in report.failures]
    migration.rollback()
    assert sync_objects(db) == []


def test_contract_removes_the_sync_trigger(postgres_settings: Settings, tmp_path: Path) -> None:
    db = Db(postgres_settings)
    migration = start(postgres_settings, tmp_path, db)
    assert len(sync_objects(db)) == 4
    migration.complete()
    assert sync_objects(db) == []
    db.execute(f"insert into {db.schema}.accounts (id, nickname, first_name) values (200, 'z', 'Zed')")
    assert db.query(f"select last_name from {db.schema}.accounts where id = 200") == [(None,)]  # no trigger left


def test_duckdb_refuses_concurrent_writes_clearly(duckdb_settings: Settings, tmp_path: Path) -> None:
    db = Db(duckdb_settings)
    create_accounts(db)
    original = db.rows("accounts")
    migration = Migration(Warehouse(duckdb_settings), load_spec(write_spec(tmp_path, SPLIT_AND_RETYPE)))
    with pytest.raises(InputError, match="duckdb has no triggers") as raised:
        migration.start()
    assert "run it on PostgreSQL" in (raised.value.fix or "")
    assert db.rows("accounts") == original


def test_rewrite_keeps_both_tables_in_step(postgres_settings: Settings, tmp_path: Path) -> None:
    """rewrite_table with writers: inserts, updates and deletes on the old table reach the new one
    (through `up`), and those through the new shape (its table) reach the old one (through
    `down`); contract swaps the new table in with every write, and no trigger is left."""
    db = Db(postgres_settings)
    migration = start(postgres_settings, tmp_path, db, SPLIT_AND_RETYPE + "  - {type: rewrite_table}\n")
    assert len(sync_objects(db)) == 4  # a trigger and its function on each table
    s = db.schema
    db.execute(
        f"insert into {s}.accounts (id, email, score, nickname, full_name) values (100, 'a@x', 9, 'n', 'Ann Lee')"
    )
    db.execute(f"update {s}.accounts set full_name = 'Bo Diddley', score = 50 where id = 1")
    db.execute(f"delete from {s}.accounts where id = 3")
    db.execute(
        f"insert into {s}.accounts_v2 (id, email_address, score, nickname, first_name, last_name) "
        "values (101, 'b@x', 12.5, 'm', 'Cy', 'Young')"
    )
    db.execute(f"update {s}.accounts_v2 set last_name = 'Smith', score = 4.5 where id = 2")
    db.execute(f"delete from {s}.accounts_v2 where id = 4")
    ids = "(1, 2, 3, 4, 100, 101)"
    old = {
        row[0]: row[1:] for row in db.query(f"select id, full_name, score, email from {s}.accounts where id in {ids}")
    }
    new_rows = db.query(
        f"select id, first_name, last_name, score, email_address from {s}._ec_new_accounts where id in {ids}"
    )
    new = {row[0]: (row[1], row[2], float(row[3]), row[4]) for row in new_rows}
    assert sorted(old) == sorted(new) == [1, 2, 100, 101]
    assert old[100] == ("Ann Lee", 9, "a@x") and new[100] == ("Ann", "Lee", 4.5, "a@x")
    assert old[1][:2] == ("Bo Diddley", 50) and new[1][:3] == ("Bo", "Diddley", 25.0)
    assert old[101] == ("Cy Young", 25, "b@x") and new[101] == ("Cy", "Young", 12.5, "b@x")
    assert old[2][:2] == ("First2 Smith", 9) and new[2][:3] == ("First2", "Smith", 4.5)
    report = migration.validate(record=False)
    assert report.passed, [c for c in report.failures]
    migration.complete()
    assert sync_objects(db) == []
    final_rows = db.query(f"select id, first_name, last_name from {s}.accounts where id in {ids}")
    final = {row[0]: row[1:] for row in final_rows}
    assert final == {1: ("Bo", "Diddley"), 2: ("First2", "Smith"), 100: ("Ann", "Lee"), 101: ("Cy", "Young")}


def test_rewrite_rollback_removes_triggers_and_the_new_table(postgres_settings: Settings, tmp_path: Path) -> None:
    db = Db(postgres_settings)
    migration = start(postgres_settings, tmp_path, db, SPLIT_AND_RETYPE + "  - {type: rewrite_table}\n")
    assert len(sync_objects(db)) == 4
    migration.rollback()
    assert sync_objects(db) == []
    assert db.query(f"select to_regclass('{db.schema}._ec_new_accounts') is null") == [(True,)]


# Every column of the old shape has a default, so a write through the new shape leaves the old-only
# columns at a non-NULL value: the sync trigger must know the new shape wrote without guessing.
DEFAULTS = (
    "alter table {s}.accounts alter column score set default 0, alter column full_name set default 'No Body', "
    "alter column nickname set default 'anon', alter column email set default 'none@example.com'"
)


@dataclass(frozen=True)
class Shapes:
    """One syncing operation; a row written through each shape; what the other shape must read."""

    operation: str
    new_write: dict[str, Any]  # written through accounts_v2 (id 101)
    old_sees: dict[str, Any]  # read through accounts_v1 for that row (`down`, or the same value)
    old_write: dict[str, Any]  # written to the table itself (id 100)
    new_sees: dict[str, Any]  # read through accounts_v2 for that row (`up`, or the same value)
    against_up: str | None = None  # a rule validation must report: the new shape wrote values `up` would not give


SYNCED = {
    "change_type": Shapes(
        "{type: change_type, column: score, data_type: 'numeric(10, 2)', up: score / 2.0, "
        "down: cast(score * 2 as integer)}",
        {"score": Decimal("12.50"), "nickname": "m"},
        {"score": 25, "nickname": "m"},
        {"score": 9, "nickname": "n"},
        {"score": Decimal("4.50")},
    ),
    "set_not_null": Shapes(
        "{type: set_not_null, column: email, up: \"coalesce(email, 'unknown@example.com')\"}",
        {"email": "b@x", "nickname": "m"},
        {"email": "b@x"},
        {"email": None, "nickname": "n"},
        {"email": "unknown@example.com"},
    ),
    "split_column": Shapes(
        "{type: split_column, column: full_name, down: \"first_name || ' ' || last_name\", into: ["
        "{column: first_name, data_type: varchar(50), up: \"split_part(full_name, ' ', 1)\"}, "
        "{column: last_name, data_type: varchar(50), up: \"split_part(full_name, ' ', 2)\"}]}",
        {"first_name": "Cy", "last_name": "Young", "nickname": "m"},
        {"full_name": "Cy Young"},
        {"full_name": "Ann Lee", "nickname": "n"},
        {"first_name": "Ann", "last_name": "Lee"},
    ),
    "merge_columns": Shapes(
        "{type: merge_columns, columns: [nickname, status], into: {column: label, data_type: varchar(80), "
        "up: \"nickname || ':' || status\"}, down: {nickname: \"split_part(label, ':', 1)\", "
        "status: \"split_part(label, ':', 2)\"}}",
        {"label": "m:active"},
        {"nickname": "m", "status": "active"},
        {"nickname": "n", "status": "paused"},
        {"label": "n:paused"},
    ),
    "add_column": Shapes(
        "{type: add_column, column: tier, data_type: varchar(10), "
        "up: \"case when score > 60 then 'gold' else 'basic' end\"}",
        {"tier": "gold", "score": 1, "nickname": "m"},
        {"score": 1},
        {"score": 90, "nickname": "n"},
        {"tier": "gold"},
        against_up="tier = up",  # rows 100, 101, 103: tier 'gold' written with score 1, stored as written
    ),
    "drop_column": Shapes(
        "{type: drop_column, column: full_name, down: \"'(from v2) ' || nickname\"}",
        {"nickname": "m"},
        {"full_name": "(from v2) m"},
        {"full_name": "Ann Lee", "nickname": "n"},
        {"nickname": "n"},
    ),
}


def _literal(value: Any) -> str:
    return "null" if value is None else f"'{value}'" if isinstance(value, str) else str(value)


def _insert(db: Db, relation: str, values: dict[str, Any], returning: str = "") -> list[tuple[Any, ...]]:
    listed = ", ".join(_literal(value) for value in values.values())
    return db.query(f"insert into {db.schema}.{relation} ({', '.join(values)}) values ({listed}) {returning}")


def _read(db: Db, relation: str, row_id: int, columns: list[str]) -> dict[str, Any]:
    rows = db.query(f"select {', '.join(columns)} from {db.schema}.{relation} where id = {row_id}")
    return dict(zip(columns, rows[0], strict=True))


@pytest.mark.parametrize("case_name", list(SYNCED))
def test_each_shape_stores_exactly_what_it_wrote_whatever_the_defaults(
    postgres_settings: Settings, tmp_path: Path, case_name: str
) -> None:
    """Writes through either shape, with a default on every old-only column: each value stored is
    what was written, or what `up`/`down` computes for the other shape. Inserts, updates and
    deletes through `accounts_v2`, and an insert through `accounts_current` once it points at v2."""
    case = SYNCED[case_name]
    db = Db(postgres_settings)
    create_accounts(db)
    db.execute(DEFAULTS.replace("{s}", db.schema))
    spec = (
        f"name: accounts_sync\ntable: accounts\nkey: [id]\nconcurrent_writes: true\n"
        f"checks: {{row_count_tolerance: 0.5}}\noperations:\n  - {case.operation}\n"
    )
    migration = Migration(Warehouse(postgres_settings), load_spec(write_spec(tmp_path, spec)))
    migration.start()
    _insert(db, "accounts_v2", {"id": 101, **case.new_write})
    assert _read(db, "accounts_v2", 101, list(case.new_write)) == case.new_write
    assert _read(db, "accounts_v1", 101, list(case.old_sees)) == case.old_sees
    _insert(db, "accounts", {"id": 100, **case.old_write})
    assert _read(db, "accounts_v1", 100, list(case.old_write)) == case.old_write
    assert _read(db, "accounts_v2", 100, list(case.new_sees)) == case.new_sees
    # An update through the new shape of a row the old shape wrote: the new values, exactly.
    assignments = ", ".join(f"{column} = {_literal(value)}" for column, value in case.new_write.items())
    db.execute(f"update {db.schema}.accounts_v2 set {assignments} where id = 100")
    assert _read(db, "accounts_v2", 100, list(case.new_write)) == case.new_write
    assert _read(db, "accounts_v1", 100, list(case.old_sees)) == case.old_sees
    # A column left out of the insert gets the table's default (status: 'new'); RETURNING shows it.
    assert _insert(db, "accounts_v2", {"id": 102, **case.new_write}, returning="returning id") == [(102,)]
    if "status" in db.columns("accounts_v2"):
        assert _read(db, "accounts_v2", 102, ["status"]) == {"status": "new"}
    db.execute(f"delete from {db.schema}.accounts_v2 where id = 102")
    assert db.query(f"select count(*) from {db.schema}.accounts where id = 102") == [(0,)]
    migration.warehouse.switch_version(db.schema, "accounts", "v2")
    _insert(db, "accounts_current", {"id": 103, **case.new_write})
    assert _read(db, "accounts_v1", 103, list(case.old_sees)) == case.old_sees
    report = migration.validate(record=False)
    if case.against_up:  # stored as written; validation says where the rows and `up` disagree
        assert [(check.name, check.actual) for check in report.failures] == [(case.against_up, "3 rows differ")]
        migration.rollback()
        assert sync_objects(db) == []
        return
    assert report.passed, report.failures
    migration.complete()
    assert sync_objects(db) == []
    for row_id in (100, 101, 103):
        assert _read(db, "accounts", row_id, list(case.new_write)) == case.new_write


def test_a_write_through_v2_gets_the_identity_the_table_would_give(postgres_settings: Settings, tmp_path: Path) -> None:
    """An identity key left out of an insert through `<table>_v2` is generated as the table would
    (the view column's default is the identity's sequence), and RETURNING shows the stored row."""
    db = Db(postgres_settings)
    s = db.schema
    db.execute(f"create schema if not exists {s}")
    db.execute(f"create table {s}.items (id bigint generated always as identity primary key, price integer default 5)")
    db.execute(f"insert into {s}.items (price) select i from generate_series(1, 10) i")
    spec = ("name: items_sync\ntable: items\nkey: [id]\nconcurrent_writes: true\nchecks: {row_count_tolerance: 1}\n"
            "operations:\n  - {type: change_type, column: price, data_type: bigint}\n")  # fmt: skip
    migration = Migration(Warehouse(postgres_settings), load_spec(write_spec(tmp_path, spec)))
    migration.start()
    assert db.query(f"insert into {s}.items_v2 (price) values (42) returning id, price") == [(11, 42)]
    assert db.query(f"insert into {s}.items_v2 default values returning id, price") == [(12, 5)]
    assert db.query(f"select id, price from {s}.items_v1 where id > 10 order by id") == [(11, 42), (12, 5)]
    migration.complete()
    assert db.query(f"select id, price from {s}.items where id > 10 order by id") == [(11, 42), (12, 5)]


class AppendingWriter(NullReporter):
    """After every backfill call, a writer appends rows at the end of the key space (new ids), as
    an application inserting orders does: the backfill must end all the same."""

    def __init__(self, db: Db, rows_per_call: int) -> None:
        self.db, self.rows_per_call, self.next_id, self.calls = db, rows_per_call, 1000, 0

    def backfill_progress(self, rows_done: int, rows_total: int, rows_per_second: float) -> None:
        self.calls += 1
        assert self.calls < 50, "the backfill is chasing the writer"
        for _ in range(self.rows_per_call):
            self.next_id += 1
            self.db.execute(f"insert into {self.db.schema}.accounts (id, nickname, full_name) "
                            f"values ({self.next_id}, 'w', 'New Writer{self.next_id}')")  # fmt: skip


def test_the_backfill_ends_while_a_writer_appends_rows(postgres_settings: Settings, tmp_path: Path) -> None:
    """The backfill covers the keys there were when it started; the rows appended since get the new
    shape's values from the sync trigger, so every row is right and the backfill never chases them."""
    db = Db(postgres_settings)
    create_accounts(db)
    writer = AppendingWriter(db, rows_per_call=9)  # more per call than a batch takes
    spec = load_spec(write_spec(tmp_path, SPLIT_AND_RETYPE.replace("batch_size: 9", "batch_size: 7")))
    migration = Migration(Warehouse(postgres_settings), spec, writer, batches_per_call=1)
    with pytest.raises(ValidationFailed, match="1 of 7 checks failed: row count"):  # (the table more than doubled)
        migration.start()
    assert writer.calls <= 7  # ceil(40 / 7) calls: the 40 rows there were, not the ones appended since
    # Every row, there before or appended since, holds the new shape's values as `up` computes them.
    differs = "first_name is distinct from split_part(full_name, ' ', 1) or last_name is distinct from " \
              "split_part(full_name, ' ', 2)"  # fmt: skip
    wrong = db.query(f"select count(*) filter (where {differs}), count(*) from {db.schema}.accounts")
    assert wrong == [(0, 40 + writer.calls * 9)]
