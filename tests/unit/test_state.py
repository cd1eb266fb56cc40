"""The lifecycle's state machine, without a warehouse."""

from __future__ import annotations

import itertools

import pytest

from harness.lifecycle.state import FORWARD, TERMINAL, TRANSITIONS, RunRecord, State, check_transition


def test_forward_one_step_at_a_time_and_rollback_from_every_state() -> None:
    for before, after in itertools.pairwise(FORWARD):
        assert check_transition(before, after) == after
        with pytest.raises(AssertionError):
            check_transition(after, before)
    for state in State:
        if state != State.ROLLED_BACK:
            assert State.ROLLED_BACK in TRANSITIONS[state]
    assert TRANSITIONS[State.ROLLED_BACK] == frozenset() and State.ROLLED_BACK in TERMINAL


def test_skipping_a_state_is_refused_and_staying_put_is_allowed() -> None:
    with pytest.raises(AssertionError, match="does not move from planned to expanded"):
        check_transition("planned", "expanded")
    assert check_transition("backfilled", "backfilled") == State.BACKFILLED


def test_a_run_reads_typed_figures_from_its_journal() -> None:
    run = RunRecord.from_dict({
        "run_id": "r", "state": "backed_up", "spec_hash": "h", "backup_relation": "b.t", "note": None,
        "steps": [
            {"step": "backup + verify", "status": "failed", "figures": None},
            {"step": "backup + verify", "status": "ok", "figures": '{"restore_seconds": 0.25}'},
            {"step": "validate", "status": "passed", "figures": None},
        ],
    })  # fmt: skip
    assert run.figure("backup + verify", "restore_seconds") == 0.25
    assert run.figure("expand", "restore_seconds") is None
    assert run.last_validation_passed()


def test_the_backfill_progress_comes_from_its_checkpoints() -> None:
    from harness.report import progress_line
    from harness.snapshot import Snapshot

    checkpoint = {"batch_no": 3, "last_key": "[30]", "rows_affected": 10, "rows_done": 30,
                  "first_committed_at": "2026-12-06 10:00:00", "committed_at": "2026-12-06 10:00:02"}  # fmt: skip
    before = Snapshot("s.t", "postgres", 100, "x", {})
    taken = {"snapshots": {"before": before}, "last_checkpoint": checkpoint}
    running = RunRecord("r", State.EXPANDED, None, None, None, **taken)  # type: ignore[arg-type]
    assert running.backfill_progress() == {"rows_done": 30, "rows_total": 100, "rows_per_second": 15.0,
                                           "seconds_left": 70 / 15.0, "batches": 3, "finished": False,
                                           "rolled_back": False, "last_batch_at": "2026-12-06 10:00:02"}  # fmt: skip
    moved_on = RunRecord("r", State.BACKFILLED, None, None, None, **taken)  # type: ignore[arg-type]
    assert moved_on.backfill_progress()["finished"] is True  # type: ignore[index]
    rolled_back = RunRecord("r", State.ROLLED_BACK, None, None, None, **taken)  # type: ignore[arg-type]
    assert rolled_back.backfill_progress()["finished"] is False  # type: ignore[index]
    assert "stopped: rolled back" in progress_line(rolled_back.backfill_progress() or {})
    rolled_back.steps.append({"step": "backfill", "status": "ok", "figures": {}})  # it had finished first
    assert progress_line(rolled_back.backfill_progress() or {}).endswith(", done")
    stopped = progress_line(running.backfill_progress() or {})  # no process here reports it running
    assert "last batch committed at 2026-12-06 10:00:02 UTC" in stopped and "left" not in stopped
    assert progress_line(running.backfill_progress() or {}, live=True).endswith("about 5 s left")
    assert RunRecord("r", State.EXPANDED, None, None, None).backfill_progress() is None  # before its first batch


def test_a_watch_line_shows_the_state_the_last_step_the_progress_and_the_signals() -> None:
    from harness.report import watch_line

    published = {
        "command": "start", "pid": 42, "updated_at": "2026-12-06T16:51:07+00:00",
        "run": {"state": "expanded", "steps": [{"step": "expand", "status": "ok"}]},
        "backfill_progress": {"rows_done": 300, "rows_total": 1000, "rows_per_second": 150.0, "seconds_left": 4.7,
                              "batches": 3, "finished": False},
        "signals": {"probe_ms": 0.12, "standbys": 1, "lag_bytes": 65536, "lag_seconds": 0.4,
                    "oldest_transaction_seconds": 3},
    }  # fmt: skip
    assert watch_line(published) == (
        "16:51:07 harness start (pid 42): expanded; last step expand (ok); backfill: 300 of 1,000 rows (30%), "
        "3 batch(es), 150 rows/s, about 5 s left; probe 0.12 ms, replica lag 65,536 B / 0.4 s, oldest transaction 3 s"
    )
