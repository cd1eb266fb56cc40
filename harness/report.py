"""Renders results: rich console tables, JSON and JUnit XML. Nothing else in the harness prints."""

from __future__ import annotations

import io
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from harness.diff import DiffResult
from harness.lifecycle.step import StepResult
from harness.validation.compare import ValidationReport

SHOW_VALUES_HINT = "values from table rows are <redacted>: --show-values shows them"


def validation_table(report: ValidationReport, show_values: bool = False) -> Table:
    """A row per check; a failed check's detail under its actual. Values from table rows
    `<redacted>` unless `show_values`."""
    table = Table(title=f"Validation of {report.subject}")
    for column in ("check", "expected", "actual", "status"):
        table.add_column(column, overflow="fold")
    for check in (check.shown(show_values) for check in report.checks):
        status = "[yellow]skipped[/yellow]" if check.skipped else "[green]pass[/green]" if check.passed else \
            "[red]FAIL[/red]"  # fmt: skip
        actual = f"{check.actual}\n{check.detail}" if check.detail and not check.passed else check.actual
        table.add_row(escape(check.name), escape(check.expected), escape(actual), status)
    if not show_values and any(check.redacts for check in report.checks):
        table.caption = SHOW_VALUES_HINT
    return table


def write_html(report: ValidationReport, path: Path, show_values: bool = False) -> Path:
    """The validation as one self-contained HTML page (styles inline, no script, nothing fetched:
    it reads the same offline), values from table rows `<redacted>` unless `show_values`."""
    page = Console(record=True, width=160, file=io.StringIO(), color_system="truecolor")
    page.print(validation_table(report, show_values))
    verdict = "[green]passed[/green]" if report.passed else "[red]failed[/red]"
    page.print(f"{escape(report.subject)}: {verdict}, {escape(report.summary())} ({report.seconds:.2f} s)")
    if report.error:
        page.print(f"[red]error:[/red] {escape(report.error)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page.export_html(inline_styles=True))
    return path


def steps_table(title: str, steps: list[StepResult]) -> Table:
    table = Table(title=title)
    table.add_column("step")
    table.add_column("rows", justify="right")
    table.add_column("seconds", justify="right")
    table.add_column("result", overflow="fold")
    for step in steps:
        rows = "" if step.rows is None else f"{step.rows:,}"
        table.add_row(step.step, rows, f"{step.seconds:.2f}", step.result)
    return table


def diff_table(result: DiffResult, limit: int = 50, show_values: bool = False) -> Table:
    """With `show_values`, each differing key with the values on both sides (the first `limit`
    keys); otherwise (keys and values are values from table rows) how many rows differ, by kind
    and column."""
    title = (
        f"{result.relation_a} vs {result.relation_b} by {result.key}: {result.rows_a:,} vs {result.rows_b:,} rows; "
        f"only in A {result.count('only in A')}, only in B {result.count('only in B')}, "
        f"changed {result.count('changed')}"
    )
    if not show_values:
        return _diff_counts_table(result, title)
    table = Table(title=title)
    for column in ("key", "difference", "column", "A", "B"):
        table.add_column(column, overflow="fold")
    for difference in result.differences[:limit]:
        for position, (column, (value_a, value_b)) in enumerate(difference.columns.items()):
            first = position == 0
            table.add_row(
                str(difference.key) if first else "", difference.kind if first else "", column, repr(value_a),
                repr(value_b),
            )  # fmt: skip
    if len(result.differences) > limit:
        table.caption = f"... and {len(result.differences) - limit} more keys (use --json for all)"
    for side, columns in (("A", result.columns_only_in_a), ("B", result.columns_only_in_b)):
        if columns:
            table.add_row("", f"columns only in {side}", ", ".join(columns), "", "")
    return table


def _diff_counts_table(result: DiffResult, title: str) -> Table:
    """Rows differing by kind and column, without a key or a value."""
    table = Table(title=title, caption="keys and values from table rows are not shown: --show-values lists them")
    for column in ("difference", "column"):
        table.add_column(column, overflow="fold")
    table.add_column("rows", justify="right")
    by_column: dict[tuple[str, str], int] = {}
    for difference in result.differences:
        columns = ["(the whole row)"] if difference.kind != "changed" else list(difference.columns)
        for column in columns:
            by_column[(difference.kind, column)] = by_column.get((difference.kind, column), 0) + 1
    for (kind, column), rows in by_column.items():
        table.add_row(kind, escape(column), f"{rows:,}")
    for side, columns in (("A", result.columns_only_in_a), ("B", result.columns_only_in_b)):
        if columns:
            table.add_row(f"columns only in {side}", escape(", ".join(columns)), "")
    return table


def write_json(data: Any, path: Path) -> Path:
    """The JSON to `path`, or to stdout when `path` is `-`."""
    text = json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"
    if str(path) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def write_junit(report: ValidationReport, path: Path, show_values: bool = False) -> Path:
    """One test case per check, so CI shows exactly which check failed; the suite's `time`; a
    classname that stays the same from run to run (the migration); a validation that could not run
    at all is one test case in error, so CI sees it. Values from table rows `<redacted>` unless
    `show_values`."""
    classname = report.suite or report.subject
    suite = ET.Element(
        "testsuite",
        name=f"harness validate {report.subject}",
        tests=str(len(report.checks) + (1 if report.error else 0)),
        failures=str(len(report.failures)),
        errors="1" if report.error else "0",
        skipped=str(len(report.skipped)),
        time=f"{report.seconds:.3f}",
    )
    if report.error:
        case = ET.SubElement(suite, "testcase", classname=classname, name="validation ran", time="0")
        ET.SubElement(case, "error", message=report.error).text = report.error
    for check in (check.shown(show_values) for check in report.checks):
        case = ET.SubElement(suite, "testcase", classname=classname, name=check.name)
        if check.skipped:
            ET.SubElement(case, "skipped", message=check.detail)
        elif not check.passed:
            failure = ET.SubElement(case, "failure", message=f"expected {check.expected}, got {check.actual}")
            failure.text = check.detail or f"expected: {check.expected}\nactual:   {check.actual}"
    suites = ET.Element("testsuites")
    suites.append(suite)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)
    return path


