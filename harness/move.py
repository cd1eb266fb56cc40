"""`harness move`: a whole table from one place to another (a DuckDB file, a PostgreSQL
database, a folder of Parquet files), streamed in key-range batches by parallel workers, each
batch committed with its checkpoint in the destination, resumable after a crash, the destination
loaded without its key and indexed after, and verified end to end: per key range, the row count
and the portable checksum of what left the source (transformation applied) against what the
destination holds, computed by the destination's own engine (the package's `range_checksums`).

The data plane (harness/move_plane.py) is an embedded DuckDB; this module decides what to move
and in which ranges, and checks the result.
"""

from __future__ import annotations

import json
import queue
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from harness import faults
from harness.engines import DUCKDB
from harness.errors import HarnessError, InputError, ValidationFailed, WarehouseError
from harness.lifecycle.step import StepResult
from harness.move_plane import (
    DEST,
    INTEGER_TYPES,
    SOURCE,
    Attachment,
    DataPlane,
    literal,
    parquet_glob,
    portable_text,
    quote,
    range_predicate,
    row_hash,
)
from harness.runner import DbtProject
from harness.settings import Settings
from harness.spec_fields import check_identifier
from harness.sql_grammar import check_expression
from harness.validation.compare import REDACTED, compare_snapshots
from harness.warehouse import Call, Warehouse

MODES = ("new", "append", "replace")
BATCH_TABLE = "ec_move_batch"
KEYS_SHOWN = 100  # differing keys listed per range
RANGES_NARROWED = 10  # differing ranges narrowed to their keys
SAMPLE_PER_RANGE = 100  # keys sampled per planned range: batches within ~10 % of the batch size


@dataclass(frozen=True)
class Endpoint:
    """One side of a move: a table on a dbt target, or a folder of Parquet files."""

    settings: Settings | None = None
    schema: str | None = None  # None: the target's schema
    table: str = ""
    folder: Path | None = None


def parse_endpoint(text: str, settings: Settings) -> Endpoint:
    """`schema.table` or `table` on the target of `settings`, or a folder of Parquet files (a path
    with a `/`, or an existing folder)."""
    if "/" in text or text.endswith(".parquet") or Path(text).is_dir():
        folder = Path(text).expanduser().resolve()
        return Endpoint(folder=folder.parent if folder.suffix == ".parquet" else folder)
    schema, _, table = text.rpartition(".")
    for name in filter(None, (schema, table)):
        try:
            check_identifier(name)
        except ValueError as error:
            raise InputError(
                f"{text}: {error}.", "name a table as schema.table, or a Parquet folder as a path"
            ) from error
    return Endpoint(settings=settings, schema=schema or None, table=table)


@dataclass(frozen=True)
class MoveOptions:
    key: list[str] | None = None  # None: the source's primary key
    batch_size: int = 10_000
    workers: int = 4
    transforms: dict[str, str] = field(default_factory=dict)  # column -> DuckDB expression over the source's row
    resume: bool = False
    mode: str = "new"  # new (refuse a non-empty destination), append, replace (after a verified backup)

    @classmethod
    def from_flags(cls, *, key: str | None, batch_size: int, workers: int, transforms: list[str], resume: bool,
                   append: bool, replace: bool) -> MoveOptions:  # fmt: skip
        """The options as the command line gives them: `--key a,b`, `--transform column=expression`
        (repeatable), `--append` or `--replace` (not both)."""
        parsed = {}
        for item in transforms:
            column, equals, expression = item.partition("=")
            if not equals or not column.strip() or not expression.strip():
                raise InputError(f"--transform {item!r} is not column=expression.",
                                 'e.g. --transform "note=upper(note)"')  # fmt: skip
            parsed[column.strip()] = expression.strip()
        if append and replace:
            raise InputError("--append and --replace exclude each other.", "pass one of them")
        return cls(
            key=[k.strip() for k in key.split(",")] if key else None,
            batch_size=batch_size,
            workers=workers,
            transforms=parsed,
            resume=resume,
            mode="append" if append else "replace" if replace else "new",
        )


@dataclass(frozen=True)
class KeyRange:
    number: int
    lower: int | None  # inclusive; None: unbounded
    upper: int | None  # exclusive; None: unbounded
    rows: int  # estimated when planned (for progress only)


@dataclass(frozen=True)
class KeyDifference:
    key: list[str]
    kind: str  # "only in source", "only in destination", "changed"


@dataclass
class RangeMismatch:
    number: int
    lower: int | None
    upper: int | None
    expected_rows: int
    actual_rows: int
    expected_checksum: str
    actual_checksum: str
    keys: list[KeyDifference] = field(default_factory=list)

    def describe(self, key: str, show_values: bool) -> str:
        bounds = f"[{_bound(self.lower)}, {_bound(self.upper)})" if show_values else f"[{REDACTED}, {REDACTED})"
        kinds: dict[str, int] = {}
        for difference in self.keys:
            kinds[difference.kind] = kinds.get(difference.kind, 0) + 1
        found = ", ".join(f"{kind} {count}" for kind, count in kinds.items()) or "keys not narrowed"
        keys = ", ".join("(" + ", ".join(d.key) + ")" for d in self.keys[:10]) if show_values else REDACTED
        return (f"range {self.number} ({key} in {bounds}): {self.expected_rows:,} rows expected, {self.actual_rows:,} "
                f"found, checksum {'equal' if self.expected_checksum == self.actual_checksum else 'differs'}; "
                f"{found}: keys {keys if self.keys else '-'}")  # fmt: skip


