"""The backfill's pacing by measured signals (the spec's `monitor:`, PostgreSQL).

- **Readers waiting**: just before the backfill, a one-row read of the probe table is timed in
  the server five times: the median is the baseline. After each backfill call the probe runs
  again (three reads, the median); it breaches while it takes more than `max_latency_ratio`
  times the baseline (at least that times 1 ms: below a millisecond the ratio is noise).
- **Replicas behind**: the furthest streaming replica's replay lag (pg_stat_replication) breaches
  past `max_replication_lag_seconds`, or past `max_replication_lag_bytes` of WAL not replayed.
- **An old transaction**: another client's transaction open longer than `max_transaction_seconds`
  keeps VACUUM from the row versions every batch leaves behind.
- **Errors**: more than `max_error_rate` of the database's transactions rolled back between two
  looks (pg_stat_database, whose counters a backend reports within about a second). The share is
  of every transaction, the backfill's own batches included (they dilute it; a lock timeout the
  harness retries counts as one error).

Every look is kept (the latest 1,000) as a time series, journaled with the backfill's figures and
published for `harness migrate watch`.

While a signal breaches, the backfill pauses, backing off from 0.25 s to 5 s between looks, and
resumes once every signal is within its limit again. Every pause and resume is a journal line
with the values; a pause longer than `max_pause_seconds` stops the backfill (exit 1; with
`--auto-rollback` the lossless rollback follows). The backfill's own batches are short
transactions, so a breach means others are waiting on the server or on its WAL: it makes room."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from harness.errors import GuardRefused, InputError
from harness.lifecycle.state import RunRecord, utc_now

if TYPE_CHECKING:
    from harness.lifecycle.migration import Migration

FLOOR_MS = 1.0  # the smallest baseline the ratio applies to
BASELINE_PROBES, PROBES = 5, 3
FIRST_WAIT, LONGEST_WAIT = 0.25, 5.0  # seconds between looks while paused
MAX_SAMPLES = 1000  # the signals kept as a time series (the latest), journaled with the backfill


def check(migration: Migration) -> None:
    """Preflight: `monitor` where the engine has other sessions to make room for, on a table that exists."""
    monitor = migration.spec.monitor
    if monitor is None:
        return
    if not migration.engine.server_side_backfill:
        problem, fix = migration.engine.refusal("server_side_backfill")
        raise InputError(f"monitor: {problem}.", fix)
    table = monitor.probe_table or migration.table
    if table != migration.table and not migration.warehouse.describe_table(
        migration.schema, table, [], [], attachments=False
    ).get("exists"):
        raise InputError(f"monitor.probe_table: {migration.schema}.{table} does not exist.",
                         "name a table readers use (default: the migrated table)")  # fmt: skip


@dataclass
class Pacer:
    migration: Migration
    run: RunRecord
    table: str
    baseline_ms: float
    limit_ms: float
    paused_seconds: float = 0.0
    samples: list[dict[str, float]] = field(default_factory=list)  # each look: seconds in, probe, server signals
    paused_for: list[str] = field(default_factory=list)  # why each pause began
    clock: float = field(default_factory=time.monotonic)
    first_wal: float | None = None  # the WAL position at the first look (the samples keep only the last ones)

    @classmethod
    def start(cls, migration: Migration, run: RunRecord) -> Pacer | None:
        """The baseline, measured now (journaled); None without `monitor`."""
        monitor = migration.spec.monitor
        if monitor is None:
            return None
        table = monitor.probe_table or migration.table
        baseline = statistics.median(migration.warehouse.probe_latency(migration.schema, table, BASELINE_PROBES))
        limit = max(baseline, FLOOR_MS) * monitor.max_latency_ratio
        pacer = cls(migration, run, table, baseline, limit)
        pacer.look(baseline)  # the first point of the time series, where the error rate counts from
        pacer._journal("monitor", "ok", f"probe of {migration.schema}.{table}: baseline {baseline:.2f} ms; the "
                                        f"backfill pauses while it takes more than {limit:.2f} ms")  # fmt: skip
        return pacer

    def probe(self) -> float:
        """The probe's median now (a read waiting on a lock is cut off at ten times the limit)."""
        timeout = int(min(max(self.limit_ms * 10, 250), 5000))
        return statistics.median(self.migration.warehouse.probe_latency(self.migration.schema, self.table, PROBES,
                                                                        timeout))  # fmt: skip

    def look(self, latency: float) -> dict[str, float]:
        """The server's signals now with the probe's `latency`, kept in the time series (with the
        error rate since the previous look) and published for `harness migrate watch`."""
        signals = self.migration.warehouse.server_signals(self.migration.schema, self.migration.table)
        sample = {"at": round(time.monotonic() - self.clock, 3), "probe_ms": round(latency, 3),
                  **{name: round(value, 3) for name, value in signals.items()}}  # fmt: skip
        before = self.samples[-1] if self.samples else sample
        self.first_wal = sample["wal_bytes"] if self.first_wal is None else self.first_wal
        sample["wal_written"] = sample["wal_bytes"] - self.first_wal
        ended = (sample["commits"] - before["commits"]) + (sample["rollbacks"] - before["rollbacks"])
        # (nothing ended since the last look, or not reported yet: the last rate stands)
        sample["error_rate"] = round((sample["rollbacks"] - before["rollbacks"]) / ended, 4) if ended > 0 else \
            before.get("error_rate", 0.0)  # fmt: skip
        self.samples.append(sample)
        del self.samples[:-MAX_SAMPLES]
        self.migration.publish(self.run, signals=sample)
        return sample

    def breach(self) -> str | None:
        """Which signal is past its limit now, with its values; None when all are within."""
        monitor = self.migration.spec.monitor
        assert monitor is not None
        latency = self.probe()
        signals = self.look(latency)
        if latency > self.limit_ms:
            return f"probe {latency:.0f} ms > {self.limit_ms:.2f} ms ({monitor.max_latency_ratio:g}x the baseline " \
                   f"{self.baseline_ms:.2f} ms)"  # fmt: skip
        if signals["standbys"] and signals["lag_seconds"] > monitor.max_replication_lag_seconds:
            return f"replication lag {signals['lag_seconds']:.1f} s > {monitor.max_replication_lag_seconds:g} s"
        limit = monitor.max_replication_lag_bytes
        if signals["standbys"] and limit is not None and signals["lag_bytes"] > limit:
            return f"replication lag {signals['lag_bytes']:,.0f} bytes of WAL not replayed > {limit:,}"
        oldest = monitor.max_transaction_seconds
        if oldest is not None and signals["oldest_transaction_seconds"] > oldest:
            return f"another client's transaction open {signals['oldest_transaction_seconds']:.0f} s > {oldest:g} s"
        errors = signals["error_rate"]
        if monitor.max_error_rate is not None and errors > monitor.max_error_rate:
            return f"error rate {errors:.1%} of the database's transactions rolled back since the last look > " \
                   f"{monitor.max_error_rate:.1%}"  # fmt: skip
        return None

    def hold(self) -> None:
        """After a backfill call: returns at once while every signal is within its limit; else
        pauses until they are (journaled), or stops the backfill after `max_pause_seconds`."""
        why = self.breach()
        if why is None:
            return
        monitor = self.migration.spec.monitor
        assert monitor is not None
        self._journal("backfill paused", "pause", why)
        self.paused_for.append(why)
        started, wait, now = time.monotonic(), FIRST_WAIT, why
        while now is not None:
            if time.monotonic() - started > monitor.max_pause_seconds:
                self.paused_seconds += time.monotonic() - started
                raise GuardRefused(
                    f"backfill stopped: paused for {monitor.max_pause_seconds:g} s and still {now}.",
                    "find what holds the server up (pg_stat_activity, pg_locks, pg_stat_replication), then "
                    "`harness migrate start <spec>` resumes after the last batch; or `harness rollback <spec>`",
                )
            time.sleep(wait)
            wait = min(wait * 2, LONGEST_WAIT)
            now = self.breach()
        paused = time.monotonic() - started
        self.paused_seconds += paused
        self._journal("backfill resumed", "ok", f"every signal within its limit again after a {paused:.1f} s pause "
                                                f"(it began: {why})", paused)  # fmt: skip

    def limits(self) -> dict[str, float | None]:
        """Each signal's limit, in its sample's units, for the chart."""
        monitor = self.migration.spec.monitor
        assert monitor is not None
        return {"probe_ms": self.limit_ms, "lag_bytes": monitor.max_replication_lag_bytes,
                "oldest_transaction_seconds": monitor.max_transaction_seconds}  # fmt: skip

    @property
    def pauses(self) -> int:
        return len(self.paused_for)

    def summary(self) -> str:
        return f"paused {self.pauses}x ({self.paused_seconds:.1f} s) while the server was busy" if self.pauses else ""

    def _journal(self, step: str, status: str, detail: str, seconds: float = 0.0) -> None:
        self.migration.journal(self.run, step=step, status=status, started_at=utc_now(), seconds=seconds,
                               detail=detail)  # fmt: skip
