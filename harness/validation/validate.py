"""The validation of a migration: its before-snapshot against the table now, `up` recomputed in
SQL, the checklist, required columns, key health and the GX suite; recorded in the journal."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from harness import faults
from harness.errors import StateError
from harness.lifecycle.backup import nothing_before
from harness.lifecycle.state import EXPANDED, RunRecord, State, utc_now
from harness.placements import placement_of
from harness.snapshot import Snapshot
from harness.validation.checklist import Question, absent_rule_columns, ask, checklist_questions, skipped_rules
from harness.validation.compare import CheckResult, ValidationReport, compare_snapshots
from harness.warehouse import Warehouse

if TYPE_CHECKING:
    from harness.lifecycle.migration import Migration


def validate(
    migration: Migration, run: RunRecord, record: bool = True, advance_to: State | None = None
) -> ValidationReport:
    """Before-snapshot vs the table now, `up` recomputed in SQL, required columns, key health.
    Recorded in the journal (`record`), moving the run to `advance_to` in the same write if it passed."""
    clock = time.perf_counter()
    before = run.snapshots.get("before")
    if before is None:
        raise StateError(
            f"run {run.run_id} of {migration.spec.name} has no before-snapshot (state {run.state}).",
            "run `harness migrate start <spec>` first",
        )
    spec, warehouse, schema = migration.spec, migration.warehouse, migration.schema
    expanded = run.state in EXPANDED
    contracted = run.state == State.CONTRACTED
    plan = migration.blueprint(run)
    placement = placement_of(plan)
    report = ValidationReport(subject=f"{spec.name} ({migration.relation}, {run.state})", suite=spec.name)
    if contracted and plan.drops_table:
        return _validate_dropped(migration, run, report, clock, record, advance_to)
    if plan.creates_table:
        return _validate_created(migration, run, report, clock, record, advance_to)
    # A rewrite's new table holds the final shape already: it is judged as the contracted table would be.
    final_shape = contracted or (expanded and placement.final_shape_once_expanded(plan))
    if contracted:
        table = plan.final_table
    elif final_shape:
        table = placement.built_in(plan, migration.table)
    else:
        table = migration.table
    after = warehouse.snapshot(schema, table, utc_now())
    if final_shape:
        shape = {"expect_added": plan.added, "expect_dropped": plan.dropped, "renamed": plan.renamed,
                 "rewritten": plan.rewritten}  # fmt: skip
    else:
        shape = {"expect_added": plan.physical_added if expanded else []}
    live = spec.concurrent_writes  # writes since the before-snapshot are legitimate: compare shape, not values
    report.extend(
        compare_snapshots(
            before, after, row_count_tolerance=spec.checks.row_count_tolerance, compare_values=not live,
            **shape,  # type: ignore[arg-type]
        )
    )  # fmt: skip
    questions: list[Question] = []
    if expanded and not (live and contracted):  # (live: rows changed since the backup; checked before contract)
        source = migration.backup_parts(run) if contracted else (schema, migration.table)
        for derived in plan.derived:
            column = derived.column if final_shape else derived.physical
            if column in after.columns:
                call = Warehouse.count_derived_mismatches(
                    source,
                    (schema, table),
                    list(spec.key),
                    column,
                    derived.expression,
                    derived.data_type,
                    derived.volatile,
                )
                questions.append((call, _mismatches(derived.column, derived.volatile)))
    backup = None
    shared: list[str] = []
    if run.backup_relation and not spec.concurrent_writes:
        backup = migration.backup_parts(run)
        rewritten = plan.rewritten if final_shape else []  # they hold new values by design
        shared = [c for c in before.columns if c in after.columns and c not in spec.key and c not in rewritten]
    # The rules name the new shape's columns; before contract some live under other names (a shadow, a
    # renamed column's old name): asked there. Before expand the new columns do not exist yet.
    physical = {} if final_shape else {name: column for name, column in plan.new if name != column}
    questions += checklist_questions(spec, schema, table, set(after.columns), backup, shared, physical)
    no_backup = None if backup else ("the table takes writes (concurrent_writes): its rows differ from the backup "
                                     "by design" if spec.concurrent_writes else "the run has no backup")  # fmt: skip
    report.extend(skipped_rules(spec, no_backup, shared))
    if expanded:
        report.extend(absent_rule_columns(spec, set(after.columns), physical))
    return _rules_and_record(migration, run, report, after, table, questions, clock, record, advance_to, physical)


def _rules_and_record(
    migration: Migration, run: RunRecord, report: ValidationReport, after: Snapshot, table: str,
    questions: list[Question], clock: float, record: bool, advance_to: State | None,
    physical: dict[str, str] | None = None,
) -> ValidationReport:  # fmt: skip
    """The questions asked in one call, with the key's health; the required columns; the GX suite;
    then the after-snapshot saved and the report journaled."""
    spec, warehouse, schema = migration.spec, migration.warehouse, migration.schema
    key = ", ".join(spec.key)
    questions.append((Warehouse.bad_keys(schema, table, list(spec.key)), lambda bad: [
        CheckResult(f"key ({key}) unique, not null", "0 bad keys", f"{bad} bad keys", bad == 0)]))  # fmt: skip
    checks = ask(warehouse, questions)
    key_health = checks.pop()  # reported after the required columns, as always
    report.extend(checks)
    holds = physical or {}  # (a column of the new shape -> the one holding it before contract)
    for column in (c for c in spec.checks.not_null if holds.get(c, c) in after.columns):
        nulls = after.columns[holds.get(column, column)].null_count
        report.checks.append(CheckResult(f"{column} not null", "0 NULL", f"{nulls} NULL", nulls == 0))
    report.checks.append(key_health)
    suite = spec.expectation_suite()
    if suite:
        from harness.validation.expectations import run_suite  # GX takes seconds to import: only when used

        docs_dir = migration.artifact_dir(run.run_id) / "data_docs"
        outcome = run_suite(warehouse.project, schema, table, suite, docs_dir, spec.name)
        report.extend(outcome.checks)
        report.data_docs = str(outcome.data_docs) if outcome.data_docs else None
    after.save(migration.artifact_dir(run.run_id) / "after.json")
    report.seconds = time.perf_counter() - clock
    if report.data_docs:  # GX's pages fetch their styles and scripts from CDNs: this one reads offline too
        from harness.report import write_html

        report.page = str(write_html(report, migration.artifact_dir(run.run_id) / "validation.html"))
    if record:
        record_validation(migration, run, report, after, advance_to if report.passed else None)
    return report


def _mismatches(column: str, volatile: bool = False) -> Callable[[int], list[CheckResult]]:
    def read(mismatches: int) -> list[CheckResult]:
        if volatile:  # another value each time: filled wherever `up` gives one, on every row
            return [CheckResult(f"{column} filled by up (volatile)", "0 rows unfilled", f"{mismatches} rows unfilled",
                                mismatches == 0)]  # fmt: skip
        return [CheckResult(f"{column} = up", "0 rows differ", f"{mismatches} rows differ", mismatches == 0)]

    return read


def _validate_created(
    migration: Migration, run: RunRecord, report: ValidationReport, clock: float, record: bool,
    advance_to: State | None,
) -> ValidationReport:  # fmt: skip
    """A table the migration created: it exists with the declared columns, in order, and the rows
    writers may have stored since hold to the checklist and the key (there is nothing to compare with)."""
    schema, table = migration.schema, migration.table
    declared = migration.blueprint(run).new_names
    described = migration.warehouse.describe_table(schema, table, [], [], attachments=False)
    exists = described["exists"] and not described.get("hidden")
    columns = [column["name"] for column in described.get("columns", [])]
    report.checks.append(CheckResult(f"{table} created", "present", "present" if exists else "absent", exists))
    if not exists:
        report.seconds = time.perf_counter() - clock
        if record:
            record_validation(migration, run, report, nothing_before(migration))  # (absent: no rows, no columns)
        return report
    after = migration.warehouse.snapshot(schema, table, utc_now())
    report.checks.append(CheckResult("columns as declared", ", ".join(declared), ", ".join(columns),
                                     columns == declared))  # fmt: skip
    questions = checklist_questions(migration.spec, schema, table, set(after.columns), None, [])
    report.extend(skipped_rules(migration.spec, "the table is new: there is no backup", []))
    report.extend(absent_rule_columns(migration.spec, set(after.columns), {}))
    return _rules_and_record(migration, run, report, after, table, questions, clock, record, advance_to)


def _validate_dropped(
    migration: Migration, run: RunRecord, report: ValidationReport, clock: float, record: bool,
    advance_to: State | None,
) -> ValidationReport:  # fmt: skip
    """After a drop_table contract: the table is gone, and its backup still matches the before-snapshot."""
    warehouse = migration.warehouse
    exists = warehouse.describe_table(migration.schema, migration.table, [], [])["exists"]
    report.checks.append(CheckResult(f"{migration.table} dropped", "absent", "present" if exists else "absent",
                                     not exists))  # fmt: skip
    backup = warehouse.snapshot(*migration.backup_parts(run), utc_now())
    report.extend(compare_snapshots(run.snapshots["before"], backup))
    report.seconds = time.perf_counter() - clock
    if record:
        record_validation(migration, run, report, backup, advance_to if report.passed else None)
    return report


def record_validation(
    migration: Migration, run: RunRecord, report: ValidationReport, after: Snapshot, new_state: State | None = None
) -> None:
    """The after-snapshot and the validation's journal line (with the run's new state, if it moves)."""
    faults.point("step.validate", 1)  # a crash test's window: validated, its journal line not yet
    migration.journal(
        run, step="validate", status="passed" if report.passed else "failed", started_at=utc_now(),
        seconds=report.seconds, rows_affected=after.row_count, checksum=after.table_checksum, detail=report.summary(),
        new_state=new_state, snapshots={"after": after},
    )  # fmt: skip
