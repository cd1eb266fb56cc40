"""PostgreSQL lock safety: DDL waits at most lock_timeout behind another session's lock, is
retried with backoff (each retry journaled), and never queues forever. DuckDB has a single
writer process and no lock waits to bound (see docs/capabilities.md)."""

from __future__ import annotations

import threading
import time

import psycopg2
import pytest

from harness.errors import WarehouseError
from harness.lifecycle.migration import Migration
from harness.settings import Settings
from harness.spec import load_spec
from harness.warehouse import Warehouse
from tests.conftest import DEMO_SPEC, PG, Db


def hold_lock(schema: str, seconds: float, ready: threading.Event) -> None:
    """Another session reads the table inside an open transaction: ALTER TABLE must wait for it."""
    connection = psycopg2.connect(**PG)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"select count(*) from {schema}.customers")  # ACCESS SHARE until commit
            ready.set()
            time.sleep(seconds)
        connection.commit()
    finally:
        connection.close()


def loaded_postgres(settings: Settings) -> Warehouse:
    warehouse = Warehouse(settings)
    warehouse.seed(["raw_customers", "raw_orders"])
    warehouse.build_models(["customers"])
    return warehouse


def backed_up_behind_a_lock(
    settings: Settings, retries: int, backoff: float, hold_seconds: float
) -> tuple[Migration, threading.Thread]:
    """A migration with its verified backup taken, and another session holding a lock on the
    table for `hold_seconds` (started, and holding, when this returns)."""
    migration = Migration(loaded_postgres(settings), load_spec(DEMO_SPEC), lock_retries=retries,
                          lock_backoff_seconds=backoff)  # fmt: skip
    migration.backup()
    ready = threading.Event()
    holder = threading.Thread(target=hold_lock, args=(settings.schema, hold_seconds, ready))
    holder.start()
    ready.wait(10)
    return migration, holder


@pytest.mark.postgres
def test_ddl_times_out_behind_a_held_lock_then_retries_and_succeeds(postgres_settings: Settings) -> None:
    migration, holder = backed_up_behind_a_lock(postgres_settings, retries=5, backoff=0.2, hold_seconds=3.0)
    clock = time.perf_counter()
    migration.start()
    holder.join()
    run = migration.current_run()
    assert run is not None and run.state == "validated"
    retries = [step for step in run.steps if step["step"] == "lock_wait"]
    assert retries and all("timed out waiting for a lock" in step["detail"] for step in retries)
    assert time.perf_counter() - clock >= 2.0  # it did wait, boundedly, behind the reader


@pytest.mark.postgres
def test_a_lock_never_released_fails_clearly_without_queueing_forever(postgres_settings: Settings) -> None:
    db = Db(postgres_settings)
    migration, holder = backed_up_behind_a_lock(postgres_settings, retries=2, backoff=0.1, hold_seconds=7.0)
    rows = db.rows("customers")
    clock = time.perf_counter()
    with pytest.raises(WarehouseError, match="lock timeout"):
        migration.start()
    waited = time.perf_counter() - clock
    holder.join()
    assert waited < 6.5  # 2 attempts x 2 s lock_timeout + backoff, not forever
    assert db.rows("customers") == rows and db.columns("customers") == ["id", "first_name", "last_name"]
    run = migration.current_run()
    assert run is not None and run.state == "backed_up" and "lock timeout" in (run.note or "")
