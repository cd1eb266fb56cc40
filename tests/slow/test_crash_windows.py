"""Every crash window of every command, on both adapters: the harness killed with SIGKILL after
each transaction it commits (between a step's statements, and between a step's last commit and
its journal line) and between each step's work and its journal line; then the same command,
run again, finishes the job: the rows are exact, and a rollback from the crashed state gives the
before-rows and the before-catalog back."""

from __future__ import annotations

import shutil
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from harness import faults
from harness.engines import release_embedded_connections
from harness.lifecycle import backfill, backup, contract, rollback
from harness.lifecycle.migration import Migration
from harness.settings import Settings
from harness.spec import load_spec
from harness.warehouse import Warehouse
from tests.fixtures.catalog import catalog, relations
from tests.fixtures.warehouse import Db, write_spec
from tests.slow.test_crash import harness_command

pytestmark = pytest.mark.slow

ROWS = 60
# Every kind of step: a snapshot and a backup, expand's DDL, the versioned views, a backfill,
# validation, the switch, the contract; on PostgreSQL also a sync trigger, an index built after the
# backfill (settle) and one dropped at contract (DuckDB drops no column of a table with an index).
SPEC = """
name: orders_total
table: orders
key: [region, id]
batch_size: 25
concurrent_writes: {postgres}
operations:
  - {{type: add_column, column: total_cents, data_type: bigint, up: "amount * 100 + region"}}
  - {{type: drop_column, column: amount, down: "total_cents / 100"}}
"""
INDEXES = """
  - {type: create_index, name: orders_total_idx, columns: [total_cents]}
  - {type: drop_index, name: orders_region_idx}
"""
# The same command again, then the rest of the lifecycle; and what runs before the command.
FINISH: dict[str, Callable[[Migration], object]] = {
    "start": lambda migration: (migration.start(), migration.complete()),
    "complete": Migration.complete,
    "rollback": Migration.rollback,
    "reverse": Migration.rollback,
    "restore": Migration.restore_from_backup,
}
BEFORE: dict[str, Callable[[Migration], object]] = {
    "complete": Migration.start,
    "rollback": Migration.start,  # validated: the undo
    "reverse": lambda migration: (migration.start(), migration.complete()),  # contracted: the reverse migration
    "restore": lambda migration: (migration.start(), migration.complete()),  # contracted: the disaster path
}


def crash_spec(settings: Settings, tmp_path: Path) -> Path:
    """The spec; on PostgreSQL with writers declared (synced) and the indexes."""
    postgres = settings.target == "postgres"
    return write_spec(tmp_path, SPEC.format(postgres=str(postgres).lower()) + (INDEXES if postgres else ""))


def fresh_orders(db: Db, settings: Settings) -> None:
    """A new warehouse for one crash: no state, no backup, the table as it was."""
    if settings.target == "postgres":
        for suffix in ("", "_meta", "_backup", "_backup_scratch"):
            db.execute(f"drop schema if exists {db.schema}{suffix} cascade")
    else:
        release_embedded_connections()
        for suffix in ("", ".wal"):
            Path(f"{settings.duckdb_path}{suffix}").unlink(missing_ok=True)
        shutil.rmtree(settings.output_dir, ignore_errors=True)
    db.execute(f"create schema if not exists {db.schema}")
    db.execute(f"create table {db.schema}.orders (region integer not null, id integer not null, amount integer, "
               "primary key (region, id))")  # fmt: skip
    if settings.target == "postgres":
        db.execute(f"create index orders_region_idx on {db.schema}.orders (region)")
    db.execute(
        f"insert into {db.schema}.orders select cast(i % 3 as integer), cast(i as integer), cast(i * 7 as integer) "
        f"from generate_series(1, {ROWS}) as t(i)"
    )


