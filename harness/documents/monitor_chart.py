"""The backfill's pacing signals over time as one self-contained HTML page (inline SVG charts, no
script, nothing fetched): written beside the run's other artifacts after a monitored backfill, so
the probe's latency, the replicas' lag, the WAL written, the table's growth and the connections
can be read after the run, next to the journal's pauses."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

WIDTH, HEIGHT, PAD = 640, 160, 36
# (figure in a sample, title, unit, scale to the unit)
SERIES = [
    ("probe_ms", "probe read (server time)", "ms", 1.0),
    ("lag_bytes", "furthest replica: WAL not replayed", "kB", 1 / 1024),
    ("wal_written", "WAL written since the backfill began", "MB", 1 / 1024 / 1024),
    ("table_bytes", "table size", "MB", 1 / 1024 / 1024),
    ("connections", "connections", "", 1.0),
    ("oldest_transaction_seconds", "oldest other transaction", "s", 1.0),
]


def _chart(samples: list[dict[str, Any]], key: str, title: str, unit: str, scale: float,
           limit: float | None) -> str:  # fmt: skip
    limit = limit * scale if limit else None  # (limits come in the sample's own units)
    points = [(float(s["at"]), float(s.get(key) or 0) * scale) for s in samples if key in s]
    if not points:
        return ""
    span_x = max(points[-1][0] - points[0][0], 1e-9)
    top = max([value for _, value in points] + ([limit] if limit else []) + [1e-9]) * 1.1

    def xy(at: float, value: float) -> str:
        x = PAD + (at - points[0][0]) / span_x * (WIDTH - 2 * PAD)
        y = HEIGHT - PAD / 2 - value / top * (HEIGHT - PAD)
        return f"{x:.1f},{y:.1f}"

    line = " ".join(xy(at, value) for at, value in points)
    ceiling = ""
    if limit:
        y = xy(points[0][0], limit).split(",")[1]
        ceiling = (f'<line x1="{PAD}" y1="{y}" x2="{WIDTH - PAD}" y2="{y}" stroke="#c0392b" stroke-dasharray="4 3"/>'
                   f'<text x="{WIDTH - PAD}" y="{float(y) - 3:.1f}" text-anchor="end" fill="#c0392b">limit '
                   f"{limit:g} {unit}</text>")  # fmt: skip
    peak = max(value for _, value in points)
    return (
        f"<h2>{html.escape(title)}</h2>"
        f'<svg width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-label="{html.escape(title)}">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fafafa" stroke="#ddd"/>'
        f'<polyline fill="none" stroke="#2c6fbb" stroke-width="1.5" points="{line}"/>{ceiling}'
        f'<text x="{PAD}" y="14">peak {peak:,.2f} {unit}</text>'
        f'<text x="{PAD}" y="{HEIGHT - 4}">0 s</text>'
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 4}" text-anchor="end">{points[-1][0]:,.1f} s</text></svg>'
    )


def monitor_page(migration: str, samples: list[dict[str, Any]], limits: dict[str, float | None],
                 pauses: list[str]) -> str:  # fmt: skip
    """The page: a chart per signal (with its limit, where one is set) and the pauses journaled."""
    charts = "".join(_chart(samples, key, title, unit, scale, limits.get(key)) for key, title, unit, scale in SERIES)
    paused = "".join(f"<li>{html.escape(line)}</li>" for line in pauses) or "<li>none</li>"
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{html.escape(migration)}: backfill signals</title>"
        "<style>body{font-family:sans-serif;margin:2em;color:#222}h2{font-size:1em;margin:1.5em 0 .3em}"
        "svg text{font-size:11px;fill:#555}</style></head><body>"
        f"<h1>{html.escape(migration)}: the backfill's signals, {len(samples)} looks</h1>"
        f"<p>Pauses:</p><ul>{paused}</ul>{charts}</body></html>\n"
    )


def write_monitor_page(path: Path, migration: str, samples: list[dict[str, Any]],
                       limits: dict[str, float | None], pauses: list[str]) -> Path:  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(monitor_page(migration, samples, limits, pauses))
    return path
