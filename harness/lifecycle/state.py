"""The lifecycle's states, the transitions between them, and a run as the state table records it.

```
planned → backed_up → expanded → backfilled → validated → switched → contracted
              ↘ any state ──────────── rollback ────────────→ rolled_back
```
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from harness.snapshot import Snapshot


class State(StrEnum):
    PLANNED = "planned"
    BACKED_UP = "backed_up"
    EXPANDED = "expanded"
    BACKFILLED = "backfilled"
    VALIDATED = "validated"
    SWITCHED = "switched"
    CONTRACTED = "contracted"
    ROLLED_BACK = "rolled_back"


FORWARD = [State.PLANNED, State.BACKED_UP, State.EXPANDED, State.BACKFILLED, State.VALIDATED, State.SWITCHED,
           State.CONTRACTED]  # fmt: skip
# Each state's next one forward, and rollback from any state (rolled_back is final: a new run starts over).
TRANSITIONS: dict[State, frozenset[State]] = {
    **{state: frozenset({after, State.ROLLED_BACK}) for state, after in itertools.pairwise(FORWARD)},
    State.CONTRACTED: frozenset({State.ROLLED_BACK}),
    State.ROLLED_BACK: frozenset(),
}
TERMINAL = frozenset({State.CONTRACTED, State.ROLLED_BACK})
# States in which the added columns exist in the table.
EXPANDED = frozenset({State.EXPANDED, State.BACKFILLED, State.VALIDATED, State.SWITCHED, State.CONTRACTED})


def check_transition(current: str, new: str) -> State:
    """The new state, if the lifecycle allows moving there from `current` (staying put is allowed)."""
    before, after = State(current), State(new)
    if after != before and after not in TRANSITIONS[before]:
        raise AssertionError(f"the lifecycle does not move from {before} to {after}")
    return after


def utc_now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


@dataclass
class RunRecord:
    run_id: str
    state: str
    spec_hash: str | None
    backup_relation: str | None
    note: str | None
    steps: list[dict[str, Any]] = field(default_factory=list)
    snapshots: dict[str, Snapshot] = field(default_factory=dict)
    last_checkpoint: dict[str, Any] | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        return cls(
            run_id=data["run_id"],
            state=data["state"],
            spec_hash=data.get("spec_hash"),
            backup_relation=data.get("backup_relation"),
            note=data.get("note"),
            steps=[
                {**step, "figures": json.loads(step["figures"]) if step.get("figures") else {}}
                for step in data.get("steps", [])
            ],
            snapshots={s["label"]: Snapshot.from_dict(json.loads(s["payload"])) for s in data.get("snapshots", [])},
            last_checkpoint=data.get("last_checkpoint"),
        )

    def last_validation_passed(self) -> bool:
        validations = [step for step in self.steps if step["step"] == "validate"]
        return bool(validations) and validations[-1]["status"] == "passed"

    def last_step(self, name: str) -> dict[str, Any] | None:
        """The latest successful journal line of a step, with its typed figures."""
        found = [step for step in self.steps if step["step"] == name and step["status"] == "ok"]
        return found[-1] if found else None

    def figure(self, step: str, name: str) -> Any:
        """A typed figure a step journaled (e.g. the backup's measured restore_seconds), or None."""
        line = self.last_step(step)
        return line["figures"].get(name) if line else None

    def backfill_progress(self) -> dict[str, Any] | None:
        """The backfill as its checkpoints tell it (written by whichever process runs it): rows done,
        rows in the table at the before-snapshot, rows/s between its first and last batches, and the
        seconds left at that pace; None before its first batch."""
        checkpoint = self.last_checkpoint
        if not checkpoint or not checkpoint.get("committed_at"):
            return None
        done = int(checkpoint.get("rows_done") or 0)
        total = self.snapshots["before"].row_count if "before" in self.snapshots else None
        first, last = (datetime.fromisoformat(str(checkpoint.get(key))[:26]) for key in ("first_committed_at",
                                                                                        "committed_at"))  # fmt: skip
        elapsed = (last - first).total_seconds()
        rate = done / elapsed if elapsed > 0 else None
        left = max(total - done, 0) / rate if rate and total is not None else None
        # Over once the run moved on, or (rolled back since) once its step was journaled as done.
        finished = self.state not in (State.EXPANDED, State.ROLLED_BACK) or self.last_step("backfill") is not None
        return {"rows_done": done, "rows_total": total, "rows_per_second": rate, "seconds_left": 0 if finished
                else left, "batches": int(checkpoint["batch_no"]), "finished": finished,
                "rolled_back": self.state == State.ROLLED_BACK and not finished,
                "last_batch_at": last.isoformat(sep=" ")}  # fmt: skip
