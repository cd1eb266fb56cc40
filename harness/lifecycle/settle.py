"""Settle, after the backfill: constraints added NOT VALID are validated (SHARE UPDATE EXCLUSIVE
on PostgreSQL, so writers go on) and unique indexes become constraints."""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.lifecycle.state import RunRecord
from harness.lifecycle.step import Outcome
from harness.operations import Blueprint
from harness.placements import placement_of

if TYPE_CHECKING:
    from harness.lifecycle.migration import Migration

NAME = "validate constraints"


def run(migration: Migration, run: RunRecord) -> Outcome:
    plan = migration.blueprint(run)
    table = placement_of(plan).built_in(plan, migration.table)
    migration.with_lock_retry(
        run, "validate constraints", lambda: migration.warehouse.alter_table(migration.schema, table, plan.settle)
    )
    return Outcome(None, f"validated {', '.join(step['name'] for step in plan.settle)}")


def describe(plan: Blueprint) -> str:
    names = ", ".join(step["name"] for step in plan.settle)
    return f"Validate constraints {names} (no long lock on writers)." if plan.settle else ""
