"""Backups: verified when taken, re-verified before anything changes; a corrupted backup (or a
table changed since) stops `migrate start` with the data unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.errors import GuardRefused, InputError, StateError
from harness.lifecycle.migration import Migration
from harness.settings import Settings
from harness.spec import load_spec
from harness.warehouse import Warehouse
from tests.fixtures.warehouse import CUSTOMERS_SPEC, Db


def migration(warehouse: Warehouse) -> Migration:
    return Migration(warehouse, load_spec(CUSTOMERS_SPEC))


def test_backup_then_start_continues_after_reverifying(loaded: Warehouse, db: Db) -> None:
    steps = migration(loaded).backup()
    assert [s.step for s in steps] == ["snapshot before", "backup + verify"]
    assert "verified, restore" in steps[1].result
    run = migration(loaded).current_run()
    assert run is not None and run.state == "backed_up"
    manifest = json.loads((migration(loaded).artifact_dir(run.run_id) / "backup_manifest.json").read_text())
    assert manifest["tables"][0]["row_count"] == 100 and manifest["location"] == run.backup_relation
    assert manifest["restore_seconds"] > 0 and manifest["verified_at"]
    later = migration(loaded).start()
    assert [s.step for s in later][:2] == ["re-verify backup", "expand"]
    with pytest.raises(StateError, match="already validated"):
        migration(loaded).backup()


@pytest.mark.parametrize("corrupt", ["backup", "table"])
def test_corrupted_backup_or_changed_table_stops_start(loaded: Warehouse, db: Db, corrupt: str) -> None:
    migration(loaded).backup()
    run = migration(loaded).current_run()
    assert run is not None and run.backup_relation
    target = run.backup_relation if corrupt == "backup" else f"{db.schema}.customers"
    db.execute(f"update {target} set last_name = 'X.' where id = 42")
    table_before_start = db.rows("customers")
    with pytest.raises(GuardRefused, match=f"the {corrupt} .* no longer matches") as raised:
        migration(loaded).start()
    assert raised.value.exit_code == 1
    assert db.rows("customers") == table_before_start
    assert db.columns("customers") == ["id", "first_name", "last_name"]  # nothing expanded
    after = migration(loaded).current_run()
    assert after is not None and after.state == "backed_up" and "no longer matches" in (after.note or "")
    if corrupt == "backup":  # rollback must not restore from the corrupted copy: the table stays
        migration(loaded).rollback()
        assert db.rows("customers") == table_before_start


@pytest.mark.postgres
def test_pg_dump_archive_is_verified_by_pg_restore(postgres_settings: Settings, tmp_path: Path) -> None:
    warehouse = Warehouse(postgres_settings)
    warehouse.seed(["raw_customers", "raw_orders"])
    warehouse.build_models(["customers"])
    archive = tmp_path / "customers.dump"
    steps = migration(warehouse).backup(pg_dump=archive)
    assert [s.step for s in steps] == ["snapshot before", "backup + verify", "pg_dump + verify"]
    assert archive.is_file() and "verified, pg_restore" in steps[-1].result
    run = migration(warehouse).current_run()
    assert run is not None
    manifest = json.loads((migration(warehouse).artifact_dir(run.run_id) / "backup_manifest.json").read_text())
    assert manifest["pg_dump"] == str(archive) and manifest["bytes"] > 0 and manifest["pg_restore_seconds"] > 0
    scratch = manifest["verified_in"]  # this run's own scratch database (other suites may verify at the same time)
    assert scratch.startswith("ec_verify_")
    assert not Db(postgres_settings).query(f"select datname from pg_database where datname = '{scratch}'")  # dropped


@pytest.mark.duckdb
def test_pg_dump_on_duckdb_is_a_clear_error_and_changes_nothing(duckdb_settings: Settings, tmp_path: Path) -> None:
    warehouse = Warehouse(duckdb_settings)
    warehouse.seed(["raw_customers", "raw_orders"])
    warehouse.build_models(["customers"])
    rows = Db(duckdb_settings).rows("customers")
    with pytest.raises(InputError, match="needs a PostgreSQL target"):
        migration(warehouse).backup(pg_dump=tmp_path / "x.dump")
    assert Db(duckdb_settings).rows("customers") == rows
    assert not (tmp_path / "x.dump").exists()
