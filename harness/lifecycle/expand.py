"""Expand: only backward-compatible DDL, each under lock_timeout with retries and safe to repeat
after a crash: columns (nullable) and constraints NOT VALID in one transaction (or the rewrite's
new table), new tables, raw SQL, indexes CONCURRENTLY, the sync triggers, the versioned views."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from harness.errors import HarnessError
from harness.lifecycle import rollback
from harness.lifecycle.state import RunRecord, State, utc_now
from harness.lifecycle.step import Outcome
from harness.operations import Blueprint
from harness.placements import OLD_VERSION, placement_of

if TYPE_CHECKING:
    from harness.lifecycle.migration import Migration

NAME = "expand"


def run(migration: Migration, run: RunRecord) -> Outcome:
    """Expand; if a statement fails part way, what it did is undone before the error is raised
    (the run stays `backed_up`, the table as it was), so the next attempt starts clean."""
    plan = migration.blueprint(run)
    placement = placement_of(plan)
    warehouse, schema, table = migration.warehouse, migration.schema, migration.table
    expand_ddl = partial(warehouse.alter_table, schema, table, placement.expand_alterations(plan), plan.create_tables,
                         placement.new_table(plan))  # fmt: skip
    # One transaction: if it fails (a lock never granted, say), nothing changed and nothing is undone.
    migration.with_lock_retry(run, "expand DDL", expand_ddl)
    try:
        return _after_ddl(migration, run, plan)
    except HarnessError as exc:
        started = utc_now()
        try:
            undone = rollback.undo(migration, migration.require_run())
        except HarnessError as undo_failed:
            detail, status = f"could not undo the failed expand: {undo_failed}", "failed"
        else:
            detail, status = f"after: {exc.message}; {undone.result}", "ok"
        migration.journal(run, step="undo failed expand", status=status, started_at=started, seconds=0.0,
                          detail=detail[:4000])  # fmt: skip
        raise


def _after_ddl(migration: Migration, run: RunRecord, plan: Blueprint) -> Outcome:
    """Raw SQL, indexes, sync triggers, views: each its own transaction."""
    placement = placement_of(plan)
    warehouse, schema, table = migration.warehouse, migration.schema, migration.table
    for statements in plan.raw:
        migration.with_lock_retry(run, "raw SQL", partial(warehouse.run_statements, statements))
    indexed = placement.built_in(plan, table)
    for index in plan.create_indexes:
        create = partial(warehouse.create_index, schema, indexed, **index)
        migration.with_lock_retry(run, f"create index {index['name']}", create)
    synced = migration.dual_write(plan)
    if synced:
        migration.with_lock_retry(run, "sync trigger", partial(placement.install_sync, warehouse, schema, table, plan))
    versions = placement.views_at_expand(plan)
    if versions:  # (none for a new table: it has one shape, its own)
        migration.create_views(run, plan, versions, current=OLD_VERSION)
    new_table = placement.new_table(plan)
    if plan.creates_table:
        return Outcome(None, f"created {table} ({', '.join(plan.new_names)}), empty, every constraint declared",
                       state=State.EXPANDED)  # fmt: skip
    done = [f"created {new_table['table']} (the new shape, empty)"] if new_table else []
    done += [f"added {', '.join(plan.physical_added)}" if plan.physical_added else "no columns added"]
    done += [f"{len(plan.expand)} alteration(s)"] if plan.expand else []
    done += [f"index(es) {', '.join(i['name'] for i in plan.create_indexes)}"] if plan.create_indexes else []
    done += [f"table(s) {', '.join(t['table'] for t in plan.create_tables)}"] if plan.create_tables else []
    done += ["sync trigger"] if synced else []
    done += [f"views {', '.join(f'{table}_{v}' for v in versions)}, {table}_current → v1"] if versions else []
    return Outcome(None, "; ".join(done), state=State.EXPANDED)


def describe(migration: Migration, plan: Blueprint) -> str:
    placement = placement_of(plan)
    if plan.creates_table:
        return (f"Expand: create `{migration.table}` ({', '.join(plan.new_names)}), empty, its key and every "
                "constraint declared, in one transaction; no versioned views (a new table has one shape).")  # fmt: skip
    return (
        f"Expand: {placement.describe_expand(plan)}"
        + (f"; {len(plan.expand)} constraint/default change(s)" if plan.expand else "")
        + (f"; index(es) {', '.join(i['name'] for i in plan.create_indexes)}" if plan.create_indexes else "")
        + (f"; {placement.describe_sync()}" if migration.dual_write(plan) else "")
        + "; the versioned views."
    )
