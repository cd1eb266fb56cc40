"""Rollback, by the path the run's state allows, then a proof.

- **Before contract: undo.** The old shape is intact (and kept current by the sync triggers), so
  rollback only takes back what the migration added, in the reverse order of expand: the
  versioned views, the sync triggers, raw SQL (`down`), the constraints, defaults and relaxed
  NOT NULLs expand changed, the indexes it built, the columns and tables it created. Each step is
  short DDL under lock_timeout with retries; no row of the old shape is rewritten, so every write
  acknowledged meanwhile, through either shape, is kept, and the time does not grow with the table.
- **After contract: the migration run backwards** (harness.lifecycle.reverse): the old columns
  re-added and refilled from the archive contract kept (or `down`, for rows written since), then
  switched back in one transaction; every write kept.
- **After contract, where it cannot run backwards** (a rewrite's swap, a dropped table, a run
  contracted before archives existed): restore. The table is restored from the verified backup,
  kept itself (its identity, sequences, views, foreign keys and grants), see
  harness.lifecycle.restore. Refused when the table was written since the backup: those writes
  would be lost (`harness restore --from-backup` gives them up knowingly).

The proof: the table has the old shape again (columns and types), and where nobody wrote since
the before-snapshot, equals it exactly (checksums)."""

from __future__ import annotations

import hashlib
from functools import partial
from typing import TYPE_CHECKING

from harness.errors import GuardRefused, ValidationFailed, WarehouseError
from harness.lifecycle import backup
from harness.lifecycle import restore as restoring
from harness.lifecycle.state import RunRecord, State, utc_now
from harness.lifecycle.step import Outcome
from harness.operations import constraint_name, undo_targets
from harness.placements import NEW_VERSION, OLD_VERSION, placement_of
from harness.validation.compare import compare_snapshots

if TYPE_CHECKING:
    from harness.lifecycle.migration import Migration
    from harness.snapshot import Snapshot

UNDO, RESTORE, PROVE = "undo", "restore", "prove rollback"
UNCOUNTED = -1  # rows a drop found that its count had not seen


def undo(migration: Migration, run: RunRecord) -> Outcome:
    """Before contract: takes back what the migration added, each step safe to repeat."""
    warehouse, schema, table = migration.warehouse, migration.schema, migration.table
    targets = undo_targets(migration.spec)
    if run.state == State.PLANNED:  # nothing is changed before the backup is taken
        return Outcome(None, "before the backup: nothing was changed")
    counted = created_rows(migration, targets.created_tables)
    refuse_rows_in_created(migration, counted)  # before anything changes
    if migration.spec.creates_table:
        return Outcome(None, remove_created(migration, run, counted))
    plan = migration.blueprint(run)
    before = {column["name"]: column for column in run.figure(backup.SNAPSHOT, "columns") or []}
    steps = placement_of(plan).undo(plan, before)
    refuse_nulls(migration, migration.table, steps.relaxed)
    # A previous migration's views go back over the old shape first, each replaced in one
    # transaction, so their readers never find them missing; then the rest are dropped.
    put_back = put_back_views(migration, run)
    _drop_views(migration, run, keep=put_back)
    migration.with_lock_retry(run, "drop sync trigger", partial(warehouse.drop_sync_trigger, schema, table))
    done = []
    for down in targets.raw_downs:
        migration.with_lock_retry(run, "raw SQL down", partial(warehouse.run_statements, down))
        done.append("raw SQL down")
    if steps.alterations:
        migration.with_lock_retry(run, "undo alterations", partial(warehouse.alter_table, schema, table,
                                                                     steps.alterations))  # fmt: skip
        done.append(f"{len(steps.alterations)} constraint/default change(s) undone")
    for name in steps.indexes:
        migration.with_lock_retry(run, f"drop index {name}", partial(warehouse.drop_index, schema, name))
    done += [f"dropped index(es) {', '.join(steps.indexes)}"] if steps.indexes else []
    if steps.relaxed:
        restore_not_null(migration, run, steps.relaxed)
        done.append(f"NOT NULL again on {', '.join(steps.relaxed)}")
    if steps.columns:
        drops = [{"kind": "drop_column", "column": column} for column in steps.columns]
        migration.with_lock_retry(run, "drop added columns", partial(warehouse.alter_table, schema, table, drops))
        done.append(f"dropped {', '.join(steps.columns)}")
    done += [remove_created(migration, run, counted, targets.scratch_tables)]
    done += [f"a previous migration's {', '.join(put_back)} put back"] if put_back else []
    done.append("no row rewritten: every write since start kept")
    return Outcome(None, "before contract, undo: " + "; ".join(done))


