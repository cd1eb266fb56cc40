"""Rollback after contract of TPC-H `orders` in PostgreSQL: the migration run backwards (the old
columns re-added and refilled from the archive contract kept) against `harness restore
--from-backup` of the same contracted table in the same run (a bulk reload that gives up every
write since the backup). The migration (a computed column, a retyped column, a changed default,
sync triggers) is started and completed on the first 15,000 rows and on all 1.5M rows (sf=1),
then rolled back while a writer updates random orders through the columns both shapes have; its
longest write is the longest lock hold it met (the bound is lock_timeout, 2 s). The archive
contract takes first is timed too (its share of `migrate complete`).

    python benchmarks/reverse_postgres.py [trials, default 2]

The reverse refills the replaced column for every row, as the forward backfill filled it: its
baseline is the same migration's `migrate start` (backfill and validation) on the same rows, same
run. Where the reverse's time goes is printed per part (archive copy at contract, refill, the
recomputed verification, the checks before it, the catalog put back).

Lines: RESULT reverse_postgres ratio=<reverse / migrate start, seconds at 1.5M (medians)> goal=1.5
       RESULT reverse_lock_hold ratio=<longest write during the reverse / lock_timeout> goal=1
"""

from __future__ import annotations

import functools
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tpch
from backfill_postgres import percentiles, show
from rollback_postgres import SCHEMA, SIZES, SPEC, fresh_table, with_writer

LOCK_TIMEOUT_SECONDS = 2.0
PARTS: dict[str, float] = defaultdict(float)  # seconds per part of the last trial


def timed(module: Any, name: str, label: str) -> None:
    """Adds the time spent in `module.name` to PARTS[label]."""
    original = getattr(module, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        clock = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            PARTS[label] += time.perf_counter() - clock

    setattr(module, name, wrapper)


def profile() -> None:
    from harness.lifecycle import reverse, rollback

    timed(reverse, "_forward", "up to the switch (all)")
    timed(reverse, "_batches", "batches (archive copy, refill)")
    timed(reverse, "_verify", "verification (recomputed)")
    timed(reverse, "_refuse_broken_constraints", "checks before any change")
    timed(rollback, "refuse_nulls", "checks before any change")
    timed(reverse, "_catalog_back", "catalog put back")


def trial(cursor: Any, rows: int, spec_path: Path, how: str) -> dict[str, Any]:
    """One contracted migration rolled back `how` ("reverse": `harness rollback`; "restore":
    `harness restore --from-backup`), with the writer running."""
    from harness.lifecycle.migration import Migration
    from harness.spec import load_spec

    fresh_table(cursor, rows)
    warehouse = tpch.postgres_warehouse(SCHEMA, meta_schema=f"{SCHEMA}_meta", backup_schema=f"{SCHEMA}_backup")
    migration = Migration(warehouse, load_spec(spec_path))
    clock = time.perf_counter()
    migration.start()
    started = time.perf_counter() - clock
    contract = next(step for step in migration.complete() if step.step == "contract")
    PARTS.clear()
    cursor.execute("checkpoint")
    action = migration.rollback if how == "reverse" else migration.restore_from_backup
    steps, during, errors = with_writer(lambda: {step.step: step for step in action()})
    first = steps["reverse migration" if how == "reverse" else "restore"]
    return {"seconds": first.seconds, "prove": steps["prove rollback"].seconds, "contract": contract.seconds,
            "start": started, "parts": dict(PARTS),
            "during": percentiles(during) if len(during) > 2 else None, "longest": max(during, default=0.0),
            "errors": errors}  # fmt: skip


def main() -> None:
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    profile()
    cursor = tpch.tpch_in_postgres(["orders"], SCHEMA)
    cursor.execute(f"alter table {SCHEMA}.orders rename to orders_pristine")
    spec_path = Path(tempfile.mkdtemp()) / "orders_rollback.yml"
    spec_path.write_text(SPEC)
    medians: dict[tuple[int, str], float] = {}
    longest = 0.0
    for rows in SIZES:
        for how in ("reverse", "restore"):
            results = [trial(cursor, rows, spec_path, how) for _ in range(trials)]
            medians[rows, how] = statistics.median(r["seconds"] for r in results)
            runs = ", ".join(f"{r['seconds']:.2f}" for r in results)
            medians[rows, "start"] = statistics.median(r["start"] for r in results)
            print(f"{rows:,} rows, {how}: {runs} s (median {medians[rows, how]:.2f}); migrate start "
                  f"{medians[rows, 'start']:.2f} s; contract (with its archive) "
                  f"{statistics.median(r['contract'] for r in results):.2f} s; proof "
                  f"{statistics.median(r['prove'] for r in results):.2f} s", flush=True)  # fmt: skip
            if how == "reverse":
                parts = results[-1]["parts"]
                print("  parts (last trial): " + ", ".join(f"{name} {sec:.2f} s" for name, sec in parts.items()))
            for number, result in enumerate(results, 1):
                if result["during"]:
                    show(f"writer during {how} (trial {number})", result["during"])
                print(f"  longest write during {how} {result['longest'] * 1000:.0f} ms; errors {result['errors']}")
                longest = max(longest, result["longest"]) if how == "reverse" else longest
    ratio = medians[SIZES[-1], "reverse"] / medians[SIZES[-1], "start"]
    print(f"reverse / restore --from-backup at {SIZES[-1]:,} rows: "
          f"{medians[SIZES[-1], 'reverse'] / medians[SIZES[-1], 'restore']:.1f}x (the restore blocks writers and "
          "gives up every write since the backup)", flush=True)  # fmt: skip
    print(f"RESULT reverse_postgres ratio={ratio:.2f} goal=1.5", flush=True)
    print(f"RESULT reverse_lock_hold ratio={longest / LOCK_TIMEOUT_SECONDS:.2f} goal=1", flush=True)


if __name__ == "__main__":
    main()
