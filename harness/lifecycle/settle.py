"""Settle, after the backfill: the indexes on backfilled columns are built (those a replaced column
carries over to its shadow among them; CONCURRENTLY: writers go on; after the backfill, so it does
not maintain them row by row and a unique one sees the final values), then
constraints added NOT VALID are validated (SHARE UPDATE EXCLUSIVE on PostgreSQL, so writers go
on) and unique indexes become constraints."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from harness.lifecycle.state import RunRecord
from harness.lifecycle.step import Outcome
from harness.operations import Blueprint
from harness.placements import placement_of

if TYPE_CHECKING:
    from harness.lifecycle.migration import Migration

NAME = "validate constraints"


def needed(plan: Blueprint) -> bool:
    return bool(plan.settle or plan.settle_indexes)


def run(migration: Migration, run: RunRecord) -> Outcome:
    plan = migration.blueprint(run)
    warehouse, schema = migration.warehouse, migration.schema
    table = placement_of(plan).built_in(plan, migration.table)
    for index in plan.settle_indexes:
        build = partial(warehouse.create_index, schema, table, index["name"], index.get("columns", []),
                        index.get("unique", False), index.get("definition"), index.get("options"))  # fmt: skip
        migration.with_lock_retry(run, f"create index {index['name']}", build)
    if plan.settle:
        migration.with_lock_retry(
            run, "validate constraints", lambda: warehouse.alter_table(schema, table, plan.settle)
        )
    done = [f"built {', '.join(index['name'] for index in plan.settle_indexes)}"] if plan.settle_indexes else []
    done += [f"validated {', '.join(step['name'] for step in plan.settle)}"] if plan.settle else []
    return Outcome(None, "; ".join(done))


def describe(plan: Blueprint) -> str:
    carried = ", ".join(index["name"] for index in plan.settle_indexes)
    names = ", ".join(step["name"] for step in plan.settle)
    text = f"Build the index(es) {carried} on the backfilled columns CONCURRENTLY. " if carried else ""
    return text + (f"Validate constraints {names} (no long lock on writers)." if plan.settle else "")
