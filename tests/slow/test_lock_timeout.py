"""PostgreSQL lock safety: DDL waits at most lock_timeout behind another session's lock, is
retried with backoff (each retry journaled), and never queues forever. DuckDB has a single
writer process and no lock waits to bound (see docs/capabilities.md).

No test here sleeps and hopes: the blocking session holds its lock until the test releases it,
and the test releases it only once it has seen the harness's DDL wait behind it (a backend
blocked by the holder, in pg_locks) and time out (a `lock_wait` row in the journal)."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from types import TracebackType
from typing import Any, TypeVar

import psycopg2
import pytest

from harness.errors import WarehouseError
from harness.lifecycle.migration import Migration
from harness.settings import Settings
from harness.spec import load_spec
from harness.warehouse import Warehouse
from tests.fixtures.warehouse import CUSTOMERS_SPEC, PG, Db

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

T = TypeVar("T")

# Only so that a harness which does queue forever fails the test instead of hanging the suite;
# no assertion depends on how fast anything is, and a healthy run never comes near this.
HANG_GUARD_SECONDS = 300.0


def observe(fact: Callable[[], T], what: str, running: Future[Any]) -> T:
    """Polls `fact` until it is non-empty and returns it. Fails as soon as `running` (the harness
    call) has ended without it being seen, since it can then never be; otherwise only at the
    hang guard."""
    deadline = time.monotonic() + HANG_GUARD_SECONDS
    while not (seen := fact()):
        if running.done():
            running.result()  # its exception, if it raised, says more than ours
            pytest.fail(f"migrate start returned before {what} was seen")
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not seen after {HANG_GUARD_SECONDS:.0f} s (hang guard)")
        time.sleep(0.02)
    return seen


class LockHolder:
    """Another session that reads the table inside an open transaction (ACCESS SHARE until it
    commits), so ALTER TABLE must wait for it. It holds the lock until `release()`."""

    def __init__(self, db: Db, table: str) -> None:
        self.db = db
        self.relation = f"{db.schema}.{table}"
        self.connection = psycopg2.connect(**PG)
        self.released = False
        with self.connection.cursor() as cursor:
            cursor.execute("select pg_backend_pid()")
            self.pid: int = cursor.fetchone()[0]  # type: ignore[index]
            cursor.execute(f"select count(*) from {self.relation}")  # psycopg2 opened a transaction
        assert self.holds_lock(), "the holder did not get its ACCESS SHARE lock"

    def holds_lock(self) -> bool:
        return self.db.query(
            f"select count(*) from pg_locks where pid = {self.pid} and granted and mode = 'AccessShareLock' "
            f"and locktype = 'relation' and relation = '{self.relation}'::regclass"
        ) == [(1,)]

    def blocked(self) -> list[tuple[int, str]]:
        """(pid, mode) of each lock request on the table that waits, not granted, behind this
        holder. Only sessions wanting this test's own table can wait for it, so under
        pytest-xdist another worker's backends never show up here."""
        return [
            (int(row[0]), str(row[1]))
            for row in self.db.query(
                f"select pid, mode from pg_locks where not granted and locktype = 'relation' "
                f"and relation = '{self.relation}'::regclass and {self.pid} = any(pg_blocking_pids(pid))"
            )
        ]

    def release(self) -> None:
        if not self.released:
            self.released = True
            self.connection.commit()
            self.connection.close()

    def __enter__(self) -> LockHolder:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.release()


def loaded_postgres(settings: Settings) -> Warehouse:
    warehouse = Warehouse(settings)
    warehouse.seed(["raw_customers", "raw_orders"])
    warehouse.build_models(["customers"])
    return warehouse


def backed_up(settings: Settings, retries: int, backoff: float) -> tuple[Migration, str]:
    """A migration with its verified backup taken (state `backed_up`), and its run id."""
    migration = Migration(loaded_postgres(settings), load_spec(CUSTOMERS_SPEC), lock_retries=retries,
                          lock_backoff_seconds=backoff)  # fmt: skip
    migration.backup()
    run = migration.current_run()
    assert run is not None and run.state == "backed_up"
    return migration, run.run_id


