"""The restore script: self-contained SQL that restores the table from the run's verified backup."""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.errors import StateError
from harness.lifecycle import backup
from harness.lifecycle import restore as restoring
from harness.lifecycle.rollback import aside_name
from harness.lifecycle.state import State, utc_now
from harness.operations import undo_targets

if TYPE_CHECKING:
    from harness.lifecycle.migration import Migration

TRIGGERS = [
    "validation fails beyond its tolerance (row count, checksums, `up` recomputed, checklist, GX suite)",
    "a backfill batch fails (with `--auto-rollback`: undone at once, every write kept, old shape proven)",
    "checksum corruption: the backup does not restore to the before-snapshot's checksums",
]


def build_restore_script(migration: Migration) -> str:
    """A self-contained SQL script that restores the table from the run's verified backup; it runs
    with the engine's SQL client alone, and running it twice is safe. Its header is the rollback
    plan. Holds no connection settings."""
    run = migration.current_run()
    if migration.spec.creates_table:
        raise StateError(
            f"migration {migration.spec.name} creates {migration.relation}: nothing existed before it, so there is "
            "no backup and nothing to restore.",
            "`harness rollback <spec>` drops the table while it holds no rows; `harness restore <spec> "
            "--from-backup` sets its rows aside first",
        )
    if run is None or not run.backup_relation:
        raise StateError(
            f"migration {migration.spec.name} has no verified backup yet, so there is nothing to restore from.",
            "run `harness migrate start <spec>` (it takes and verifies the backup first)",
        )
    backup_schema, backup_table = run.backup_relation.split(".", 1)
    info = migration.warehouse.info()
    views = [f"{migration.table}_{suffix}" for suffix in ("current", "v1", "v2")]
    undo = undo_targets(migration.spec)
    drop_tables, renamed = list(undo.scratch_tables), undo.renamed_to
    set_aside = {name: aside_name(name, run.run_id) for name in undo.created_tables}  # (renamed, rows kept)
    if renamed:  # a view of the new shape until contract, the table itself after
        views += [f"{renamed}_{suffix}" for suffix in ("current", "v2")]
        (drop_tables if run.state == State.CONTRACTED else views).append(renamed)
    # The table kept itself where it is there under its name; gone (a contracted drop_table or
    # rename_table), it is created again from the backup.
    reshape = restoring.plan(migration, run, script=True)
    kept = bool(reshape.columns)
    before = run.snapshots.get("before")
    verify = {"row_count": before.row_count, "table_checksum": before.table_checksum} if before else None
    statements = migration.warehouse.restore_script(
        migration.schema,
        migration.table,
        (backup_schema, backup_table),
        views,
        drop_tables,
        undo.raw_downs,
        reshape,
        verify,
        set_aside,
    )
    verified = run.last_step(backup.BACKUP)
    measured = run.figure(backup.BACKUP, "restore_seconds")
    header = [
        f"Restore script for migration {migration.spec.name}, run {run.run_id} (state {run.state}).",
        f"Generated {utc_now()} UTC for {info.adapter} target `{info.target}`; restores `{migration.relation}`.",
        "",
        "Rollback plan",
        f"  backup:            {run.backup_relation}",
        f"  verified at:       {verified['finished_at'] if verified else 'unknown'} (restored and checksummed)",
        f"  measured recovery: {f'{measured:.2f} s' if measured is not None else 'not measured'} "
        "(restore at verification)",
        "  paths:             before contract `harness rollback` undoes what start added (no copy,",
        "                     every write kept); after contract it runs the migration backwards from",
        "                     the archive contract kept (every write kept; a rewrite or a dropped table:",
        "                     restored from the backup when the table took no write since); this",
        "                     script is the disaster path, as `harness restore <spec> --from-backup`",
        "  steps:             0. check the backup against its recorded checksums (a changed one stops here)",
        "                     1. drop the migration's views and triggers (a table create_table made is",
        "                     renamed aside, `<table>__<run id>_created`, its rows kept)",
        *(
            [
                "                     2. empty the table, give it its before-shape (ALTERs), reload the",
                "                     backup's rows: the table itself is kept (identity, sequences, views,",
                "                     foreign keys, grants); writes since the backup are lost",
            ]
            if kept
            else [
                "                     2. the table is gone (dropped or renamed at contract): created again",
                "                     from the backup (columns, types, NOT NULLs; writes since it are lost)",
            ]
        ),
        "                     3. check: harness validate / harness snapshot",
        f"  shape:             generated for the table in state {run.state}; after the migration moves on,",
        "                     write the script again (harness restore-script)",
        f"  run with:          {migration.engine.script_runner}",
        "  idempotent:        yes (a second run finds the before-shape and reloads the same rows)",
        "  triggers:          " + "; ".join(TRIGGERS),
    ]
    lines = [f"-- {line}".rstrip() for line in header]
    return "\n".join([*lines, "", *(f"{statement};" for statement in statements), ""])
