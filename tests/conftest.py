"""Fixtures: a real DuckDB file per test, a real PostgreSQL schema per test (dropped after).

PostgreSQL tests skip locally when the server is down, but fail under CI=true: CI must never
go green without having talked to PostgreSQL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import psycopg2
import pytest

from harness.settings import REPO_ROOT, Settings
from harness.warehouse import Warehouse

PG = {
    "host": os.environ.get("PGHOST", "127.0.0.1"),
    "port": int(os.environ.get("PGPORT", "5432")),
    "user": os.environ.get("PGUSER", "postgres"),
    "dbname": os.environ.get("PGDATABASE", "test"),
}


class Db:
    """Direct driver access, independent of the harness, to arrange data and check results."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def adapter(self) -> str:
        return "postgres" if self.settings.target == "postgres" else "duckdb"

    @property
    def schema(self) -> str:
        return self.settings.schema or "main"

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.adapter == "duckdb":
            with duckdb.connect(str(self.settings.duckdb_path)) as connection:
                return connection.execute(sql).fetchall()
        connection = psycopg2.connect(**PG, options=f"-c search_path={self.schema}")
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()

    def execute(self, sql: str) -> None:
        self.query(sql)

    def rows(self, table: str, order_by: str = "id") -> list[tuple[Any, ...]]:
        return self.query(f"select * from {self.schema}.{table} order by {order_by}")

    def columns(self, table: str) -> list[str]:
        """The columns a reader of `table` gets (tables and views alike)."""
        sql = f"select * from {self.schema}.{table} limit 0"
        if self.adapter == "duckdb":
            with duckdb.connect(str(self.settings.duckdb_path)) as connection:
                return [d[0] for d in connection.execute(sql).description]
        connection = psycopg2.connect(**PG, options=f"-c search_path={self.schema}")
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return [d[0] for d in cursor.description]
        finally:
            connection.close()


SESSION_SCHEMA = f"ec_test_{uuid.uuid4().hex[:8]}"


def postgres_reachable() -> str | None:
    try:
        psycopg2.connect(**PG, connect_timeout=3).close()
    except psycopg2.OperationalError as exc:
        return str(exc).strip()
    return None


def _duckdb_settings(tmp_path: Path) -> Settings:
    return Settings(
        project_dir=REPO_ROOT,
        target="duckdb",
        target_dir=tmp_path / "target",
        duckdb_path=tmp_path / "warehouse.duckdb",
    )


def _postgres_settings(tmp_path: Path) -> Iterator[Settings]:
    problem = postgres_reachable()
    if problem:
        message = f"PostgreSQL at {PG['host']}:{PG['port']} is unreachable: {problem}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    # One name per session (dropped after each test) so the parsed dbt manifest, in which the
    # target schema is baked, is reused by every PostgreSQL test.
    schema = SESSION_SCHEMA
    settings = Settings(
        project_dir=REPO_ROOT,
        target="postgres",
        target_dir=tmp_path / "target",
        schema=schema,
        meta_schema=f"{schema}_meta",
        backup_schema=f"{schema}_backup",
    )
    db = Db(settings)

    def drop_schemas() -> None:
        for suffix in ("", "_meta", "_backup", "_backup_scratch"):
            db.execute(f"drop schema if exists {schema}{suffix} cascade")

    drop_schemas()
    try:
        yield settings
    finally:
        drop_schemas()


@pytest.fixture(autouse=True)
def _cli_target_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI run in-process (CliRunner) writes dbt's artifacts and log under the test's own
    tmp_path, not the checkout's target/ that every pytest-xdist worker would share."""
    monkeypatch.setenv("EC_TARGET_DIR", str(tmp_path / "cli-target"))


@pytest.fixture(
    params=[pytest.param("duckdb", marks=pytest.mark.duckdb), pytest.param("postgres", marks=pytest.mark.postgres)]
)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Each test using this runs twice: on a DuckDB file and on a PostgreSQL schema."""
    if request.param == "duckdb":
        yield _duckdb_settings(tmp_path)
    else:
        yield from _postgres_settings(tmp_path)


@pytest.fixture
def duckdb_settings(tmp_path: Path) -> Settings:
    return _duckdb_settings(tmp_path)


@pytest.fixture
def postgres_settings(tmp_path: Path) -> Iterator[Settings]:
    yield from _postgres_settings(tmp_path)


@pytest.fixture
def db(settings: Settings) -> Db:
    return Db(settings)


@pytest.fixture
def loaded(settings: Settings) -> Warehouse:
    """The jaffle_shop seeds and the demo `customers` table, loaded through dbt."""
    warehouse = Warehouse(settings)
    warehouse.seed(["raw_customers", "raw_orders", "raw_payments"])
    warehouse.build_models(["customers"])
    return warehouse


def write_spec(directory: Path, text: str, name: str = "spec.yml") -> Path:
    path = directory / name
    path.write_text(text)
    return path


DEMO_SPEC = REPO_ROOT / "migrations" / "customers_full_name.yml"