def _bound(value: int | None) -> str:
    return "-inf" if value is None else str(value)


@dataclass
class MoveResult:
    source: str
    destination: str
    key: list[str]
    columns: list[str]
    ranges: int = 0
    ranges_resumed: int = 0  # finished by an earlier run, not moved again
    rows_moved: int = 0  # by this run
    rows_total: int = 0  # in the destination's moved ranges (every run)
    created: bool = False
    backup: str | None = None
    mismatches: list[RangeMismatch] = field(default_factory=list)
    steps: list[StepResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def verified(self) -> bool:
        return not self.mismatches

    def summary(self, show_values: bool = False) -> str:
        if self.verified:
            return f"{self.rows_total:,} rows in {self.ranges} ranges verified (counts and checksums per range)"
        first = "; ".join(m.describe(self.key[0], show_values) for m in self.mismatches[:3])
        more = f" (and {len(self.mismatches) - 3} more ranges)" if len(self.mismatches) > 3 else ""
        hint = "" if show_values else " (--show-values shows keys and bounds)"
        return f"{len(self.mismatches)} of {self.ranges} ranges differ: {first}{more}{hint}"

    def to_dict(self, show_values: bool = False) -> dict[str, Any]:
        data = asdict(self)
        data["verified"] = self.verified
        data["values_shown"] = show_values
        if not show_values:
            for mismatch in data["mismatches"]:
                mismatch["lower"] = mismatch["upper"] = REDACTED
                mismatch["keys"] = [{"key": REDACTED, "kind": key["kind"]} for key in mismatch["keys"]]
        return data


class MoveReporter(Protocol):
    def step_finished(self, step: StepResult) -> None: ...

    def move_progress(self, rows_done: int, rows_total: int, rows_per_second: float, workers: dict[int, int]) -> None:
        """`workers`: batches done by each worker so far."""


class NullMoveReporter:
    def step_finished(self, step: StepResult) -> None:
        pass

    def move_progress(self, rows_done: int, rows_total: int, rows_per_second: float, workers: dict[int, int]) -> None:
        pass


# -- the two sides ------------------------------------------------------------------------------


def _attachment(settings: Settings, schema: str | None) -> tuple[Attachment, str]:
    """How the data plane reaches a dbt target (from its rendered profile), and the schema to use."""
    credentials = DbtProject(settings).credentials()
    kind = str(credentials.type)
    if kind == "postgres":
        values = {"host": credentials.host, "port": credentials.port, "user": credentials.user,
                  "password": credentials.password or "", "dbname": credentials.database,
                  "connect_timeout": getattr(credentials, "connect_timeout", None) or 10}  # fmt: skip
        # A batch commits without waiting for its WAL flush: a server crash loses the last batches
        # together with their checkpoints (one transaction), and --resume moves them again.
        values["options"] = "-c synchronous_commit=off"
        dsn = " ".join(f"{name}={_libpq_value(value)}" for name, value in values.items() if value != "")
        label = f"{settings.target_name} (PostgreSQL {credentials.host}:{credentials.port}/{credentials.database})"
        attachment = Attachment("postgres", dsn, label, str(credentials.password or ""))
    elif kind == "duckdb":
        path = Path(str(credentials.path)).expanduser()
        path = path if path.is_absolute() else (Path.cwd() / path)
        attachment = Attachment("duckdb", str(path), f"{settings.target_name} (DuckDB {path})")
    else:
        raise InputError(f"target {settings.target_name} is {kind}: harness move reaches duckdb and postgres targets.",
                         "move through a Parquet folder, or add the engine to harness/move_plane.py")  # fmt: skip
    return attachment, schema or str(credentials.schema)


def _libpq_value(value: Any) -> str:
    text = str(value)
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


@dataclass
class Source:
    relation_sql: str  # what the data plane reads FROM
    label: str
    columns: list[tuple[str, str]]  # (name, DuckDB type)
    primary_key: list[str]
    schema: str = ""  # a table's (empty for Parquet)
    table: str = ""


@dataclass
class Plan:
    """What a run moves, recorded in the destination so a resumed run moves the same."""

    run_id: str
    key: list[str]
    columns: list[tuple[str, str]]  # destination columns and their DuckDB types, in order
    expressions: list[str]  # SQL per column over the source's row
    exact: list[str]  # decimal columns both sides declare with the same scale
    ranges: list[KeyRange]
    baseline: dict[int, tuple[int, int]] = field(default_factory=dict)  # append: the destination's ranges before

    def to_json(self) -> str:
        return json.dumps({"key": self.key, "columns": self.columns, "expressions": self.expressions,
                           "exact": self.exact, "ranges": [asdict(r) for r in self.ranges],
                           "baseline": {str(n): list(v) for n, v in self.baseline.items()}})  # fmt: skip

    @classmethod
    def from_json(cls, run_id: str, text: str) -> Plan:
        data = json.loads(text)
        return cls(run_id, data["key"], [tuple(c) for c in data["columns"]], data["expressions"], data["exact"],
                   [KeyRange(**r) for r in data["ranges"]],
                   {int(n): (int(v[0]), int(v[1])) for n, v in data["baseline"].items()})  # fmt: skip


class Destination(Protocol):
    label: str

    def exists(self) -> bool: ...
    def has_rows(self) -> bool: ...
    def columns(self) -> list[tuple[str, str]]: ...
    def unfinished_run(self) -> tuple[str, str] | None: ...
    def start(self, plan: Plan, select_sql: str, create: bool) -> None: ...
    def finished_ranges(self, run_id: str) -> dict[int, tuple[int, int]]: ...
    def load(self, cursor: Any, plan: Plan, key_range: KeyRange, rows: int, checksum: int) -> None: ...
    def set_state(self, run_id: str, state: str) -> None: ...
    def range_checksums(self, plan: Plan) -> dict[int, tuple[int, int]]: ...
    def row_hashes(self, plan: Plan, key_range: KeyRange) -> dict[tuple[str, ...], str]: ...
    def build_indexes(self, key: list[str] | None, indexes: list[str]) -> str: ...
    def set_aside(self) -> str: ...


class TableDestination:
    """A table on a dbt target (DuckDB file or PostgreSQL), its runs and checkpoints in the
    target's meta schema (`move_runs`, `move_checkpoints`), each checkpoint committed in the same
    transaction as its batch."""

    def __init__(self, plane: DataPlane, endpoint: Endpoint, attachment: Attachment, schema: str) -> None:
        assert endpoint.settings is not None
        self.plane, self.endpoint, self.attachment = plane, endpoint, attachment
        self.settings = endpoint.settings
        self.schema, self.table = schema, endpoint.table
        self.meta = endpoint.settings.meta_schema
        self.relation = f"{quote(DEST)}.{quote(schema)}.{quote(self.table)}"
        self.runs = f"{quote(DEST)}.{quote(self.meta)}.move_runs"
        self.checkpoints = f"{quote(DEST)}.{quote(self.meta)}.move_checkpoints"
        self.label = f"{schema}.{self.table} on {attachment.label}"
        self.name = f"{schema}.{self.table}"

    @contextmanager
    def _detached(self) -> Iterator[Warehouse]:
        """The target through dbt (the package's macros), with the data plane letting go of a DuckDB
        file meanwhile (one process opens it at a time, and dbt-duckdb opens it its own way)."""
        if self.attachment.kind == "duckdb":
            self.plane.detach(DEST)
        try:
            yield Warehouse(self.settings)
        finally:
            if self.attachment.kind == "duckdb":
                self.plane.attach(DEST, self.attachment, read_only=False)

    def exists(self) -> bool:
        return bool(self.plane.query(
            f"select 1 from duckdb_tables() where database_name = {literal(DEST)} and schema_name = "
            f"{literal(self.schema)} and table_name = {literal(self.table)}"
        ))  # fmt: skip

    def has_rows(self) -> bool:
        return bool(self.plane.query(f"select 1 from {self.relation} limit 1"))

    def columns(self) -> list[tuple[str, str]]:
        return [(str(row[0]), str(row[1])) for row in self.plane.query(f"describe {self.relation}")]

    def _meta_exists(self) -> bool:
        return bool(self.plane.query(
            f"select 1 from duckdb_tables() where database_name = {literal(DEST)} and schema_name = "
            f"{literal(self.meta)} and table_name = 'move_checkpoints'"
        ))  # fmt: skip

    def unfinished_run(self) -> tuple[str, str] | None:
        if not self._meta_exists():
            return None
        rows = self.plane.query(
            f"select run_id, plan from {self.runs} where destination = {literal(self.name)} and state = 'loading' "
            "order by started_at desc limit 1"
        )
        return (str(rows[0][0]), str(rows[0][1])) if rows else None

    def start(self, plan: Plan, select_sql: str, create: bool) -> None:
        self.plane.execute(f"create schema if not exists {quote(DEST)}.{quote(self.meta)}")
        self.plane.execute(f"create table if not exists {self.runs} (run_id varchar, destination varchar, "
                           "state varchar, started_at varchar, finished_at varchar, plan varchar)")  # fmt: skip
        self.plane.execute(f"create table if not exists {self.checkpoints} (run_id varchar, range_no integer, "
                           "lower_key bigint, upper_key bigint, row_count bigint, checksum varchar, "
                           "committed_at varchar)")  # fmt: skip
        if create:
            # Bulk-load discipline: no key, index or foreign key while loading (built after).
            self.plane.execute(f"create schema if not exists {quote(DEST)}.{quote(self.schema)}")
            self.plane.execute(f"create table {self.relation} as {select_sql} limit 0")
        self.plane.execute(
            f"update {self.runs} set state = 'abandoned' where destination = {literal(self.name)} and state = 'loading'"
        )  # (replaced: a --replace starts over)
        self.plane.execute(f"insert into {self.runs} values ({literal(plan.run_id)}, {literal(self.name)}, "
                           f"'loading', {literal(_now())}, null, {literal(plan.to_json())})")  # fmt: skip

    def finished_ranges(self, run_id: str) -> dict[int, tuple[int, int]]:
        rows = self.plane.query(f"select range_no, row_count, checksum from {self.checkpoints} "
                                f"where run_id = {literal(run_id)}")  # fmt: skip
        return {int(n): (int(count), int(checksum)) for n, count, checksum in rows}

    def load(self, cursor: Any, plan: Plan, key_range: KeyRange, rows: int, checksum: int) -> None:
        names = ", ".join(quote(name) for name, _ in plan.columns)
        values = ", ".join([literal(plan.run_id), str(key_range.number), _sql_int(key_range.lower),
                            _sql_int(key_range.upper), str(rows), literal(str(checksum)), literal(_now())])  # fmt: skip
        self.plane.execute("begin transaction", cursor)
        try:
            self.plane.execute(f"insert into {self.relation} ({names}) select {names} from {BATCH_TABLE}", cursor)
            self.plane.execute(f"insert into {self.checkpoints} values ({values})", cursor)
            self.plane.execute("commit", cursor)
        except HarnessError:
            cursor.execute("rollback")
            raise

    def set_state(self, run_id: str, state: str) -> None:
        self.plane.execute(f"update {self.runs} set state = {literal(state)}, finished_at = {literal(_now())} "
                           f"where run_id = {literal(run_id)}")  # fmt: skip

    def range_checksums(self, plan: Plan) -> dict[int, tuple[int, int]]:
        bounds = [r.lower for r in plan.ranges[1:]]
        call = Call("range_checksums", {"schema": self.schema, "table": self.table, "key": plan.key[0],
                                        "columns": [name for name, _ in plan.columns], "exact_columns": plan.exact,
                                        "lower_bounds": bounds}, list)  # fmt: skip
        with self._detached() as warehouse:
            rows = warehouse.run(call)
        return {int(row["range_no"]): (int(row["row_count"]), int(row["checksum"])) for row in rows}

    def row_hashes(self, plan: Plan, key_range: KeyRange) -> dict[tuple[str, ...], str]:
        call = Call("range_row_hashes", {"schema": self.schema, "table": self.table, "key_columns": plan.key,
                                         "columns": [name for name, _ in plan.columns], "exact_columns": plan.exact,
                                         "key": plan.key[0], "lower": key_range.lower, "upper": key_range.upper},
                    list)  # fmt: skip
        with self._detached() as warehouse:
            rows = warehouse.run(call)
        return {tuple(str(row[f"key_{i}"]) for i in range(len(plan.key))): str(row["row_hash"]) for row in rows}

    def build_indexes(self, key: list[str] | None, indexes: list[str]) -> str:
        """After the load (one index build each, not millions of index inserts): the primary key
        (`key`: the source's), the source's other indexes (PostgreSQL to PostgreSQL: `indexes`,
        their definitions), then the planner's statistics."""
        target = f"{quote(self.schema)}.{quote(self.table)}"
        built = []
        if key:
            columns = ", ".join(quote(name) for name in key)
            if self.attachment.kind == "postgres":
                self.plane.postgres_execute(DEST, f"alter table {target} add primary key ({columns})")
            else:
                self.plane.execute(f"alter table {self.relation} add primary key ({columns})")
            built.append(f"primary key ({', '.join(key)})")
        for definition in indexes:
            found = re.match(r"^CREATE (UNIQUE )?INDEX (\S+) ON \S+ USING (.*)$", definition, re.DOTALL)
            if found is None:  # (pg_get_indexdef's own shape: never expected)
                raise WarehouseError(f"cannot read the index definition {definition!r}")
            unique, name, rest = found.groups()
            self.plane.postgres_execute(DEST, f"create {unique or ''}index {name} on {target} using {rest}")
            built.append(f"index {name}")
        if self.attachment.kind == "postgres":
            self.plane.postgres_execute(DEST, f"analyze {target}")
        return f"{', '.join(built) or 'no index'} built after the load, statistics gathered"

    def set_aside(self) -> str:
        """--replace: a verified backup of the destination table (copied into the backup schema, its
        count and checksum compared with the table's), then the table dropped."""
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        assert self.endpoint.settings is not None  # (a table destination is on a target)
        backup = (self.endpoint.settings.backup_schema, f"{self.table}__before_move_{stamp}")
        with self._detached() as warehouse:
            warehouse.copy_table((self.schema, self.table), backup)
            before, copied = warehouse.snapshot(self.schema, self.table, profile=False), \
                warehouse.snapshot(*backup, profile=False)  # fmt: skip
        if any(not check.passed for check in compare_snapshots(before, copied)):
            raise ValidationFailed(f"the backup {'.'.join(backup)} of {self.name} does not match it "
                                   f"({copied.row_count:,} vs {before.row_count:,} rows); nothing was replaced.",
                                   "look at the backup schema, then run the move again")  # fmt: skip
        self.plane.execute(f"drop table {self.relation}")
        return f"{'.'.join(backup)} ({before.row_count:,} rows, checksum verified)"


class ParquetDestination:
    """A folder of Parquet files (zstd), one file per key range (`part-<range>.parquet`, renamed into
    place whole); the plan and each range's checkpoint are JSON files under `_move/`."""

    def __init__(self, plane: DataPlane, folder: Path) -> None:
        self.plane, self.folder = plane, folder
        self.state = folder / "_move"
        self.label = f"Parquet folder {folder}"

    def _parts(self) -> list[Path]:
        return sorted(self.folder.glob("part-*.parquet"))

    def exists(self) -> bool:
        return bool(list(self.folder.glob("*.parquet"))) if self.folder.is_dir() else False

    def has_rows(self) -> bool:
        return self.exists()

    def columns(self) -> list[tuple[str, str]]:
        return [(str(r[0]), str(r[1])) for r in self.plane.query(f"describe select * from {parquet_glob(self.folder)}")]

    def unfinished_run(self) -> tuple[str, str] | None:
        plan = self.state / "plan.json"
        if not plan.is_file():
            return None
        data = json.loads(plan.read_text())
        return (data["run_id"], data["plan"]) if data["state"] == "loading" else None

    def _write(self, path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(text)
        temporary.replace(path)

    def start(self, plan: Plan, select_sql: str, create: bool) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in (self.state / "checkpoints").glob("*.json"):  # an earlier, finished run's
            old.unlink()
        self._write(self.state / "plan.json", json.dumps({"run_id": plan.run_id, "state": "loading",
                                                           "plan": plan.to_json()}))  # fmt: skip

    def finished_ranges(self, run_id: str) -> dict[int, tuple[int, int]]:
        done = {}
        for path in (self.state / "checkpoints").glob("*.json"):
            data = json.loads(path.read_text())
            if data["run_id"] == run_id and (self.folder / data["file"]).is_file():
                done[int(data["range_no"])] = (int(data["rows"]), int(data["checksum"]))
        return done

    def load(self, cursor: Any, plan: Plan, key_range: KeyRange, rows: int, checksum: int) -> None:
        name = f"part-{key_range.number:06d}.parquet"
        temporary = self.folder / f".{name}.tmp"
        self.plane.execute(f"copy {BATCH_TABLE} to {literal(str(temporary))} (format parquet, compression zstd)",
                           cursor)  # fmt: skip
        temporary.replace(self.folder / name)
        self._write(self.state / "checkpoints" / f"{key_range.number:06d}.json",
                    json.dumps({"run_id": plan.run_id, "range_no": key_range.number, "file": name, "rows": rows,
                                "checksum": str(checksum), "committed_at": _now()}))  # fmt: skip

    def set_state(self, run_id: str, state: str) -> None:
        data = json.loads((self.state / "plan.json").read_text())
        self._write(self.state / "plan.json", json.dumps({**data, "state": state, "finished_at": _now()}))

    def _hash(self, plan: Plan) -> str:
        return row_hash(plan.columns, plan.exact)

    def range_checksums(self, plan: Plan) -> dict[int, tuple[int, int]]:
        if not self._parts():
            return {}
        sql = (f"select cast(regexp_extract(filename, 'part-([0-9]+)[.]parquet$', 1) as integer), count(*), "
               f"cast(coalesce(sum({self._hash(plan)}), 0) as varchar) from "
               f"read_parquet({literal(str(self.folder / 'part-*.parquet'))}, filename = true) group by 1")  # fmt: skip
        return {int(n): (int(count), int(checksum)) for n, count, checksum in self.plane.query(sql)}

    def row_hashes(self, plan: Plan, key_range: KeyRange) -> dict[tuple[str, ...], str]:
        path = self.folder / f"part-{key_range.number:06d}.parquet"
        if not path.is_file():
            return {}
        keys = ", ".join(portable_text(quote(k), "varchar", False) for k in plan.key)
        rows = self.plane.query(f"select {keys}, cast({self._hash(plan)} as varchar) "
                                f"from read_parquet({literal(str(path))})")  # fmt: skip
        return {tuple(str(v) for v in row[:-1]): str(row[-1]) for row in rows}

    def build_indexes(self, key: list[str] | None, indexes: list[str]) -> str:
        return "Parquet files: no key or index to build"

    def set_aside(self) -> str:
        """--replace: the folder's Parquet files moved aside whole (a rename loses nothing)."""
        aside = self.state / f"replaced-{datetime.now(UTC).strftime('%Y%m%d%H%M%S')}"
        aside.mkdir(parents=True)
        for path in self.folder.glob("*.parquet"):
            path.replace(aside / path.name)
        return str(aside)


def _sql_int(value: int | None) -> str:
    return "null" if value is None else str(int(value))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


# -- the move ----------------------------------------------------------------------------------


class Mover:
    """One move: preflight (every refusal before anything is written), plan, load, key, verify."""

    def __init__(self, source: Endpoint, dest: Endpoint, options: MoveOptions, reporter: MoveReporter) -> None:
        self.source_endpoint, self.dest_endpoint, self.options = source, dest, options
        self.reporter = reporter
        self.plane = DataPlane()
        self.source_attachment: Attachment | None = None

    def run(self) -> MoveResult:
        started = time.perf_counter()
        try:
            result = self._run()
        finally:
            self.plane.close()
        result.seconds = time.perf_counter() - started
        return result

    def _step(self, result: MoveResult, name: str, action: Callable[[], tuple[int | None, str]]) -> None:
        clock = time.perf_counter()
        rows, text = action()
        step = StepResult(name, rows, time.perf_counter() - clock, text)
        result.steps.append(step)
        self.reporter.step_finished(step)

    def _run(self) -> MoveResult:
        options = self.options
        _check_options(options)
        source = self._attach_source()
        dest = self._attach_dest(source)
        key = options.key or source.primary_key
        if not key:
            raise InputError(f"{source.label} has no primary key.", "name the key columns with --key a,b")
        plan, create = self._preflight(source, dest, key)
        result = MoveResult(source.label, dest.label, key, [name for name, _ in plan.columns], ranges=len(plan.ranges),
                            created=create)  # fmt: skip
        # Everything after this point writes; everything before only read.
        if options.mode == "replace" and dest.exists():

            def backup() -> tuple[None, str]:
                result.backup = dest.set_aside()
                return None, f"verified backup {result.backup}"

            self._step(result, "backup", backup)
            create = result.created = True
        select_sql = _select_sql(source, plan)
        done: dict[int, tuple[int, int]] = {}
        if plan.run_id and options.resume:
            done = dest.finished_ranges(plan.run_id)
            result.ranges_resumed = len(done)
        else:
            plan.run_id = uuid.uuid4().hex[:16]
            if options.mode == "append" and dest.exists():
                plan.baseline = dest.range_checksums(plan)
            dest.start(plan, select_sql, create)
        self._step(result, "load", lambda: self._load(source, dest, plan, done, result))
        self._step(result, "verify", lambda: self._verify(source, dest, plan, result))
        if result.verified:
            dest.set_state(plan.run_id, "verified")
            if create:
                indexes = self._source_indexes(source, dest)
                self._step(result, "index", lambda: (None, dest.build_indexes(
                    key if key == source.primary_key else None, indexes)))  # fmt: skip
        else:
            dest.set_state(plan.run_id, "failed_verification")
        return result

    # -- attaching and preflight ----------------------------------------------------------------
    def _attach_source(self) -> Source:
        endpoint = self.source_endpoint
        if endpoint.folder is not None:
            if not list(endpoint.folder.glob("*.parquet")):
                raise InputError(f"no Parquet files in {endpoint.folder}.", "name a folder holding *.parquet files")
            relation, label = parquet_glob(endpoint.folder), f"Parquet folder {endpoint.folder}"
            primary_key: list[str] = []
            schema = ""
        else:
            assert endpoint.settings is not None
            attachment, schema = _attachment(endpoint.settings, endpoint.schema)
            self.source_attachment = attachment
            self.plane.attach(SOURCE, attachment, read_only=True)
            relation = f"{quote(SOURCE)}.{quote(schema)}.{quote(endpoint.table)}"
            label = f"{schema}.{endpoint.table} on {attachment.label}"
            if not self.plane.query(
                f"select 1 from duckdb_tables() where database_name = {literal(SOURCE)} and "
                f"schema_name = {literal(schema)} and table_name = {literal(endpoint.table)}"
            ):
                raise InputError(f"table {schema}.{endpoint.table} does not exist on {attachment.label}.",
                                 "check the schema and table names (and --source-target)")  # fmt: skip
            primary_key = [str(row[0]) for row in self.plane.query(
                f"select unnest(constraint_column_names) from duckdb_constraints() where database_name = "
                f"{literal(SOURCE)} and schema_name = {literal(schema)} and table_name = {literal(endpoint.table)} "
                "and constraint_type = 'PRIMARY KEY'")]  # fmt: skip
        columns = [(str(r[0]), str(r[1])) for r in self.plane.query(f"describe select * from {relation}")]
        return Source(relation, label, columns, primary_key, schema, endpoint.table)

    def _attach_dest(self, source: Source) -> Destination:
        endpoint = self.dest_endpoint
        if endpoint.folder is not None:
            return ParquetDestination(self.plane, endpoint.folder)
        assert endpoint.settings is not None
        attachment, schema = _attachment(endpoint.settings, endpoint.schema)
        source_attachment = self.source_attachment
        if source_attachment is not None and source_attachment.kind == "duckdb" and \
                attachment.location == source_attachment.location:  # fmt: skip
            raise InputError(f"source and destination are the same DuckDB file ({attachment.location}).",
                             "copy within one file with SQL (create table ... as select), or move to another "
                             "target")  # fmt: skip
        self.plane.attach(DEST, attachment, read_only=False)
        return TableDestination(self.plane, endpoint, attachment, schema)

    def _preflight(self, source: Source, dest: Destination, key: list[str]) -> tuple[Plan, bool]:
        options = self.options
        names = [name for name, _ in source.columns]
        for column in key:
            if column not in names:
                raise InputError(f"key column {column} is not a column of {source.label}.",
                                 f"pass --key with columns of the source ({', '.join(names)})")  # fmt: skip
        key_type = dict(source.columns)[key[0]]
        if key_type.upper() not in INTEGER_TYPES or key_type.upper() in ("HUGEINT", "UBIGINT"):
            raise InputError(
                f"the key's first column {key[0]} is {key_type}: ranges split an integer column "
                "(the same order on every engine).",
                "pass --key starting with an integer column (a composite key may go on with any type)",
            )
        from_postgres = self.source_attachment is not None and self.source_attachment.kind == "postgres"
        inexact = [name for name, data_type in source.columns if data_type == "DOUBLE" and from_postgres]
        if inexact:
            self._refuse_unconstrained_numeric(source, inexact)
        expressions, transformed = self._expressions(source, key)
        unfinished = dest.unfinished_run()
        if options.resume:
            if unfinished is None:
                raise InputError(f"no unfinished move into {dest.label} to resume.", "run the move without --resume")
            plan = Plan.from_json(unfinished[0], unfinished[1])
            if plan.key != key or plan.expressions != expressions:
                raise InputError(f"the unfinished move into {dest.label} moved other columns or by another key.",
                                 "resume with the same --key and --transform options")  # fmt: skip
            return plan, False
        if unfinished is not None and options.mode != "replace":
            raise InputError(f"a move into {dest.label} stopped before it finished (run {unfinished[0]}).",
                             "continue it with --resume, or start over with --replace")  # fmt: skip
        exists = dest.exists()
        if exists and dest.has_rows() and options.mode == "new":
            raise InputError(
                f"the destination {dest.label} exists and is not empty.",
                "--append adds the rows to it, --replace replaces it (after a verified backup)",
            )
        create = not exists or options.mode == "replace"
        if exists and options.mode != "replace":
            missing = sorted({name for name, _ in transformed} - {name for name, _ in dest.columns()})
            if missing:
                raise InputError(f"the destination {dest.label} has no column(s) {', '.join(missing)}.",
                                 "add them, or --replace the table")  # fmt: skip
        dest_types = dict(transformed) if create else dict(dest.columns())
        exact = [name for name, data_type in transformed
                 if data_type.upper().startswith("DECIMAL(") and dest_types.get(name) == data_type]  # fmt: skip
        ranges = self._plan_ranges(source, key[0])
        return Plan("", key, transformed, expressions, exact, ranges), create

    def _source_indexes(self, source: Source, dest: Destination) -> list[str]:
        """The source's indexes other than its primary key, as PostgreSQL defines them, when both
        sides are PostgreSQL (across engines an index's definition does not carry over)."""
        both = self.source_attachment is not None and self.source_attachment.kind == "postgres" and \
            isinstance(dest, TableDestination) and dest.attachment.kind == "postgres"  # fmt: skip
        if not both:
            return []
        relation = f"{quote(source.schema)}.{quote(source.table)}".replace("'", "''")
        sql = (f"select pg_get_indexdef(indexrelid) from pg_index where indrelid = ''{relation}''::regclass "
               "and not indisprimary order by indexrelid")  # fmt: skip
        return [str(row[0]) for row in self.plane.query(f"select * from postgres_query({literal(SOURCE)}, '{sql}')")]

    def _refuse_unconstrained_numeric(self, source: Source, columns: list[str]) -> None:
        """PostgreSQL `numeric` without precision and scale (and float columns: the same DuckDB type)
        reach the data plane as DOUBLE; only a numeric would lose digits, so only they are refused."""
        rows = self.plane.query(
            f"select column_name from postgres_query({literal(SOURCE)}, 'select column_name::text from "
            f"information_schema.columns where table_schema = ''{source.schema}'' and table_name = "
            f"''{source.table}'' and data_type = ''numeric'' and numeric_precision is null')"
        )  # fmt: skip
        lossy = sorted(str(row[0]) for row in rows if str(row[0]) in columns)
        if lossy:
            raise InputError(
                f"column(s) {', '.join(lossy)} of the source are numeric without precision and scale: "
                "the data plane would read them as double precision and lose digits.",
                "give them a precision and scale (alter table ... type numeric(p, s)) first",
            )

    def _expressions(self, source: Source, key: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
        """The SQL of each destination column over the source's row, and the columns' types."""
        names = [name for name, _ in source.columns]
        expressions = {name: quote(name) for name in names}
        for column, expression in self.options.transforms.items():
            if column in key:
                raise InputError(f"--transform {column}: the key cannot be transformed (the ranges split it).",
                                 "transform other columns, or move by another --key")  # fmt: skip
            try:
                check_identifier(column)
                check_expression(expression, DUCKDB)
            except ValueError as error:
                raise InputError(
                    f"--transform {column}={expression}: {error}.",
                    "write one DuckDB SQL expression over the source's columns",
                ) from error
            expressions[column] = f"({expression})"
        order = names + [name for name in self.options.transforms if name not in names]
        select = ", ".join(f"{expressions[name]} as {quote(name)}" for name in order)
        try:
            described = self.plane.query(f"describe select {select} from {source.relation_sql}")
        except WarehouseError as error:
            raise InputError(
                f"a --transform does not evaluate on {source.label}: {error.message}",
                "fix the expression (DuckDB SQL over the source's columns)",
            ) from error
        return [expressions[name] for name in order], [(str(r[0]), str(r[1])) for r in described]

    def _plan_ranges(self, source: Source, key: str) -> list[KeyRange]:
        """Ranges of about batch_size rows each, split between values of the key's first column at
        quantiles of a reservoir sample of it (memory bounded by the sample, whatever the table's
        size). A value with more rows than a batch makes one larger batch."""
        k = quote(key)
        total, nulls = self.plane.query(
            f"select count(*), count(*) filter (where {k} is null) from {source.relation_sql}"
        )[0]  # fmt: skip
        if nulls:
            raise InputError(f"{nulls:,} rows of {source.label} have a NULL {key}.",
                             "move by a key without NULLs (--key)")  # fmt: skip
        pieces = max(1, -(-int(total) // self.options.batch_size))
        bounds: list[int] = []
        if pieces > 1:
            quantiles = ", ".join(str(i / pieces) for i in range(1, pieces))
            sample = min(int(total), max(SAMPLE_PER_RANGE * pieces, 10_000))
            (found,) = self.plane.query(
                f"select reservoir_quantile({k}, [{quantiles}], {sample}) from {source.relation_sql}"
            )[0]  # fmt: skip
            bounds = sorted({int(bound) for bound in found})
        edges: list[int | None] = [None, *bounds, None]
        estimate = int(total) // (len(edges) - 1)
        return [KeyRange(n, edges[n], edges[n + 1], estimate) for n in range(len(edges) - 1)]

    # -- loading ------------------------------------------------------------------------------
    def _load(self, source: Source, dest: Destination, plan: Plan, done: dict[int, tuple[int, int]],
              result: MoveResult) -> tuple[int, str]:  # fmt: skip
        pending: queue.Queue[KeyRange] = queue.Queue()
        for key_range in plan.ranges:
            if key_range.number not in done:
                pending.put(key_range)
        total = sum(r.rows for r in plan.ranges if r.number not in done)
        progress = {"rows": 0, "batches": 0}
        per_worker: dict[int, int] = {}
        lock, stop = threading.Lock(), threading.Event()
        failures: list[BaseException] = []
        started = time.perf_counter()
        select_sql = _select_sql(source, plan)
        batch_hash = row_hash(plan.columns, plan.exact)

        def work(worker: int) -> None:
            with self.plane.cursor() as cursor:
                while not stop.is_set():
                    try:
                        key_range = pending.get_nowait()
                    except queue.Empty:
                        return
                    where = range_predicate(plan.key[0], key_range.lower, key_range.upper)
                    self.plane.execute(f"create or replace temp table {BATCH_TABLE} as {select_sql} where {where}",
                                       cursor)  # fmt: skip
                    count, checksum = self.plane.query(
                        f"select count(*), cast(coalesce(sum({batch_hash}), 0) as varchar) from {BATCH_TABLE}", cursor
                    )[0]  # fmt: skip
                    dest.load(cursor, plan, key_range, int(count), int(checksum))
                    with lock:
                        progress["rows"] += int(count)
                        progress["batches"] += 1
                        per_worker[worker] = per_worker.get(worker, 0) + 1
                        batches, rows, workers = progress["batches"], progress["rows"], dict(per_worker)
                    # (reported outside the lock: the console never holds up another worker's batch)
                    self.reporter.move_progress(rows, total, rows / max(time.perf_counter() - started, 1e-9), workers)
                    faults.point("move.after_batch", batches)

        def guarded(worker: int) -> None:
            try:
                work(worker)
            except BaseException as error:  # the first failure stops every worker
                failures.append(error)
                stop.set()

        threads = [threading.Thread(target=guarded, args=(n,), name=f"move-{n}") for n in
                   range(min(self.options.workers, max(pending.qsize(), 1)))]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]
        result.rows_moved = progress["rows"]
        seconds = time.perf_counter() - started
        rate = progress["rows"] / seconds if seconds else 0.0
        resumed = f", {len(done)} ranges done before (resumed)" if done else ""
        return progress["rows"], (f"{progress['batches']} batches by {len(threads)} worker(s), "
                                  f"{rate:,.0f} rows/s{resumed}")  # fmt: skip

    # -- verifying ----------------------------------------------------------------------------
    def _verify(self, source: Source, dest: Destination, plan: Plan, result: MoveResult) -> tuple[int, str]:
        expected = dest.finished_ranges(plan.run_id)
        missing = [r.number for r in plan.ranges if r.number not in expected]
        if missing:
            raise WarehouseError(f"ranges {missing[:10]} have no checkpoint after the load.", "run with --resume")
        actual = dest.range_checksums(plan)
        for key_range in plan.ranges:
            before = plan.baseline.get(key_range.number, (0, 0))
            rows, checksum = expected[key_range.number]
            want = (rows + before[0], checksum + before[1])
            found = actual.get(key_range.number, (0, 0))
            if want != found:
                result.mismatches.append(RangeMismatch(key_range.number, key_range.lower, key_range.upper, want[0],
                                                       found[0], str(want[1]), str(found[1])))  # fmt: skip
        stray = sorted(set(actual) - {r.number for r in plan.ranges})
        if stray:  # (cannot happen with ranges that cover every key; kept so nothing is silently ignored)
            raise WarehouseError(f"rows outside every planned range in the destination: {stray}")
        for mismatch in result.mismatches[:RANGES_NARROWED]:
            mismatch.keys = self._differing_keys(source, dest, plan, plan.ranges[mismatch.number])
        result.rows_total = sum(rows for rows, _ in actual.values())
        if result.mismatches:
            return result.rows_total, f"FAILED: {len(result.mismatches)} of {len(plan.ranges)} ranges differ"
        return result.rows_total, f"{len(plan.ranges)} ranges: counts and checksums equal"

    def _differing_keys(self, source: Source, dest: Destination, plan: Plan, key_range: KeyRange
                        ) -> list[KeyDifference]:  # fmt: skip
        keys = ", ".join(portable_text(quote(k), "varchar", False) for k in plan.key)
        where = range_predicate(plan.key[0], key_range.lower, key_range.upper)
        rows = self.plane.query(f"select {keys}, cast({row_hash(plan.columns, plan.exact)} as varchar) "
                                f"from ({_select_sql(source, plan)} where {where})")  # fmt: skip
        moved = {tuple(str(v) for v in row[:-1]): str(row[-1]) for row in rows}
        held = dest.row_hashes(plan, key_range)
        differences = [
            KeyDifference(list(k), "only in source" if k not in held else "only in destination" if k not in moved
                          else "changed")
            for k in sorted(moved.keys() | held.keys()) if moved.get(k) != held.get(k)
        ]  # fmt: skip
        return differences[:KEYS_SHOWN]


def _select_sql(source: Source, plan: Plan) -> str:
    columns = ", ".join(f"{expression} as {quote(name)}" for expression, (name, _) in
                        zip(plan.expressions, plan.columns, strict=True))  # fmt: skip
    return f"select {columns} from {source.relation_sql}"


def _check_options(options: MoveOptions) -> None:
    if options.mode not in MODES:
        raise InputError(f"unknown mode {options.mode!r}.", "use --append or --replace, or neither")
    if options.batch_size < 1 or options.workers < 1:
        raise InputError("--batch-size and --workers must be at least 1.", "e.g. --batch-size 10000 --workers 2")
    if options.resume and options.mode == "replace":
        raise InputError("--resume continues a move; --replace starts one over.", "pass one of them")


def run_move(
    source: Endpoint, dest: Endpoint, options: MoveOptions, reporter: MoveReporter | None = None
) -> MoveResult:
    """Moves `source` into `dest` (see the module's docstring). Raises InputError / ConnectionFailed
    (exit 2, nothing written) for bad input; returns the result, whose `mismatches` list the
    ranges (and keys) verification found different (the CLI exits 1 then)."""
    return Mover(source, dest, options, reporter or NullMoveReporter()).run()
