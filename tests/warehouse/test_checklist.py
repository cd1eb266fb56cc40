"""The validation checklist on both adapters: domain rules, foreign keys, edge cases, and rows
compared field by field with the backup (random sample and recent rows)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import ValidationFailed
from harness.lifecycle.migration import Migration
from harness.spec import load_spec
from harness.validation.compare import CheckResult, ValidationReport
from harness.warehouse import Warehouse
from tests.fixtures.warehouse import Db, write_spec

ORDERS_SPEC = """
name: orders_status_code
table: raw_orders
key: [id]
batch_size: 40
operations:
  - type: add_column
    column: status_code
    data_type: varchar(40)
    up: "upper(status)"
checks:
  accepted_values:
    status: [placed, shipped, completed, returned, return_pending]
  ranges:
    id: {min: 1, max: 1000}
  no_future_dates: [order_date]
  foreign_keys:
    - {column: user_id, references: customers.id}
  sample_rows: 100
  recent_rows: {column: order_date, hours: 48}
"""


def by_name(report: ValidationReport) -> dict[str, CheckResult]:
    return {check.name: check for check in report.checks}


def test_checklist_passes_on_a_clean_migration_then_names_each_breakage(
    loaded: Warehouse, db: Db, tmp_path: Path
) -> None:
    db.execute("update raw_orders set order_date = current_date where id = 5")  # one recent row
    migration = Migration(loaded, load_spec(write_spec(tmp_path, ORDERS_SPEC)))
    migration.start()
    clean = by_name(migration.validate(record=False))
    for name in ("status in accepted values", "id within 1 .. 1000", "order_date not in the future",
                 "raw_orders.user_id → customers.id", "99 random rows = backup"):  # fmt: skip
        assert name in clean or name.replace("99", "100") in clean, name
    assert all(check.passed for check in clean.values())
    recent = clean["rows of the last 48h by order_date = backup"]
    assert recent.expected == "1 rows identical"

    db.execute("insert into raw_orders values (1001, 999, current_date + 3, 'lost', 'LOST')")
    db.execute("update raw_orders set status = 'shipped', status_code = 'SHIPPED' where id = 5")
    broken = by_name(migration.validate(record=False))
    failed = {name for name, check in broken.items() if not check.passed}
    assert failed == {
        "row count",
        "status in accepted values",
        "id within 1 .. 1000",
        "order_date not in the future",
        "raw_orders.user_id → customers.id",
        "column id unchanged",  # the inserted row changes every column's checksum
        "column user_id unchanged",
        "column order_date unchanged",
        "column status unchanged",
        "100 random rows = backup",
        "rows of the last 48h by order_date = backup",
    }  # status_code = up still holds: the writes kept it consistent
    orphans, sampled = broken["raw_orders.user_id → customers.id"], broken["100 random rows = backup"]
    assert orphans.detail == "orphaned values (first 1): <redacted>"  # values from rows: only when asked for
    assert orphans.shown(show_values=True).detail == "orphaned values (first 1): [999]"
    assert sampled.actual == "0 missing, 1 differing of 99"
    assert sampled.detail == "keys (first 1): <redacted>"
    assert sampled.shown(show_values=True).detail == "keys (first 1): [5]"
    assert broken["status in accepted values"].actual == "1 rows outside"


RENAMED_RULES = """
name: orders_status_renamed
table: raw_orders
key: [id]
operations:
  - {{type: rename_column, column: status, to: order_status}}
checks:
  accepted_values:
    order_status: [placed, shipped, completed, returned{more}]
  not_null: [order_status]
"""


def test_rules_on_a_renamed_column_run_before_contract_and_a_vanished_column_fails(
    loaded: Warehouse, db: Db, tmp_path: Path
) -> None:
    """The rules name the new shape's columns. Before contract `order_status` is still `status`
    in the table: the rules run there (they were skipped silently before). After contract a dbt
    run rebuilds the table in its old shape: the rule's column is gone, and validation says so."""
    strict = Migration(loaded, load_spec(write_spec(tmp_path, RENAMED_RULES.format(more=""))))
    with pytest.raises(ValidationFailed, match="order_status in accepted values"):  # the return_pending rows
        strict.start()
    assert by_name(strict.validate(record=False))["order_status not null"].passed
    strict.rollback()
    migration = Migration(loaded, load_spec(write_spec(tmp_path, RENAMED_RULES.format(more=", return_pending"))))
    migration.start()
    migration.complete()
    assert by_name(migration.validate(record=False))["order_status in accepted values"].passed
    db.execute(f"alter table {db.schema}.raw_orders rename column order_status to status")  # as `dbt run` would
    gone = by_name(migration.validate(record=False))["rule on order_status"]
    assert not gone.passed and gone.actual == "column missing"


def test_a_foreign_key_rule_on_a_renamed_column_runs_before_and_after_contract(
    loaded: Warehouse, db: Db, tmp_path: Path
) -> None:
    """`checks.foreign_keys` names the new shape's column: before contract it is asked on the
    column that holds it (the old name), after contract on the new one; both pass."""
    text = """
name: orders_customer_renamed
table: raw_orders
key: [id]
operations:
  - {type: rename_column, column: user_id, to: customer_id}
checks:
  foreign_keys:
    - {column: customer_id, references: customers.id}
"""
    migration = Migration(loaded, load_spec(write_spec(tmp_path, text)))
    migration.start()
    name = "raw_orders.customer_id → customers.id"
    assert by_name(migration.validate(record=False))[name].passed
    migration.complete()
    assert by_name(migration.validate(record=False))[name].passed
