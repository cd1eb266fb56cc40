"""Rollback: undoes whatever the migration did (views, sync trigger, new tables, raw SQL `down`,
a renamed table), restores the table from the verified backup in one transaction, then proves
it equals the before-snapshot (exact checksums)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from harness.errors import ValidationFailed
from harness.lifecycle.state import RunRecord, State, utc_now
from harness.lifecycle.step import Outcome
from harness.operations import undo_targets
from harness.placements import NEW_VERSION, OLD_VERSION
from harness.validation.compare import compare_snapshots

if TYPE_CHECKING:
    from harness.lifecycle.migration import Migration

RESTORE, PROVE = "restore", "prove rollback"


def restore(migration: Migration, run: RunRecord) -> Outcome:
    warehouse, schema, table = migration.warehouse, migration.schema, migration.table
    undo = undo_targets(migration.spec)
    final = undo.renamed_to
    views = ["current", OLD_VERSION, NEW_VERSION]
    alias = [final] if final and run.state != State.CONTRACTED else []  # a view until contract, then the table
    warehouse.drop_version_views(schema, table, views, alias)
    if final:
        warehouse.drop_version_views(schema, final, views)
    if run.state in (State.PLANNED, State.BACKED_UP) and _untouched(migration, run):
        # Restoring an unchanged table could only make things worse (e.g. from a backup that
        # was corrupted since); the proof below still runs.
        return Outcome(None, "the table was not changed yet: left as it is")
    backup = migration.backup_parts(run)
    warehouse.drop_sync_trigger(schema, table)
    undone = []
    for down in undo.raw_downs:
        migration.with_lock_retry(run, "raw SQL down", partial(warehouse.run_statements, down))
        undone.append("raw SQL down")
    for name in undo.created_tables:
        warehouse.drop_table(schema, name)
        undone.append(f"dropped {name}")
    if final and run.state == State.CONTRACTED:
        warehouse.drop_table(schema, final)
        undone.append(f"dropped {final}")
    migration.with_lock_retry(run, "restore", lambda: warehouse.copy_table(backup, (schema, table)))
    return Outcome(None, "; ".join([*undone, f"restored from {run.backup_relation}"]))


def _untouched(migration: Migration, run: RunRecord) -> bool:
    """Before expand (or after an expand that failed part way): does the table still equal the before-snapshot?"""
    before = run.snapshots.get("before")
    if before is None or run.backup_relation is None:
        return True
    now = migration.warehouse.snapshot(migration.schema, migration.table, profile=False)
    return all(check.passed for check in compare_snapshots(before, now))


def prove(migration: Migration, run: RunRecord) -> Outcome:
    before = run.snapshots.get("before")
    restored = migration.warehouse.snapshot(migration.schema, migration.table, utc_now())
    if before is None:
        return Outcome(restored.row_count, "no before-snapshot to compare", restored.table_checksum,
                       state=State.ROLLED_BACK, note="no before-snapshot existed: equality not proven",
                       snapshots={"rolled_back": restored})  # fmt: skip
    failed = [check for check in compare_snapshots(before, restored) if not check.passed]
    if failed:
        migration.warehouse.record_snapshot(run.run_id, "rolled_back", restored)
        raise ValidationFailed(
            f"rollback of {migration.spec.name} did not reproduce the before-snapshot: "
            + "; ".join(f"{c.name}: expected {c.expected}, got {c.actual}" for c in failed),
            f"the backup {run.backup_relation} is kept; inspect it before retrying",
        )
    return Outcome(restored.row_count, "checksum equals before-snapshot", restored.table_checksum,
                   state=State.ROLLED_BACK, note="restored; checksums equal the before-snapshot",
                   snapshots={"rolled_back": restored})  # fmt: skip


def describe() -> str:
    return (
        "`harness rollback <spec>` (from any state): drops the versioned views, restores the table "
        "from the backup in one transaction, then proves the table equals the before-snapshot (exact "
        "checksums) and records how long it took."
    )
