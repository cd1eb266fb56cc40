"""What each warehouse engine can do: the one place in the harness that names an engine.

Core code asks a capability (`engine.triggers`), never the engine's name; a refusal names the
capability that is missing and what to do instead (`refusal(...)`), as dlt's destination
capabilities do. An adapter without an entry gets the conservative `portable` engine: plain
SQL only, which the package's `default__` macros implement.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.run_lock import file_lock, session_lock

# Functions an expression may not call: they act outside the row it computes.
SERVER_FUNCTIONS_REFUSED = ("dblink", "lo_", "pg_read_", "pg_ls_", "pg_file_", "pg_stat_file", "pg_terminate_backend",
                     "pg_cancel_backend", "pg_reload_conf", "pg_rotate_logfile", "set_config", "pg_sleep",
                     "pg_advisory", "pg_try_advisory", "pg_notify", "query_to_xml", "pg_logical_emit_message",
                     "pg_switch_wal", "pg_create_", "pg_drop_", "pg_promote")  # fmt: skip
FILE_FUNCTIONS_REFUSED = ("read_", "glob", "getenv", "query", "query_table", "sniff_csv", "parquet_", "iceberg_",
                    "delta_scan", "postgres_scan", "postgres_query", "postgres_execute", "postgres_attach",
                    "sqlite_", "mysql_", "httpfs", "load", "install", "checkpoint", "current_setting",
                    "duckdb_secrets", "which_secret", "sleep")  # fmt: skip


@dataclass(frozen=True)
class Engine:
    name: str
    triggers: bool  # row triggers: writes through either shape kept in sync while both exist
    alter_add_constraint: bool  # ALTER TABLE ... ADD CONSTRAINT (check, foreign key) on an existing table
    not_valid_constraints: bool  # constraints added NOT VALID, validated later without blocking writers
    concurrent_index: bool  # CREATE / DROP INDEX CONCURRENTLY
    index_options: bool  # index method, operator classes, INCLUDE, partial (WHERE), storage parameters
    replica_identity: bool  # logical replication's REPLICA IDENTITY
    identity_columns: bool  # GENERATED ... AS IDENTITY
    index_blocks_alter: bool  # an index on a table blocks dropping or renaming its columns, or the table
    server_side_backfill: bool  # the backfill loop and its pauses run in the server (DO block, COMMIT per batch)
    single_writer: bool  # one writing process per database file
    pg_dump: bool  # pg_dump / pg_restore archives
    script_runner: str  # how a person runs a generated SQL script alone
    gx_source: Callable[[Any, Any, list[Any]], Any] | None = None  # a Great Expectations data source

    # One run per migration at a time (harness/run_lock.py): (credentials, output dir, key) -> a
    # context manager that holds the lock or refuses, naming the holder.
    run_lock: Callable[[Any, Path, str], AbstractContextManager[None]] = file_lock
    sql_parser: tuple[str, str | None] = ("sqlglot", None)  # user SQL judged by: pglast, or sqlglot in a dialect
    refused_functions: tuple[str, ...] = ()  # names (or prefixes) user expressions may not call
    title: str = ""  # the engine's name as people write it, in messages
    owned_sequences: bool = True  # a `serial` column's sequence belongs to its table (dropped with it)
    set_schema: bool = False  # ALTER TABLE ... SET SCHEMA: a table moved to another schema, whole (metadata only)

    @property
    def alter_constraints(self) -> bool:
        """ALTER TABLE ... DROP / RENAME CONSTRAINT: where constraints can be added, they can be changed."""
        return self.alter_add_constraint

    def refusal(self, capability: str) -> tuple[str, str]:
        """(why this engine cannot do it, what to do instead), for a missing capability."""
        words = {"engine": self.name, "title": self.title or self.name}
        return REFUSALS[capability].format(**words), FIXES[capability].format(**words)


# Why a capability matters, said once; the fix says what to do instead.
REFUSALS = {
    "triggers": "{engine} has no triggers, so writes made while both shapes exist cannot be kept in sync "
    "(and {title} allows one writing process per file)",
    "alter_add_constraint": "not supported on {engine}",
    "index_blocks_alter": "{title} cannot drop or rename columns, or rename a table, while an index exists on it",
    "index_options": "{title} indexes take columns only (no method, operator class, order, INCLUDE, WHERE or "
    "storage parameters)",
    "pg_dump": "--pg-dump needs a PostgreSQL target; this one is {engine}",
    "replica_identity": "{title} has no logical replication, so no replica identity",
    "identity_columns": "{title} has no identity columns (GENERATED ... AS IDENTITY)",
    "alter_constraints": "{title} cannot drop or rename a constraint of an existing table",
    "server_side_backfill": "`monitor` paces the backfill for other sessions' sake, and {title} allows one "
    "process per file: there is no reader or writer to make room for",
}
FIXES = {
    "triggers": "stop writers for the migration and set `concurrent_writes: false` (the switch is atomic), "
    "or run it on PostgreSQL",
    "alter_add_constraint": "{title} cannot add a constraint to an existing table (ALTER TABLE ... ADD CONSTRAINT "
    "is not implemented); add rewrite_table to the migration (`placement: rewrite`: the new table declares it), "
    "run it on PostgreSQL, or state the rule as a `checks` entry (accepted_values, ranges, foreign_keys) so "
    "validation enforces it",
    "index_blocks_alter": "create indexes in a separate migration after this one (or drop them first); "
    "PostgreSQL has no such limit",
    "pg_dump": "drop --pg-dump: the in-database backup copy is verified the same way",
    "index_options": "list plain columns (and `unique`), or run it on PostgreSQL",
    "replica_identity": "leave set_replica_identity out of this migration",
    "identity_columns": "number the column from a sequence instead: `up` and `default` of nextval('a_sequence')",
    "alter_constraints": "a {title} table keeps the constraints it was created with; run this on PostgreSQL",
    "server_side_backfill": "leave `monitor` out on {title} (`throttle_seconds` still spaces the batches)",
}


class _BufferedCursor:
    """A DB-API cursor that fetches every result when the statement runs (see _duckdb_gx_source)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._rows: collections.deque[Any] = collections.deque()
        self.description: Any = None

    def execute(self, statement: str, parameters: Any = None, context: Any = None) -> None:
        self._inner.execute(statement, parameters, context)
        self.description = self._inner.description
        self._rows = collections.deque(self._inner.fetchall() if self.description else ())

    def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        return [self._rows.popleft() for _ in range(min(size or 1, len(self._rows)))]

    def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _duckdb_gx_source(context: Any, credentials: Any, opened: list[Any]) -> Any:
    """GX's SQL engine reads each query's rows after it has closed the connection; closing rolls
    back, and DuckDB's shared cursor then holds the ROLLBACK's empty result. Cursors that read
    each result in full at execute() time (as psycopg2 does) make GX's SQL path sound on DuckDB."""
    import duckdb
    import duckdb_engine

    class BufferedConnection(duckdb_engine.ConnectionWrapper):
        def cursor(self) -> _BufferedCursor:  # type: ignore[override]
            return _BufferedCursor(super().cursor())

    path = str(Path(credentials.path).resolve())

    def connect() -> BufferedConnection:
        # Same configuration as dbt-duckdb's connection (not read_only): DuckDB refuses two
        # connections to one file with different configurations in one process.
        connection = duckdb.connect(path)
        opened.append(connection)
        return BufferedConnection(connection)

    return context.data_sources.add_sql(
        name="warehouse", connection_string=f"duckdb:///{path}", kwargs={"creator": connect}
    )


