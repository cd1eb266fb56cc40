"""What a lifecycle step hands back, and how progress reaches the person watching."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from harness.lifecycle.state import State
from harness.snapshot import Snapshot


@dataclass(frozen=True)
class Outcome:
    """A step's result: rows, one line of result, and the run's new state (journaled together)."""

    rows: int | None
    result: str
    checksum: str | None = None
    state: State | None = None  # the run's state after the step; None: unchanged
    note: str | None = None
    backup_relation: str | None = None
    figures: dict[str, Any] | None = None  # typed measurements (e.g. restore_seconds)
    snapshots: dict[str, Snapshot] = field(default_factory=dict)  # taken by the step, stored with its journal line


@dataclass(frozen=True)
class StepResult:
    step: str
    rows: int | None
    seconds: float
    result: str


class Reporter(Protocol):
    def step_finished(self, step: StepResult) -> None: ...

    def backfill_progress(self, rows_done: int, rows_total: int, rows_per_second: float) -> None: ...


class NullReporter:
    def step_finished(self, step: StepResult) -> None:
        pass

    def backfill_progress(self, rows_done: int, rows_total: int, rows_per_second: float) -> None:
        pass
