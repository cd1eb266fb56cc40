"""The spec's checklist: domain rules, foreign keys, and rows compared field by field with the
backup. Each rule is a typed warehouse call and how its result becomes a check, so validation
asks every question of one table in a single invocation (`Warehouse.run_together`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from harness.spec import Checks, MigrationSpec, RecentRows
from harness.validation.compare import CheckResult, Text, labelled, skipped
from harness.warehouse import Call, Warehouse

# A question for the warehouse, and how its answer becomes checks.
Question = tuple[Call[Any], Callable[[Any], list[CheckResult]]]


def domain_rules(checks: Checks, columns: set[str], physical: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """accepted_values, ranges and no_future_dates as rules for count_violations, on the columns
    present. A rule names a column of the new shape; `physical` (before contract) maps it to the
    column that holds it now (a renamed column's old name, a shadow column)."""
    physical = physical or {}
    rules: list[dict[str, Any]] = []
    for column, values in checks.accepted_values.items():
        rules.append({"name": f"{column} in accepted values", "kind": "accepted_values", "column": column,
                      "values": values})  # fmt: skip
    for column, bounds in checks.ranges.items():
        rules.append({"name": f"{column} within {bounds.label}", "kind": "range", "column": column,
                      "min": bounds.min, "max": bounds.max})  # fmt: skip
    for column in checks.no_future_dates:
        rules.append({"name": f"{column} not in the future", "kind": "no_future", "column": column})
    rules = [{**rule, "column": physical.get(rule["column"], rule["column"])} for rule in rules]
    return [rule for rule in rules if rule["column"] in columns]


def _violations(rules: list[dict[str, Any]]) -> Callable[[list[int]], list[CheckResult]]:
    def read(counts: list[int]) -> list[CheckResult]:
        return [CheckResult(rule["name"], "0 rows outside", f"{count} rows outside", count == 0)
                for rule, count in zip(rules, counts, strict=True)]  # fmt: skip

    return read


def _sampled(what: str, sample: list[Any]) -> Text:
    """`orphaned values (first 3): [..]`: the sampled values (from table rows), or nothing."""
    return labelled(f"{what} (first {len(sample)}): ", sample) if sample else ""


def _orphans(name: str) -> Callable[[dict[str, Any]], list[CheckResult]]:
    def read(found: dict[str, Any]) -> list[CheckResult]:
        return [CheckResult.holding_values(name, "0 orphans", f"{found['orphans']} orphans", found["orphans"] == 0,
                                           _sampled("orphaned values", found["sample"]))]  # fmt: skip

    return read


def _compared(name: str) -> Callable[[dict[str, Any]], list[CheckResult]]:
    def read(found: dict[str, Any]) -> list[CheckResult]:
        bad = int(found["missing"]) + int(found["differing"])
        return [CheckResult.holding_values(
            name, f"{found['compared']} rows identical",
            f"{found['missing']} missing, {found['differing']} differing of {found['compared']}", bad == 0,
            _sampled("keys", found["sample"]),
        )]  # fmt: skip

    return read


def _sample_name(checks: Checks) -> str:
    return f"{checks.sample_rows} random rows = backup"


def _recent_name(recent: RecentRows) -> str:
    return f"rows of the last {recent.hours}h by {recent.column} = backup"


def checklist_questions(
    spec: MigrationSpec, schema: str, table: str, columns: set[str], backup: tuple[str, str] | None,
    shared: list[str], physical: dict[str, str] | None = None,
) -> list[Question]:  # fmt: skip
    """The checklist on schema.table (whose columns are `columns`, holding the new shape's as
    `physical` maps them); with a backup (no writers since it was taken), `shared` columns of
    sampled and recent rows compared with it."""
    checks = spec.checks
    questions: list[Question] = []
    rules = domain_rules(checks, columns, physical)
    if rules:
        questions.append((Warehouse.count_violations(schema, table, rules), _violations(rules)))
    for fk in checks.foreign_keys:  # (on the migrated table: the column holding the value before contract)
        column = fk.column if fk.table not in (None, spec.table) else (physical or {}).get(fk.column, fk.column)
        child = (schema, fk.table or table, column)
        questions.append((Warehouse.count_orphans(child, (schema, *fk.parent)),
                          _orphans(f"{child[1]}.{fk.column} → {fk.references}")))  # fmt: skip
    if backup is None:
        return questions
    which: list[tuple[str, dict[str, Any]]] = []
    if checks.sample_rows:
        which.append((_sample_name(checks), {"sample_size": checks.sample_rows}))
    recent = checks.recent_rows
    if recent and recent.column in shared:
        which.append((_recent_name(recent),
                      {"recent_column": recent.column, "recent_hours": recent.hours}))  # fmt: skip
    for name, arguments in which:
        call = Warehouse.compare_rows_by_key(backup, (schema, table), list(spec.key), shared, **arguments)
        questions.append((call, _compared(name)))
    return questions


def skipped_rules(spec: MigrationSpec, no_backup: str | None, shared: list[str]) -> list[CheckResult]:
    """The spec's rules the checklist cannot ask this time, each with its reason (`no_backup`: why
    there is no backup to compare rows with), so a report never drops one silently."""
    checks, found = spec.checks, []
    recent = checks.recent_rows
    recent_name = _recent_name(recent) if recent else ""
    if no_backup and checks.sample_rows:
        found.append(skipped(_sample_name(checks), no_backup))
    if no_backup and recent:
        found.append(skipped(recent_name, no_backup))
    elif recent and recent.column not in shared:
        found.append(skipped(recent_name, f"{recent.column} is not a column both shapes share unchanged"))
    return found


def absent_rule_columns(spec: MigrationSpec, columns: set[str], physical: dict[str, str]) -> list[CheckResult]:
    """A rule of the spec on a column the table does not have (preflight checked they would exist;
    a dbt run, say, rebuilt the table since) fails, naming the column: it is never dropped silently."""
    checks = spec.checks
    named = [*checks.not_null, *checks.accepted_values, *checks.ranges, *checks.no_future_dates]
    named += [checks.recent_rows.column] if checks.recent_rows else []
    named += [fk.column for fk in checks.foreign_keys if fk.table in (None, spec.table)]
    return [CheckResult(f"rule on {column}", "column present", "column missing", False,
                        f"checks name {column}, which the table does not have")
            for column in dict.fromkeys(named) if physical.get(column, column) not in columns]  # fmt: skip


def ask(warehouse: Warehouse, questions: list[Question]) -> list[CheckResult]:
    """Every question in one invocation; the checks in the questions' order."""
    answers = warehouse.run_together([call for call, _ in questions])
    return [check for (_, read), answer in zip(questions, answers, strict=True) for check in read(answer)]
