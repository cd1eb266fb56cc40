"""The generated restore script, run twice by the database's own CLI (psql, duckdb) without the
harness, restores the table exactly (the before-snapshot's checksums); it holds no secrets."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.documents.restore_script import build_restore_script
from harness.errors import StateError
from harness.lifecycle.migration import Migration
from harness.settings import Settings
from harness.spec import load_spec
from harness.validation.compare import compare_snapshots
from harness.warehouse import Warehouse
from tests.fixtures.accounts import create_accounts, sync_objects
from tests.fixtures.warehouse import CUSTOMERS_SPEC, PG, Db, write_spec


def duckdb_cli(tmp_path: Path) -> str:
    """The DuckDB CLI from the duckdb-cli package (its wheel installs the binary without the
    executable bit, so a copy is made executable)."""
    installed = Path(sys.executable).parent / "duckdb"
    assert installed.is_file(), "the DuckDB CLI is a dev dependency: pip install -e '.[dev]'"
    if os.access(installed, os.X_OK):
        return str(installed)
    runnable = tmp_path / "duckdb"
    shutil.copy(installed, runnable)
    runnable.chmod(runnable.stat().st_mode | stat.S_IXUSR)
    return str(runnable)


def run_cli(db: Db, script: Path, tmp_path: Path) -> None:
    if db.adapter == "postgres":
        command = ["psql", "-h", PG["host"], "-p", str(PG["port"]), "-U", PG["user"], "-d", PG["dbname"],
                   "-v", "ON_ERROR_STOP=1", "-q", "-f", str(script)]  # fmt: skip
        subprocess.run(command, check=True, capture_output=True, text=True)
    else:
        with script.open() as sql:
            subprocess.run(
                [duckdb_cli(tmp_path), "-bail", str(db.settings.duckdb_path)],
                stdin=sql,
                check=True,
                capture_output=True,
            )


def migrate_then_restore_twice(
    migration: Migration, db: Db, tmp_path: Path, stop_after: str, table: str,
    before_restore: Callable[[], None] = lambda: None,
) -> tuple[Path, list[tuple[object, ...]]]:  # fmt: skip
    """Runs the migration to `stop_after` (then `before_restore`: writes, say), writes the restore
    script and runs it twice (it is idempotent), each time checking the table equals its rows from
    before; returns the script."""
    original = db.rows(table)
    migration.start()
    if stop_after == "complete":
        migration.complete()
    before_restore()
    script = tmp_path / "restore.sql"
    script.write_text(build_restore_script(migration))
    for _ in range(2):
        run_cli(db, script, tmp_path)
        assert db.rows(table) == original
    return script, original


@pytest.mark.parametrize("stop_after", ["start", "complete"])
def test_script_run_twice_by_the_cli_restores_the_before_snapshot(
    loaded: Warehouse, db: Db, tmp_path: Path, stop_after: str
) -> None:
    migration = Migration(loaded, load_spec(CUSTOMERS_SPEC))
    script, _ = migrate_then_restore_twice(migration, db, tmp_path, stop_after, "customers")
    run = migration.current_run()
    assert run is not None
    restored = loaded.snapshot(db.schema, "customers")
    assert all(check.passed for check in compare_snapshots(run.snapshots["before"], restored))
    text = script.read_text().lower()
    assert "password" not in text and "postgresql://" not in text


def test_a_damaged_backup_stops_the_script_before_it_changes_anything(
    loaded: Warehouse, db: Db, tmp_path: Path
) -> None:
    """The script's first statement checks the backup against its recorded checksums: a row
    changed in the backup since makes the CLI stop there, and the table (contracted) is as it was."""
    migration = Migration(loaded, load_spec(CUSTOMERS_SPEC))
    migration.start()
    migration.complete()
    script = tmp_path / "restore.sql"
    script.write_text(build_restore_script(migration))
    run = migration.current_run()
    assert run is not None and run.backup_relation
    db.execute(f"update {run.backup_relation} set last_name = 'Z.' where id = 3")
    rows, columns = db.rows("customers"), db.columns("customers")
    with pytest.raises(subprocess.CalledProcessError) as failed:
        run_cli(db, script, tmp_path)
    assert "no longer matches the checksums recorded" in str(failed.value.stderr)
    assert db.rows("customers") == rows and db.columns("customers") == columns


def test_no_script_without_a_verified_backup(loaded: Warehouse) -> None:
    with pytest.raises(StateError, match="no verified backup"):
        build_restore_script(Migration(loaded, load_spec(CUSTOMERS_SPEC)))


TABLE_OPERATIONS = """
name: accounts_moved
table: accounts
key: [id]
concurrent_writes: {live}
operations:
  - {{type: rename_column, column: email, to: email_address}}
  - {{type: add_column, column: tier, data_type: varchar(10), up: "case when score > 60 then 'gold' else 'basic' end"}}
  - type: create_table
    table: account_notes
    columns: {{id: integer, note: varchar(50)}}
  - {{type: rename_table, to: members}}
  - type: raw_sql
    up: "create table {schema}.audit_log (note varchar(20))"
    down: "drop table if exists {schema}.audit_log"
"""


@pytest.mark.parametrize(
    ("stop_after", "rewrite"), [("start", False), ("complete", False), ("start", True), ("complete", True)]
)
def test_script_undoes_tables_renames_raw_sql_and_triggers_too(
    settings: Settings, db: Db, tmp_path: Path, stop_after: str, rewrite: bool
) -> None:
    """(`rewrite`: the same operations through rewrite_table: its new table and both triggers go too.)"""
    create_accounts(db)
    live = "true" if db.adapter == "postgres" else "false"  # with the sync trigger where there is one
    text = TABLE_OPERATIONS.format(live=live, schema=db.schema) + ("  - {type: rewrite_table}\n" if rewrite else "")
    migration = Migration(Warehouse(settings), load_spec(write_spec(tmp_path, text)))
    migrate_then_restore_twice(migration, db, tmp_path, stop_after, "accounts", before_restore=lambda: db.execute(
        f"insert into {db.schema}.account_notes values (1, 'written since')"))  # fmt: skip
    tables = {name for (name,) in db.query(
        f"select table_name from information_schema.tables where table_schema = '{db.schema}'"
    )}  # fmt: skip
    # members, audit_log and every view are gone; account_notes, which create_table made, is renamed
    # aside with the row written into it since.
    run = migration.current_run()
    assert run is not None
    aside = f"account_notes__{run.run_id}_created"
    assert tables == {"accounts", "statuses", aside}
    assert db.query(f"select id, note from {db.schema}.{aside}") == [(1, "written since")]
    if db.adapter == "postgres":
        assert sync_objects(db) == []
