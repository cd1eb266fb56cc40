"""What the warehouse says, turned into the harness's errors (harness.runner._classify): each keeps
the useful part of the database's words and gets the exit code its kind has (2: bad input or no
connection; 1: anything else). The messages are dbt's and the drivers' own, as captured."""

from __future__ import annotations

import pytest

from harness.errors import ConnectionFailed, HarnessError, InputError, WarehouseError
from harness.runner import _classify

CASES = {
    "server down": (
        'Database Error\n  connection to server at "127.0.0.1", port 5999 failed: Connection refused\n'
        "  \tIs the server running on that host and accepting TCP/IP connections?\n  ",
        ConnectionFailed,
        'connection to server at "127.0.0.1", port 5999 failed: Connection refused',
    ),
    "unknown target": (
        "Runtime Error\n  The profile 'expand_contract' does not have a target named 'oracle'. The valid target "
        "names for this profile are:\n   - duckdb\n   - postgres",
        InputError,
        "does not have a target named 'oracle'. The valid target names for this profile are: - duckdb - postgres",
    ),
    "privilege": (
        "Database Error\n  permission denied for schema sales\n  LINE 3: select 1",
        InputError,
        "lacks a privilege: permission denied for schema sales",
    ),
    "case differs": (
        "Compilation Error\n  When searching for a relation, dbt found an approximate match. Instead of guessing \n"
        '  which relation to use, dbt will move on. Please delete "test"."public"."orders", or rename it to be less\n'
        '  ambiguous.\n  Searched for: "test"."public"."Orders"\n  Found: "test"."public"."orders"\n',
        InputError,
        'no table "test"."public"."Orders", but there is "test"."public"."orders": names are matched exactly',
    ),
    "anything else": ("Database Error\n  division by zero\n", WarehouseError, "probe failed: division by zero"),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_warehouse_says_it_and_the_harness_keeps_the_useful_part(case: tuple[str, type, str]) -> None:
    raw, kind, kept = case
    error: HarnessError = _classify(raw, "probe")
    assert type(error) is kind
    assert kept in error.message
    assert error.exit_code == (1 if kind is WarehouseError else 2)
    assert "Please delete" not in error.message  # (dbt's advice to drop the user's table is never passed on)
