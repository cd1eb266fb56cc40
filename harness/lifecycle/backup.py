"""Backup: the before-snapshot, then a copy in the backup schema verified by restoring it into a
scratch schema and comparing checksums (restore time measured); a later call re-verifies it."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from harness.errors import GuardRefused, ValidationFailed
from harness.lifecycle.state import RunRecord, State, utc_now
from harness.lifecycle.step import Outcome
from harness.operations import planned_additions
from harness.snapshot import Snapshot
from harness.validation.compare import compare_snapshots

if TYPE_CHECKING:
    from harness.lifecycle.migration import Migration

SNAPSHOT, BACKUP, REVERIFY, PG_DUMP = "snapshot before", "backup + verify", "re-verify backup", "pg_dump + verify"


def nothing_before(migration: Migration) -> Snapshot:
    """The before-snapshot of a table the migration creates: it does not exist, so no rows, no columns."""
    return Snapshot(migration.relation, migration.warehouse.info().adapter, 0, "", {}, utc_now())


def snapshot_before(migration: Migration, run: RunRecord) -> Outcome:
    created = migration.spec.creates_table
    before = (
        nothing_before(migration)
        if created
        else migration.warehouse.snapshot(migration.schema, migration.table, utc_now())
    )
    before.save(migration.artifact_dir(run.run_id) / "before.json")
    # What a rollback puts back: the columns' catalog facts (type, NOT NULL, default, identity),
    # their constraints, indexes and comments (column_attachments), and the versioned views a
    # previous migration of the table left (`<table>_v2`, `_current`).
    described = migration.described_table()
    # And the spec itself: `complete` and `rollback` refuse another one, naming what changed.
    figures = {"columns": described.get("columns", []), "views": described.get("views", []),
               "definition": described.get("definition"), "attachments": described.get("attachments", []),
               "spec": migration.spec.model_dump(mode="json")}  # fmt: skip
    done = f"{migration.relation} does not exist yet" if created else f"{len(before.columns)} columns checksummed"
    return Outcome(before.row_count, done, before.table_checksum, snapshots={"before": before}, figures=figures)


def backup(migration: Migration, run: RunRecord) -> Outcome:
    if migration.spec.creates_table:
        return Outcome(0, f"nothing to back up: {migration.relation} does not exist yet (a rollback drops it while "
                          "it holds no rows)", state=State.BACKED_UP)  # fmt: skip
    warehouse = migration.warehouse
    backup_schema = warehouse.settings.backup_schema
    copy = (backup_schema, f"{migration.table[:40]}__{run.run_id}")
    scratch = (f"{backup_schema}_scratch", copy[1])
    warehouse.copy_table((migration.schema, migration.table), copy)
    # The table's write counters now (PostgreSQL): a restore says how many writes it gives up.
    writes = warehouse.restore_facts(migration.schema, migration.table, copy, orphans=False).get("writes")
    before = run.snapshots["before"]
    taken: dict[str, Snapshot] = {}
    if migration.spec.concurrent_writes:
        # Writers went on since the before-snapshot: the backup (one consistent copy) is the
        # point in time the migration starts from, so its snapshot becomes the before-snapshot.
        before = taken["before"] = warehouse.snapshot(*copy, utc_now())
        before.save(migration.artifact_dir(run.run_id) / "before.json")
    # Verify by restoring: a backup that cannot be restored to the same checksums is no backup.
    clock = time.perf_counter()
    warehouse.copy_table(copy, scratch)
    restore_seconds = time.perf_counter() - clock
    restored = warehouse.snapshot(*scratch)
    warehouse.drop_table(*scratch)
    failed = [check.name for check in compare_snapshots(before, restored) if not check.passed]
    location = f"{copy[0]}.{copy[1]}"
    if failed:
        raise ValidationFailed(
            f"backup {location} did not restore to the source's checksums ({', '.join(failed)}).",
            "check the warehouse's health and disk, then start again",
        )
    # The manifest: in the state table (this step's journal line + the `backup` snapshot) and as JSON.
    taken["backup"] = restored
    manifest = {
        "migration": migration.spec.name,
        "run_id": run.run_id,
        "location": location,
        "verified_at": utc_now(),
        "restore_seconds": round(restore_seconds, 3),
        "tables": [
            {
                "source": migration.relation,
                "backup": location,
                "row_count": restored.row_count,
                "table_checksum": restored.table_checksum,
            }
        ],
    }
    path = migration.artifact_dir(run.run_id) / "backup_manifest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, indent=2) + "\n")
    return Outcome(
        restored.row_count, f"{location}, verified, restore {restore_seconds:.2f}s", restored.table_checksum,
        state=State.BACKED_UP, backup_relation=location, snapshots=taken,
        figures={"restore_seconds": round(restore_seconds, 3), "location": location, "writes": writes},
    )  # fmt: skip


def reverify(migration: Migration, run: RunRecord) -> Outcome:
    """The backup was taken by an earlier call: prove it (and the table) still match."""
    before = run.snapshots["before"]
    if migration.spec.creates_table:
        return _still_new(migration, before)
    # Columns the migration's own expand added (it stopped before its journal line: preflight
    # refused those names beforehand, so nobody else made them) are expected: expand runs again.
    added = planned_additions(migration.spec)
    for label, parts in (("backup", migration.backup_parts(run)), ("table", (migration.schema, migration.table))):
        now = migration.warehouse.snapshot(*parts, profile=False)
        expanded = sorted(set(now.columns) - set(before.columns) & added) if label == "table" else []
        failed = [check.name for check in compare_snapshots(before, now, expect_added=expanded) if not check.passed]
        if failed:
            raise GuardRefused(
                f"refusing to migrate: the {label} {'.'.join(parts)} no longer matches the before-snapshot "
                f"taken with the backup ({', '.join(failed)}).",
                "take a new verified backup: `harness rollback <spec>`, then `harness backup <spec>`",
            )
    again = f"; {', '.join(expanded)} from an expand that stopped before its journal line (it runs again)" if \
        expanded else ""  # fmt: skip
    return Outcome(before.row_count, f"{run.backup_relation} and the table still match the before-snapshot{again}")


def _still_new(migration: Migration, before: Snapshot) -> Outcome:
    """A table the migration creates is still absent (or empty: its expand stopped before its journal line)."""
    rows = migration.warehouse.table_rows(migration.schema, migration.table)
    if rows is None:
        return Outcome(0, f"{migration.relation} still does not exist")
    if rows:
        raise GuardRefused(
            f"refusing to migrate: {migration.relation} exists with {rows} row(s); this migration was to create it "
            "(an expand of this run that stopped would have left it empty).",
            "find out who wrote those rows; `harness rollback <spec>` refuses to drop a table with rows",
        )
    return Outcome(0, f"{migration.relation} exists, empty, from an expand that stopped before its journal line "
                      "(it runs again)")  # fmt: skip


def pg_dump(migration: Migration, run: RunRecord, path: Path) -> Outcome:
    from harness.pgdump import dump_and_verify

    archive = dump_and_verify(migration.warehouse, migration.schema, migration.table, path, run.snapshots["before"])
    manifest_path = migration.artifact_dir(run.run_id) / "backup_manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest.update(archive)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return Outcome(
        run.snapshots["before"].row_count,
        f"{path.name} ({archive['bytes']:,} bytes), verified, pg_restore {archive['pg_restore_seconds']:.2f}s",
        figures={"pg_restore_seconds": archive["pg_restore_seconds"], "bytes": archive["bytes"]},
    )


def describe(migration: Migration) -> list[str]:
    if migration.spec.creates_table:
        return [f"Before-snapshot and backup: nothing to take, `{migration.table}` does not exist yet."]
    return [
        "Before-snapshot: row count, whole-table and per-column checksums.",
        f"Backup to `{migration.warehouse.settings.backup_schema}`, verified by restoring it into a scratch "
        "schema and comparing checksums; restore time measured.",
    ]
