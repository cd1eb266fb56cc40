"""The demo migration's lifecycle on both adapters: counts, checksums, contract, rollback."""

from __future__ import annotations

from typing import Any

import pytest

from harness.demo import run_demo
from harness.errors import GuardRefused, StateError
from harness.lifecycle.migration import Migration
from harness.lifecycle.step import NullReporter
from harness.settings import Settings
from harness.spec import load_spec
from harness.warehouse import Warehouse
from tests.fixtures.catalog import catalog
from tests.fixtures.warehouse import CUSTOMERS_SPEC, Db

RAW_ROWS = 100


def migration(warehouse: Warehouse, reporter: Any = None) -> Migration:
    # One batch per call, so a reporter can "crash" the process between two committed batches.
    return Migration(warehouse, load_spec(CUSTOMERS_SPEC), reporter, lock_backoff_seconds=0.05, batches_per_call=1)


def test_demo_contracts_then_rollback_restores_exact_checksum_twice(settings: Settings, db: Db) -> None:
    for _ in range(2):  # the demo must work again on a warehouse it already ran in
        result = run_demo(settings)
        assert sorted(result.columns_after_contract) == ["full_name", "id"]
        steps = {step.step: step for step in result.steps}
        assert steps["backfill"].rows == RAW_ROWS
        assert steps["prove rollback"].result == "checksum equals before-snapshot"
        assert db.columns("customers") == ["id", "first_name", "last_name"]
        assert db.rows("customers") == db.rows("raw_customers")
    states = db.query(f"select state from {settings.meta_schema}.migration_runs order by created_at")
    assert [state for (state,) in states] == ["rolled_back", "rolled_back"]


def test_start_backfills_and_validates_with_both_shapes_readable(loaded: Warehouse, db: Db) -> None:
    steps = migration(loaded).start()
    assert [s.step for s in steps] == ["snapshot before", "backup + verify", "expand", "backfill", "validate"]
    rows = db.query("select first_name, last_name, full_name from customers")
    assert len(rows) == RAW_ROWS
    assert all(full == f"{first} {last}" for first, last, full in rows)
    assert db.columns("customers_v1") == ["id", "first_name", "last_name"]
    assert db.columns("customers_v2") == ["id", "full_name"]
    assert db.columns("customers_current") == ["id", "first_name", "last_name"]
    run = migration(loaded).current_run()
    assert run is not None and run.state == "validated" and run.last_validation_passed()
    assert run.snapshots["before"].row_count == RAW_ROWS


def test_complete_switches_readers_and_drops_old_columns(loaded: Warehouse, db: Db) -> None:
    migration(loaded).start()
    before = db.query("select id, first_name || ' ' || last_name from customers order by id")
    steps = migration(loaded).complete()
    assert [s.step for s in steps] == ["re-validate", "switch", "contract"]
    assert db.columns("customers") == ["id", "full_name"]
    assert db.columns("customers_current") == ["id", "full_name"]
    assert db.query("select id, full_name from customers order by id") == before
    assert migration(loaded).validate(record=False).passed  # recomputed from the backup


def test_tampered_data_fails_validation_and_blocks_contract(loaded: Warehouse, db: Db) -> None:
    migration(loaded).start()
    db.execute("update customers set first_name = 'Mallory' where id = 7")
    report = migration(loaded).validate()
    failed = {check.name for check in report.failures}
    assert failed == {"column first_name unchanged", "full_name = up", "100 random rows = backup"}
    tampered = db.rows("customers")
    with pytest.raises(GuardRefused, match="contract refused"):
        migration(loaded).complete()
    assert db.rows("customers") == tampered  # nothing was dropped
    assert "first_name" in db.columns("customers")


def test_backfill_interrupted_resumes_from_last_checkpoint(loaded: Warehouse, db: Db) -> None:
    class Crash(Exception):
        pass

    class CrashAfterFirstBatch(NullReporter):
        def backfill_progress(self, rows_done: int, rows_total: int, rows_per_second: float) -> None:
            raise Crash  # the first batch has committed; the process "dies" here

    with pytest.raises(Crash):
        migration(loaded, CrashAfterFirstBatch()).start()
    assert db.query("select count(full_name) from customers") == [(30,)]
    steps = migration(loaded).start()
    backfill = next(s for s in steps if s.step == "backfill")
    assert backfill.rows == RAW_ROWS - 30
    assert "resumed after checkpoint 1" in backfill.result
    assert db.query("select count(*) from customers where full_name = first_name || ' ' || last_name") == [(100,)]
    run = migration(loaded).current_run()
    assert run is not None and run.state == "validated"


