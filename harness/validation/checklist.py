"""The spec's checklist: domain rules, foreign keys, and rows compared field by field with the backup."""

from __future__ import annotations

from typing import Any

from harness.spec import Checks, MigrationSpec
from harness.validation.compare import CheckResult
from harness.warehouse import Warehouse


def domain_rules(checks: Checks, columns: set[str]) -> list[dict[str, Any]]:
    """accepted_values, ranges and no_future_dates as rules for count_violations, on the columns present."""
    rules: list[dict[str, Any]] = []
    for column, values in checks.accepted_values.items():
        rules.append({"name": f"{column} in accepted values", "kind": "accepted_values", "column": column,
                      "values": values})  # fmt: skip
    for column, bounds in checks.ranges.items():
        rules.append({"name": f"{column} within {bounds.min} .. {bounds.max}", "kind": "range", "column": column,
                      "min": bounds.min, "max": bounds.max})  # fmt: skip
    for column in checks.no_future_dates:
        rules.append({"name": f"{column} not in the future", "kind": "no_future", "column": column})
    return [rule for rule in rules if rule["column"] in columns]


def run_checklist(
    warehouse: Warehouse, spec: MigrationSpec, schema: str, table: str, columns: set[str],
    backup: tuple[str, str] | None, shared: list[str],
) -> list[CheckResult]:  # fmt: skip
    """The checklist on schema.table (whose columns are `columns`); with a backup (no writers since
    it was taken), `shared` columns of sampled and recent rows compared with it."""
    checks = spec.checks
    results: list[CheckResult] = []
    rules = domain_rules(checks, columns)
    if rules:
        counts = warehouse.count_violations(schema, table, rules)
        for rule, count in zip(rules, counts, strict=True):
            results.append(CheckResult(rule["name"], "0 rows outside", f"{count} rows outside", count == 0))
    for fk in checks.foreign_keys:
        child = (schema, fk.table or table, fk.column)
        parent = (schema, *fk.parent)
        found = warehouse.count_orphans(child, parent)
        results.append(
            CheckResult(
                f"{child[1]}.{fk.column} → {fk.references}",
                "0 orphans",
                f"{found['orphans']} orphans",
                found["orphans"] == 0,
                f"orphaned values: {found['sample']}" if found["sample"] else "",
            )
        )
    if backup is None:
        return results
    which: list[tuple[str, dict[str, Any]]] = []
    if checks.sample_rows:
        which.append((f"{checks.sample_rows} random rows = backup", {"sample_size": checks.sample_rows}))
    recent = checks.recent_rows
    if recent and recent.column in shared:
        which.append((f"rows of the last {recent.hours}h by {recent.column} = backup",
                      {"recent_column": recent.column, "recent_hours": recent.hours}))  # fmt: skip
    for name, arguments in which:
        found = warehouse.compare_rows_by_key(backup, (schema, table), list(spec.key), shared, **arguments)
        bad = int(found["missing"]) + int(found["differing"])
        results.append(
            CheckResult(
                name,
                f"{found['compared']} rows identical",
                f"{found['missing']} missing, {found['differing']} differing of {found['compared']}",
                bad == 0,
                f"keys: {found['sample']}" if found["sample"] else "",
            )
        )
    return results
