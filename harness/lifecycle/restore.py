"""Restore from the verified backup: the disaster path (`harness restore <spec> --from-backup`,
the restore script, and rollback after contract when nothing was written since the backup).

The table is kept, not replaced: its identity, sequences, the views that depend on it, the foreign
keys that point at it and its grants stay. On PostgreSQL, in one transaction, it is emptied, given
its before-shape again by ALTERs (cheap on an empty table: the columns the migration added dropped,
the ones it dropped added back, renames, types, NOT NULLs and defaults as the catalog had them at
the before-snapshot), refilled from the backup (`overriding system value`), and its sequences moved
forward past the restored keys (never back: ids handed out since are not handed out twice). The
foreign keys pointing at it are taken off for the reload and put back NOT VALID, then validated
without blocking writers. Refused before anything changes when a row elsewhere points at a key the
backup does not have. The writes the table took since the backup are lost: rollback refuses to
give them up (the table's unchanged columns are compared with the before-snapshot), `harness
restore --from-backup` does so knowingly, saying how many (PostgreSQL's write counters).

A column the migration dropped comes back last (PostgreSQL cannot move a column without
rewriting the table); reads by name and the checksums do not depend on the order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from harness.carry import index_definition, index_name
from harness.errors import GuardRefused, InputError
from harness.lifecycle import backup
from harness.validation.compare import compare_snapshots

if TYPE_CHECKING:
    from harness.lifecycle.migration import Migration
    from harness.lifecycle.state import RunRecord

Column = dict[str, Any]


def shape_back(
    before: list[Column], now: list[Column], renamed: dict[str, str], *, script: bool = False
) -> tuple[list[Column], list[Column]]:
    """The alterations that give the table its before-shape again, as two lists: `shape` (renames,
    drops, adds, types, NULLs allowed, defaults: run on the emptied table) and `not_null` (run once
    the rows are back). `before` and `now` are catalog facts ({name, data_type, ddl_type,
    nullable, default}); `renamed` maps a before-name to the name the migration gave it. With
    `script`, renames are `rename_back` (safe to run twice, for the restore script)."""
    current = {column["name"]: column for column in now}
    wanted = {column["name"]: column for column in before}
    shape: list[Column] = []
    for old, new in renamed.items():
        if new in current and old not in current and old in wanted:
            kind = {"kind": "rename_back", "data_type": type_of(wanted[old])} if script else {"kind": "rename_column"}
            shape.append({**kind, "column": new, "to": old})
            current[old] = {**current.pop(new), "name": old}
    shape += [{"kind": "drop_column", "column": name} for name in current if name not in wanted]
    not_null: list[Column] = []
    for name, column in wanted.items():
        have = current.get(name)
        if have is None:
            shape.append({"kind": "add_column", "name": name, "data_type": type_of(column)})
            have = {"name": name, "nullable": True, "default": None, "ddl_type": type_of(column)}
        retype = type_of(have) != type_of(column)
        if not have.get("nullable", True) and (retype or column.get("nullable", True)):
            shape.append({"kind": "drop_not_null", "column": name})
            have = {**have, "nullable": True}
        if retype:
            shape.append({"kind": "reset_type", "column": name, "data_type": type_of(column)})
        if (have.get("default") or None) != (column.get("default") or None):
            shape.append({"kind": "set_default", "column": name, "default": column["default"]} if column.get("default")
                         else {"kind": "drop_default", "column": name})  # fmt: skip
        if have.get("nullable", True) and not column.get("nullable", True):
            not_null.append({"kind": "set_not_null", "column": name})
    return shape, not_null


CONSTRAINTS = ("check", "unique", "foreign_key", "primary_key", "exclusion")


def attachments_back(
    before: list[Column],
    now: list[Column],
    columns: list[str],
    renamed: dict[str, str] | None = None,
    schema: str | None = None,
) -> tuple[list[Column], list[Column]]:
    """The constraints, indexes, replica identity and comments the table had at the before-snapshot, put back:
    `drop` (run before the table is reshaped: what the migration added or changed, e.g. a unique
    constraint the old rows would break) and `add` (run once the rows are back: what it dropped or
    changed, from the definitions the catalog gave then, validated by the reload's scan; comments).
    Both are catalog facts from column_attachments; keyed by kind and name, compared by definition;
    `columns` are the before-shape's (a comment is put back, or taken off, on those; `renamed`: a
    before-name -> the name the migration gave it, which the comment is read under now; `schema`: the
    table's, which an index's statement is qualified with). Each `add` of an index or constraint
    also says what it is: `index` and `index_definition`, or `constraint_kind` and `columns`."""

    def keyed(facts: list[Column]) -> dict[tuple[str, str], Column]:
        return {(a["kind"], a["name"]): a for a in facts if a["kind"] in (*CONSTRAINTS, "index")}

    was, now_has = keyed(before), keyed(now)
    drop: list[Column] = []
    add: list[Column] = []
    for key, attachment in now_has.items():
        if key not in was or was[key]["definition"] != attachment["definition"]:
            kind = "drop_index" if attachment["kind"] == "index" else "drop_constraint"
            drop.append({"kind": kind, "name": attachment["name"]})
    for key, attachment in was.items():
        if key not in now_has or now_has[key]["definition"] != attachment["definition"]:
            if attachment["kind"] == "index":
                add.append({"kind": "raw_sql", "sql": index_definition(attachment["definition"], attachment["name"],
                                                                        {}, "", concurrently=False, in_schema=schema),
                            "index": attachment["name"], "index_definition": attachment["definition"]})  # fmt: skip
            else:
                add.append({"kind": "add_constraint", "name": attachment["name"],
                            "definition": attachment["definition"], "constraint_kind": attachment["kind"],
                            "columns": attachment.get("columns", [])})  # fmt: skip
    identity = {"then": None, "now": None}
    for when, facts in (("then", before), ("now", now)):
        for attachment in facts:
            if attachment["kind"] == "replica_identity":
                identity[when] = (attachment["definition"], attachment.get("index_definition"))
    if identity["then"] and identity["then"] != identity["now"]:
        add.append({"kind": "set_replica_identity", "identity": identity["then"][0], "index": identity["then"][1]})
    said_then = {a["columns"][0]: a["definition"] for a in before if a["kind"] == "comment"}
    said_now = {a["columns"][0]: a["definition"] for a in now if a["kind"] == "comment"}
    for column in columns:
        if said_then.get(column) != said_now.get((renamed or {}).get(column, column)):
            add.append({"kind": "set_comment", "column": column, "comment": said_then.get(column)})
    return drop, add


def indexes_back(before: list[str], now: list[str], schema: str) -> tuple[list[Column], list[Column]]:
    """Where the engine lists its indexes only as statements (DuckDB's journaled definition): the
    indexes the migration added (`drop`) and the ones it dropped or changed, created again (`add`),
    compared by name and statement."""

    def named(statements: list[str]) -> dict[str, str]:
        return {index_name(statement): statement for statement in statements}

    was, has = named(before), named(now)
    drop = [{"kind": "drop_index", "name": name} for name, sql in has.items() if was.get(name) != sql]
    add = [{"kind": "raw_sql", "sql": index_definition(sql, name, {}, "", concurrently=False, in_schema=schema),
            "index": name, "index_definition": sql} for name, sql in was.items() if has.get(name) != sql]  # fmt: skip
    return drop, add


def type_of(column: Column) -> str:
    return str(column.get("ddl_type") or column["data_type"])


@dataclass
class RestorePlan:
    """What restore_transactions needs: the shape alterations and NOT NULLs (PostgreSQL: the table
    is kept), the before-shape's columns, and the table's journaled definition (DuckDB: the table
    is created again from it). No columns: the table is gone and is copied back from the backup."""

    shape: list[Column] = field(default_factory=list)
    not_null: list[Column] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    definition: dict[str, Any] | None = None


def plan(migration: Migration, run: RunRecord, *, script: bool = False, reshape: bool = False) -> RestorePlan:
    """The restore of this run's table as the catalog has it now; `reshape`: the table is kept
    whatever the engine (a reverse migration: no journaled definition re-creates it), so its
    constraints, indexes and comments are compared and put back too."""
    before = run.figure(backup.SNAPSHOT, "columns") or []
    if not before:
        raise InputError(
            f"run {run.run_id} of {migration.spec.name} journaled no catalog facts with its before-snapshot "
            "(an older version of the harness), so the table's shape cannot be put back.",
            "restore it by hand from the backup " + str(run.backup_relation),
        )
    described = migration.warehouse.describe_table(migration.schema, migration.table, [], [])
    definition = None if reshape else run.figure(backup.SNAPSHOT, "definition")
    if not described.get("exists") and definition is None:
        return RestorePlan()  # gone, and nothing to create it from but the backup's columns
    renamed = {} if reshape else dict(migration.blueprint(run).renamed)  # (reshaped: the names are back)
    shape, not_null = shape_back(before, described.get("columns", []), renamed, script=script)
    journaled = run.figure(backup.SNAPSHOT, "definition")
    if reshape and journaled and described.get("definition"):  # its indexes are statements only
        drop, add = indexes_back(journaled.get("indexes", []), described["definition"].get("indexes", []),
                                 migration.schema)  # fmt: skip
        shape, not_null = drop + shape, not_null + add
    attached = run.figure(backup.SNAPSHOT, "attachments")
    if attached is not None and definition is None:  # (a journaled definition re-creates them all)
        drop, add = attachments_back(attached, described.get("attachments", []), [c["name"] for c in before], renamed,
                                     migration.schema)  # fmt: skip
        shape, not_null = drop + shape, not_null + add
    return RestorePlan(shape, not_null, [column["name"] for column in before], definition)


def writes_since_backup(migration: Migration, run: RunRecord, facts: dict[str, Any]) -> str:
    """The table's write counters since the backup (PostgreSQL), the backfill's own updates told
    apart; or why they are unknown."""
    then, now = run.figure(backup.BACKUP, "writes"), facts.get("writes")
    if not then or not now:
        return "writes since the backup: not counted on this engine"
    delta = {kind: int(now[kind]) - int(then[kind]) for kind in ("inserts", "updates", "deletes")}
    backfilled = sum(int(step.get("rows_affected") or 0) for step in run.steps if step["step"] == "backfill" and
                     step["status"] == "ok")  # fmt: skip
    others = max(0, delta["updates"] - backfilled)
    return (f"since the backup the table took {delta['inserts']:,} insert(s), {delta['deletes']:,} delete(s) and "
            f"{others:,} update(s) besides the backfill's {backfilled:,}")  # fmt: skip


def live_table(migration: Migration, run: RunRecord) -> str | None:
    """The table's name now: its own, the one a contracted rename_table gave it, or None (a
    contracted drop_table). Read once per restore."""
    for name in dict.fromkeys((migration.table, migration.blueprint(run).final_table)):
        if migration.warehouse.describe_table(migration.schema, name, [], [], attachments=False).get("exists"):
            return name
    return None


def refuse_if_written(migration: Migration, run: RunRecord, live: str | None) -> None:
    """Rollback gives up no write: the columns the migration left alone in the `live` table must
    still equal the before-snapshot (an exact comparison), or the restore is refused, naming the
    way that keeps the writes and the one that gives them up."""
    before = run.snapshots.get("before")
    if before is None or live is None:
        return  # a table dropped at contract took no write since
    plan_now = migration.blueprint(run)
    now = migration.warehouse.snapshot(migration.schema, live, profile=False)
    renamed = dict(plan_now.renamed)
    # The columns the migration left alone (not rewritten by design), under their names now.
    kept = {name: now.columns.get(renamed.get(name, name)) for name in before.columns if name not in plan_now.rewritten}
    changed = [
        name
        for name, stats in kept.items()
        if stats is not None
        and stats.data_type == before.columns[name].data_type
        and stats.checksum != before.columns[name].checksum
    ]
    if now.row_count == before.row_count and not changed:
        return
    facts = migration.warehouse.restore_facts(migration.schema, live, migration.backup_parts(run), orphans=False)
    seen = f"{before.row_count:,} rows then, {now.row_count:,} now"
    seen += f"; {', '.join(changed)} changed" if changed else ""
    raise GuardRefused(
        f"rollback of {migration.spec.name} refused before any change: {migration.relation} was written since "
        f"the backup ({seen}; {writes_since_backup(migration, run, facts)}), and after contract rollback would "
        "restore the backup and lose those writes.",
        "keep them: migrate forward again with a new spec; or give them up knowingly: "
        "`harness restore <spec> --from-backup`",
    )


def check(migration: Migration, run: RunRecord, live: str | None) -> dict[str, Any]:
    """Before anything changes: the backup still holds what was verified, and no row elsewhere
    would be left pointing at nothing (or, on DuckDB, no foreign key points at the `live` table).
    Returns the facts (the write counters among them)."""
    verify_backup(migration, run)
    facts = migration.warehouse.restore_facts(migration.schema, live or migration.table, migration.backup_parts(run))
    if facts.get("orphans"):
        found = "; ".join(f"{o['rows']:,} row(s) of {o['table']} ({o['constraint']})" for o in facts["orphans"])
        raise GuardRefused(
            f"restore of {migration.relation} refused before any change: {found} point at keys the backup "
            f"{run.backup_relation} does not have; they would point at nothing.",
            "delete or re-point those rows first, then restore again",
        )
    if facts.get("referenced_by"):
        raise GuardRefused(
            f"restore of {migration.relation} refused before any change: {facts['referenced_by']} foreign key(s) of "
            "other tables point at it, and DuckDB cannot take a foreign key off to reload the rows it points at.",
            "drop those foreign keys (DuckDB: re-create the referencing tables without them), then restore again",
        )
    return facts


def restore(migration: Migration, run: RunRecord, facts: dict[str, Any],
            source: tuple[str, str] | None = None) -> tuple[str, list[str]]:  # fmt: skip
    """Puts the backup's rows (or `source`'s: a dropped table's archive) back into the table itself
    (see the module), once `check` passed. Returns what it says about lost writes and what it did."""
    warehouse = migration.warehouse
    backup_parts = source or migration.backup_parts(run)
    writes = writes_since_backup(migration, run, facts)
    restoring = plan(migration, run)
    target = (migration.schema, migration.table)
    if not restoring.columns:
        migration.with_lock_retry(run, "restore", lambda: warehouse.copy_table(backup_parts, target))
        # The copy has the columns and rows; its defaults, NOT NULLs, constraints, indexes and
        # comments as the before-snapshot had them (a sequence went with the dropped table: not its default).
        again = plan(migration, run)
        steps = [step for step in again.shape + again.not_null
                 if not (step["kind"] == "set_default" and "nextval(" in str(step.get("default")).lower())]  # fmt: skip
        migration.with_lock_retry(run, "restore catalog", lambda: warehouse.alter_table(*target, steps))
        gone = "its grants and sequences went with it"
        return writes, [f"{migration.table} was dropped at contract: created again from {'.'.join(backup_parts)}, "
                        f"its defaults, NOT NULLs, constraints, indexes and comments put back ({gone})"]  # fmt: skip
    migration.with_lock_retry(run, "restore", lambda: warehouse.restore_table(*target, backup_parts, restoring))
    if restoring.definition is not None:
        exact = "column order, defaults, constraints and indexes as before; views re-bind by name"
        source = ".".join(backup_parts)
        return writes, [f"created again from its journaled definition ({exact}), refilled from {source}"]
    moved = sorted(step["name"] for step in restoring.shape if step["kind"] == "add_column")
    done = [f"{len(restoring.shape) + len(restoring.not_null)} alteration(s) put the before-shape back"]
    done += [f"{', '.join(moved)} back as the last column(s) (PostgreSQL cannot move a column)"] if moved else []
    done.append(f"rows reloaded from {run.backup_relation} into the same table (its identity, sequences, views, "
                "foreign keys and grants kept)")  # fmt: skip
    return writes, done


def verify_backup(migration: Migration, run: RunRecord) -> None:
    """The backup must still hold what was verified when it was taken (its recorded checksums)
    before it may touch the live table: a damaged backup is refused, nothing changed."""
    recorded = run.snapshots.get("before")
    if recorded is None:
        return
    now = migration.warehouse.snapshot(*migration.backup_parts(run), profile=False)
    failed = [check for check in compare_snapshots(recorded, now) if not check.passed]
    if failed:
        raise GuardRefused(
            f"restore of {migration.relation} refused before any change: the backup {run.backup_relation} no longer "
            f"matches the checksums recorded when it was verified ("
            + "; ".join(f"{c.name}: expected {c.expected}, got {c.actual}" for c in failed[:3])
            + ").",
            "the live table is untouched; find out what changed the backup (a pg_dump archive, if taken, "
            "is another copy: `harness backup <spec> --pg-dump`)",
        )


def restorable(run: RunRecord) -> None:
    if not run.backup_relation:  # (a run is planned until its backup is taken)
        raise GuardRefused(f"run {run.run_id} has no verified backup to restore from.", "nothing to restore")
