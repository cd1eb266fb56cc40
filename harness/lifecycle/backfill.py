"""Backfill: keyset batches, each committed with its checkpoint, several per call (one dbt call
per batch would cost more than the batch); resumable from the last checkpoint after a crash; up to
the last key there is when it starts (rows written since are the sync trigger's or a default's).
Throttling pauses between batches: in the server where the engine runs the loop there, between
one-batch calls otherwise. A lock wait backs the pace off (and is journaled)."""

from __future__ import annotations

import json
import time
from functools import partial
from typing import TYPE_CHECKING, Any

from harness import faults
from harness.documents.monitor_chart import write_monitor_page
from harness.lifecycle import pacing
from harness.lifecycle.state import RunRecord, State
from harness.lifecycle.step import Outcome
from harness.operations import Blueprint
from harness.placements import placement_of

if TYPE_CHECKING:
    from harness.lifecycle.migration import Migration

NAME = "backfill"


def run(migration: Migration, run: RunRecord) -> Outcome:
    spec = migration.spec
    in_server_pause = migration.engine.server_side_backfill
    plan = migration.blueprint(run)
    placement = placement_of(plan)
    assignments, copy_into = placement.backfill(plan, lock_rows=migration.dual_write(plan))
    checkpoint = run.last_checkpoint
    after_key = json.loads(checkpoint["last_key"]) if checkpoint else None
    batch_no = int(checkpoint["batch_no"]) + 1 if checkpoint else 1
    resumed_from = batch_no
    total = run.snapshots["before"].row_count if "before" in run.snapshots else 0
    done_rows = int(checkpoint["rows_done"] or 0) if checkpoint else 0
    rows_this_session = 0
    pause = spec.throttle_seconds
    size, sizes = spec.batch_size, []  # (the size steers itself with batch_seconds, where the engine does)
    limits = (min(100, spec.batch_size), max(100_000, spec.batch_size))  # ... within these, whatever it reached
    clock = time.perf_counter()
    # The keys there are now: a key written after this (a writer appending) gets its new-shape
    # values from the sync trigger or a default, so the backfill never chases the writers.
    until_key = None if not assignments and copy_into is None else \
        migration.warehouse.last_key(migration.schema, migration.table, list(spec.key))  # fmt: skip
    done = done_at_once = until_key is None
    pacer = None if done else pacing.Pacer.start(migration, run)
    per_call = min(migration.seconds_per_call, 0.5) if pacer else migration.seconds_per_call  # look more often
    while not done:
        waits_before = migration.lock_waits
        batches, done, size = migration.with_lock_retry(
            run, f"backfill batch {batch_no}",
            partial(
                migration.warehouse.backfill_batches, migration.schema, migration.table, list(spec.key), assignments,
                after_key, size, run.run_id, batch_no,
                max_batches=1 if pause and not in_server_pause else migration.batches_per_call,
                max_seconds=per_call, pause_seconds=pause if in_server_pause else 0.0,
                rows_done=done_rows + rows_this_session, rows_total=total or None, copy_into=copy_into,
                until_key=until_key, batch_seconds=spec.batch_seconds, batch_limits=limits,
            ),
        )  # fmt: skip
        sizes += [batch.rows for batch in batches]
        for batch in batches:
            rows_this_session += batch.rows
            after_key, batch_no = batch.last_key, batch.batch_no + 1
        elapsed = max(time.perf_counter() - clock, 1e-9)
        rows, rate = done_rows + rows_this_session, rows_this_session / elapsed
        migration.reporter.backfill_progress(rows, total, rate)
        left = 0 if done else (max(total - rows, 0) / rate if rate and total else None)
        migration.publish(run, {"rows_done": rows, "rows_total": total or None, "rows_per_second": rate or None,
                                "seconds_left": left, "batches": batch_no - 1, "finished": done})  # fmt: skip
        if batches:
            faults.point("backfill.after_batch", batch_no - 1)  # crash tests stop here (harness/faults.py)
        if pacer and not done:
            pacer.hold()
        if migration.lock_waits > waits_before:  # writers hold the rows: give them room
            pause = min(max(pause * 2, migration.lock_backoff_seconds), 10.0)
        elif pause > spec.throttle_seconds:
            pause = max(pause / 2, spec.throttle_seconds) if pause > 0.01 else spec.throttle_seconds
        if pause and not done and not in_server_pause:
            time.sleep(pause)
    after = placement.views_after_backfill(plan)
    if after:  # every row is in the new table now: its shape becomes readable (and writable)
        migration.create_views(run, plan, after)
    batches_run = batch_no - resumed_from
    note = f"{batches_run} batch(es) of ≤{spec.batch_size}" if not done_at_once else "nothing to backfill"
    figures: dict[str, Any] = {"batches": batches_run}
    steered = sizes[:-1] if len(sizes) > 1 else sizes  # (the last batch is what was left)
    if spec.batch_seconds and steered and migration.engine.server_side_backfill:
        note = (f"{batches_run} batch(es) steered to ~{spec.batch_seconds:g} s each: "
                f"{min(steered):,}..{max(steered):,} rows")  # fmt: skip
        figures.update(batch_rows_min=min(steered), batch_rows_max=max(steered))
    if copy_into:
        note += f", copied into {copy_into['table']}"
    if resumed_from > 1:
        note += f", resumed after checkpoint {resumed_from - 1}"
    if pacer and pacer.pauses:
        note += f"; {pacer.summary()}"
        figures.update(pauses=pacer.pauses, paused_seconds=round(pacer.paused_seconds, 3))
    if pacer:
        figures["signals"] = pacer.samples  # the time series of every look (journaled), and as charts:
        page = write_monitor_page(migration.artifact_dir(run.run_id) / "monitor.html", spec.name, pacer.samples,
                                  pacer.limits(), pacer.paused_for)  # fmt: skip
        figures["signals_page"] = str(page)
        note += f"; signals charted in {page}"
    return Outcome(rows_this_session, note, state=State.BACKFILLED, figures=figures)


def describe(migration: Migration, plan: Blueprint, batches: int) -> str:
    new_table = placement_of(plan).new_table(plan)
    return f"Backfill: {batches:,} batch(es), each with its checkpoint in one transaction; resumable." + (
        f" Each copies its rows into `{new_table['table']}`; `{migration.table}_v2` appears after the last."
        if new_table
        else ""
    )
