"""How `harness move` shows itself: live progress (rows, rows/s, time left, batches per worker),
the result as a rich table, JUnit XML for CI. (JSON: report.write_json of MoveResult.to_dict.)"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from harness.move import MoveResult
from harness.report import RichReporter


class RichMoveReporter(RichReporter):
    """Each step as it finishes (as the lifecycle's); a progress bar while loading."""

    def move_progress(self, rows_done: int, rows_total: int, rows_per_second: float, workers: dict[int, int]) -> None:
        if self._progress is None:
            self._progress = Progress(
                TextColumn("move"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,} rows"),
                TextColumn("{task.fields[speed]:,.0f} rows/s"), TimeRemainingColumn(),
                TextColumn("batches per worker: {task.fields[workers]}"), console=self.console,
            )  # fmt: skip
            self._task = self._progress.add_task("move", total=max(rows_total, 1), speed=0.0, workers="")
            self._progress.start()
        shown = " ".join(f"#{worker}:{batches}" for worker, batches in sorted(workers.items()))
        self._progress.update(self._task, completed=rows_done, speed=rows_per_second, workers=shown)


def move_table(result: MoveResult, show_values: bool = False) -> Table:
    verdict = "[green]verified[/green]" if result.verified else "[red]VERIFICATION FAILED[/red]"
    table = Table(title=f"move {escape(result.source)} -> {escape(result.destination)}: {verdict}")
    for column in ("step", "rows", "seconds", "result"):
        table.add_column(column, justify="right" if column in ("rows", "seconds") else "left", overflow="fold")
    for step in result.steps:
        table.add_row(step.step, "" if step.rows is None else f"{step.rows:,}", f"{step.seconds:.2f}",
                      escape(step.result))  # fmt: skip
    for mismatch in result.mismatches:
        table.add_row("range differs", f"{mismatch.actual_rows:,}", "",
                      escape(mismatch.describe(result.key[0], show_values)))  # fmt: skip
    table.caption = f"key ({', '.join(result.key)}), {result.ranges} ranges, {result.seconds:.2f} s" + (
        f"; backup {result.backup}" if result.backup else "")  # fmt: skip
    return table


def write_move_junit(result: MoveResult, path: Path, show_values: bool = False, error: str | None = None) -> Path:
    """One test case per step, and one per key range that differs (named by its number)."""
    classname = f"move {result.destination}"
    suite = ET.Element("testsuite", name=f"harness move {result.source} -> {result.destination}",
                       tests=str(len(result.steps) + len(result.mismatches) + (1 if error else 0)),
                       failures=str(len(result.mismatches)), errors="1" if error else "0",
                       time=f"{result.seconds:.3f}")  # fmt: skip
    if error:
        case = ET.SubElement(suite, "testcase", classname=classname, name="move ran", time="0")
        ET.SubElement(case, "error", message=error).text = error
    for step in result.steps:
        ET.SubElement(suite, "testcase", classname=classname, name=step.step, time=f"{step.seconds:.3f}")
    for mismatch in result.mismatches:
        case = ET.SubElement(suite, "testcase", classname=classname, name=f"range {mismatch.number}")
        text = mismatch.describe(result.key[0], show_values)
        ET.SubElement(case, "failure", message=text).text = text
    suites = ET.Element("testsuites")
    suites.append(suite)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)
    return path
