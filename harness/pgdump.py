"""Optional PostgreSQL archive backups: `pg_dump -Fc` of the migrated table, verified by restoring
it with `pg_restore` into a scratch database and comparing checksums with the before-snapshot.

Connection settings come from the dbt profile and reach pg_dump through the environment
(PGPASSWORD never appears on a command line or in a log).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from harness.engines import engine_for
from harness.errors import InputError, ValidationFailed, WarehouseError
from harness.snapshot import Snapshot
from harness.validation.compare import compare_snapshots
from harness.warehouse import Warehouse


def _libpq_environment(credentials: Any, database: str | None = None) -> dict[str, str]:
    env = {**os.environ, "PGHOST": str(credentials.host), "PGPORT": str(credentials.port),
           "PGUSER": str(credentials.user), "PGDATABASE": database or str(credentials.database)}  # fmt: skip
    if credentials.password:
        env["PGPASSWORD"] = str(credentials.password)
    return env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise WarehouseError(f"{what} failed: {done.stderr.strip() or done.stdout.strip()}")


def dump_and_verify(warehouse: Warehouse, schema: str, table: str, path: Path, before: Snapshot) -> dict[str, Any]:
    """Writes the archive, restores it into a scratch database, compares, drops the scratch."""
    credentials = warehouse.project.credentials()
    engine = engine_for(credentials.type)
    if not engine.pg_dump:
        problem, fix = engine.refusal("pg_dump")
        raise InputError(f"{problem}.", fix)
    env = _libpq_environment(credentials)
    path.parent.mkdir(parents=True, exist_ok=True)
    relation = f'"{schema}"."{table}"'
    _run(["pg_dump", "--format=custom", "--no-owner", f"--table={relation}", f"--file={path}"], env, "pg_dump")
    scratch = f"ec_verify_{secrets.token_hex(4)}"
    _run(["createdb", scratch], env, "createdb (scratch database for verification)")
    try:
        checker = Warehouse(replace(warehouse.settings, pg_database=scratch))
        checker.ensure_schema(schema)
        clock = time.perf_counter()
        _run(["pg_restore", "--no-owner", f"--dbname={scratch}", str(path)], _libpq_environment(credentials, scratch),
             "pg_restore")  # fmt: skip
        restore_seconds = time.perf_counter() - clock
        restored = checker.snapshot(schema, table, profile=False)
    finally:
        _run(["dropdb", "--if-exists", scratch], env, "dropdb (scratch database)")
    failed = [check.name for check in compare_snapshots(before, restored) if not check.passed]
    if failed:
        raise ValidationFailed(
            f"the pg_dump archive {path} does not restore to the before-snapshot ({', '.join(failed)}).",
            "check disk and server health, then take the backup again",
        )
    return {"pg_dump": str(path), "bytes": path.stat().st_size, "pg_restore_seconds": round(restore_seconds, 3),
            "verified_in": scratch}  # fmt: skip
