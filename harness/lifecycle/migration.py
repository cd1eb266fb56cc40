"""One migration spec against one warehouse target: the lifecycle's entry points (backup, start,
complete, validate, rollback) over the step modules, and what the steps share (names, the run,
the journal, lock-timeout retries, the compiled blueprint)."""

from __future__ import annotations

import contextlib
import functools
import logging
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from harness import faults, live, run_lock
from harness.engines import Engine, engine_for
from harness.errors import (
    GuardRefused,
    HarnessError,
    InputError,
    RolledBack,
    StateError,
    ValidationFailed,
    WarehouseError,
)
from harness.lifecycle import backfill, backup, contract, expand, preflight, reverse, rollback, settle, switch
from harness.lifecycle.state import TERMINAL, RunRecord, State, check_transition, utc_now
from harness.lifecycle.step import NullReporter, Outcome, Reporter, StepResult
from harness.operations import Blueprint, compile_blueprint, planned_additions
from harness.placements import NEW_VERSION, OLD_VERSION, placement_of
from harness.snapshot import Snapshot
from harness.spec import MigrationSpec
from harness.validation.compare import ValidationReport
from harness.validation.validate import validate as validate_run
from harness.warehouse import Warehouse

T = TypeVar("T")


# The command each exclusive method is, as `harness migrate status` names it.
COMMANDS = {"backup": "backup", "start": "migrate start", "complete": "migrate complete", "rollback": "rollback",
            "restore_from_backup": "restore --from-backup"}  # fmt: skip