def progress_line(progress: dict[str, Any], *, live: bool = False) -> str:
    """`backfill: 14,000 of 40,000 rows (35%), 2 batches, 7,000 rows/s, about 4 s left` (or `done`).
    From the checkpoints alone (not `live`, no process here publishing it), an unfinished backfill
    says when its last batch committed instead of a time left it may never take."""
    done, total, rate, left = (progress[key] for key in ("rows_done", "rows_total", "rows_per_second", "seconds_left"))
    of = f" of {total:,}" if total is not None else ""
    share = f" ({done / total:.0%})" if total else ""
    pace = f", {rate:,.0f} rows/s" if rate else ""
    if progress["finished"]:
        end = "done"
    elif progress.get("rolled_back"):
        end = "stopped: rolled back before it finished"
    elif live:
        end = f"about {left:,.0f} s left" if left is not None else "running"
    else:
        end = (f"last batch committed at {progress.get('last_batch_at', '?')[:19]} UTC; no harness here reports it "
               "running (if none runs it, `harness migrate start <spec>` resumes it)")  # fmt: skip
    return f"{progress.get('what', 'backfill')}: {done:,}{of} rows{share}, {progress['batches']} batch(es){pace}, {end}"


def watch_line(published: dict[str, Any]) -> str:
    """One look at a running command, as `harness migrate watch` prints it: the time, the run's
    state, its last step and the backfill's progress."""
    run = published.get("run") or {}
    steps = run.get("steps") or []
    last = f"; last step {steps[-1]['step']} ({steps[-1]['status']})" if steps else ""
    progress, signals = published.get("backfill_progress"), published.get("signals")
    moving = f"; {progress_line(progress, live=True)}" if progress else ""
    if signals:
        lag = f", replica lag {signals['lag_bytes']:,.0f} B / {signals['lag_seconds']:.1f} s" \
            if signals.get("standbys") else ""  # fmt: skip
        moving += (f"; probe {signals['probe_ms']:.2f} ms{lag}, oldest transaction "
                   f"{signals['oldest_transaction_seconds']:.0f} s")  # fmt: skip
    return (f"{str(published.get('updated_at', ''))[11:19]} harness {published.get('command')} "
            f"(pid {published.get('pid')}): {run.get('state', 'starting')}{last}{moving}")  # fmt: skip


def print_error(console: Console, message: str) -> None:
    console.print(f"[bold red]error:[/bold red] {message}", highlight=False, soft_wrap=True)


class RichReporter:
    """Prints each step as it finishes; shows a progress bar (rows/s, ETA) while backfilling."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._progress: Progress | None = None
        self._task: Any = None

    def step_finished(self, step: StepResult) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        rows = "" if step.rows is None else f" {step.rows:,} rows"
        self.console.print(f"[bold]{step.step}[/bold]{rows} in {step.seconds:.2f}s: {escape(step.result)}",
                           highlight=False)  # fmt: skip

    def backfill_progress(self, rows_done: int, rows_total: int, rows_per_second: float) -> None:
        if self._progress is None:
            self._progress = Progress(
                TextColumn("backfill"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,} rows"),
                TextColumn("{task.fields[speed]:,.0f} rows/s"), TimeRemainingColumn(), console=self.console,
            )  # fmt: skip
            self._task = self._progress.add_task("backfill", total=max(rows_total, 1), speed=0.0)
            self._progress.start()
        self._progress.update(self._task, completed=rows_done, speed=rows_per_second)
