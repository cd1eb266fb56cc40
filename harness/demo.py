"""The demo: load jaffle_shop, migrate `customers` to `full_name` end to end, then drill a rollback."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from harness.errors import ValidationFailed
from harness.lifecycle.migration import Migration
from harness.lifecycle.state import TERMINAL
from harness.lifecycle.step import NullReporter, Reporter, StepResult
from harness.settings import Settings
from harness.spec import load_spec
from harness.warehouse import Warehouse

DEMO_SPEC = "migrations/customers_full_name.yml"
DEMO_SEEDS = ["raw_customers", "raw_orders", "raw_payments"]


@dataclass
class DemoResult:
    target: str
    adapter: str
    steps: list[StepResult] = field(default_factory=list)
    columns_after_contract: list[str] = field(default_factory=list)


def run_demo(settings: Settings, reporter: Reporter | None = None) -> DemoResult:
    reporter = reporter or NullReporter()
    warehouse = Warehouse(settings)
    info = warehouse.info()
    migration = Migration(warehouse, load_spec(settings.project_dir / DEMO_SPEC), reporter)
    result = DemoResult(target=info.target, adapter=info.adapter)
    warehouse.ensure_state()
    previous = migration.current_run()
    if previous is not None and previous.state not in TERMINAL:
        # A demo interrupted half-way: undo it before reloading, so the run can start afresh.
        result.steps += migration.rollback()

    clock = time.perf_counter()
    warehouse.seed(DEMO_SEEDS)
    warehouse.build_models(["customers"])
    loaded = StepResult("load jaffle_shop", None, time.perf_counter() - clock, "seeds + customers model built")
    result.steps.append(loaded)
    reporter.step_finished(loaded)

    result.steps += migration.start()
    result.steps += migration.complete()  # (the demo's model follows the migration: expand_contract.migrated)
    result.columns_after_contract = list(warehouse.snapshot(migration.schema, migration.table).columns)
    if set(migration.spec.dropped) & set(result.columns_after_contract):
        raise ValidationFailed("contract did not drop the old columns.", "see the state table journal")
    result.steps += migration.rollback()
    return result