def refuse_nulls(migration: Migration, table: str, relaxed: list[str]) -> None:
    """drop_not_null let writers store NULLs in `table` (the migration's, under its name now); the
    old shape forbids them. Refused with the count."""
    if not relaxed:
        return
    now = migration.warehouse.snapshot(migration.schema, table, profile=False)
    nulls = {column: now.columns[column].null_count for column in relaxed if now.columns[column].null_count}
    if nulls:
        found = ", ".join(f"{count} row(s) with {column} NULL" for column, count in nulls.items())
        raise GuardRefused(
            f"rollback of {migration.spec.name} refused before any change: {migration.schema}.{table} has {found}, "
            "written since drop_not_null relaxed it; the old shape requires NOT NULL.",
            f"give those rows a value (e.g. `update {migration.schema}.{table} set {next(iter(nulls))} = ... where "
            f"{next(iter(nulls))} is null`), then run `harness rollback <spec>` again",
        )


def refuse_rows_in_created(migration: Migration, counted: dict[str, int], *, changed: bool = False) -> None:
    """A table the migration created may have taken rows since (writers of the new shape): dropping
    it would lose them. Refused with the count (`counted`: table -> rows), before any change (or,
    `changed`, where a row arrived after the count: the steps before are done, and safe to repeat)."""
    written = {name: rows for name, rows in counted.items() if rows}
    if written:
        found = ", ".join(f"{migration.schema}.{name} holds {'new' if rows == UNCOUNTED else rows} row(s)"
                          for name, rows in written.items())  # fmt: skip
        when = "stopped before dropping it (the steps before it are done; running it again is safe)" if changed \
            else "refused before any change"  # fmt: skip
        raise GuardRefused(
            f"rollback of {migration.spec.name} {when}: {found}, written since the migration created it; "
            "dropping it would lose them.",
            "copy those rows elsewhere (or delete them), then roll back again"
            + ("; or `harness restore <spec> --from-backup` moves the table aside into "
               f"{migration.warehouse.settings.backup_schema}, rows and all" if migration.spec.creates_table else ""),
        )  # fmt: skip


def created_rows(migration: Migration, tables: list[str]) -> dict[str, int]:
    """The row count of each of `tables` that exists (one count each: no checksum)."""
    counts = {name: migration.warehouse.table_rows(migration.schema, name) for name in tables}
    return {name: rows for name, rows in counts.items() if rows is not None}


def aside_name(table: str, run_id: str, what: str = "created") -> str:
    """A table the run keeps in the backup schema, `<table>__<run id>_<what>` (the disaster path sets
    a created table's rows aside as `_created`; contract archives what it drops as `_archive`), the
    table's name shortened (with a hash of it, so two long names never meet) to fit 63 characters."""
    if len(table) > 33:
        table = table[:26] + "_" + hashlib.sha1(table.encode()).hexdigest()[:6]
    return f"{table}__{run_id}_{what}"


def remove_created(migration: Migration, run: RunRecord, counted: dict[str, int], scratch: list[str] | None = None,
                    *, set_aside: bool = False) -> str:  # fmt: skip
    """The tables the migration created (`counted`: table -> rows), dropped, and its `scratch` tables
    (derived data: a rewrite's new table); with `set_aside` (the disaster path), a created one that
    holds rows is first copied into the backup schema (`aside_name`), so nothing is lost. The drop
    itself checks, under the table's lock: a row written after the count stops it."""
    warehouse, schema = migration.warehouse, migration.schema
    done = []
    for name in scratch or []:
        migration.with_lock_retry(run, f"drop {name}", partial(warehouse.drop_table, schema, name))
    for name, rows in counted.items():
        aside = (warehouse.settings.backup_schema, aside_name(name, run.run_id))
        drop = partial(warehouse.drop_created_table, schema, name)
        try:
            migration.with_lock_retry(run, f"drop {name}", partial(drop, aside if rows and set_aside else None))
        except WarehouseError as exc:  # a row arrived after the count: nothing was dropped
            if "EC_NOT_EMPTY" not in exc.message:
                raise
            if not set_aside:
                refuse_rows_in_created(migration, {name: UNCOUNTED}, changed=True)
            migration.with_lock_retry(run, f"drop {name}", partial(drop, aside))
            rows = UNCOUNTED
        if set_aside and rows:
            done.append(f"{name}'s {'new' if rows == UNCOUNTED else rows} row(s) set aside in {'.'.join(aside)}")
        done.append(f"dropped {name}")
    return "; ".join(done) or "no created table left to drop"


