"""The backfill's signals page: one self-contained HTML page (inline SVG, no script, nothing
fetched), a chart per signal the looks carry, each with its limit where one is set, and the
pauses listed."""

from __future__ import annotations

import re

from harness.documents.monitor_chart import monitor_page

SAMPLES = [
    {"at": 0.0, "probe_ms": 0.1, "standbys": 1, "lag_bytes": 0, "lag_seconds": 0, "oldest_transaction_seconds": 0,
     "wal_bytes": 10_000_000, "wal_written": 0, "table_bytes": 2_000_000, "connections": 5},
    {"at": 1.5, "probe_ms": 250.0, "standbys": 1, "lag_bytes": 90_000, "lag_seconds": 0.2,
     "oldest_transaction_seconds": 3, "wal_bytes": 12_097_152, "wal_written": 2_097_152,
     "table_bytes": 3_048_576, "connections": 6},
    {"at": 3.0, "probe_ms": 0.2, "standbys": 1, "lag_bytes": 1_000, "lag_seconds": 0,
     "oldest_transaction_seconds": 0, "wal_bytes": 14_194_304, "wal_written": 4_194_304,
     "table_bytes": 4_097_152, "connections": 5},
]  # fmt: skip


def test_a_chart_per_signal_with_its_limit_and_the_pauses() -> None:
    page = monitor_page("readings_doubled", SAMPLES, {"probe_ms": 2.0, "lag_bytes": 65_536}, ["probe 250 ms > 2 ms"])
    assert re.findall(r"<(?:script|link|img|iframe)\b|@import|url\(|https?://", page) == []  # reads offline
    assert page.count("<svg") == 6 and page.count("<polyline") == 6
    assert "limit 2 ms" in page and "limit 64 kB" in page  # each in its chart's unit
    assert "peak 250.00 ms" in page and "peak 4.00 MB" in page  # WAL written since the first look: 4 MiB
    assert "<li>probe 250 ms &gt; 2 ms</li>" in page and "3 looks" in page


def test_signals_a_look_does_not_carry_get_no_chart() -> None:
    page = monitor_page("m", [{"at": 0.0, "probe_ms": 0.1}, {"at": 1.0, "probe_ms": 0.3}], {}, [])
    assert page.count("<svg") == 1 and "<li>none</li>" in page