def journaled_lock_waits(db: Db, run_id: str) -> list[str]:
    """The `lock_wait` retries journaled so far (read directly: dbt must not run in two threads)."""
    rows = db.query(
        f"select detail from {db.settings.meta_schema}.migration_steps where run_id = '{run_id}' "
        "and step = 'lock_wait' order by started_at"
    )
    return [row[0] for row in rows]


def in_background(action: Callable[[], T]) -> tuple[Future[T], ThreadPoolExecutor]:
    """The harness call runs in one other thread (the only one running dbt); this thread watches."""
    executor = ThreadPoolExecutor(max_workers=1)
    return executor.submit(action), executor


def test_ddl_times_out_behind_a_held_lock_then_retries_and_succeeds(postgres_settings: Settings) -> None:
    db = Db(postgres_settings)
    migration, run_id = backed_up(postgres_settings, retries=5, backoff=0.2)
    with LockHolder(db, "customers") as holder:
        started, executor = in_background(migration.start)
        try:
            # The expand DDL is queued behind the reader, asking for a lock it is not granted ...
            waiting = observe(holder.blocked, "a backend waiting behind the held lock", started)
            assert [mode for _, mode in waiting] == ["AccessExclusiveLock"]  # ALTER TABLE, one session
            # ... then gives up after lock_timeout and journals a retry, while the lock is still held.
            observe(lambda: journaled_lock_waits(db, run_id), "a journaled lock_wait retry", started)
            assert holder.holds_lock() and not started.done()
        finally:
            holder.release()  # the next attempt gets the lock
        try:
            steps = started.result(timeout=HANG_GUARD_SECONDS)
        finally:
            executor.shutdown(wait=False)
    assert [step.step for step in steps] == ["re-verify backup", "expand", "backfill", "validate"]
    run = migration.current_run()
    assert run is not None and run.state == "validated"
    retries = [step for step in run.steps if step["step"] == "lock_wait"]
    assert retries and all("timed out waiting for a lock" in step["detail"] for step in retries)
    assert all(step["detail"].startswith("expand DDL: attempt") for step in retries)
    assert len(retries) < 5  # it succeeded on a retry, before running out of attempts
    assert db.columns("customers") == ["id", "first_name", "last_name", "full_name"]


def test_a_lock_never_released_fails_clearly_without_queueing_forever(postgres_settings: Settings) -> None:
    db = Db(postgres_settings)
    migration, run_id = backed_up(postgres_settings, retries=2, backoff=0.1)
    rows = db.rows("customers")
    with LockHolder(db, "customers") as holder:
        started, executor = in_background(migration.start)
        try:
            with pytest.raises(WarehouseError, match="lock timeout"):
                try:
                    started.result(timeout=HANG_GUARD_SECONDS)  # it ends by itself: the lock is never released
                except FutureTimeout:
                    pytest.fail(f"migrate start still queued behind the lock after {HANG_GUARD_SECONDS:.0f} s")
        finally:
            executor.shutdown(wait=False)
        # It gave up while the lock was still held, and left nothing queued behind it (a queued
        # ACCESS EXCLUSIVE request would block every reader of the table).
        assert holder.holds_lock()
        assert holder.blocked() == []
    # Bounded by attempts, not by luck: 2 attempts, so exactly 1 journaled retry, then the failure.
    assert [detail.split(";")[0] for detail in journaled_lock_waits(db, run_id)] == [
        "expand DDL: attempt 1 timed out waiting for a lock"
    ]
    assert db.rows("customers") == rows and db.columns("customers") == ["id", "first_name", "last_name"]
    run = migration.current_run()
    assert run is not None and run.state == "backed_up" and "lock timeout" in (run.note or "")
    failed = [step for step in run.steps if step["status"] == "failed"]
    assert [step["step"] for step in failed] == ["expand"] and "lock timeout" in failed[0]["detail"]