def restore_not_null(migration: Migration, run: RunRecord, columns: list[str]) -> None:
    """NOT NULL without a long lock where the engine has NOT VALID checks: a check added NOT VALID,
    validated (writers go on), then SET NOT NULL (proved by the check, no scan) and the check dropped."""
    warehouse, schema, table = migration.warehouse, migration.schema, migration.table
    alter = partial(warehouse.alter_table, schema, table)
    if not migration.engine.not_valid_constraints:
        steps = [{"kind": "set_not_null", "column": column} for column in columns]
        migration.with_lock_retry(run, "restore NOT NULL", partial(alter, steps))
        return
    checks = {column: constraint_name(table, column, "ec_undo_nn") for column in columns}
    add = [{"kind": "add_not_null_check", "name": name, "column": column} for column, name in checks.items()]
    validate = [{"kind": "validate_constraint", "name": name} for name in checks.values()]
    swap = [{"kind": "set_not_null", "column": column} for column in checks]
    swap += [{"kind": "drop_constraint", "name": name} for name in checks.values()]
    for what, steps in (("checks", add), ("validate", validate), ("set", swap)):
        migration.with_lock_retry(run, f"restore NOT NULL: {what}", partial(alter, steps))


def _drop_views(migration: Migration, run: RunRecord, keep: list[str] | None = None) -> None:
    """The versioned views (dependents first), and the new name's alias view until contract;
    `keep`: views of the table put back as a previous migration left them."""
    warehouse, schema, table = migration.warehouse, migration.schema, migration.table
    final = undo_targets(migration.spec).renamed_to
    views = [view for view in ("current", OLD_VERSION, NEW_VERSION) if f"{table}_{view}" not in (keep or [])]
    alias = [final] if final and run.state != State.CONTRACTED else []  # a view until contract, then the table
    migration.with_lock_retry(run, "drop version views", partial(warehouse.drop_version_views, schema, table, views,
                                                                  alias))  # fmt: skip
    if final:
        migration.with_lock_retry(run, "drop version views", partial(warehouse.drop_version_views, schema, final,
                                                                      views))  # fmt: skip


def put_back_views(migration: Migration, run: RunRecord) -> list[str]:
    """The views a previous migration's contract left (`<table>_v2` over the table's columns,
    `<table>_current` on it), which readers may use: re-created over the old shape, as they were."""
    table = migration.table
    left = [f"{table}_current", f"{table}_{NEW_VERSION}"]
    if not set(left) <= set(run.figure(backup.SNAPSHOT, "views") or []):
        return []
    columns = [column["name"] for column in run.figure(backup.SNAPSHOT, "columns") or []]
    put_back = partial(migration.warehouse.create_version_views, migration.schema, table,
                       {NEW_VERSION: [[c, c] for c in columns]}, {}, {}, NEW_VERSION)  # fmt: skip
    migration.with_lock_retry(run, "put back version views", put_back)
    return left


def restore(migration: Migration, run: RunRecord, *, knowingly: bool = False) -> Outcome:
    """The table restored from the verified backup, kept itself (see harness.lifecycle.restore).
    Rollback (after contract) refuses when the table was written since the backup; `harness
    restore --from-backup` (`knowingly`) gives those writes up and says how many."""
    warehouse, schema, table = migration.warehouse, migration.schema, migration.table
    undo = undo_targets(migration.spec)
    counted = created_rows(migration, undo.created_tables)
    if migration.spec.creates_table:  # nothing existed before: the table goes (set aside, if it has rows)
        return Outcome(None, remove_created(migration, run, counted, set_aside=knowingly))
    restoring.restorable(run)
    live = restoring.live_table(migration, run)
    if not knowingly:
        restoring.refuse_if_written(migration, run, live)
        refuse_rows_in_created(migration, counted)
    facts = restoring.check(migration, run, live)  # before anything is dropped
    final = undo.renamed_to
    _drop_views(migration, run)
    migration.with_lock_retry(run, "drop sync trigger", partial(warehouse.drop_sync_trigger, schema, table))
    undone = []
    for down in undo.raw_downs:
        migration.with_lock_retry(run, "raw SQL down", partial(warehouse.run_statements, down))
        undone.append("raw SQL down")
    if counted or undo.scratch_tables:
        undone.append(remove_created(migration, run, counted, undo.scratch_tables, set_aside=knowingly))
    if final and live == final:  # a contracted rename_table: renamed back, then restored as the table it is
        migration.with_lock_retry(run, "rename back", partial(warehouse.alter_table, schema, final,
                                                              [{"kind": "rename_table", "to": table}]))  # fmt: skip
        undone.append(f"{final} renamed back to {table}")
    writes, done = restoring.restore(migration, run, facts)
    put_back = put_back_views(migration, run)
    undone += [f"a previous migration's {', '.join(put_back)} put back"] if put_back else []
    writes = writes if knowingly else "the table took no write since the backup: nothing lost"
    path = "restore from the backup" + (" (asked for: --from-backup)" if knowingly else
                                        f" (after contract: {_why_restored(migration, run)})")  # fmt: skip
    return Outcome(None, f"{path}: " + "; ".join([*undone, *done, *([writes] if writes else [])]))


