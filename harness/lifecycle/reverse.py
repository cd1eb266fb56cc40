"""Rollback after contract: a reverse migration, not a restore.

Contract drops the old shape's columns, so before it does (`archive`, called by contract) their
values are kept in the backup schema: the archive `<table>__<run id>_archive` holds each row's key,
the old values of the columns contract drops or replaces, and, for a replaced (retyped) column, the
new value it had then. On PostgreSQL a row trigger keeps the archive current while the rows are
copied in by keyset batches (no lock writers wait on), and contract drops it in its own transaction:
the archive is the table as contract left it.

Rollback after contract then runs the migration backwards through the same machinery, keeping every
write made since, through the new shape:
1. **refuse before any change** where the old shape cannot be given a value: a dropped column with
   no `down` while rows were inserted since contract (counted), a table the migration created that
   took rows, NULLs where the old shape had NOT NULL;
2. **expand**: the old shape's columns added back (a dropped column under its name, a replaced one
   as a shadow of its old type), and (PostgreSQL) a sync trigger that gives every write from now on
   its old values;
3. **fill** in keyset batches: a row the archive holds gets its archived old value, unless a
   replaced column's value changed since contract; then, and for rows inserted since, `down`
   computes it from the new shape (as the sync trigger did before contract);
4. **verify**: every row's old columns recomputed in SQL and compared (zero mismatches, or stop);
5. **switch**, one transaction under lock_timeout: the new shape's views and the trigger dropped,
   the columns the migration added dropped, shadows swapped in, renames and the table's name put
   back; then the catalog as the before-snapshot recorded it (defaults, NOT NULLs without a long
   lock, constraints, indexes, comments), a previous migration's views, and `raw_sql` downs.

No row is copied out and back: the time grows with the columns refilled, never with a reload, and
nothing written since contract is lost. Runs contracted without an archive (an older harness), a
rewrite's swap and a dropped table keep the restore path (harness.lifecycle.restore)."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from harness.carry import check_expression_of, index_definition
from harness.errors import GuardRefused, ValidationFailed
from harness.lifecycle import backup, rollback
from harness.lifecycle import restore as restoring
from harness.lifecycle.state import RunRecord
from harness.lifecycle.step import Outcome
from harness.operations import Blueprint, shadow_name, undo_targets
from harness.placements import NEW_VERSION
from harness.sql_grammar import expression_columns

if TYPE_CHECKING:
    from harness.lifecycle.migration import Migration

NAME = "reverse migration"
CONTRACT = "contract"  # the step whose journal line names the archive
OLD, PRINT = "ec_old_", "ec_fp_"  # the archive's columns: an old value, its row's fingerprint


def archives(plan: Blueprint) -> bool:
    """Whether contract must archive columns first: it drops or replaces some, in place."""
    return bool(plan.dropped or plan.rewritten) and reversible(plan)


def reversible(plan: Blueprint) -> bool:
    """Whether rollback after contract can run backwards: the migration altered the table in place
    (a rewrite's swap and a dropped table keep the restore path)."""
    return plan.rewrite is None and not plan.drops_table and not plan.creates_table


def down_inputs(migration: Migration, plan: Blueprint) -> dict[str, list[str]]:
    """For each old column contract drops or replaces that a `down` computes: the new shape's
    columns that `down` reads (by name; all of them where it cannot be parsed). A row whose values
    there are unchanged since contract gets its archived old value back, else `down`'s, as the
    sync trigger gave writes before contract; other writes to the row change nothing."""
    found: dict[str, list[str]] = {}
    for column in [*plan.dropped, *plan.rewritten]:
        down = (plan.down.get(column) or [None])[0]
        if down:
            read = expression_columns(down, migration.engine)
            found[column] = sorted(name for name in plan.new_names if read is None or name.lower() in read)
    return found


def archive_name(migration: Migration, run: RunRecord) -> tuple[str, str]:
    """Where contract keeps what it drops: `<backup schema>.<table>__<run id>_archive`."""
    return migration.warehouse.settings.backup_schema, rollback.aside_name(migration.table, run.run_id, "archive")


def archive_relation(migration: Migration, run: RunRecord) -> str | None:
    """Where contract archived what it dropped: as journaled, or (a contract that committed before
    its journal line) under its name, if there (or renamed by a reverse's switch)."""
    journaled = run.figure(CONTRACT, "archive")
    if journaled:
        return str(journaled)
    schema, name = archive_name(migration, run)
    there = _exists(migration, schema, name) or _exists(migration, schema, reversed_name(name))
    return f"{schema}.{name}" if there else None


def _exists(migration: Migration, schema: str, table: str) -> bool:
    return bool(migration.warehouse.describe_table(schema, table, [], [], attachments=False).get("exists"))


def archive(migration: Migration, run: RunRecord) -> dict[str, Any]:
    """Before contract: the values contract drops, kept in the backup schema (see the module), with
    each row's fingerprint over what each `down` reads. Returns the contract's figures naming the
    archive; safe to repeat."""
    plan = migration.blueprint(run)
    if not archives(plan):
        return {}
    warehouse, schema, table, key = migration.warehouse, migration.schema, migration.table, list(migration.spec.key)
    types = {c["name"]: restoring.type_of(c) for c in warehouse.describe_table(schema, table, [], [])["columns"]}
    columns: list[dict[str, Any]] = [{"name": k, "source": k, "data_type": types[k]} for k in key]
    columns += [{"name": OLD + column, "source": column, "data_type": types[column]}
                for column in [*plan.dropped, *plan.rewritten]]  # fmt: skip
    physical = dict(plan.new)
    columns += [{"name": PRINT + column, "inputs": [physical[name] for name in names], "data_type": "bigint"}
                for column, names in down_inputs(migration, plan).items() if names]  # fmt: skip
    where = archive_name(migration, run)
    computed = migration.with_lock_retry(run, "archive", partial(warehouse.archive_columns, schema, table, *where, key,
                                                                 columns))  # fmt: skip
    copy = {"schema": where[0], "table": where[1], "primary_key": key, "lock_rows": migration.engine.triggers,
            "columns": computed}  # fmt: skip
    rows = _batches(migration, run, table, {}, copy, "archive")
    return {"archive": ".".join(where), "archived_rows": rows}


def _batches(migration: Migration, run: RunRecord, table: str, assignments: dict[str, list[str]],
             copy_into: dict[str, Any] | None, what: str) -> int:  # fmt: skip
    """Keyset batches over `table` up to its last key now, each committed with its checkpoint,
    paced as the spec paces the backfill (`throttle_seconds`, `batch_seconds`) and published for
    `migrate status`. Where a trigger keeps what they did current (PostgreSQL), a stopped run
    resumes after its last checkpoint; elsewhere (and after a failed attempt, journaled) it starts
    over under a new id. Returns the rows done."""
    spec, warehouse, schema = migration.spec, migration.warehouse, migration.schema
    attempts = sum(1 for step in run.steps if step["step"] in (NAME, CONTRACT) and step["status"] == "failed")
    checkpoint_id = f"{run.run_id}-{what}-{attempts}"
    if not migration.engine.triggers:
        checkpoint_id += "-" + secrets.token_hex(3)
    last = warehouse.last_checkpoint(checkpoint_id)
    until = warehouse.last_key(schema, table, list(spec.key))
    after, batch_no = (json.loads(last["last_key"]), int(last["batch_no"]) + 1) if last else (None, 1)
    rows, done, size, clock = 0, until is None, spec.batch_size, time.perf_counter()
    in_server, pause = migration.engine.server_side_backfill, spec.throttle_seconds
    limits = (min(100, spec.batch_size), max(100_000, spec.batch_size))
    while not done:
        batches, done, size = migration.with_lock_retry(
            run, f"{what} batch {batch_no}",
            partial(warehouse.backfill_batches, schema, table, list(spec.key), assignments, after, size,
                    checkpoint_id, batch_no, max_batches=1 if pause and not in_server else migration.batches_per_call,
                    max_seconds=migration.seconds_per_call, pause_seconds=pause if in_server else 0.0,
                    copy_into=copy_into, until_key=until, batch_seconds=spec.batch_seconds, batch_limits=limits),
        )  # fmt: skip
        for batch in batches:
            rows, after, batch_no = rows + batch.rows, batch.last_key, batch.batch_no + 1
        elapsed = max(time.perf_counter() - clock, 1e-9)
        migration.publish(run, {"what": what, "rows_done": rows, "rows_total": None, "rows_per_second": rows / elapsed,
                                "seconds_left": None, "batches": batch_no - 1, "finished": done})  # fmt: skip
        if pause and not in_server and not done:
            time.sleep(pause)
    return rows


@dataclass
class Reverse:
    """The reverse of one contracted run, as the catalog stands now (so a stopped one resumes):
    the table's name now (`live`), the archive, the columns to add back, each refilled column's
    rule (`fills(row)`: physical column -> [expression over the row `row`, type]), and the switch's
    alterations."""

    live: str
    archive: str | None
    adds: list[dict[str, Any]] = field(default_factory=list)
    rules: dict[str, tuple[str, str | None, str]] = field(default_factory=dict)  # physical -> column, down, type
    # row reference (the table's name; `ec_row`, the trigger's) -> physical -> [its value's expression, type]
    fills: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    swap: list[dict[str, Any]] = field(default_factory=list)
    no_down: list[str] = field(default_factory=list)  # dropped columns only the archive can give a value
    switched: bool = False  # the switch committed before a stop: only what follows it is left
    attachments: list[dict[str, Any]] = field(default_factory=list)  # the live table's constraints, indexes, ...
    columns: list[dict[str, Any]] = field(default_factory=list)  # the live table's, as plan() read them
    added_indexes: list[str] = field(default_factory=list)  # the migration's, dropped before the switch (DuckDB)


def kept_table(migration: Migration, run: RunRecord) -> tuple[str, str] | None:
    """Where a contracted drop_table kept the table (its archive), or None (another migration, or
    contracted before archives existed)."""
    archived = archive_relation(migration, run) if migration.blueprint(run).drops_table else None
    if not archived:
        return None
    schema, table = archived.split(".", 1)
    return schema, table


def bring_back(migration: Migration, run: RunRecord, archive: tuple[str, str]) -> Outcome:
    """A contracted drop_table undone from the table contract kept: on PostgreSQL moved back whole
    (its rows, identity, sequences, indexes, constraints and grants: metadata only); elsewhere
    its rows copied back and its catalog put back from the before-snapshot. Every write before
    contract kept (none could come after: the table was gone)."""
    warehouse, schema, table = migration.warehouse, migration.schema, migration.table
    there, back = _exists(migration, *archive), _exists(migration, schema, table)
    if not there and back:
        done = f"{table} had been moved back from {'.'.join(archive)} before a stop"
    elif there and back and not migration.engine.set_schema:  # (a copy back would overwrite it)
        raise GuardRefused(f"rollback of {migration.spec.name} refused before any change: a table {schema}.{table} "
                           f"exists again since contract, and {'.'.join(archive)} holds the one contract dropped.",
                           f"rename or drop {schema}.{table} (its rows are its own), then roll back again")  # fmt: skip
    elif not there:
        raise GuardRefused(f"rollback of {migration.spec.name} refused before any change: {'.'.join(archive)}, "
                           "where contract kept the dropped table, is gone.",
                           "`harness restore <spec> --from-backup` brings the backup's rows back")  # fmt: skip
    elif migration.engine.set_schema:
        migration.with_lock_retry(run, "move back", partial(warehouse.move_table_back, archive, schema, table))
        done = (f"{table} moved back from {'.'.join(archive)}, whole (rows, identity, sequences, indexes, "
                "constraints, grants)")  # fmt: skip
    else:
        _, steps = restoring.restore(migration, run, {}, source=archive)
        done = "; ".join(steps)
    put_back = rollback.put_back_views(migration, run)
    extra = [f"a previous migration's {', '.join(put_back)} put back"] if put_back else []
    return Outcome(None, "after contract, drop_table reversed: " + "; ".join([done, *extra, "every write before "
                                                                              "contract kept"]))  # fmt: skip


def plan(migration: Migration, run: RunRecord) -> Reverse | None:
    """The reverse of this contracted run, or None when it must be restored instead (see the module)."""
    blueprint = migration.blueprint(run)
    archived = archive_relation(migration, run) if reversible(blueprint) else None
    if not reversible(blueprint) or (archives(blueprint) and not archived):
        return None
    live = restoring.live_table(migration, run)
    before = {c["name"]: c for c in run.figure(backup.SNAPSHOT, "columns") or []}
    if live is None or not before:
        return None
    warehouse = migration.warehouse
    reverse = Reverse(live, archived)
    if archived:  # the switch renames the archive (in its transaction): whether it committed
        parts = archived.split(".", 1)
        if not _exists(migration, *parts):
            if not _exists(migration, parts[0], reversed_name(parts[1])):
                raise GuardRefused(f"rollback of {migration.spec.name} refused before any change: the archive "
                                   f"{archived} of what contract dropped is gone.",
                                   "give the writes since the backup up knowingly: `harness restore <spec> "
                                   "--from-backup`")  # fmt: skip
            reverse.switched = True
            return reverse
        reverse.swap.append({"kind": "rename_table", "schema": parts[0], "table": parts[1],
                             "to": reversed_name(parts[1])})  # fmt: skip
    described = warehouse.describe_table(migration.schema, live, [], [])
    now = {c["name"] for c in described["columns"]}
    reverse.attachments, reverse.columns = described.get("attachments", []), described["columns"]
    had = _constraints(run.figure(backup.SNAPSHOT, "attachments") or [], {})
    has = _constraints(reverse.attachments, {new: old for old, new in blueprint.renamed.items()})
    if not migration.engine.alter_add_constraint and had != has:
        return None  # the engine cannot add or drop a constraint of an existing table: restored instead
    for column in blueprint.dropped:
        down = (blueprint.down.get(column) or [None])[0]
        reverse.no_down += [] if down else [column]
        if column not in now:
            reverse.adds.append({"kind": "add_column", "name": column, "data_type": restoring.type_of(before[column])})
        reverse.rules[column] = (column, down, restoring.type_of(before[column]))
    for column in blueprint.rewritten:
        current, hidden = blueprint.renamed.get(column, column), shadow_name(column)
        if hidden not in now:
            reverse.adds.append({"kind": "add_column", "name": hidden, "data_type": restoring.type_of(before[column])})
        reverse.rules[hidden] = (column, blueprint.down[column][0], restoring.type_of(before[column]))
        reverse.swap += [{"kind": "drop_column", "column": current},
                         {"kind": "rename_column", "column": hidden, "to": column}]  # fmt: skip
    for column, current in blueprint.renamed.items():
        if column not in blueprint.rewritten and current in now and column not in now:
            reverse.swap.append({"kind": "rename_column", "column": current, "to": column})
    reverse.swap += [{"kind": "drop_column", "column": name} for name in blueprint.added if name in now and
                     name not in before]  # fmt: skip
    reverse.swap += _defaults_back(before, described["columns"], blueprint, reverse)
    journaled, defined = run.figure(backup.SNAPSHOT, "definition"), described.get("definition")
    if migration.engine.index_blocks_alter and journaled and defined:  # (its indexes are statements only)
        drop, _ = restoring.indexes_back(journaled.get("indexes", []), defined.get("indexes", []), migration.schema)
        reverse.added_indexes = [step["name"] for step in drop]
    _fills(migration, blueprint, reverse)
    return reverse


def _defaults_back(before: dict[str, dict[str, Any]], now: list[dict[str, Any]], blueprint: Blueprint,
                   reverse: Reverse) -> list[dict[str, Any]]:  # fmt: skip
    """The old shape's defaults, set in the switch's transaction (once the names are back), so an
    insert through the old shape right after it gets them: a refilled column comes back without one,
    a kept one has the migration's."""
    current = {c["name"]: c.get("default") or None for c in now}
    refilled = {rule[0] for rule in reverse.rules.values()}
    steps = []
    for name, column in before.items():
        has = None if name in refilled else current.get(blueprint.renamed.get(name, name))
        wanted = column.get("default") or None
        if has != wanted:
            steps.append({"kind": "set_default", "column": name, "default": wanted} if wanted else
                         {"kind": "drop_default", "column": name})  # fmt: skip
    return steps


def _fills(migration: Migration, blueprint: Blueprint, reverse: Reverse) -> None:
    """Each refilled column's value, as the batches and the verification (over the table) and the
    sync trigger (over `ec_row`) compute it: archived, or `down` for rows written since (one call)."""
    if not reverse.rules:
        return
    inputs = {c: names for c, names in down_inputs(migration, blueprint).items() if names}
    rules = [{"physical": physical, "archived": OLD + column, "down": down, "data_type": data_type,
              "fingerprint": PRINT + column if column in inputs else None, "inputs": inputs.get(column, [])}
             for physical, (column, down, data_type) in reverse.rules.items()]  # fmt: skip
    schema, table = str(reverse.archive).split(".", 1)
    reverse.fills = migration.warehouse.reverse_fill_expressions((schema, table), list(migration.spec.key), rules,
                                                                 [reverse.live, "ec_row"])  # fmt: skip


def _constraints(attachments: list[dict[str, Any]], names: dict[str, str]) -> set[tuple[str, tuple[str, ...]]]:
    """The constraints' kinds and columns (`names`: a column's name now -> its name before)."""
    return {(a["kind"], tuple(names.get(c, c) for c in a.get("columns", []))) for a in attachments
            if a["kind"] in restoring.CONSTRAINTS}  # fmt: skip


def reversed_name(archive_table: str) -> str:
    """The archive's name once the reverse switched (renamed in the switch's transaction: the mark
    that it committed)."""
    return archive_table.removesuffix("_archive") + "_reversed"


def run(migration: Migration, run: RunRecord, reverse: Reverse) -> Outcome:
    """The reverse migration (see the module); each step safe to repeat after a stop."""
    warehouse = migration.warehouse
    targets = undo_targets(migration.spec)
    counted = rollback.created_rows(migration, targets.created_tables)
    done = [] if not reverse.switched else ["its switch had committed before a stop"]
    if not reverse.switched:
        _forward(migration, run, reverse, counted, done)
    done += [_catalog_back(migration, run)]
    for down in targets.raw_downs:
        migration.with_lock_retry(run, "raw SQL down", partial(warehouse.run_statements, down))
        done.append("raw SQL down")
    put_back = rollback.put_back_views(migration, run)
    done += [f"a previous migration's {', '.join(put_back)} put back"] if put_back else []
    if counted:
        done.append(rollback.remove_created(migration, run, counted))
    done.append("no row reloaded: every write since contract kept")
    return Outcome(None, "after contract, reverse migration: " + "; ".join(filter(None, done)),
                   figures={"archive": reverse.archive})  # fmt: skip


def _forward(migration: Migration, run: RunRecord, reverse: Reverse, counted: dict[str, int], done: list[str]) -> None:
    """Steps 1 to 5 (see the module), up to and including the switch's transaction."""
    warehouse, schema = migration.warehouse, migration.schema
    schema_table = (schema, reverse.live)
    # 1. Refusals, before any change.
    rollback.refuse_rows_in_created(migration, counted)
    if reverse.no_down and reverse.archive:
        _refuse_unarchived(migration, reverse)
    rollback.refuse_nulls(migration, reverse.live, _relaxed(migration, run, reverse))
    _refuse_broken_constraints(migration, run, reverse)
    _refuse_dependent_views(migration, run, reverse)
    # 2. Expand: the old shape's columns, and the trigger giving every write from now on its old values.
    if reverse.adds:
        migration.with_lock_retry(run, "add the old columns back", partial(warehouse.alter_table, *schema_table,
                                                                            reverse.adds))  # fmt: skip
        done.append(f"added back {', '.join(a['name'] for a in reverse.adds)}")
    if reverse.rules and migration.engine.triggers:
        rule = {"up": reverse.fills["ec_row"], "down": {}, "new_columns": []}
        migration.with_lock_retry(run, "sync trigger", partial(warehouse.install_sync_trigger, *schema_table, rule))
    # 3. Fill, 4. verify.
    if reverse.rules:
        rows = _batches(migration, run, reverse.live, reverse.fills[reverse.live], None, "reverse")
        done.append(f"{rows:,} row(s) refilled" + (f" from {reverse.archive} (else `down`)" if reverse.archive else ""))
        _verify(migration, run, reverse)
    # 5. Switch: one transaction; first (DuckDB) the migration's indexes, which would stop it dropping their columns.
    for name in reverse.added_indexes:
        migration.with_lock_retry(run, f"drop index {name}", partial(warehouse.drop_index, schema, name))
    views = [f"{reverse.live}_current", f"{reverse.live}_{NEW_VERSION}"]  # (dependents first)
    back = migration.table if reverse.live != migration.table else None
    migration.with_lock_retry(run, "switch back", partial(warehouse.contract_table, *schema_table, reverse.swap,
                                                         views_after={}, final_table=back or reverse.live,
                                                         drop_table=False, drop_views=views))  # fmt: skip
    changed = [step for step in reverse.swap if not step.get("table")]  # (the archive's mark aside)
    done += [f"{len(changed)} column change(s) undone in one transaction"] if changed else []
    done += [f"{reverse.live} renamed back to {migration.table}"] if back else []


def _refuse_unarchived(migration: Migration, reverse: Reverse) -> None:
    """A dropped column without `down` gets its value from the archive alone: rows inserted since
    contract would have none. Refused before any change, with their count and the fix."""
    schema, table = str(reverse.archive).split(".", 1)
    rows = migration.warehouse.count_unarchived(migration.schema, reverse.live, schema, table,
                                                list(migration.spec.key))  # fmt: skip
    if rows:
        columns = ", ".join(reverse.no_down)
        raise GuardRefused(
            f"rollback of {migration.spec.name} refused before any change: {rows:,} row(s) of "
            f"{migration.schema}.{reverse.live} were inserted since contract, and the dropped column(s) {columns} "
            "have no `down` to give them a value (the archive holds only the rows contract saw).",
            "delete those rows (or move them elsewhere) and roll back again; or give every write since the backup "
            "up knowingly: `harness restore <spec> --from-backup`; or keep them and migrate forward with a new spec "
            "(a `down:` on a drop_column is what lets rollback after contract compute it)",
        )


def old_row(migration: Migration, run: RunRecord, reverse: Reverse) -> list[dict[str, Any]]:
    """The old shape as the reverse will fill it, computed from the live table (see shape_source):
    kept and renamed columns as they are, refilled ones by their rule."""
    renamed, fills = migration.blueprint(run).renamed, reverse.fills.get(reverse.live, {})
    refilled = {rule[0]: physical for physical, rule in reverse.rules.items()}
    row: list[dict[str, Any]] = []
    for column in run.figure(backup.SNAPSHOT, "columns") or []:
        name = column["name"]
        if name in refilled:
            expression, data_type = fills[refilled[name]]
            row.append({"name": name, "expression": expression, "data_type": data_type})
        else:
            row.append({"name": name, "column": renamed.get(name, name)})
    return row


def _refuse_broken_constraints(migration: Migration, run: RunRecord, reverse: Reverse) -> None:
    """The checks and unique constraints the old shape had and the table lacks now (dropped by the
    migration, or over columns it replaced) must hold for the rows as the reverse will fill them:
    writes since contract may break them (a value the dropped check allowed). Refused before any
    change, with the count and an example."""
    now = {(a["kind"], a["name"]): a["definition"] for a in reverse.attachments}
    wanted = [a for a in run.figure(backup.SNAPSHOT, "attachments") or [] if a["kind"] in
              ("check", "unique", "primary_key") and now.get((a["kind"], a["name"])) != a["definition"]]  # fmt: skip
    if not wanted:
        return
    schema, table, key = migration.schema, reverse.live, list(migration.spec.key)
    warehouse, shape = migration.warehouse, old_row(migration, run, reverse)
    calls = [warehouse.check_expression(schema, table, check_expression_of(a["definition"]), "boolean", shape, key,
                                        must_hold=True) if a["kind"] == "check" else
             warehouse.count_duplicate_values(schema, table, a["columns"], shape) for a in wanted]  # fmt: skip
    broken = []
    for attachment, result in zip(wanted, warehouse.run_together(calls), strict=True):
        if result.get("violations"):
            example = ", ".join(f"{k} = {v}" for k, v in zip(key, result["example_key"] or [], strict=False))
            broken.append(f"check {attachment['name']} is false for {result['violations']:,} row(s), e.g. {example}")
        if result.get("duplicates"):
            broken.append(f"{attachment['kind'].replace('_', ' ')} {attachment['name']} would see "
                          f"{result['duplicates']:,} duplicated value(s), e.g. {tuple(result['example'])}")  # fmt: skip
    if broken:
        raise GuardRefused(
            f"rollback of {migration.spec.name} refused before any change: rows written since the migration break "
            f"what the old shape enforced: {'; '.join(broken)}.",
            "fix those rows (they are in the live table), then run `harness rollback <spec>` again; or give every "
            "write since the backup up knowingly: `harness restore <spec> --from-backup`",
        )


def _refuse_dependent_views(migration: Migration, run: RunRecord, reverse: Reverse) -> None:
    """A view of the user's that reads a column the switch drops (one the migration added or
    replaced), or reads the new shape's views the switch drops, would stop it half-way: refused
    before any change, naming the views and what they read."""
    warehouse, schema = migration.warehouse, migration.schema
    dropped = [step["column"] for step in reverse.swap if step["kind"] == "drop_column"]
    ours = [f"{reverse.live}_{suffix}" for suffix in (NEW_VERSION, "current")]
    names = migration.blueprint(run).new_names
    reads = {f"{', '.join(dropped)} of {schema}.{reverse.live}": warehouse.dependent_views(schema, reverse.live,
                                                                                         dropped)}  # fmt: skip
    reads |= {f"the new shape's view {schema}.{view}": warehouse.dependent_views(schema, view, names) for view in ours}
    mine = {f"{schema}.{view}" for view in ours}
    found = {what: [v for v in views if v not in mine] for what, views in reads.items()}
    found = {what: views for what, views in found.items() if views}
    if found:
        raise GuardRefused(
            f"rollback of {migration.spec.name} refused before any change: "
            + "; ".join(f"{', '.join(views)} read(s) {what}" for what, views in found.items())
            + ", which the old shape does not have.",
            "drop those views (or re-create them over the old shape's columns), then roll back again",
        )


def _relaxed(migration: Migration, run: RunRecord, reverse: Reverse) -> list[str]:
    """Columns the old shape had NOT NULL that allow NULLs now (and are not added back)."""
    before = run.figure(backup.SNAPSHOT, "columns") or []
    now = {c["name"]: c for c in reverse.columns}  # (as plan() read them, before any change)
    renamed, refilled = migration.blueprint(run).renamed, {rule[0] for rule in reverse.rules.values()}
    return [renamed.get(c["name"], c["name"]) for c in before if c.get("nullable") is False
            and now.get(renamed.get(c["name"], c["name"]), {}).get("nullable") is True
            and c["name"] not in refilled]  # fmt: skip


def _verify(migration: Migration, run: RunRecord, reverse: Reverse) -> None:
    """Every refilled column equals its rule recomputed in SQL, row by row, and holds a value
    where the old shape requires one, before the switch."""
    warehouse, key = migration.warehouse, list(migration.spec.key)
    where = (migration.schema, reverse.live)
    fills = reverse.fills[reverse.live]
    calls = [warehouse.count_derived_mismatches(where, where, key, physical, expression, data_type)
             for physical, (expression, data_type) in fills.items()]  # fmt: skip
    wrong = {physical: count for physical, count in zip(fills, warehouse.run_together(calls), strict=True) if count}
    before = {c["name"]: c for c in run.figure(backup.SNAPSHOT, "columns") or []}
    required = [p for p, rule in reverse.rules.items() if before.get(rule[0], {}).get("nullable") is False]
    if required:
        now = warehouse.snapshot(*where, profile=False)
        empty = {reverse.rules[p][0]: now.columns[p].null_count for p in required if now.columns[p].null_count}
        if empty:
            found = ", ".join(f"{count:,} row(s) with {column} NULL" for column, count in empty.items())
            raise GuardRefused(
                f"rollback of {migration.spec.name} stopped before its switch: {found}, which the old shape requires "
                "(rows written since contract that neither the archive nor `down` gives a value; the new shape is "
                "still the table's).",
                "give those rows a value through the new shape, or delete them, then run `harness rollback <spec>` "
                "again",
            )
    if wrong:
        found = ", ".join(f"{count:,} row(s) of {physical}" for physical, count in wrong.items())
        raise ValidationFailed(
            f"rollback of {migration.spec.name} stopped before its switch: {found} differ from the archive or "
            "`down` recomputed (the old columns are added back beside the new shape, which is still the table's).",
            "run `harness rollback <spec>` again (the refill is repeated); if it persists, inspect the archive",
        )


def _catalog_back(migration: Migration, run: RunRecord) -> str:
    """The defaults, NOT NULLs, constraints, indexes and comments of the before-snapshot, once the
    columns are back. Where the engine can, without a lock writers wait on for a scan: NOT NULL by a
    check validated first, a CHECK or FOREIGN KEY added NOT VALID then validated, an index built
    CONCURRENTLY, a unique constraint adopting one."""
    warehouse, schema, table = migration.warehouse, migration.schema, migration.table
    wanted = restoring.plan(migration, run, reshape=True)
    moved = [step for step in wanted.shape if step["kind"] in ("add_column", "drop_column", "rename_column",
                                                               "reset_type")]  # fmt: skip
    if moved:  # the switch left the columns otherwise than the before-snapshot: say so, change nothing more
        raise ValidationFailed(
            f"rollback of {migration.spec.name}: after its switch {migration.relation} still differs from the "
            f"before-shape ({'; '.join(str(step) for step in moved)}).",
            f"the archive and backup are kept; inspect {migration.relation} against the plan",
        )
    alter = partial(warehouse.alter_table, schema, table)
    if wanted.shape:
        migration.with_lock_retry(run, "catalog back", partial(alter, wanted.shape))
    not_null = [step["column"] for step in wanted.not_null if step["kind"] == "set_not_null"]
    if not_null:
        rollback.restore_not_null(migration, run, not_null)
    rest = [step for step in wanted.not_null if step["kind"] != "set_not_null"]
    if migration.engine.not_valid_constraints and migration.engine.concurrent_index:
        rest = _without_long_locks(migration, run, rest)
    if rest:
        migration.with_lock_retry(run, "constraints back", partial(alter, rest))
    count = len(wanted.shape) + len(wanted.not_null)
    return f"{count} default/NOT NULL/constraint/index/comment change(s) put back" if count else ""


def _without_long_locks(migration: Migration, run: RunRecord, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The indexes and constraints of `steps` put back the way that takes no lock writers wait on
    for a scan; returns the steps left (comments, replica identity, a primary key or exclusion)."""
    warehouse, schema, table = migration.warehouse, migration.schema, migration.table
    alter = partial(warehouse.alter_table, schema, table)
    left, validate = [], []
    for step in steps:
        kind = step.get("constraint_kind")
        if step.get("index"):
            statement = index_definition(step["index_definition"], step["index"], {}, "", in_schema=schema)
            migration.with_lock_retry(run, f"index {step['index']}", partial(
                warehouse.create_index, schema, table, step["index"], [], False, statement))  # fmt: skip
        elif kind == "unique" and step["columns"]:
            deferrable = "DEFERRABLE" in step["definition"].upper()
            migration.with_lock_retry(run, f"index {step['name']}", partial(
                warehouse.create_index, schema, table, step["name"], step["columns"], True))  # fmt: skip
            migration.with_lock_retry(run, f"constraint {step['name']}", partial(alter, [
                {"kind": "unique_using_index", "name": step["name"], "deferrable": deferrable,
                 "deferred": "INITIALLY DEFERRED" in step["definition"].upper()}]))  # fmt: skip
        elif kind in ("check", "foreign_key") and "NOT VALID" not in step["definition"].upper():
            migration.with_lock_retry(run, f"constraint {step['name']}", partial(
                alter, [{**step, "definition": step["definition"] + " NOT VALID"}]))  # fmt: skip
            validate.append({"kind": "validate_constraint", "name": step["name"]})
        else:
            left.append(step)
    if validate:  # (SHARE UPDATE EXCLUSIVE: writers go on while each scans)
        migration.with_lock_retry(run, "validate constraints", partial(alter, validate))
    return left
