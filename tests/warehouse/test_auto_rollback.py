"""--auto-rollback: a failure injected mid-backfill rolls the migration back by itself (every
write kept), proves the old shape, exits non-zero, and the state table says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import RolledBack
from harness.lifecycle.migration import Migration
from harness.lifecycle.step import NullReporter, StepResult
from harness.spec import load_spec
from harness.warehouse import Warehouse
from tests.fixtures.warehouse import Db, write_spec

# `up` works on every row the preflight sees; a row whose last_name is 'Z!' makes it fail.
FRAGILE_SPEC = """
name: fragile_full_name
table: customers
key: [id]
batch_size: 30
operations:
  - type: add_column
    column: full_name
    data_type: varchar(200)
    up: "first_name || ' ' || cast(cast(case when last_name = 'Z!' then 'oops' else '1' end as integer) as varchar)"
"""


class InsertBadRowAfterBackup(NullReporter):
    """Writes a row that breaks `up` once the backup is taken: the 4th batch will fail."""

    def __init__(self, db: Db) -> None:
        self.db = db

    def step_finished(self, step: StepResult) -> None:
        if step.step == "backup + verify":
            self.db.execute(f"insert into {self.db.schema}.customers values (101, 'Bad', 'Z!')")


def test_failure_at_batch_4_rolls_back_to_the_exact_before_checksum(loaded: Warehouse, db: Db, tmp_path: Path) -> None:
    original = db.rows("customers")
    migration = Migration(loaded, load_spec(write_spec(tmp_path, FRAGILE_SPEC)), InsertBadRowAfterBackup(db))
    with pytest.raises(RolledBack, match="rolled back automatically") as raised:
        migration.start(auto_rollback=True)
    assert raised.value.exit_code == 1
    # Rolled back before contract: what start added is undone, and the write made meanwhile is kept.
    assert db.rows("customers") == [*original, (101, "Bad", "Z!")]
    assert db.columns("customers") == ["id", "first_name", "last_name"]
    run = migration.current_run()
    assert run is not None and run.state == "rolled_back"
    assert run.note is not None and run.note.startswith("auto-rollback after: backfill_batches failed")
    failed = [step for step in run.steps if step["status"] == "failed"]
    assert [step["step"] for step in failed] == ["backfill"]
    assert int(run.last_checkpoint["batch_no"]) == 3  # type: ignore[index]  # batches 1-3 had committed


def test_without_auto_rollback_the_failure_stops_and_leaves_the_run_resumable(
    loaded: Warehouse, db: Db, tmp_path: Path
) -> None:
    migration = Migration(loaded, load_spec(write_spec(tmp_path, FRAGILE_SPEC)), InsertBadRowAfterBackup(db))
    with pytest.raises(Exception, match="backfill_batches failed"):
        migration.start()
    run = migration.current_run()
    assert run is not None and run.state == "expanded" and "backfill failed" in (run.note or "")