def test_rollback_after_contract_reverses_rows_exactly(loaded: Warehouse, db: Db) -> None:
    """The reverse path (after contract); the undo path from each state before contract is in
    tests/warehouse/test_operations.py (rows and catalog), the restore path in test_rollback.py."""
    original = db.rows("customers")
    migration(loaded).start()
    migration(loaded).complete()
    steps = migration(loaded).rollback()
    assert steps[0].step == "reverse migration", steps[0]
    assert steps[0].result.startswith("after contract, reverse migration: added back first_name, last_name; 100 row")
    assert "1 column change(s) undone in one transaction" in steps[0].result  # (full_name dropped)
    assert steps[-1].result == "checksum equals before-snapshot"
    assert db.rows("customers") == original
    assert db.columns("customers") == ["id", "first_name", "last_name"]
    assert not any(name.startswith("customers_") for name in db_relations(db))
    with pytest.raises(StateError, match="already rolled back"):
        migration(loaded).rollback()


def test_restore_refuses_a_damaged_backup_before_touching_the_table(loaded: Warehouse, db: Db) -> None:
    """After contract, `restore --from-backup` refuses a backup changed since it was verified
    before the live table is touched (its recorded checksums are compared first); rollback runs
    the migration backwards from the archive and never reads the backup."""
    run_migration = migration(loaded)
    run_migration.start()
    run_migration.complete()
    run = run_migration.current_run()
    assert run is not None and run.backup_relation
    db.execute(f"update {run.backup_relation} set last_name = 'Z.' where id = 3")  # a corrupted backup
    rows, columns = db.rows("customers"), db.columns("customers")
    with pytest.raises(GuardRefused, match="no longer matches the checksums recorded"):
        migration(loaded).restore_from_backup()
    assert db.rows("customers") == rows and db.columns("customers") == columns
    assert migration(loaded).rollback()[-1].result == "checksum equals before-snapshot"


def test_rollback_before_contract_never_reads_the_backup(loaded: Warehouse, db: Db) -> None:
    """Before contract the old shape is intact: rollback undoes what start added, and a backup
    damaged since cannot reach the table."""
    original = db.rows("customers")
    run_migration = migration(loaded)
    run_migration.start()
    run = run_migration.current_run()
    assert run is not None and run.backup_relation
    db.execute(f"update {run.backup_relation} set last_name = 'Z.' where id = 3")
    db.execute(f"delete from {run.backup_relation} where id = 4")
    steps = migration(loaded).rollback()
    assert [step.step for step in steps] == ["undo", "prove rollback"]
    assert steps[0].result.startswith("before contract, undo:") and "every write since start kept" in steps[0].result
    assert steps[-1].result == "checksum equals before-snapshot"
    assert db.rows("customers") == original


def db_relations(db: Db) -> list[str]:
    found = db.query(f"select table_name from information_schema.tables where table_schema = '{db.schema}'")
    return [name for (name,) in found]


def test_rollback_before_contract_keeps_a_dependent_user_view(loaded: Warehouse, db: Db) -> None:
    """Every dbt project has views on its tables: undo drops only what start added."""
    migration(loaded).start()
    db.execute(f"create view {db.schema}.customer_names as select id, first_name from {db.schema}.customers")
    rows = db.query(f"select id, first_name, last_name from {db.schema}.customers order by id")
    migration(loaded).rollback()
    assert db.rows("customers") == rows
    assert db.query(f"select * from {db.schema}.customer_names order by id") == [row[:2] for row in rows]


@pytest.mark.postgres
def test_rollback_after_contract_refuses_to_drop_a_dependent_user_view(postgres_settings: Settings) -> None:
    warehouse = Warehouse(postgres_settings)
    warehouse.seed(["raw_customers", "raw_orders"])
    warehouse.build_models(["customers"])
    db = Db(postgres_settings)
    migration(warehouse).start()
    migration(warehouse).complete()
    db.execute("create view customer_names as select id, full_name from customers")
    rows, schema = db.rows("customers"), catalog(db, "customers")
    with pytest.raises(GuardRefused, match=r"customer_names read\(s\) full_name of .*customers, which the old shape"):
        migration(warehouse).rollback()
    assert db.rows("customers") == rows and catalog(db, "customers") == schema  # refused before any change
    db.execute("drop view customer_names")
    db.execute("create view customer_names as select id, full_name from customers_current")  # (reads the new shape)
    with pytest.raises(GuardRefused, match=r"customer_names read\(s\) the new shape's view .*customers_current"):
        migration(warehouse).rollback()
    assert db.rows("customers") == rows and catalog(db, "customers") == schema
    assert db.columns("customer_names") == ["id", "full_name"]
