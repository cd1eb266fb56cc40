"""The cost of one package macro call, which every lifecycle step pays several times (a lifecycle
makes ~40): run on the adapter dbt built for the project's first call (what the harness does)
against a full `dbt run-operation` invocation each time (the baseline, measured in the same run),
on DuckDB and PostgreSQL. The macro is `target_info`, which reads almost nothing, so the numbers
are the overhead itself.

    python benchmarks/macro_calls.py [calls per trial, default 30]

The last line: RESULT macro_calls ratio=<ours / baseline, PostgreSQL medians> goal=0.5
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from harness import runner
from harness.runner import DbtProject
from harness.settings import Settings

TRIALS = 5


def per_call_ms(project: DbtProject, calls: int, *, fresh: bool) -> float:
    clock = time.perf_counter()
    for _ in range(calls):
        if fresh:  # the baseline: dbt builds the adapter (profile, flags, macro context) every call
            runner._ADAPTERS.clear()
        project.operation("target_info")
    return (time.perf_counter() - clock) / calls * 1000


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    scratch = Path(tempfile.mkdtemp(prefix="bench_calls_"))
    ratios = {}
    for target in ("duckdb", "postgres"):
        settings = Settings(target=target, duckdb_path=scratch / "calls.duckdb", target_dir=scratch / "target",
                            pg_database="test")  # fmt: skip
        project = DbtProject(settings)
        project.operation("target_info")  # parses the project once, as the harness does
        ours, baseline = [], []
        for _ in range(TRIALS):  # interleaved, so a busy moment hits both
            baseline.append(per_call_ms(project, calls, fresh=True))
            ours.append(per_call_ms(project, calls, fresh=False))
        ours_ms, baseline_ms = statistics.median(ours), statistics.median(baseline)
        ratios[target] = ours_ms / baseline_ms
        print(f"{target}: {ours_ms:.1f} ms per call on the kept adapter, {baseline_ms:.1f} ms per dbt run-operation "
              f"(medians of {TRIALS} x {calls} calls; ratio {ratios[target]:.2f})")  # fmt: skip
    print(f"RESULT macro_calls ratio={ratios['postgres']:.2f} goal=0.5")


if __name__ == "__main__":
    main()
