"""Switch: readers of `<table>_current` move to the new shape, atomically."""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.lifecycle.state import RunRecord, State
from harness.lifecycle.step import Outcome
from harness.operations import Blueprint
from harness.placements import NEW_VERSION

if TYPE_CHECKING:
    from harness.lifecycle.migration import Migration

NAME = "switch"


def run(migration: Migration, run: RunRecord) -> Outcome:
    plan = migration.blueprint(run)
    if plan.drops_table:
        return Outcome(None, f"no new shape: {migration.table} is dropped at contract", state=State.SWITCHED)
    if plan.creates_table:
        return Outcome(None, f"no versions to switch: {migration.table} is new", state=State.SWITCHED)
    warehouse = migration.warehouse
    migration.with_lock_retry(
        run, "switch", lambda: warehouse.switch_version(migration.schema, migration.table, NEW_VERSION)
    )
    return Outcome(None, f"{migration.table}_current → {NEW_VERSION}", state=State.SWITCHED)


def describe(migration: Migration, plan: Blueprint) -> str:
    if plan.creates_table or plan.drops_table:
        return ""  # (no versions to switch between)
    return f"Switch: `{migration.table}_current` → v2, atomically."
