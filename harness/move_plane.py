"""The data plane of `harness move`: an embedded DuckDB that attaches the source and the
destination (a DuckDB file, a PostgreSQL database through DuckDB's postgres extension, loaded
from the `duckdb-ext-postgres` package: no download) or reads and writes Parquet files, and
streams key-range batches between them.

Why its SQL is here and not in a macro: this DuckDB is not a dbt target (it is the harness's
own in-memory engine, with both sides attached), so dbt cannot run macros on it. The SQL is built
by the small pure functions below; the row hash mirrors the package's `portable_text` and
`portable_hash` (default__), and every move's verification compares it with what those macros
compute in the destination, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from harness.errors import ConnectionFailed, InputError, WarehouseError

SOURCE, DEST = "ec_move_source", "ec_move_dest"
INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                 "UBIGINT")  # fmt: skip
# Types whose portable text is trimmed (decimals and floats; see the package's portable_text).
TRIMMED_TYPES = ("decimal", "numeric", "double", "real", "float", "float4", "float8", "double precision")
# The data plane's memory cap: what it caches of the source stays bounded whatever the table's size
# (DuckDB evicts its buffers at the limit and spills the range plan's aggregate to disk beyond it).
MEMORY_LIMIT = "64MB"


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def portable_text(column_sql: str, data_type: str, exact: bool) -> str:
    """DuckDB SQL for a value as text spelled the same by DuckDB and PostgreSQL: the package's
    `portable_text` (decimals and floats trimmed, timestamptz in UTC, the rest cast to varchar).
    `exact`: a decimal whose declared scale both sides share, spelled alike without trimming (the
    trim costs PostgreSQL 4x the whole checksum)."""
    base = data_type.lower().split("(")[0].strip()
    if base in TRIMMED_TYPES and not exact:
        text = f"lower(cast({column_sql} as varchar))"
        trimmed = (f"case when strpos({text}, '.') > 0 and strpos({text}, 'e') = 0 then rtrim(rtrim({text}, '0'), '.') "
                   f"else {text} end")  # fmt: skip
        return (f"case when {text} in ('inf', 'infinity') then 'inf' when {text} in ('-inf', '-infinity') then '-inf' "
                f"when {text} = 'nan' then 'nan' when ({trimmed}) = '-0' then '0' else ({trimmed}) end")  # fmt: skip
    if base in ("timestamp with time zone", "timestamptz"):
        return f"cast(({column_sql} at time zone 'UTC') as varchar)"
    return f"cast({column_sql} as varchar)"


def row_hash(columns: Sequence[tuple[str, str]], exact: Sequence[str]) -> str:
    """The package's portable row hash (md5 of the columns' portable text joined by '|', NULL as
    chr(1), first 60 bits as BIGINT) over (name, type) columns."""
    parts = [f"coalesce({portable_text(quote(name), data_type, name in exact)}, chr(1))" for name, data_type in columns]
    # concat_ws of never-NULL parts is the package's `a || '|' || b ...`, at 2/3 of DuckDB's cost.
    joined = f"concat_ws('|', {', '.join(parts)})" if len(parts) > 1 else parts[0]
    return f"('0x' || substr(md5({joined}), 1, 15))::BIGINT"


def range_predicate(key: str, lower: int | None, upper: int | None) -> str:
    """Rows of one key range: lower inclusive, upper exclusive, None unbounded."""
    terms = ([f"{quote(key)} >= {int(lower)}"] if lower is not None else []) + (
        [f"{quote(key)} < {int(upper)}"] if upper is not None else []
    )
    return " and ".join(terms) or "true"


def parquet_glob(folder: Path) -> str:
    return f"read_parquet({literal(str(folder / '*.parquet'))})"


def _extension_path(name: str) -> Path:
    import duckdb_ext

    folder = Path(next(iter(duckdb_ext.__path__))) / "extensions" / f"v{duckdb.__version__}"
    found = sorted(folder.glob(f"*/{name}.duckdb_extension"))
    if not found:
        raise InputError(f"DuckDB's {name} extension is not installed ({folder}).",
                         f"pip install duckdb-ext-postgres=={duckdb.__version__}.*")  # fmt: skip
    return found[0]


@dataclass(frozen=True)
class Attachment:
    """How the data plane reaches one side: a DuckDB file, or a PostgreSQL database (libpq DSN,
    never printed: it may hold a password)."""

    kind: str  # "duckdb" or "postgres"
    location: str  # file path or DSN
    label: str  # for messages: the file, or host:port/database
    secret: str = ""  # the password, masked in any message that quotes the DSN


class DataPlane:
    """One in-memory DuckDB with the move's source and destination attached; `cursor()` gives each
    worker a connection of its own (its own transaction) on the same database."""

    def __init__(self) -> None:
        self._spill = tempfile.TemporaryDirectory(prefix="ec_move_")
        self.connection = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": self._spill.name})
        self._loaded_postgres = False
        self._secrets: list[str] = []
        self.attached: dict[str, Attachment] = {}
        self._lock = threading.Lock()

    def attach(self, alias: str, attachment: Attachment, read_only: bool) -> None:
        if attachment.secret:
            self._secrets.append(attachment.secret)
        if attachment.kind == "postgres":
            if not self._loaded_postgres:
                self.connection.execute(f"load {literal(str(_extension_path('postgres_scanner')))}")
                self._loaded_postgres = True
            options = "type postgres" + (", read_only" if read_only else "")
        elif attachment.kind == "duckdb":
            if read_only and not Path(attachment.location).is_file():
                raise InputError(f"the DuckDB file {attachment.location} does not exist.",
                                 "check the target's path (profiles.yml, EC_DUCKDB_PATH)")  # fmt: skip
            options = "read_only" if read_only else ""
        else:  # pragma: no cover - the endpoints make only these two
            raise InputError(f"cannot attach a {attachment.kind} target to the data plane.", "use duckdb or postgres")
        clause = f" ({options})" if options else ""
        try:
            self.connection.execute(f"attach {literal(attachment.location)} as {quote(alias)}{clause}")
        except duckdb.Error as error:
            text = " ".join(self.masked(str(error)).split())  # (one line: PostgreSQL's message spans several)
            if attachment.kind == "duckdb" and "lock" in text.lower():
                raise ConnectionFailed(f"the DuckDB file {attachment.label} is in use by another process: {text}",
                                       "wait for it to finish or stop it") from error  # fmt: skip
            raise ConnectionFailed(f"cannot reach {attachment.label}: {text}",
                                   "start the database or fix the target's settings (profiles.yml, PGHOST/PGPORT/...)"
                                   ) from error  # fmt: skip
        self.attached[alias] = attachment

    def detach(self, alias: str) -> None:
        if alias in self.attached:
            self.connection.execute(f"detach {quote(alias)}")
            del self.attached[alias]

    def masked(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def query(self, sql: str, connection: Any = None) -> list[tuple[Any, ...]]:
        try:
            return list((connection or self.connection).execute(sql).fetchall())
        except duckdb.Error as error:
            raise WarehouseError(f"move: {self.masked(str(error)).strip()}") from error

    def execute(self, sql: str, connection: Any = None) -> None:
        self.query(sql, connection)

    def postgres_execute(self, alias: str, sql: str) -> None:
        """One statement run by PostgreSQL itself (DDL the extension does not translate)."""
        self.execute(f"call postgres_execute({literal(alias)}, {literal(sql)})")

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        with self._lock:  # (DuckDB makes cursors one at a time)
            cursor = self.connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    def close(self) -> None:
        self.connection.close()
        self._spill.cleanup()