def _postgres_gx_source(context: Any, credentials: Any, opened: list[Any]) -> Any:
    from sqlalchemy.engine import URL

    url = URL.create(
        "postgresql+psycopg2",
        username=credentials.user,
        password=credentials.password or None,
        host=credentials.host,
        port=credentials.port,
        database=credentials.database,
    )
    return context.data_sources.add_postgres(name="warehouse", connection_string=url.render_as_string(False))


POSTGRES = Engine(
    name="postgres", triggers=True, alter_add_constraint=True, not_valid_constraints=True, concurrent_index=True,
    index_options=True, replica_identity=True, identity_columns=True,
    index_blocks_alter=False, server_side_backfill=True, single_writer=False, pg_dump=True,
    script_runner="psql -v ON_ERROR_STOP=1 -f <this file>", gx_source=_postgres_gx_source, title="PostgreSQL",
    run_lock=session_lock, sql_parser=("pglast", None), refused_functions=SERVER_FUNCTIONS_REFUSED, set_schema=True,
)  # fmt: skip
DUCKDB = Engine(
    name="duckdb", triggers=False, alter_add_constraint=False, not_valid_constraints=False, concurrent_index=False,
    index_options=False, replica_identity=False, identity_columns=False,
    index_blocks_alter=True, server_side_backfill=False, single_writer=True, pg_dump=False,
    script_runner="duckdb -bail <database file> < <this file>", gx_source=_duckdb_gx_source, title="DuckDB",
    owned_sequences=False, sql_parser=("sqlglot", "duckdb"), refused_functions=FILE_FUNCTIONS_REFUSED,
)  # fmt: skip
ENGINES = {engine.name: engine for engine in (POSTGRES, DUCKDB)}


def engine_for(adapter: str) -> Engine:
    """The capabilities of a dbt adapter; unknown adapters get the portable subset."""
    if adapter in ENGINES:
        return ENGINES[adapter]
    return Engine(
        name=adapter, triggers=False, alter_add_constraint=False, not_valid_constraints=False, concurrent_index=False,
        index_options=False, replica_identity=False, identity_columns=False,
        index_blocks_alter=True, server_side_backfill=False, single_writer=False, pg_dump=False,
        script_runner=f"the {adapter} SQL client", sql_parser=("sqlglot", adapter), title=adapter,
        refused_functions=SERVER_FUNCTIONS_REFUSED + FILE_FUNCTIONS_REFUSED,
    )  # fmt: skip


def release_embedded_connections() -> None:
    """dbt-duckdb keeps its database open in a class attribute between invocations; closing it
    lets other processes (the DuckDB CLI, a second harness) and tests open the file."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # pragma: no cover - dbt-duckdb is a dependency
        return
    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
        DuckDBConnectionManager.close_all_connections()
