"""One run per migration at a time: every command that changes a migration (backup, start,
complete, rollback, restore) holds a lock for its whole duration, and a second one is refused at
once with who holds it. The lock dies with its holder (a kill -9 frees it), so a stopped run
resumes with the same command.

- A server database: a session advisory lock (`pg_try_advisory_lock`) on a connection of its own,
  named after the migration and the harness's pid (`application_name`), which the refusal reads.
- A database file: an exclusive `flock` on a lock file beside it, holding the holder's pid and
  start time."""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.errors import StateError

if TYPE_CHECKING:
    from harness.lifecycle.migration import Migration

FIX = "wait for it to finish (`harness migrate status <spec>` shows its progress), or stop it; a stopped run " \
      "resumes with the same command"  # fmt: skip


@contextmanager
def held(migration: Migration) -> Iterator[None]:
    """The migration's lock, for the duration of the block."""
    key = f"{migration.warehouse.settings.meta_schema}.{migration.spec.name}"
    credentials = migration.warehouse.project.credentials()
    with migration.engine.run_lock(credentials, migration.warehouse.settings.output_dir, key):
        yield


@contextmanager
def session_lock(credentials: Any, _: Path, key: str) -> Iterator[None]:
    import psycopg2

    label = f"expand_contract {key} pid {os.getpid()} on {socket.gethostname()}"
    connection = psycopg2.connect(host=credentials.host, port=credentials.port, user=credentials.user,
                                  password=credentials.password or None, dbname=credentials.database,
                                  application_name=label[:63])  # fmt: skip
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("select pg_try_advisory_lock(hashtextextended(%s, 0))", (f"expand_contract {key}",))
            if not cursor.fetchone()[0]:
                cursor.execute("select application_name, backend_start::text from pg_stat_activity "
                               "where application_name like %s and pid <> pg_backend_pid() order by backend_start",
                               (f"expand_contract {key} pid %",))  # fmt: skip
                holders = cursor.fetchall()
                holder = f"{holders[0][0].split(' pid ', 1)[-1]}, since {holders[0][1]}" if holders else "unknown"
                raise StateError(f"migration {key.split('.', 1)[1]} is already running (harness pid {holder}).", FIX)
        yield
    finally:
        connection.close()  # the session ends: its advisory lock goes with it


@contextmanager
def file_lock(credentials: Any, output_dir: Path, key: str) -> Iterator[None]:
    database = getattr(credentials, "path", None)
    place = Path(f"{database}.{key}.lock") if database and database != ":memory:" else output_dir / f"{key}.lock"
    place.parent.mkdir(parents=True, exist_ok=True)
    with open(place, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise StateError(f"migration {key.split('.', 1)[1]} is already running (harness pid {holder}).",
                             FIX) from None  # fmt: skip
        handle.seek(0)
        handle.truncate()
        handle.write(
            f"{os.getpid()} on {socket.gethostname()}, since {datetime.now(UTC).isoformat(timespec='seconds')}\n"
        )
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
