"""Fault-injection points, for crash tests that must kill the harness at an exact moment.

`EC_FAULT=<point>:<n>` (e.g. `backfill.after_batch:12`) makes the process stop the first time it
reaches `<point>` with a number of at least `<n>`, say so on stderr (`FAULT_MARKER`) and wait to be
killed. A test then sends kill -9 on seeing the marker: an observed fact, not a race with a timer.
Unset (always, outside tests), a point costs one environment lookup.
"""

from __future__ import annotations

import os
import sys
import time

ENV = "EC_FAULT"
FAULT_MARKER = "expand_contract fault point reached:"


def point(name: str, number: int) -> None:
    """Stops here for good if `EC_FAULT` names this point and `number` has reached its value."""
    wanted = os.environ.get(ENV)
    if not wanted or ":" not in wanted:
        return
    wanted_name, _, wanted_number = wanted.rpartition(":")
    if wanted_name != name or number < int(wanted_number):
        return
    sys.stderr.write(f"{FAULT_MARKER} {name} {number}; waiting to be killed\n")
    sys.stderr.flush()
    while True:  # pragma: no cover - ended by the test's kill -9
        time.sleep(3600)
