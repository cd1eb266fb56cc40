"""Dual write while both shapes exist: PostgreSQL sync triggers (installed at expand, removed at
contract and rollback); DuckDB, which has no triggers, refuses to promise it."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import InputError
from harness.lifecycle.migration import Migration
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
    assert len(sync_objects(db)) == 2  # the trigger and its function
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
    assert len(sync_objects(db)) == 2
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