def _why_restored(migration: Migration, run: RunRecord) -> str:
    """Why a rollback after contract restores instead of running the migration backwards."""
    plan = migration.blueprint(run)
    if plan.rewrite is not None:
        return "a rewrite swapped its new table in, and the old one went with contract"
    if not migration.engine.alter_add_constraint:
        return f"{migration.engine.title} cannot put back the constraints the migration changed on an existing table"
    return "this run was contracted before contract archived what it drops"


def prove(migration: Migration, run: RunRecord, *, exact: bool = False, kept: bool = False) -> Outcome:
    """The old shape is back; where nobody wrote since the before-snapshot (or after a restore
    from the backup: `exact`), it equals the before-snapshot (checksums). `kept`: after a reverse
    migration, which keeps the writes since contract (and proves the catalog: it reshaped the table)."""
    before = run.snapshots.get("before")
    if migration.spec.creates_table:
        return _prove_absent(migration)
    restored = migration.warehouse.snapshot(migration.schema, migration.table, utc_now())
    if before is None:
        return Outcome(restored.row_count, "no before-snapshot to compare", restored.table_checksum,
                       state=State.ROLLED_BACK, note="no before-snapshot existed: equality not proven",
                       snapshots={"rolled_back": restored})  # fmt: skip
    failed = [check for check in compare_snapshots(before, restored) if not check.passed]
    if kept:
        _prove_catalog(migration, run)
    if failed and not exact and (run.state != State.CONTRACTED or kept) and _same_shape(before, restored):
        # Undo (and the reverse) reload no row: a difference is writes made since the before-snapshot, kept.
        return Outcome(restored.row_count,
                       f"old shape restored; writes since the before-snapshot kept ({before.row_count:,} rows "
                       f"then, {restored.row_count:,} now)", restored.table_checksum, state=State.ROLLED_BACK,
                       note=("reversed after contract" if kept else "undone before contract")
                       + "; the table took writes since the before-snapshot, all kept",
                       snapshots={"rolled_back": restored})  # fmt: skip
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


def _prove_catalog(migration: Migration, run: RunRecord) -> None:
    """The catalog as the before-snapshot recorded it: nothing left for a restore to change
    (columns, types, NULLs, defaults, constraints, indexes, comments)."""
    left = restoring.plan(migration, run, reshape=True)
    if left.shape or left.not_null:
        raise ValidationFailed(
            f"rollback of {migration.spec.name} left {migration.relation}'s catalog unlike the before-snapshot: "
            + "; ".join(str(step) for step in [*left.shape, *left.not_null][:5]),
            f"the backup {run.backup_relation} is kept; inspect the table against it",
        )


def _prove_absent(migration: Migration) -> Outcome:
    """A migration that created its table is rolled back when the table is gone again."""
    if migration.warehouse.table_rows(migration.schema, migration.table) is not None:
        raise ValidationFailed(f"rollback of {migration.spec.name} left {migration.relation} in place.",
                               "drop it by hand once its rows are safe, or run the rollback again")  # fmt: skip
    return Outcome(0, f"{migration.relation} does not exist, as before the migration", state=State.ROLLED_BACK,
                   note="the table the migration created is gone again")  # fmt: skip


def _same_shape(before: Snapshot, now: Snapshot) -> bool:
    return [(name, stats.data_type) for name, stats in before.columns.items()] == [
        (name, stats.data_type) for name, stats in now.columns.items()
    ]


def describe() -> str:
    return (
        "`harness rollback <spec>`: before contract, undoes what the migration added (views, sync "
        "triggers, constraints, defaults, indexes, added columns and tables: short DDL, no row of the "
        "old shape rewritten, every write since start kept); after contract, runs the migration backwards "
        "(the old columns re-added and refilled from the archive contract kept, or from `down` for rows written "
        "since; every write kept), or for a rewrite or a dropped table restores from the backup only if the table "
        "took no write since (else refused, naming the disaster path). "
        "`harness restore <spec> --from-backup` (the disaster path, from any state): the backup's rows "
        "back into the table itself (identity, sequences, views, foreign keys, grants kept), the writes "
        "since the backup given up and counted. Both prove the old shape, and the exact before-checksums "
        "where nobody wrote since."
    )
