"""The warehouse as the harness sees it: typed calls to the package's macros.

Adapter differences live in the macros (dispatched per adapter); this class is the one small
interface the rest of the harness uses, whatever the engine.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from harness.errors import WarehouseError
from harness.runner import DbtProject
from harness.settings import Settings
from harness.snapshot import Snapshot

if TYPE_CHECKING:
    from harness.lifecycle.restore import RestorePlan

T = TypeVar("T")


@dataclass(frozen=True)
class Call(Generic[T]):
    """One macro call, typed: its arguments and how its emitted result is read."""

    macro: str
    kwargs: dict[str, Any]
    read: Callable[[Any], T]


@dataclass(frozen=True)
class TargetInfo:
    adapter: str
    database: str
    schema: str
    target: str


@dataclass(frozen=True)
class BatchResult:
    batch_no: int
    rows: int
    last_key: list[Any] | None
    seconds: float


class Warehouse:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.project = DbtProject(settings)
        self._info: TargetInfo | None = None

    # -- connection -------------------------------------------------------------------------
    def info(self) -> TargetInfo:
        """Connects once (raises ConnectionFailed if it cannot) and tells the adapter and schema."""
        if self._info is None:
            data = self.project.operation("target_info")
            self._info = TargetInfo(data["adapter"], data["database"], data["schema"], data["target"])
        return self._info

    @property
    def meta(self) -> dict[str, str]:
        return {"meta_schema": self.settings.meta_schema}

    # -- state ------------------------------------------------------------------------------
    def ensure_state(self) -> None:
        self.project.operation("ensure_state_tables", **self.meta)

    def record_run(self, run_id: str, migration: str, relation: str, state: str, spec_hash: str, at: str) -> None:
        self.project.operation(
            "record_run", run_id=run_id, migration=migration, relation=relation,
            state=state, spec_hash=spec_hash, at=at, **self.meta,
        )  # fmt: skip

    def set_run_state(
        self, run_id: str, state: str, at: str, note: str | None = None, backup_relation: str | None = None
    ) -> None:
        self.project.operation(
            "set_run_state", run_id=run_id, state=state, at=at, note=note,
            backup_relation=backup_relation, **self.meta,
        )  # fmt: skip

    def record_step(self, run_id: str, **step: Any) -> None:
        """One journal line; with `new_state` (and `note`, `backup_relation`) the run's state change in the same
        transaction."""
        self.project.operation("record_step", run_id=run_id, **step, **self.meta)

    def record_snapshot(self, run_id: str, label: str, snapshot: Snapshot) -> None:
        self.project.operation("record_snapshot", run_id=run_id, label=label, snapshot=snapshot.to_dict(), **self.meta)

    def read_run(self, migration: str) -> dict[str, Any] | None:
        result: dict[str, Any] | None = self.project.operation("read_run", migration=migration, **self.meta)
        return result

    # -- reading ----------------------------------------------------------------------------
    def describe_table(
        self, schema: str, table: str, key: list[str], reserved: list[str], attachments: bool = True
    ) -> dict[str, Any]:
        """`attachments=False`: without column_attachments (a question of existence or columns only)."""
        result: dict[str, Any] = self.project.operation(
            "describe_table", schema=schema, table=table, key=key, reserved=reserved, attachments=attachments
        )
        return result

    @staticmethod
    def check_expression(
        schema: str, table: str, expression: str, data_type: str, shape: list[dict[str, Any]] | None = None,
        key: list[str] | None = None, must_hold: bool = False,
    ) -> Call[dict[str, Any]]:  # fmt: skip
        """An expression cast to its type, evaluated over every row (of `shape` computed from the
        table, if given); for a character type with a length, the values too long for it; with
        `must_hold`, the rows where the (boolean) expression is false."""
        return Call("check_expression", {"schema": schema, "table": table, "expression": expression,
                                         "data_type": data_type, "shape": shape, "key": key or [],
                                         "must_hold": must_hold}, dict)  # fmt: skip

    @staticmethod
    def count_duplicate_values(
        schema: str, table: str, columns: list[str], shape: list[dict[str, Any]] | None = None
    ) -> Call[dict[str, Any]]:
        """Value combinations of `columns` (over `shape`) that occur more than once, none NULL."""
        return Call("count_duplicate_values", {"schema": schema, "table": table, "columns": columns, "shape": shape},
                    dict)  # fmt: skip

    def snapshot(
        self, schema: str, table: str, taken_at: str | None = None, profile: bool = True, portable: bool = False
    ) -> Snapshot:
        data = self.project.operation(
            "snapshot_table", schema=schema, table=table, taken_at=taken_at, profile=profile, portable=portable
        )
        return Snapshot.from_dict(data)

    def run(self, call: Call[T]) -> T:
        """One typed macro call."""
        return call.read(self.project.operation(call.macro, **call.kwargs))

    def run_together(self, calls: Sequence[Call[Any]]) -> list[Any]:
        """Several reading calls in one dbt invocation (the `call_macros` macro); results in order."""
        if not calls:
            return []
        requests = [{"macro": call.macro, "kwargs": call.kwargs} for call in calls]
        results = self.project.operation_results("call_macros", calls=requests)
        if len(results) != len(calls):
            raise WarehouseError(f"call_macros returned {len(results)} results for {len(calls)} calls")
        return [call.read(result) for call, result in zip(calls, results, strict=True)]

    @staticmethod
    def count_derived_mismatches(
        source: tuple[str, str], target: tuple[str, str], key: list[str], column: str, expression: str,
        data_type: str, volatile: bool = False,
    ) -> Call[int]:  # fmt: skip
        """Rows of target whose `column` differs from `expression` recomputed on the source row
        (`volatile`: is NULL where the expression gives a value, or has no source row)."""
        return Call(
            "count_derived_mismatches",
            {"source_schema": source[0], "source_table": source[1], "target_schema": target[0],
             "target_table": target[1], "key": key, "column": column, "expression": expression,
             "data_type": data_type, "volatile": volatile},
            lambda result: int(result["mismatches"]),
        )  # fmt: skip

    @staticmethod
    def count_violations(schema: str, table: str, rules: list[dict[str, Any]]) -> Call[list[int]]:
        """Rows breaking each domain rule, in one scan."""
        return Call("count_violations", {"schema": schema, "table": table, "rules": rules},
                    lambda result: [int(count) for count in result])  # fmt: skip

    @staticmethod
    def count_orphans(child: tuple[str, str, str], parent: tuple[str, str, str]) -> Call[dict[str, Any]]:
        """{orphans, sample}: child rows whose foreign key has no parent."""
        return Call(
            "count_orphans",
            {"child_schema": child[0], "child_table": child[1], "child_column": child[2],
             "parent_schema": parent[0], "parent_table": parent[1], "parent_column": parent[2]},
            dict,
        )  # fmt: skip

    @staticmethod
    def compare_rows_by_key(
        source: tuple[str, str], target: tuple[str, str], key: list[str], columns: list[str], **which: Any
    ) -> Call[dict[str, Any]]:
        """{compared, missing, differing, sample}; `which`: sample_size=N, or recent_column=..., recent_hours=H."""
        return Call(
            "compare_rows_by_key",
            {"source_schema": source[0], "source_table": source[1], "target_schema": target[0],
             "target_table": target[1], "key": key, "columns": columns, **which},
            dict,
        )  # fmt: skip

    @staticmethod
    def bad_keys(schema: str, table: str, key: list[str]) -> Call[int]:
        """Rows with a NULL key plus duplicated key values."""
        return Call("describe_table", {"schema": schema, "table": table, "key": key, "reserved": []},
                    lambda result: int(result.get("null_keys", 0)) + int(result.get("duplicate_keys", 0)))  # fmt: skip

    # -- changing ---------------------------------------------------------------------------
    def copy_table(self, source: tuple[str, str], destination: tuple[str, str]) -> None:
        self.project.operation(
            "copy_table", source_schema=source[0], source_table=source[1],
            destination_schema=destination[0], destination_table=destination[1],
        )  # fmt: skip

    def drop_table(self, schema: str, table: str) -> None:
        self.project.operation("drop_harness_table", schema=schema, table=table)

    def table_rows(self, schema: str, table: str) -> int | None:
        """The table's row count (one count, no checksum), or None when it does not exist."""
        result = self.project.operation("table_rows", schema=schema, table=table)
        return None if result["rows"] is None else int(result["rows"])

    def drop_created_table(self, schema: str, table: str, aside: tuple[str, str] | None = None) -> None:
        """A table a migration created, dropped only if empty (WarehouseError `EC_NOT_EMPTY` else), or
        after its rows are copied to `aside`; no write lands in between."""
        aside_schema, aside_table = aside or (None, None)
        self.project.operation("drop_created_table", schema=schema, table=table, aside_schema=aside_schema,
                               aside_table=aside_table)  # fmt: skip

    def alter_table(
        self, schema: str, table: str, alterations: list[dict[str, Any]],
        create_tables: list[dict[str, Any]] | None = None, rewrite: dict[str, Any] | None = None,
    ) -> None:  # fmt: skip
        self.project.operation(
            "alter_table", schema=schema, table=table, alterations=alterations, create_tables=create_tables or [],
            rewrite=rewrite,
        )  # fmt: skip

    def archive_columns(
        self, schema: str, table: str, archive_schema: str, archive_table: str, key: list[str],
        columns: list[dict[str, Any]],
    ) -> list[dict[str, str]]:  # fmt: skip
        """The archive of what contract drops (`columns`: {name, data_type, and source (a column) or
        inputs (the columns a fingerprint covers)}, the key's among them); on PostgreSQL with the row
        trigger that keeps it current. Returns the columns with their expressions over the table's row."""
        return list(self.project.operation("archive_columns", schema=schema, table=table, archive_schema=archive_schema,
                                           archive_table=archive_table, key=key, columns=columns))  # fmt: skip

    def count_unarchived(self, schema: str, table: str, archive_schema: str, archive_table: str,
                         key: list[str]) -> int:  # fmt: skip
        """Rows of the table whose key the archive does not hold."""
        result = self.project.operation("count_unarchived", schema=schema, table=table, archive_schema=archive_schema,
                                        archive_table=archive_table, key=key)  # fmt: skip
        return int(result["rows"] or 0)

    def dependent_views(self, schema: str, table: str, columns: list[str]) -> list[str]:
        """The views (schema.name) that read any of `columns` of the table (none on DuckDB, which
        binds a view's columns when it is read)."""
        return list(self.project.operation("dependent_views", schema=schema, table=table, columns=columns) or [])

    def reverse_fill_expressions(self, archive: tuple[str, str], key: list[str], rules: list[dict[str, Any]],
                                 rows: list[str]) -> dict[str, dict[str, list[str]]]:  # fmt: skip
        """For each row reference and refilled column (`rules`: {physical, column, down, inputs,
        data_type}), its value's expression and type in a rollback after contract: row -> physical ->
        [expression, data_type]."""
        return dict(self.project.operation("reverse_fill_expressions", archive_schema=archive[0],
                                           archive_table=archive[1], key=key, rules=rules, rows=rows))  # fmt: skip

    def last_checkpoint(self, run_id: str) -> dict[str, Any] | None:
        """{batch_no, last_key (JSON)} of the last batch committed under `run_id`, or None."""
        return self.project.operation("last_checkpoint", run_id=run_id, **self.meta)  # type: ignore[no-any-return]

    def drop_sync_trigger(self, schema: str, table: str) -> None:
        self.project.operation("drop_sync_trigger", schema=schema, table=table)

    def create_index(
        self, schema: str, table: str, name: str, columns: list[str], unique: bool, definition: str | None = None,
        options: dict[str, Any] | None = None,
    ) -> None:  # fmt: skip
        self.project.operation("create_index", schema=schema, table=table, name=name, columns=columns, unique=unique,
                               definition=definition, options=options or {})  # fmt: skip

    def drop_index(self, schema: str, name: str) -> None:
        self.project.operation("drop_index", schema=schema, name=name)

    def install_sync_trigger(self, schema: str, table: str, rule: dict[str, Any]) -> None:
        self.project.operation("install_sync_trigger", schema=schema, table=table, rule=rule)

    def install_rewrite_sync(self, schema: str, table: str, rewrite: dict[str, Any]) -> None:
        self.project.operation("install_rewrite_sync", schema=schema, table=table, rewrite=rewrite)

    def ensure_schema(self, schema: str) -> None:
        self.project.operation("ensure_schema", schema=schema)

    def restore_script(
        self, schema: str, table: str, backup: tuple[str, str], views: list[str], drop_tables: list[str],
        undo: list[str], restore: RestorePlan, verify: dict[str, Any] | None = None,
        set_aside: dict[str, str] | None = None,
    ) -> list[str]:  # fmt: skip
        """The statements of the restore script (what the disaster path runs alone); `verify`: the
        backup's recorded {row_count, table_checksum}, checked by its first statement; `set_aside`:
        the tables create_table made, renamed aside (table -> new name), rows kept."""
        statements: list[str] = self.project.operation(
            "restore_script", schema=schema, table=table, backup_schema=backup[0], backup_table=backup[1],
            views=views, drop_tables=drop_tables, undo=undo, verify=verify, set_aside=set_aside or {},
            **asdict(restore),
        )  # fmt: skip
        return statements

    def restore_facts(self, schema: str, table: str, backup: tuple[str, str], orphans: bool = True) -> dict[str, Any]:
        """Before a restore: rows that would point at nothing, the write counters (see the macro)."""
        facts: dict[str, Any] = self.project.operation(
            "restore_facts", schema=schema, table=table, backup_schema=backup[0], backup_table=backup[1],
            orphans=orphans,
        )  # fmt: skip
        return facts

    def restore_table(self, schema: str, table: str, backup: tuple[str, str], restore: RestorePlan) -> None:
        """The backup's rows put back into the table (restore_table)."""
        self.project.operation(
            "restore_table", schema=schema, table=table, backup_schema=backup[0], backup_table=backup[1],
            **asdict(restore),
        )  # fmt: skip

    def diff_bounds(self, relations: list[list[str]], key: str) -> list[dict[str, Any]]:
        """Per relation: its row count and the key's min and max (the diff's first ranges)."""
        bounds: list[dict[str, Any]] = self.project.operation("diff_bounds", relations=relations, key=key)
        return bounds

    def differing_rows(
        self, relations: list[list[str]], key: str, columns: list[str], ranges: list[list[Any]]
    ) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.project.operation(
            "differing_rows", relations=relations, key=key, columns=columns, ranges=ranges
        )
        return rows

    def segment_checksums(
        self, relation: tuple[str, str], key: str, columns: list[str], lower: int, width: int, segments: int,
        portable: bool = False,
    ) -> list[dict[str, Any]]:  # fmt: skip
        """Per key segment of one relation: its bucket, row count and checksum."""
        rows: list[dict[str, Any]] = self.project.operation(
            "segment_checksums", schema=relation[0], table=relation[1], key=key, columns=columns, lower=lower,
            width=width, segments=segments, portable=portable,
        )  # fmt: skip
        return rows

    def segment_differences(
        self, relations: list[list[str]], key: str, columns: list[str], lower: int, width: int, segments: int
    ) -> list[dict[str, Any]]:
        """Per key segment of two relations of this warehouse: the segments whose checksums differ."""
        rows: list[dict[str, Any]] = self.project.operation(
            "segment_differences", relations=relations, key=key, columns=columns, lower=lower, width=width,
            segments=segments,
        )  # fmt: skip
        return rows

    def fetch_key_ranges(
        self, relation: tuple[str, str], key: str, columns: list[str], ranges: list[list[int]]
    ) -> list[dict[str, Any]]:
        """The rows of key ranges as portable text (for a comparison across engines)."""
        rows: list[dict[str, Any]] = self.project.operation(
            "fetch_key_ranges", schema=relation[0], table=relation[1], key=key, columns=columns, ranges=ranges
        )
        return rows

    def run_statements(self, sql: str) -> None:
        self.project.operation("run_statements", sql=sql)

    def contract_table(
        self, schema: str, table: str, alterations: list[dict[str, Any]], *, views_after: dict[str, Any],
        final_table: str, drop_table: bool, drop_views: list[str], swap_in: str | None = None,
        after_swap: list[dict[str, Any]] | None = None, state: dict[str, str] | None = None,
        archive: tuple[str, str] | None = None,
    ) -> None:  # fmt: skip
        """`after_swap`: alterations of the swapped-in table; `state` ({run_id, state, at}): the
        run's state change; both committed in the same transaction. `archive` (schema, table): a
        dropped table is kept there instead."""
        self.project.operation(
            "contract_table", schema=schema, table=table, alterations=alterations, views_after=views_after,
            final_table=final_table, drop_table=drop_table, drop_views=drop_views, swap_in=swap_in,
            after_swap=after_swap or [], state=state,
            archive={"schema": archive[0], "table": archive[1]} if archive else None, **self.meta,
        )  # fmt: skip

    def move_table_back(self, archive: tuple[str, str], schema: str, table: str) -> None:
        """PostgreSQL: the table a drop_table's contract moved into the backup schema, back under its name."""
        self.project.operation("move_table_back", archive_schema=archive[0], archive_table=archive[1], schema=schema,
                               table=table)  # fmt: skip

    def create_version_views(
        self, schema: str, table: str, versions: dict[str, list[list[str]]], aliases: dict[str, str] | None = None,
        sources: dict[str, str] | None = None, current: str | None = None, writer: dict[str, Any] | None = None,
    ) -> None:  # fmt: skip
        self.project.operation(
            "create_version_views", schema=schema, table=table, versions=versions, aliases=aliases or {},
            sources=sources or {}, current=current, writer=writer,
        )  # fmt: skip

    def switch_version(self, schema: str, table: str, version: str) -> None:
        self.project.operation("switch_version", schema=schema, table=table, version=version)

    def drop_version_views(self, schema: str, table: str, suffixes: list[str], names: list[str] | None = None) -> None:
        self.project.operation("drop_version_views", schema=schema, table=table, suffixes=suffixes, names=names or [])

    def backfill_batches(
        self, schema: str, table: str, key: list[str], assignments: dict[str, list[str]],
        after_key: list[Any] | None, batch_size: int, run_id: str, batch_no: int, *, max_batches: int = 1,
        max_seconds: float | None = None, pause_seconds: float = 0.0, rows_done: int = 0, rows_total: int | None = None,
        copy_into: dict[str, Any] | None = None, until_key: list[Any] | None = None,
        batch_seconds: float | None = None, batch_limits: tuple[int, int] | None = None,
    ) -> tuple[list[BatchResult], bool, int]:  # fmt: skip
        """Runs up to `max_batches` keyset batches in one call, up to `until_key`; returns them,
        whether the end was reached, and the batch size for the next call (steered towards
        `batch_seconds` per batch where the engine does, else `batch_size`)."""
        result = self.project.operation(
            "backfill_batches", schema=schema, table=table, key=key, assignments=assignments,
            after_key=after_key, batch_size=batch_size, run_id=run_id, batch_no=batch_no,
            max_batches=max_batches, max_seconds=max_seconds, pause_seconds=pause_seconds, rows_done=rows_done,
            rows_total=rows_total, copy_into=copy_into, until_key=until_key, batch_seconds=batch_seconds,
            batch_limits=list(batch_limits) if batch_limits else None, **self.meta,
        )  # fmt: skip
        batches = [
            BatchResult(int(b["batch_no"]), int(b["rows"]), b["last_key"], float(b["seconds"]))
            for b in result["batches"]
        ]
        return batches, bool(result["done"]), int(result.get("batch_size") or batch_size)

    def probe_latency(self, schema: str, table: str, probes: int = 3, timeout_ms: int = 1000) -> list[float]:
        """Milliseconds of each of `probes` one-row reads of the table (a lock wait cut off at `timeout_ms`)."""
        result = self.project.operation("probe_latency", schema=schema, table=table, probes=probes,
                                        timeout_ms=timeout_ms)  # fmt: skip
        return [float(value) for value in result["milliseconds"]]

    def server_signals(self, schema: str, table: str) -> dict[str, float]:
        """What the backfill's pacing watches on the server: standbys, lag_bytes, lag_seconds (the
        furthest streaming replica), oldest_transaction_seconds (another client's, in this
        database), commits and rollbacks (the database's, so far); and for the charts
        connections, max_connections, wal_bytes (the WAL position) and table_bytes."""
        result = self.project.operation("server_signals", schema=schema, table=table)
        return {name: float(value) for name, value in result.items()}

    def last_key(self, schema: str, table: str, key: list[str]) -> list[Any] | None:
        """The table's last key in key order (None: empty)."""
        result = self.project.operation("last_key", schema=schema, table=table, key=key)
        return list(result["last_key"]) if result and result["last_key"] is not None else None

    def model_building(self, schema: str, table: str) -> Any | None:
        """The project's table or incremental model that builds `schema.table`, if one does."""
        wanted = (schema.lower(), table.lower())
        for node in self.project.manifest.nodes.values():
            built = (node.schema.lower(), (node.alias or node.name).lower())
            if str(node.resource_type) == "model" and node.config.materialized in ("table", "incremental") \
                    and built == wanted:  # fmt: skip
                return node
        return None

    def model_columns(self, node: Any, contracting: str) -> list[str]:
        """The columns `node` (a model) builds after migration `contracting` contracts: its SQL
        compiled as its file is now (parsed again if the file changed since this process parsed
        the project; `expand_contract.migrated(contracting)` true), then asked for its columns
        without reading a row."""
        args = ["compile", "--select", node.name, "--vars", json.dumps({"expand_contract_contracting": contracting})]
        source = self.settings.project_dir / node.original_file_path  # (a package's model: not there, parsed again)
        edited = self.project.edited_since_parse(source)  # (then dbt parses the project again, to see the edit)
        compiled = (
            self.project.invoke_fresh(args, "dbt compile") if edited else self.project.invoke(args, "dbt compile")
        )
        results = getattr(compiled.result, "results", None) or []
        code = next((result.node.compiled_code for result in results if result.node.unique_id == node.unique_id), None)
        if not code:
            raise WarehouseError(f"dbt compile did not compile model {node.name}.", "run `dbt compile` to see why")
        return [str(name) for name in self.project.operation("query_columns", sql=code)["columns"]]

    # -- dbt commands -----------------------------------------------------------------------
    def seed(self, select: list[str]) -> None:
        self.project.invoke(["seed", "--full-refresh", "--select", *select], "dbt seed")

    def build_models(self, select: list[str]) -> None:
        self.project.invoke(["run", "--select", *select], "dbt run")