def kill_9_or_finish(point: str, number: int, command: list[str], env: dict[str, str]) -> bool:
    """Runs a harness command with `EC_FAULT=point:number`: True when it reached the point (and was
    killed there with SIGKILL), False when it finished first (exit 0)."""
    process = subprocess.Popen(command, env={**env, faults.ENV: f"{point}:{number}"}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert process.stderr is not None
    reached, seen = False, []
    for line in process.stderr:
        seen.append(line)
        if line.startswith(faults.FAULT_MARKER):
            reached = True
            process.send_signal(signal.SIGKILL)
            break
    process.wait()
    process.stderr.close()
    if reached:
        assert process.returncode == -signal.SIGKILL
    else:
        assert process.returncode == 0, f"the harness failed before {point} {number}: {''.join(seen)[-3000:]}"
    return reached


def command_for(settings: Settings, spec: Path, command: str) -> tuple[list[str], dict[str, str]]:
    command = "rollback" if command == "reverse" else command  # (rollback after contract)
    argv, env = harness_command(settings, spec, command)
    if command in ("rollback", "restore"):  # `harness rollback <spec>`, not a `migrate` subcommand
        argv[argv.index("migrate") : argv.index(command) + 1] = [command]
    return argv + (["--from-backup"] if command == "restore" else []), env


def crash_then(db: Db, settings: Settings, spec: Path, command: str, point: str, number: int,
               after: Callable[[Migration], object]) -> bool:  # fmt: skip
    """A fresh table, the lifecycle up to `command`, the command killed at `point` `number`, then
    `after` run on the crashed state. False when the command finished before the point."""
    fresh_orders(db, settings)
    if command in BEFORE:
        BEFORE[command](Migration(Warehouse(settings), load_spec(spec)))
    release_embedded_connections()  # (DuckDB: one process at a time on the file)
    fault = point if point == "transaction" else f"step.{point}"
    if not kill_9_or_finish(fault, number, *command_for(settings, spec, command)):
        return False
    after(Migration(Warehouse(settings), load_spec(spec)))
    return True


def expected_rows(db: Db) -> list[tuple[object, ...]]:
    return db.query(f"select region, id, amount * 100 + region from {db.schema}.orders order by region, id")


@pytest.mark.parametrize("command", ["start", "complete", "rollback", "reverse", "restore"])
def test_kill_9_after_every_transaction_then_the_same_command_finishes_exactly(
    settings: Settings, db: Db, tmp_path: Path, command: str
) -> None:
    """After each DDL transaction the command commits (the n-th, for every n until the command
    runs to its end first), SIGKILL; then the same command finishes: migrated rows exact, or
    after a rollback the before-rows and before-catalog."""
    spec = crash_spec(settings, tmp_path)
    fresh_orders(db, settings)
    before_rows, before_catalog, before_relations = db.rows("orders", order_by="region, id"), catalog(db, "orders"), \
        relations(db)  # fmt: skip
    migrated = expected_rows(db)
    number = 1
    while crash_then(db, settings, spec, command, "transaction", number, FINISH[command]):
        if command in ("rollback", "reverse", "restore"):
            assert db.rows("orders", order_by="region, id") == before_rows, f"after transaction {number}"
            assert catalog(db, "orders") == before_catalog and relations(db) == before_relations, number
        else:
            got = db.query(f"select region, id, total_cents from {db.schema}.orders order by region, id")
            assert got == migrated, f"killed after transaction {number}"
            assert "amount" not in db.columns("orders")
        number += 1
    assert number > 2, f"{command} committed {number - 1} DDL transaction(s): the sweep saw too few windows"


# The steps whose last work is not a counted DDL transaction (those are swept above).
@pytest.mark.parametrize(("command", "point"), [
    ("start", backup.SNAPSHOT), ("start", backup.BACKUP), ("start", backfill.NAME), ("start", "validate"),
    ("complete", contract.NAME), ("rollback", rollback.PROVE),
])  # fmt: skip
def test_kill_9_between_each_steps_work_and_its_journal_line(
    settings: Settings, db: Db, tmp_path: Path, command: str, point: str
) -> None:
    """Each step's widest window: its work done, the process killed before its journal line.
    Run again: the exact result; rolled back from there (once the table may have changed): the
    before-rows and before-catalog (after a contract whose journal line was lost, the migration run
    backwards from the archive, found by its name)."""
    spec = crash_spec(settings, tmp_path)
    fresh_orders(db, settings)
    before_rows, before_catalog = db.rows("orders", order_by="region, id"), catalog(db, "orders")
    migrated = expected_rows(db)
    if command != "rollback":
        assert crash_then(db, settings, spec, command, point, 1, FINISH[command])
        got = db.query(f"select region, id, total_cents from {db.schema}.orders order by region, id")
        assert got == migrated
    if point in (backup.SNAPSHOT, backup.BACKUP):
        return  # (nothing is changed before the backup: the rollback from there is the backup's own test)
    assert crash_then(db, settings, spec, command, point, 1, Migration.rollback)
    assert db.rows("orders", order_by="region, id") == before_rows
    assert catalog(db, "orders") == before_catalog