def exclusive(method: Callable[..., T]) -> Callable[..., T]:
    """The command holds the migration's run lock throughout (harness/run_lock.py); a command
    called from within another (rollback by start's auto-rollback) runs under the same hold."""

    @functools.wraps(method)
    def locked(self: Migration, *args: Any, **kwargs: Any) -> T:
        if self._holding:
            return method(self, *args, **kwargs)
        with run_lock.held(self):
            self._holding, self._command = True, COMMANDS.get(method.__name__, method.__name__)
            self._progress = self._signals = None
            try:
                self.publish(None)  # `migrate status` in another shell reads this, not the warehouse
                return method(self, *args, **kwargs)
            finally:
                self._holding = False
                live.clear(self.live_path)

    return locked


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
        self.lock_waits = 0  # lock timeouts met by this process: the backfill slows down when it grows
        self.transactions = 0  # DDL transactions committed by this process (crash tests stop after the n-th)
        self._blueprints: dict[tuple[str, bool], Blueprint] = {}
        self._described: dict[str, Any] | None = None  # the table as preflight saw it, before any change
        self._holding = False  # this object holds the run lock (see `exclusive`)
        self._command = ""  # the command holding it, as published for `migrate status`
        self._progress: dict[str, Any] | None = None  # the backfill's, as published
        self._signals: dict[str, float] | None = None  # what the backfill's pacing last read, as published

    # -- names ------------------------------------------------------------------------------
    @property
    def engine(self) -> Engine:
        return engine_for(self.warehouse.info().adapter)

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

    # -- the run and its journal ------------------------------------------------------------
    def current_run(self) -> RunRecord | None:
        data = self.warehouse.read_run(self.spec.name)
        return RunRecord.from_dict(data) if data else None

    def require_run(self) -> RunRecord:
        run = self.current_run()
        if run is None:
            raise StateError(
                f"migration {self.spec.name} has no recorded run.",
                f"start it first: harness migrate start <spec> (target {self.warehouse.info().target})",
            )
        return run

    def journal(
        self, run: RunRecord, *, step: str, status: str, started_at: str, seconds: float,
        new_state: State | None = None, note: str | None = None, backup_relation: str | None = None,
        snapshots: dict[str, Snapshot] | None = None, **line: Any,
    ) -> None:  # fmt: skip
        """One journal line, the snapshots the step took and, with `new_state`, the run's state
        change, in one write."""
        if new_state is not None:
            check_transition(run.state, new_state)
        self.warehouse.record_step(
            run.run_id, step=step, status=status, started_at=started_at, finished_at=utc_now(), seconds=seconds,
            new_state=new_state, note=note, backup_relation=backup_relation,
            snapshots={label: taken.to_dict() for label, taken in (snapshots or {}).items()}, **line,
        )  # fmt: skip
        run.snapshots.update(snapshots or {})
        run.steps.append({"step": step, "status": status, "started_at": started_at, "seconds": seconds,
                          "rows_affected": line.get("rows_affected"), "detail": line.get("detail"),
                          "figures": line.get("figures") or {}})  # fmt: skip
        if new_state is not None:
            run.state = new_state
            run.backup_relation = backup_relation or run.backup_relation
            run.note = note if note is not None else run.note
        self.publish(run)

    @property
    def live_path(self) -> Path:
        settings = self.warehouse.settings
        return live.path(settings.output_dir, self.spec.name, settings.target_name)

    def publish(self, run: RunRecord | None, progress: dict[str, Any] | None = None,
                signals: dict[str, float] | None = None) -> None:  # fmt: skip
        """What `migrate status` shows from another shell while this command runs (harness/live.py):
        the run and its journal so far, the backfill's progress and the last signals its pacing read."""
        if not self._holding:
            return
        self._progress, self._signals = progress or self._progress, signals or self._signals
        data: dict[str, Any] = {"command": self._command, "target": self.warehouse.settings.target_name,
                                "backfill_progress": self._progress, "signals": self._signals}  # fmt: skip
        if run is not None:
            data["run"] = {"run_id": run.run_id, "migration": self.spec.name, "state": str(run.state),
                           "note": run.note, "steps": run.steps}  # fmt: skip
        try:
            live.publish(self.live_path, data)
        except OSError as exc:  # what another shell sees is a courtesy: it never fails the migration
            logging.getLogger("harness").warning("could not publish progress for `harness migrate status`: %s", exc)

    def set_state(self, run: RunRecord, state: State, note: str | None = None) -> None:
        self.warehouse.set_run_state(run.run_id, check_transition(run.state, state), utc_now(), note)
        run.state, run.note = state, note if note is not None else run.note
        self.publish(run)

    def _step(self, run: RunRecord, name: str, action: Callable[[], Outcome]) -> StepResult:
        """Runs one step, journals it with the run's new state (ok, or failed with the database's
        message) and reports it."""
        started, clock = utc_now(), time.perf_counter()
        try:
            outcome = action()
        except HarnessError as exc:
            seconds = time.perf_counter() - clock
            with contextlib.suppress(HarnessError):  # the journal must not hide the original error
                self.journal(run, step=name, status="failed", started_at=started, seconds=seconds,
                             detail=str(exc)[:4000], new_state=State(run.state),
                             note=f"{name} failed: {exc}"[:4000])  # fmt: skip
            self.reporter.step_finished(StepResult(name, None, seconds, f"failed: {exc.message}"))
            raise
        seconds = time.perf_counter() - clock
        faults.point(f"step.{name}", 1)  # a crash test's window: the work done, its journal line not yet
        self.journal(
            run, step=name, status="ok", started_at=started, seconds=seconds, rows_affected=outcome.rows,
            checksum=outcome.checksum, detail=outcome.result, figures=outcome.figures, new_state=outcome.state,
            note=outcome.note, backup_relation=outcome.backup_relation, snapshots=outcome.snapshots,
        )  # fmt: skip
        step = StepResult(name, outcome.rows, seconds, outcome.result)
        self.reporter.step_finished(step)
        return step

    def with_lock_retry(self, run: RunRecord, what: str, action: Callable[[], T]) -> T:
        """DDL waits at most lock_timeout for its lock; on timeout, back off and try again."""
        delay = self.lock_backoff_seconds
        for attempt in range(1, self.lock_retries + 1):
            try:
                done = action()
            except WarehouseError as exc:
                if not exc.is_lock_timeout or attempt == self.lock_retries:
                    raise
                self.lock_waits += 1
                self.journal(
                    run, step="lock_wait", status="retry", started_at=utc_now(), seconds=0.0,
                    detail=f"{what}: attempt {attempt} timed out waiting for a lock; retrying in {delay:.1f}s",
                )  # fmt: skip
                time.sleep(delay)
                delay *= 2
                continue
            self.transactions += 1
            faults.point("transaction", self.transactions)  # crash tests: between a step's statements
            return done
        raise AssertionError("unreachable")  # pragma: no cover

    def backup_parts(self, run: RunRecord) -> tuple[str, str]:
        if not run.backup_relation:
            raise StateError(f"run {run.run_id} has no backup.", "start the migration again")
        schema, table = run.backup_relation.split(".", 1)
        return schema, table

    # -- what the steps share ---------------------------------------------------------------
    def preflight(self) -> dict[str, Any]:
        """Judges the spec against the warehouse without changing anything; raises InputError."""
        self._described = preflight.run(self)
        return self._described

    def described_table(self) -> dict[str, Any]:
        """The table as preflight saw it (columns with their catalog facts), or as it is now."""
        if self._described is None:
            self._described = self.warehouse.describe_table(self.schema, self.table, [], self.view_names)
        return self._described

    def blueprint(self, run: RunRecord | None = None) -> Blueprint:
        """The compiled operations, against the table's columns before the migration: from the
        before-snapshot once contracted, else from the table minus what expand adds. Compiled once
        per run and phase by this object (each step would otherwise read the catalog again)."""
        cache_key = (run.run_id, run.state == State.CONTRACTED) if run is not None else None
        if cache_key in self._blueprints:
            return self._blueprints[cache_key]
        facts: dict[str, dict[str, Any]] = {}
        attachments: list[dict[str, Any]] | None = None
        if self.spec.creates_table:  # no old shape: the table is the spec's columns, whatever it holds now
            types, attachments = {}, []
        elif run is not None and run.state == State.CONTRACTED and "before" in run.snapshots:
            types = {name: stats.data_type for name, stats in run.snapshots["before"].columns.items()}
        else:
            unchanged = run is not None and run.state in (State.PLANNED, State.BACKED_UP)  # preflight's view holds
            described = (self._described if unchanged else None) or self.warehouse.describe_table(
                self.schema, self.table, [], []
            )
            added = planned_additions(self.spec) if run is not None else set()
            columns = [c for c in described.get("columns", []) if c["name"] not in added]
            types = {c["name"]: c["data_type"] for c in columns}
            facts = {c["name"]: c for c in described.get("columns", [])}
            attachments = [a for a in described.get("attachments", []) if not added.intersection(a["columns"])]
        plan = compile_blueprint(self.spec, types, self.engine, facts=facts, attachments=attachments,
                                 schema=self.schema)  # fmt: skip
        if cache_key is not None:
            self._blueprints[cache_key] = plan
        return plan

    def dual_write(self, plan: Blueprint) -> bool:
        """Whether expand installs sync triggers: where the engine has them, writes are declared
        (without them a trigger would only cost the backfill time) and the shapes differ."""
        return self.engine.triggers and self.spec.concurrent_writes and plan.sync_needed

    def create_views(
        self, run: RunRecord, plan: Blueprint, versions: dict[str, list[list[str]]], current: str | None = None
    ) -> None:
        """The versioned views given (and the new table name's alias view if the new shape is among them);
        with `current`, `<table>_current` pointed at that version in the same transaction."""
        aliases = {plan.final_table: NEW_VERSION} if plan.final_table != self.table and NEW_VERSION in versions else {}
        placement = placement_of(plan)
        sources = placement.view_sources(plan)
        writer = placement.shape_writer(plan, list(self.spec.key)) if self.dual_write(plan) else None
        self.with_lock_retry(
            run, "version views",
            partial(self.warehouse.create_version_views, self.schema, self.table, versions, aliases, sources, current,
                    writer),
        )  # fmt: skip

    # -- the lifecycle ----------------------------------------------------------------------
    def _begin(self) -> RunRecord:
        """The run to work on: the current one if it is in progress (same spec), else a new one
        after a read-only preflight."""
        self.warehouse.ensure_state()
        run = self.current_run()
        if run is None or run.state in TERMINAL:
            self.preflight()
            run_id = datetime.now(UTC).strftime("%Y%m%d%H%M%S") + secrets.token_hex(2)
            self.warehouse.record_run(run_id, self.spec.name, self.relation, State.PLANNED, self.spec.spec_hash,
                                      utc_now())  # fmt: skip
            return RunRecord(run_id, State.PLANNED, self.spec.spec_hash, backup_relation=None, note=None)
        self.require_same_spec(run, "to resume, restore it; or `harness rollback <spec>` first")
        return run

    def require_same_spec(self, run: RunRecord, fix: str) -> None:
        """Refuses a spec that changed since the run started, naming what changed: a step of one
        spec must never act on another (an operation appended after validation, say)."""
        if run.spec_hash == self.spec.spec_hash:
            return
        recorded = run.figure(backup.SNAPSHOT, "spec")
        changes = self.spec.changes_since(recorded) if recorded else ["(the run did not record its spec)"]
        raise StateError(
            f"the spec of {self.spec.name} changed since run {run.run_id} started (state {run.state}): "
            f"{'; '.join(changes)}.",
            f"the run was started with the spec as it was; {fix}",
        )

    @exclusive
    def backup(self, pg_dump: Path | None = None) -> list[StepResult]:
        """Preflight, before-snapshot and verified backup only (state `backed_up`): `migrate start`
        continues from there after checking the backup still matches. With `pg_dump` (where the
        engine has it), also a `pg_dump -Fc` archive there, verified by `pg_restore` into a scratch
        database."""
        if pg_dump is not None and self.spec.creates_table:
            raise InputError(f"--pg-dump: {self.relation} does not exist yet (this migration creates it): "
                             "there is nothing to dump.", "leave --pg-dump out")  # fmt: skip
        run = self._begin()
        if run.state != State.PLANNED:
            raise StateError(
                f"run {run.run_id} of {self.spec.name} is already {run.state}; its backup is {run.backup_relation}.",
                "continue with `harness migrate start <spec>`, or `harness rollback <spec>` first",
            )
        steps = [
            self._step(run, backup.SNAPSHOT, lambda: backup.snapshot_before(self, run)),
            self._step(run, backup.BACKUP, lambda: backup.backup(self, run)),
        ]
        if pg_dump is not None:
            steps.append(self._step(run, backup.PG_DUMP, lambda: backup.pg_dump(self, run, pg_dump)))
        return steps

    @exclusive
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
            if not auto_rollback or run.state == State.PLANNED:  # nothing changed before the backup
                raise
            steps += self.rollback()
            self.set_state(run, State.ROLLED_BACK, note=f"auto-rollback after: {exc.message}"[:4000])
            raise RolledBack(
                f"{exc.message} The migration was rolled back automatically: {steps[-1].result}.",
                "fix the cause (see `harness migrate status <spec>`), then start again",
            ) from exc
        return steps

    def _advance(self, run: RunRecord, steps: list[StepResult]) -> None:
        """The steps of `start` from the run's state on, appending each result to `steps`."""
        if run.state == State.PLANNED:
            steps.append(self._step(run, backup.SNAPSHOT, lambda: backup.snapshot_before(self, run)))
            steps.append(self._step(run, backup.BACKUP, lambda: backup.backup(self, run)))
        elif run.state == State.BACKED_UP:
            steps.append(self._step(run, backup.REVERIFY, lambda: backup.reverify(self, run)))
        if run.state == State.BACKED_UP:
            steps.append(self._step(run, expand.NAME, lambda: expand.run(self, run)))
        if run.state == State.EXPANDED:
            steps.append(self._step(run, backfill.NAME, lambda: backfill.run(self, run)))
        if run.state == State.BACKFILLED:
            if settle.needed(self.blueprint(run)):
                steps.append(self._step(run, settle.NAME, lambda: settle.run(self, run)))
            report, step = self._validation_step(run, "validate", advance_to=State.VALIDATED)
            steps.append(step)
            if not report.passed:
                raise ValidationFailed(
                    f"validation of {self.spec.name} failed: {report.summary()}.",
                    "inspect with `harness validate <spec>`; `harness rollback <spec>` restores the data",
                )

    @exclusive
    def complete(self, model_later: bool = False) -> list[StepResult]:
        """Validates again, switches readers to the new shape, then contracts (drops the old).
        First, unless `model_later`, a dbt model that builds the table must build the new shape
        (see contract.check_model)."""
        run = self.require_run()
        self.require_same_spec(run, "restore the spec file as it was, then complete (or roll back)")
        if run.state == State.CONTRACTED and not run.last_step(contract.NAME):
            # The contract committed (with the run's state, in its own transaction) and the
            # process stopped before its journal line: the line is written now.
            return [self._step(run, contract.NAME, lambda: contract.recovered(self, run))]
        if run.state not in (State.VALIDATED, State.SWITCHED):
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
        if not model_later:
            contract.check_model(self, run)  # before anything is dropped
        if run.state == State.VALIDATED:
            steps.append(self._step(run, switch.NAME, lambda: switch.run(self, run)))
        steps.append(self._step(run, contract.NAME, lambda: contract.run(self, run)))
        return steps

    def validate(self, run: RunRecord | None = None, record: bool = True) -> ValidationReport:
        """Before-snapshot vs the table now (see harness/validation/validate.py), journaled."""
        return validate_run(self, run or self.require_run(), record)

    def _validation_step(
        self, run: RunRecord, name: str, advance_to: State | None = None
    ) -> tuple[ValidationReport, StepResult]:
        report = validate_run(self, run, advance_to=advance_to)
        step = StepResult(name, None, report.seconds, report.summary())
        self.reporter.step_finished(step)
        return report, step

    @exclusive
    def rollback(self) -> list[StepResult]:
        """Before contract, undoes what the migration added (every write kept, no table copy);
        after contract, runs the migration backwards from the archive contract kept (every write
        kept; harness.lifecycle.reverse), or where it cannot (a rewrite, a dropped table), restores
        the table from the verified backup. Then proves the old shape (and, where nobody wrote
        since, the exact before-checksums)."""
        run = self.require_run()
        if run.state == State.ROLLED_BACK:
            raise StateError(f"run {run.run_id} of {self.spec.name} is already rolled back.", "nothing to do")
        # What to undo comes from the spec: an edited one would undo something else.
        self.require_same_spec(run, "restore the spec file as it was, then roll back")
        contracted = run.state == State.CONTRACTED and not self.spec.creates_table  # (a new table: its undo, always)
        kept = reverse.kept_table(self, run) if contracted else None
        backwards = reverse.plan(self, run) if contracted and kept is None else None
        if kept is not None:  # a dropped table, kept by contract: brought back
            steps = [self._step(run, reverse.NAME, lambda: reverse.bring_back(self, run, kept))]
        elif backwards is not None:  # after contract: the migration run backwards, every write kept
            steps = [self._step(run, reverse.NAME, lambda: reverse.run(self, run, backwards))]
        elif contracted:
            steps = [self._step(run, rollback.RESTORE, lambda: rollback.restore(self, run))]
        else:
            steps = [self._step(run, rollback.UNDO, lambda: rollback.undo(self, run))]
        reversed_ = kept is not None or backwards is not None
        steps.append(self._step(run, rollback.PROVE, lambda: rollback.prove(self, run, kept=reversed_)))
        return steps

    @exclusive
    def restore_from_backup(self) -> list[StepResult]:
        """The disaster path, from any state with a verified backup: the table restored from it,
        kept itself (identity, sequences, views, foreign keys, grants), giving up the writes made
        since the backup (counted where the engine counts them); then proved exactly equal to the
        before-snapshot."""
        run = self.require_run()
        self.require_same_spec(run, "restore the spec file as it was, then restore")
        steps = [self._step(run, rollback.RESTORE, lambda: rollback.restore(self, run, knowingly=True))]
        steps.append(self._step(run, rollback.PROVE, lambda: rollback.prove(self, run, exact=True)))
        return steps
