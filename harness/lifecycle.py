"""The migration lifecycle: planned → backed_up → expanded → backfilled → validated → switched →
contracted, and rollback from any state. Orchestration only: every statement is a macro call.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

from harness.compare import CheckResult, ValidationReport, compare_snapshots
from harness.errors import (
    GuardRefused,
    HarnessError,
    InputError,
    RolledBack,
    StateError,
    ValidationFailed,
    WarehouseError,
)
from harness.operations import Blueprint, compile_blueprint, planned_additions, undo_targets
from harness.snapshot import Snapshot
from harness.spec import MigrationSpec
from harness.warehouse import Warehouse

TERMINAL = frozenset({"contracted", "rolled_back"})
# States in which the added columns exist in the table.
EXPANDED = frozenset({"expanded", "backfilled", "validated", "switched", "contracted"})
OLD_VERSION, NEW_VERSION = "v1", "v2"
T = TypeVar("T")


@dataclass(frozen=True)
class StepResult:
    step: str
    rows: int | None
    seconds: float
    result: str


class Reporter(Protocol):
    def step_finished(self, step: StepResult) -> None: ...

    def backfill_progress(self, rows_done: int, rows_total: int, rows_per_second: float) -> None: ...


class NullReporter:
    def step_finished(self, step: StepResult) -> None:
        pass

    def backfill_progress(self, rows_done: int, rows_total: int, rows_per_second: float) -> None:
        pass


@dataclass
class RunRecord:
    run_id: str
    state: str
    spec_hash: str | None
    backup_relation: str | None
    note: str | None
    steps: list[dict[str, Any]] = field(default_factory=list)
    snapshots: dict[str, Snapshot] = field(default_factory=dict)
    last_checkpoint: dict[str, Any] | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        return cls(
            run_id=data["run_id"],
            state=data["state"],
            spec_hash=data.get("spec_hash"),
            backup_relation=data.get("backup_relation"),
            note=data.get("note"),
            steps=data.get("steps", []),
            snapshots={s["label"]: Snapshot.from_dict(json.loads(s["payload"])) for s in data.get("snapshots", [])},
            last_checkpoint=data.get("last_checkpoint"),
        )

    def last_validation_passed(self) -> bool:
        validations = [step for step in self.steps if step["step"] == "validate"]
        return bool(validations) and validations[-1]["status"] == "passed"


def utc_now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


@dataclass(frozen=True)
class _Outcome:
    rows: int | None
    result: str
    checksum: str | None = None


class Migration:
    """One migration spec against one warehouse target."""

    def __init__(
        self,
        warehouse: Warehouse,
        spec: MigrationSpec,
        reporter: Reporter | None = None,
        *,
        lock_retries: int = 5,
        lock_backoff_seconds: float = 0.5,
        batches_per_call: int = 100,
        seconds_per_call: float = 2.0,
    ) -> None:
        self.warehouse = warehouse
        self.spec = spec
        self.reporter = reporter or NullReporter()
        self.lock_retries = lock_retries
        self.lock_backoff_seconds = lock_backoff_seconds
        self.batches_per_call = batches_per_call
        self.seconds_per_call = seconds_per_call
        self._lock_waits = 0  # lock timeouts met by this process: the backfill slows down when it grows
        self._blueprints: dict[tuple[str, bool], Blueprint] = {}

    # -- names ------------------------------------------------------------------------------
    @property
    def schema(self) -> str:
        return self.spec.schema_name or self.warehouse.info().schema

    @property
    def table(self) -> str:
        return self.spec.table

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def view_names(self) -> list[str]:
        return [f"{self.table}_{suffix}" for suffix in (OLD_VERSION, NEW_VERSION, "current")]

    def artifact_dir(self, run_id: str) -> Path:
        return self.warehouse.settings.output_dir / "expand_contract" / self.spec.name / run_id

    # -- state ------------------------------------------------------------------------------
    def current_run(self) -> RunRecord | None:
        data = self.warehouse.read_run(self.spec.name)
        return RunRecord.from_dict(data) if data else None

    def _require_run(self) -> RunRecord:
        run = self.current_run()
        if run is None:
            raise StateError(
                f"migration {self.spec.name} has no recorded run.",
                f"start it first: harness migrate start <spec> (target {self.warehouse.info().target})",
            )
        return run

    def _set_state(
        self, run: RunRecord, state: str, note: str | None = None, backup_relation: str | None = None
    ) -> None:
        self.warehouse.set_run_state(run.run_id, state, utc_now(), note, backup_relation)
        run.state = state
        run.backup_relation = backup_relation or run.backup_relation

    def _step(self, run: RunRecord, name: str, action: Callable[[], _Outcome]) -> StepResult:
        """Runs one step, journals it (ok or failed, with the database's message) and reports it."""
        started, clock = utc_now(), time.perf_counter()
        try:
            outcome = action()
        except HarnessError as exc:
            seconds = time.perf_counter() - clock
            try:  # the journal must not hide the original error (e.g. the server went away)
                self.warehouse.record_step(
                    run.run_id, step=name, status="failed", started_at=started, finished_at=utc_now(),
                    seconds=seconds, detail=str(exc)[:4000],
                )  # fmt: skip
                self._set_state(run, run.state, note=f"{name} failed: {exc}"[:4000])
            except HarnessError:
                pass
            self.reporter.step_finished(StepResult(name, None, seconds, f"failed: {exc.message}"))
            raise
        seconds = time.perf_counter() - clock
        self.warehouse.record_step(
            run.run_id, step=name, status="ok", started_at=started, finished_at=utc_now(),
            seconds=seconds, rows_affected=outcome.rows, checksum=outcome.checksum, detail=outcome.result,
        )  # fmt: skip
        step = StepResult(name, outcome.rows, seconds, outcome.result)
        self.reporter.step_finished(step)
        return step

    def _with_lock_retry(self, run: RunRecord, what: str, action: Callable[[], T]) -> T:
        """DDL waits at most lock_timeout for its lock; on timeout, back off and try again."""
        delay = self.lock_backoff_seconds
        for attempt in range(1, self.lock_retries + 1):
            try:
                return action()
            except WarehouseError as exc:
                if not exc.is_lock_timeout or attempt == self.lock_retries:
                    raise
                now = utc_now()
                self._lock_waits += 1
                self.warehouse.record_step(
                    run.run_id, step="lock_wait", status="retry", started_at=now, finished_at=now, seconds=0.0,
                    detail=f"{what}: attempt {attempt} timed out waiting for a lock; retrying in {delay:.1f}s",
                )  # fmt: skip
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    # -- preflight --------------------------------------------------------------------------
    def preflight(self) -> dict[str, Any]:
        """Judges the spec against the warehouse without changing anything; raises InputError."""
        spec = self.spec
        described = self.warehouse.describe_table(self.schema, self.table, list(spec.key), self.view_names)
        target = self.warehouse.info().target
        if spec.concurrent_writes and self.warehouse.info().adapter != "postgres":
            raise InputError(
                f"concurrent_writes: {self.warehouse.info().adapter} has no triggers, so writes made while both "
                "shapes exist cannot be kept in sync (and DuckDB allows one writing process per file).",
                "stop writers for the migration and set `concurrent_writes: false` (the switch is atomic), "
                "or run it on PostgreSQL",
            )
        if not described["exists"]:
            raise InputError(
                f"table {self.relation} does not exist in target {target}.",
                "check `table` and `schema` in the spec, or create the table first",
            )
        columns = described_names(described)
        listing = ", ".join(columns)
        missing_keys = [k for k in spec.key if k not in columns]
        if missing_keys:
            raise InputError(
                f"key column(s) {', '.join(missing_keys)} not found in {self.relation} (columns: {listing}).",
                "set `key` to the column(s) that identify a row",
            )
        if described["null_keys"] or described["duplicate_keys"]:
            raise InputError(
                f"the key ({', '.join(spec.key)}) of {self.relation} is not usable: "
                f"{described['null_keys']} row(s) with a NULL key, "
                f"{described['duplicate_keys']} duplicated key value(s).",
                "choose a unique NOT NULL key, or add one, e.g. "
                f"`alter table {self.relation} add column row_id bigint generated always as identity`",
            )
        if described["taken"]:
            raise InputError(
                f"{', '.join(described['taken'])} already exist(s) as table(s) in {self.schema}; "
                "the migration needs these names for its versioned views.",
                "rename those tables",
            )
        column_types = {column["name"]: column["data_type"] for column in described["columns"]}
        plan = compile_blueprint(
            spec, column_types, self.warehouse.info().adapter,
            existing_indexes=int(described.get("indexes", 0)), facts=column_facts(described),
        )  # fmt: skip
        created = self._names_created(plan)
        taken = self.warehouse.describe_table(self.schema, self.table, [], created)["taken"] if created else []
        if taken:
            raise InputError(
                f"{', '.join(taken)} already exist(s) in {self.schema}; the migration would create them.",
                "choose other names (create_table, rename_table), or drop those tables first",
            )
        for column in spec.checks.not_null:
            if column not in plan.new_names:
                raise InputError(
                    f"checks.not_null: {column} is not a column of the new shape ({', '.join(plan.new_names)}).",
                    "list columns of the table after the migration",
                )
        for physical, (up, data_type) in plan.backfill.items():
            self._check_expression(f"{plan.source(physical)}.up (for {physical})", up, data_type)
        new_row = plan.new_row()
        for column, (down, data_type) in plan.down.items():
            self._check_expression(f"{plan.source(column)}.down (for {column})", down, data_type, new_row)
        return described

    def _check_expression(
        self, what: str, expression: str, data_type: str, shape: list[dict[str, str | None]] | None = None
    ) -> None:
        try:
            self.warehouse.check_expression(self.schema, self.table, expression, data_type, shape)
        except WarehouseError as exc:
            over = "the new shape (as `up` fills it)" if shape else self.relation
            raise InputError(
                f"{what} ({expression}) cannot be computed as {data_type} on every row of {over}: "
                f"{exc.message.split(' failed: ', 1)[-1]}",
                "correct the expression or its data_type; nothing was changed",
            ) from exc

    def _names_created(self, plan: Blueprint) -> list[str]:
        names = [op.table for op in plan.create_tables] + ([plan.rewrite.table] if plan.rewrite else [])
        return names + ([plan.final_table] if plan.final_table != plan.table else [])

    def blueprint(self, run: RunRecord | None = None) -> Blueprint:
        """The compiled operations, against the table's columns before the migration: from the
        before-snapshot once contracted, else from the table minus what expand adds. Compiled once
        per run and phase by this object (each step would otherwise read the catalog again)."""
        cache_key = (run.run_id, run.state == "contracted") if run is not None else None
        if cache_key in self._blueprints:
            return self._blueprints[cache_key]
        adapter = self.warehouse.info().adapter
        facts: dict[str, dict[str, Any]] = {}
        if run is not None and run.state == "contracted" and "before" in run.snapshots:
            types = {name: stats.data_type for name, stats in run.snapshots["before"].columns.items()}
        else:
            described = self.warehouse.describe_table(self.schema, self.table, [], [])
            added = planned_additions(self.spec) if run is not None else set()
            types = {c["name"]: c["data_type"] for c in described.get("columns", []) if c["name"] not in added}
            facts = column_facts(described)
        plan = compile_blueprint(self.spec, types, adapter, facts=facts)
        if cache_key is not None:
            self._blueprints[cache_key] = plan
        return plan

    # -- lifecycle --------------------------------------------------------------------------
    def _begin(self) -> RunRecord:
        """The run to work on: the current one if it is in progress (same spec), else a new one
        after a read-only preflight."""
        self.warehouse.ensure_state()
        run = self.current_run()
        if run is None or run.state in TERMINAL:
            self.preflight()
            run_id = datetime.now(UTC).strftime("%Y%m%d%H%M%S") + secrets.token_hex(2)
            self.warehouse.record_run(run_id, self.spec.name, self.relation, "planned", self.spec.spec_hash, utc_now())
            return self._require_run()
        if run.spec_hash != self.spec.spec_hash:
            raise StateError(
                f"the spec of {self.spec.name} changed since run {run.run_id} started (state {run.state}).",
                "restore the original spec to resume, or `harness rollback` first",
            )
        return run

    def backup(self, pg_dump: Path | None = None) -> list[StepResult]:
        """Preflight, before-snapshot and verified backup only (state `backed_up`): `migrate start`
        continues from there after checking the backup still matches. With `pg_dump`
        (PostgreSQL), also a `pg_dump -Fc` archive there, verified by `pg_restore` into a scratch
        database."""
        run = self._begin()
        if run.state != "planned":
            raise StateError(
                f"run {run.run_id} of {self.spec.name} is already {run.state}; its backup is {run.backup_relation}.",
                "continue with `harness migrate start <spec>`, or `harness rollback <spec>` first",
            )
        steps = [
            self._step(run, "snapshot before", lambda: self._snapshot_before(run)),
            self._step(run, "backup + verify", lambda: self._backup(run)),
        ]
        if pg_dump is not None:
            steps.append(self._step(run, "pg_dump + verify", lambda: self._pg_dump(run, pg_dump)))
        return steps

    def _pg_dump(self, run: RunRecord, path: Path) -> _Outcome:
        from harness.pgdump import dump_and_verify

        archive = dump_and_verify(self.warehouse, self.schema, self.table, path, run.snapshots["before"])
        manifest_path = self.artifact_dir(run.run_id) / "backup_manifest.json"
        manifest = json.loads(manifest_path.read_text())
        manifest.update(archive)
        manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
        return _Outcome(
            run.snapshots["before"].row_count,
            f"{path.name} ({archive['bytes']:,} bytes), verified, pg_restore {archive['pg_restore_seconds']:.2f}s",
        )

    def start(self, auto_rollback: bool = False) -> list[StepResult]:
        """Runs (or resumes) the migration up to `validated`: snapshot, verified backup, expand,
        backfill, validate. Raises ValidationFailed if validation fails (the run stays at
        `backfilled` and contract stays blocked). With `auto_rollback`, any failure after the
        backup rolls the migration back, proves the before-checksum, and raises RolledBack."""
        run = self._begin()
        steps: list[StepResult] = []
        try:
            self._advance(run, steps)
        except HarnessError as exc:
            if not auto_rollback or run.backup_relation is None:
                raise
            steps += self.rollback()
            self._set_state(run, "rolled_back", note=f"auto-rollback after: {exc.message}"[:4000])
            raise RolledBack(
                f"{exc.message} The migration was rolled back automatically; the table equals its "
                "before-snapshot (exact checksums).",
                "fix the cause (see `harness migrate status <spec>`), then start again",
            ) from exc
        return steps

    def _advance(self, run: RunRecord, steps: list[StepResult]) -> None:
        """The steps of `start` from the run's state on, appending each result to `steps`."""
        if run.state == "planned":
            steps.append(self._step(run, "snapshot before", lambda: self._snapshot_before(run)))
            steps.append(self._step(run, "backup + verify", lambda: self._backup(run)))
        elif run.state == "backed_up":
            # The backup was taken by an earlier call: prove it (and the table) still match.
            steps.append(self._step(run, "re-verify backup", lambda: self._reverify_backup(run)))
        if run.state == "backed_up":
            steps.append(self._step(run, "expand", lambda: self._expand(run)))
        if run.state == "expanded":
            steps.append(self._step(run, "backfill", lambda: self._backfill(run)))
        if run.state == "backfilled":
            if self.blueprint(run).settle:
                steps.append(self._step(run, "validate constraints", lambda: self._settle(run)))
            report, step = self._validation_step(run, "validate")
            steps.append(step)
            if not report.passed:
                raise ValidationFailed(
                    f"validation of {self.spec.name} failed: {report.summary()}.",
                    "inspect with `harness validate <spec>`; `harness rollback <spec>` restores the data",
                )
            self._set_state(run, "validated")

    def complete(self) -> list[StepResult]:
        """Validates again, switches readers to the new shape, then contracts (drops the old)."""
        run = self._require_run()
        if run.state not in ("validated", "switched"):
            raise StateError(
                f"migration {self.spec.name} is {run.state}; completing needs a validated run.",
                "run `harness migrate start <spec>` until it reports validated",
            )
        steps: list[StepResult] = []
        report, step = self._validation_step(run, "re-validate")
        steps.append(step)
        if not report.passed:
            raise GuardRefused(
                f"contract refused: validation of {self.spec.name} failed ({report.summary()}).",
                "fix the data or roll back with `harness rollback <spec>`",
            )
        if run.state == "validated":
            steps.append(self._step(run, "switch", lambda: self._switch(run)))
        steps.append(self._step(run, "contract", lambda: self._contract(run)))
        return steps

    def _snapshot_before(self, run: RunRecord) -> _Outcome:
        before = self.warehouse.snapshot(self.schema, self.table, utc_now())
        self.warehouse.record_snapshot(run.run_id, "before", before)
        before.save(self.artifact_dir(run.run_id) / "before.json")
        run.snapshots["before"] = before
        return _Outcome(before.row_count, f"{len(before.columns)} columns checksummed", before.table_checksum)

    def _backup(self, run: RunRecord) -> _Outcome:
        backup_schema = self.warehouse.settings.backup_schema
        backup = (backup_schema, f"{self.table[:40]}__{run.run_id}")
        scratch = (f"{backup_schema}_scratch", backup[1])
        self.warehouse.copy_table((self.schema, self.table), backup)
        if self.spec.concurrent_writes:
            # Writers went on since the before-snapshot: the backup (one consistent copy) is the
            # point in time the migration starts from, so its snapshot becomes the before-snapshot.
            before = self.warehouse.snapshot(*backup, utc_now())
            self.warehouse.record_snapshot(run.run_id, "before", before)
            before.save(self.artifact_dir(run.run_id) / "before.json")
            run.snapshots["before"] = before
        # Verify by restoring: a backup that cannot be restored to the same checksums is no backup.
        clock = time.perf_counter()
        self.warehouse.copy_table(backup, scratch)
        restore_seconds = time.perf_counter() - clock
        restored = self.warehouse.snapshot(*scratch)
        self.warehouse.drop_table(*scratch)
        checks = compare_snapshots(run.snapshots["before"], restored)
        failed = [check.name for check in checks if not check.passed]
        if failed:
            raise ValidationFailed(
                f"backup {backup[0]}.{backup[1]} did not restore to the source's checksums ({', '.join(failed)}).",
                "check the warehouse's health and disk, then start again",
            )
        location = f"{backup[0]}.{backup[1]}"
        # The manifest: in the state table (this step's journal line + the `backup` snapshot) and as JSON.
        self.warehouse.record_snapshot(run.run_id, "backup", restored)
        manifest = {
            "migration": self.spec.name,
            "run_id": run.run_id,
            "location": location,
            "verified_at": utc_now(),
            "restore_seconds": round(restore_seconds, 3),
            "tables": [
                {
                    "source": self.relation,
                    "backup": location,
                    "row_count": restored.row_count,
                    "table_checksum": restored.table_checksum,
                }
            ],
        }
        path = self.artifact_dir(run.run_id) / "backup_manifest.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(manifest, indent=2) + "\n")
        self._set_state(run, "backed_up", backup_relation=location)
        return _Outcome(
            restored.row_count,
            f"{backup[0]}.{backup[1]}, verified, restore {restore_seconds:.2f}s",
            restored.table_checksum,
        )

    def _reverify_backup(self, run: RunRecord) -> _Outcome:
        before = run.snapshots["before"]
        for label, parts in (("backup", self._backup_parts(run)), ("table", (self.schema, self.table))):
            now = self.warehouse.snapshot(*parts, profile=False)
            failed = [check.name for check in compare_snapshots(before, now) if not check.passed]
            if failed:
                raise GuardRefused(
                    f"refusing to migrate: the {label} {'.'.join(parts)} no longer matches the before-snapshot "
                    f"taken with the backup ({', '.join(failed)}).",
                    "take a new verified backup: `harness rollback <spec>`, then `harness backup <spec>`",
                )
        return _Outcome(before.row_count, f"{run.backup_relation} and the table still match the before-snapshot")

    def _expand(self, run: RunRecord) -> _Outcome:
        """Only backward-compatible DDL, each under lock_timeout with retries, each safe to repeat
        after a crash: columns (nullable) and constraints NOT VALID in one transaction, new tables,
        raw SQL, indexes CONCURRENTLY, the sync trigger (PostgreSQL), the versioned views."""
        plan = self.blueprint(run)
        schema, table = self.schema, self.table
        rewrite = plan.rewrite
        alterations = [] if rewrite else [{"kind": "add_column", **column} for column in plan.adds] + plan.expand
        created = [op.model_dump() for op in plan.create_tables]
        expand_ddl = partial(self.warehouse.alter_table, schema, table, alterations, created,
                             asdict(rewrite) if rewrite else None)  # fmt: skip
        self._with_lock_retry(run, "expand DDL", expand_ddl)
        for raw in plan.raw:
            self._with_lock_retry(run, "raw SQL", partial(self.warehouse.run_statements, raw.up))
        indexed = rewrite.table if rewrite else table
        for index in plan.create_indexes:
            self._with_lock_retry(
                run, f"create index {index['name']}", partial(self.warehouse.create_index, schema, indexed, **index)
            )
        synced = self.dual_write(plan)
        if synced and rewrite:
            install = partial(self.warehouse.install_rewrite_sync, schema, table, asdict(rewrite))
            self._with_lock_retry(run, "sync triggers", install)
        elif synced:
            rule = plan.sync_rule()
            self._with_lock_retry(run, "sync trigger", lambda: self.warehouse.install_sync_trigger(schema, table, rule))
        # A rewrite's new shape exists once every row is copied: its views come after the backfill.
        versions = {OLD_VERSION: plan.versions()[OLD_VERSION]} if rewrite else plan.versions()
        self._create_views(run, plan, versions)
        self.warehouse.switch_version(schema, table, OLD_VERSION)
        self._set_state(run, "expanded")
        done = [f"created {rewrite.table} (the new shape, empty)"] if rewrite else []
        done += [f"added {', '.join(plan.physical_added)}" if plan.physical_added else "no columns added"]
        done += [f"{len(plan.expand)} alteration(s)"] if plan.expand else []
        done += [f"index(es) {', '.join(i['name'] for i in plan.create_indexes)}"] if plan.create_indexes else []
        done += [f"table(s) {', '.join(t.table for t in plan.create_tables)}"] if plan.create_tables else []
        done += ["sync trigger"] if synced else []
        done += [f"views {', '.join(f'{table}_{v}' for v in versions)}, {table}_current → v1"]
        return _Outcome(None, "; ".join(done))

    def dual_write(self, plan: Blueprint) -> bool:
        """Whether expand installs sync triggers: on PostgreSQL, where writes are declared (without
        them a trigger would only cost the backfill time) and the shapes differ."""
        return self.warehouse.info().adapter == "postgres" and self.spec.concurrent_writes and plan.sync_needed

    def _create_views(self, run: RunRecord, plan: Blueprint, versions: dict[str, list[list[str]]]) -> None:
        """The versioned views given (and the new table name's alias view if the new shape is among them)."""
        aliases = {plan.final_table: NEW_VERSION} if plan.final_table != self.table and NEW_VERSION in versions else {}
        sources = {NEW_VERSION: plan.rewrite.table} if plan.rewrite else {}
        self._with_lock_retry(
            run, "version views",
            partial(self.warehouse.create_version_views, self.schema, self.table, versions, aliases, sources),
        )  # fmt: skip

    def _backfill(self, run: RunRecord) -> _Outcome:
        """Keyset batches, each committed with its checkpoint, several per call (one dbt call per
        batch would cost more than the batch). Throttling pauses between batches: in the server
        on PostgreSQL, between one-batch calls on DuckDB. A lock wait backs the pace off (and is
        journaled)."""
        in_server_pause = self.warehouse.info().adapter == "postgres"
        plan = self.blueprint(run)
        assignments = {} if plan.rewrite else plan.backfill
        copy_into = None
        if plan.rewrite:  # with triggers, each batch reads its rows FOR SHARE (see backfill_batch_statement)
            copy_into = {**asdict(plan.rewrite), "lock_rows": self.dual_write(plan)}
        checkpoint = run.last_checkpoint
        after_key = json.loads(checkpoint["last_key"]) if checkpoint else None
        batch_no = int(checkpoint["batch_no"]) + 1 if checkpoint else 1
        resumed_from = batch_no
        total = run.snapshots["before"].row_count if "before" in run.snapshots else 0
        done_rows = int(checkpoint["rows_done"] or 0) if checkpoint else 0
        rows_this_session = 0
        pause = self.spec.throttle_seconds
        clock = time.perf_counter()
        done = done_at_once = not assignments and copy_into is None
        while not done:
            waits_before = self._lock_waits
            batches, done = self._with_lock_retry(
                run, f"backfill batch {batch_no}",
                partial(
                    self.warehouse.backfill_batches, self.schema, self.table, list(self.spec.key), assignments,
                    after_key, self.spec.batch_size, run.run_id, batch_no,
                    max_batches=1 if pause and not in_server_pause else self.batches_per_call,
                    max_seconds=self.seconds_per_call, pause_seconds=pause if in_server_pause else 0.0,
                    rows_done=done_rows + rows_this_session, rows_total=total or None, copy_into=copy_into,
                ),
            )  # fmt: skip
            for batch in batches:
                rows_this_session += batch.rows
                after_key, batch_no = batch.last_key, batch.batch_no + 1
            elapsed = max(time.perf_counter() - clock, 1e-9)
            self.reporter.backfill_progress(done_rows + rows_this_session, total, rows_this_session / elapsed)
            if self._lock_waits > waits_before:  # writers hold the rows: give them room
                pause = min(max(pause * 2, self.lock_backoff_seconds), 10.0)
            elif pause > self.spec.throttle_seconds:
                pause = max(pause / 2, self.spec.throttle_seconds) if pause > 0.01 else self.spec.throttle_seconds
            if pause and not done and not in_server_pause:
                time.sleep(pause)
        if plan.rewrite:  # every row is in the new table now: its shape becomes readable (and writable)
            self._create_views(run, plan, {NEW_VERSION: plan.versions()[NEW_VERSION]})
        self._set_state(run, "backfilled")
        batches_run = batch_no - resumed_from
        note = f"{batches_run} batch(es) of ≤{self.spec.batch_size}" if not done_at_once else "nothing to backfill"
        if copy_into:
            note += f", copied into {copy_into['table']}"
        if resumed_from > 1:
            note += f", resumed after checkpoint {resumed_from - 1}"
        return _Outcome(rows_this_session, note)

    def _settle(self, run: RunRecord) -> _Outcome:
        """After the backfill: constraints added NOT VALID are validated (PostgreSQL: SHARE UPDATE
        EXCLUSIVE, so writers go on) and unique indexes become constraints."""
        plan = self.blueprint(run)
        table = plan.rewrite.table if plan.rewrite else self.table
        self._with_lock_retry(
            run, "validate constraints", lambda: self.warehouse.alter_table(self.schema, table, plan.settle)
        )
        names = ", ".join(step["name"] for step in plan.settle)
        return _Outcome(None, f"validated {names}")

    def _switch(self, run: RunRecord) -> _Outcome:
        if self.blueprint(run).drops_table:
            self._set_state(run, "switched")
            return _Outcome(None, f"no new shape: {self.table} is dropped at contract")
        self._with_lock_retry(
            run, "switch", lambda: self.warehouse.switch_version(self.schema, self.table, NEW_VERSION)
        )
        self._set_state(run, "switched")
        return _Outcome(None, f"{self.table}_current → {NEW_VERSION}")

    def _contract(self, run: RunRecord) -> _Outcome:
        # Hard guard, independent of the caller: the journal must show a passed last validation.
        fresh = self._require_run()
        if not fresh.last_validation_passed():
            raise GuardRefused(
                f"contract refused: the last validation of {self.spec.name} did not pass.",
                "run `harness validate <spec>` until it passes, or roll back",
            )
        plan = self.blueprint(run)
        for name in plan.drop_indexes:
            self._with_lock_retry(run, f"drop index {name}", partial(self.warehouse.drop_index, self.schema, name))
        renamed = plan.final_table != plan.table
        views_after = {} if renamed else plan.views_after_contract()
        drop_views = [f"{self.table}_current", f"{self.table}_{OLD_VERSION}", f"{self.table}_{NEW_VERSION}"]
        drop_views += [plan.final_table] if renamed else []
        swap_in = plan.rewrite.table if plan.rewrite else None
        self._with_lock_retry(
            run, "contract",
            lambda: self.warehouse.contract_table(
                self.schema, self.table, plan.contract, views_after=views_after, final_table=plan.final_table,
                drop_table=plan.drops_table, drop_views=drop_views, swap_in=swap_in,
            ),
        )  # fmt: skip
        self._set_state(run, "contracted")
        done = [f"dropped {', '.join(plan.dropped)}"] if plan.dropped else []
        done += [f"renamed {', '.join(f'{a} → {b}' for a, b in plan.renamed.items())}"] if plan.renamed else []
        done += [f"swapped in {', '.join(plan.rewritten)}"] if plan.rewritten else []
        done += [f"dropped index(es) {', '.join(plan.drop_indexes)}"] if plan.drop_indexes else []
        done += [f"table renamed to {plan.final_table}"] if renamed else []
        done += [f"table {self.table} dropped (backup kept)"] if plan.drops_table else []
        done += [f"{plan.rewrite.table} swapped in, the old {self.table} dropped"] if plan.rewrite else []
        done += [f"{len(plan.contract)} alteration(s), {self.table}_{OLD_VERSION} dropped"]
        return _Outcome(None, "; ".join(done))

    # -- validation -------------------------------------------------------------------------
    def validate(self, run: RunRecord | None = None, record: bool = True) -> ValidationReport:
        """Before-snapshot vs the table now, `up` recomputed in SQL, required columns, key health."""
        run = run or self._require_run()
        clock = time.perf_counter()
        before = run.snapshots.get("before")
        if before is None:
            raise StateError(
                f"run {run.run_id} of {self.spec.name} has no before-snapshot (state {run.state}).",
                "run `harness migrate start <spec>` first",
            )
        spec = self.spec
        expanded = run.state in EXPANDED
        contracted = run.state == "contracted"
        plan = self.blueprint(run)
        report = ValidationReport(subject=f"{spec.name} ({self.relation}, {run.state})")
        if contracted and plan.drops_table:
            return self._validate_dropped(run, report, clock, record)
        # A rewrite's new table holds the final shape already: it is judged as the contracted table would be.
        final_shape = contracted or (plan.rewrite is not None and expanded)
        if contracted:
            table = plan.final_table
        elif final_shape and plan.rewrite:
            table = plan.rewrite.table
        else:
            table = self.table
        after = self.warehouse.snapshot(self.schema, table, utc_now())
        if final_shape:
            shape = {"expect_added": plan.added, "expect_dropped": plan.dropped, "renamed": plan.renamed,
                     "rewritten": plan.rewritten}  # fmt: skip
        else:
            shape = {"expect_added": plan.physical_added if expanded else []}
        live = spec.concurrent_writes  # writes since the before-snapshot are legitimate: compare shape, not values
        report.extend(
            compare_snapshots(
                before, after, row_count_tolerance=spec.checks.row_count_tolerance, compare_values=not live,
                **shape,  # type: ignore[arg-type]
            )
        )  # fmt: skip
        if expanded and not (live and contracted):  # (live: rows changed since the backup; checked before contract)
            source = self._backup_parts(run) if contracted else (self.schema, self.table)
            for derived in plan.derived:
                column = derived.column if final_shape else derived.physical
                if column not in after.columns:
                    continue
                mismatches = self.warehouse.count_derived_mismatches(
                    source, (self.schema, table), list(spec.key), column, derived.expression, derived.data_type
                )
                report.checks.append(
                    CheckResult(f"{derived.column} = up", "0 rows differ", f"{mismatches} rows differ", mismatches == 0)
                )
        report.extend(self._checklist(run, before, after, table, plan.rewritten if final_shape else []))
        for column in (c for c in spec.checks.not_null if c in after.columns):
            nulls = after.columns[column].null_count
            report.checks.append(CheckResult(f"{column} not null", "0 NULL", f"{nulls} NULL", nulls == 0))
        health = self.warehouse.describe_table(self.schema, table, list(spec.key), [])
        key = ", ".join(spec.key)
        bad_keys = int(health.get("null_keys", 0)) + int(health.get("duplicate_keys", 0))
        report.checks.append(
            CheckResult(f"key ({key}) unique, not null", "0 bad keys", f"{bad_keys} bad keys", bad_keys == 0)
        )
        suite = spec.expectation_suite()
        if suite:
            from harness.expectations import run_suite  # GX takes seconds to import: only when used

            docs_dir = self.artifact_dir(run.run_id) / "data_docs"
            outcome = run_suite(self.warehouse.project, self.schema, table, suite, docs_dir, spec.name)
            report.extend(outcome.checks)
            report.data_docs = str(outcome.data_docs) if outcome.data_docs else None
        after.save(self.artifact_dir(run.run_id) / "after.json")
        report.seconds = time.perf_counter() - clock
        if record:
            self._record_validation(run, report, after)
        return report

    def _validate_dropped(
        self, run: RunRecord, report: ValidationReport, clock: float, record: bool
    ) -> ValidationReport:
        """After a drop_table contract: the table is gone, and its backup still matches the before-snapshot."""
        exists = self.warehouse.describe_table(self.schema, self.table, [], [])["exists"]
        report.checks.append(CheckResult(f"{self.table} dropped", "absent", "present" if exists else "absent",
                                         not exists))  # fmt: skip
        backup = self.warehouse.snapshot(*self._backup_parts(run), utc_now())
        report.extend(compare_snapshots(run.snapshots["before"], backup))
        report.seconds = time.perf_counter() - clock
        if record:
            self._record_validation(run, report, backup)
        return report

    def _checklist(
        self, run: RunRecord, before: Snapshot, after: Snapshot, table: str, rewritten: list[str]
    ) -> list[CheckResult]:
        """Domain rules, foreign keys, and rows compared field by field with the backup."""
        checks = self.spec.checks
        here = (self.schema, table)
        results: list[CheckResult] = []
        rules: list[dict[str, Any]] = []
        for column, values in checks.accepted_values.items():
            rules.append({"name": f"{column} in accepted values", "kind": "accepted_values", "column": column,
                          "values": values})  # fmt: skip
        for column, bounds in checks.ranges.items():
            rules.append({"name": f"{column} within {bounds.min} .. {bounds.max}", "kind": "range", "column": column,
                          "min": bounds.min, "max": bounds.max})  # fmt: skip
        for column in checks.no_future_dates:
            rules.append({"name": f"{column} not in the future", "kind": "no_future", "column": column})
        rules = [rule for rule in rules if rule["column"] in after.columns]
        if rules:
            counts = self.warehouse.count_violations(self.schema, table, rules)
            for rule, count in zip(rules, counts, strict=True):
                results.append(CheckResult(rule["name"], "0 rows outside", f"{count} rows outside", count == 0))
        for fk in checks.foreign_keys:
            child = (self.schema, fk.table or table, fk.column)
            parent = (self.schema, *fk.parent)
            found = self.warehouse.count_orphans(child, parent)
            results.append(
                CheckResult(
                    f"{child[1]}.{fk.column} → {fk.references}",
                    "0 orphans",
                    f"{found['orphans']} orphans",
                    found["orphans"] == 0,
                    f"orphaned values: {found['sample']}" if found["sample"] else "",
                )
            )
        if run.backup_relation and not self.spec.concurrent_writes:
            shared = [c for c in before.columns if c in after.columns and c not in self.spec.key]
            shared = [c for c in shared if c not in rewritten]  # they hold new values by design
            which: list[tuple[str, dict[str, Any]]] = []
            if checks.sample_rows:
                which.append((f"{checks.sample_rows} random rows = backup", {"sample_size": checks.sample_rows}))
            recent = checks.recent_rows
            if recent and recent.column in shared:
                which.append((f"rows of the last {recent.hours}h by {recent.column} = backup",
                              {"recent_column": recent.column, "recent_hours": recent.hours}))  # fmt: skip
            for name, arguments in which:
                found = self.warehouse.compare_rows_by_key(
                    self._backup_parts(run), here, list(self.spec.key), shared, **arguments
                )
                bad = int(found["missing"]) + int(found["differing"])
                results.append(
                    CheckResult(
                        name,
                        f"{found['compared']} rows identical",
                        f"{found['missing']} missing, {found['differing']} differing of {found['compared']}",
                        bad == 0,
                        f"keys: {found['sample']}" if found["sample"] else "",
                    )
                )
        return results

    def _record_validation(self, run: RunRecord, report: ValidationReport, after: Snapshot) -> None:
        now = utc_now()
        self.warehouse.record_snapshot(run.run_id, "after", after)
        self.warehouse.record_step(
            run.run_id, step="validate", status="passed" if report.passed else "failed", started_at=now,
            finished_at=now, seconds=report.seconds, rows_affected=after.row_count, checksum=after.table_checksum,
            detail=report.summary(),
        )  # fmt: skip

    def _validation_step(self, run: RunRecord, name: str) -> tuple[ValidationReport, StepResult]:
        report = self.validate(run)
        step = StepResult(name, None, report.seconds, report.summary())
        self.reporter.step_finished(step)
        return report, step

    def _backup_parts(self, run: RunRecord) -> tuple[str, str]:
        if not run.backup_relation:
            raise StateError(f"run {run.run_id} has no backup.", "start the migration again")
        schema, table = run.backup_relation.split(".", 1)
        return schema, table

    # -- rollback ---------------------------------------------------------------------------
    def rollback(self) -> list[StepResult]:
        """Restores the table from the verified backup, then proves it equals the before-snapshot."""
        run = self._require_run()
        if run.state == "rolled_back":
            raise StateError(f"run {run.run_id} of {self.spec.name} is already rolled back.", "nothing to do")
        steps = [self._step(run, "restore", lambda: self._restore(run))]
        steps.append(self._step(run, "prove rollback", lambda: self._prove_rollback(run)))
        return steps

    def _restore(self, run: RunRecord) -> _Outcome:
        """Undoes whatever the migration did: views, sync trigger, new tables, raw SQL (its `down`),
        a renamed table; then the table itself from the verified backup, in one transaction."""
        undo = undo_targets(self.spec)
        final = undo.renamed_to
        views = ["current", OLD_VERSION, NEW_VERSION]
        alias = [final] if final and run.state != "contracted" else []  # a view until contract, then the table
        self.warehouse.drop_version_views(self.schema, self.table, views, alias)
        if final:
            self.warehouse.drop_version_views(self.schema, final, views)
        if run.state in ("planned", "backed_up") and self._untouched(run):
            # Restoring an unchanged table could only make things worse (e.g. from a backup that
            # was corrupted since); the proof below still runs.
            return _Outcome(None, "the table was not changed yet: left as it is")
        backup = self._backup_parts(run)
        self.warehouse.drop_sync_trigger(self.schema, self.table)
        undone = []
        for down in undo.raw_downs:
            self._with_lock_retry(run, "raw SQL down", partial(self.warehouse.run_statements, down))
            undone.append("raw SQL down")
        for name in undo.created_tables:
            self.warehouse.drop_table(self.schema, name)
            undone.append(f"dropped {name}")
        if final and run.state == "contracted":
            self.warehouse.drop_table(self.schema, final)
            undone.append(f"dropped {final}")
        self._with_lock_retry(run, "restore", lambda: self.warehouse.copy_table(backup, (self.schema, self.table)))
        return _Outcome(None, "; ".join([*undone, f"restored from {run.backup_relation}"]))

    def _untouched(self, run: RunRecord) -> bool:
        """Before expand (or after an expand that failed part way): does the table still equal the before-snapshot?"""
        before = run.snapshots.get("before")
        if before is None or run.backup_relation is None:
            return True
        now = self.warehouse.snapshot(self.schema, self.table, profile=False)
        return all(check.passed for check in compare_snapshots(before, now))

    def _prove_rollback(self, run: RunRecord) -> _Outcome:
        before = run.snapshots.get("before")
        restored = self.warehouse.snapshot(self.schema, self.table, utc_now())
        self.warehouse.record_snapshot(run.run_id, "rolled_back", restored)
        if before is None:
            self._set_state(run, "rolled_back", note="no before-snapshot existed: equality not proven")
            return _Outcome(restored.row_count, "no before-snapshot to compare", restored.table_checksum)
        failed = [check for check in compare_snapshots(before, restored) if not check.passed]
        if failed:
            raise ValidationFailed(
                f"rollback of {self.spec.name} did not reproduce the before-snapshot: "
                + "; ".join(f"{c.name}: expected {c.expected}, got {c.actual}" for c in failed),
                f"the backup {run.backup_relation} is kept; inspect it before retrying",
            )
        self._set_state(run, "rolled_back", note="restored; checksums equal the before-snapshot")
        return _Outcome(restored.row_count, "checksum equals before-snapshot", restored.table_checksum)


def described_names(described: dict[str, Any]) -> list[str]:
    return [column["name"] for column in described.get("columns", [])]


def column_facts(described: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """What a rewrite_table carries over per column: {name: {nullable, default, identity}}."""
    return {column["name"]: column for column in described.get("columns", [])}
