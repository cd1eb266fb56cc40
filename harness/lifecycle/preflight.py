"""Preflight: judges the spec against the warehouse without changing anything."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.errors import InputError, WarehouseError
from harness.lifecycle import pacing
from harness.operations import Blueprint, compile_blueprint
from harness.sql_grammar import check_expression, user_expressions
from harness.warehouse import Warehouse

if TYPE_CHECKING:
    from harness.lifecycle.migration import Migration

NAME = "preflight"
# (what, for messages; the expression; its data type; the shape it is evaluated over, or None: the table)
Expression = tuple[str, str, str, list[dict[str, str | None]] | None]


def check_grammar(migration: Migration) -> None:
    """Every user SQL expression of the spec, judged by the engine's own grammar (sql_grammar):
    exactly one expression, no refused function; refused (exit 2) before anything evaluates it."""
    for path, text in user_expressions(migration.spec):
        try:
            check_expression(text, migration.engine)
        except ValueError as error:
            raise InputError(
                f"{path}: {error}: {text!r}.",
                "write one expression of the row's columns (a function call, an operator, a CASE, a cast); "
                "statements belong in a raw_sql operation",
            ) from error


def run(migration: Migration) -> dict[str, Any]:
    """The table as described (columns, key health, names taken); raises InputError for any problem."""
    spec, warehouse, engine = migration.spec, migration.warehouse, migration.engine
    check_grammar(migration)  # before anything evaluates the spec's SQL
    described = warehouse.describe_table(migration.schema, migration.table, list(spec.key), migration.view_names)
    target = warehouse.info().target
    if spec.concurrent_writes and not engine.triggers:
        problem, fix = engine.refusal("triggers")
        raise InputError(f"concurrent_writes: {problem}.", fix)
    _refuse_hidden(migration, described.get("hidden"))  # (there, but not readable: a privilege, not a typo)
    pacing.check(migration)
    if spec.creates_table:
        _check_created(migration, described)
        return described
    if not described["exists"]:
        raise InputError(
            f"table {migration.relation} does not exist in target {target}.",
            "check `table` and `schema` in the spec, or create the table first",
        )
    columns = [column["name"] for column in described["columns"]]
    missing_keys = [k for k in spec.key if k not in columns]
    if missing_keys:
        raise InputError(
            f"key column(s) {', '.join(missing_keys)} not found in {migration.relation} "
            f"(columns: {', '.join(columns)}).",
            "set `key` to the column(s) that identify a row",
        )
    if described["null_keys"] or described["duplicate_keys"]:
        raise InputError(
            f"the key ({', '.join(spec.key)}) of {migration.relation} is not usable: "
            f"{described['null_keys']} row(s) with a NULL key, "
            f"{described['duplicate_keys']} duplicated key value(s).",
            "choose a unique NOT NULL key, or add one, e.g. "
            f"`alter table {migration.relation} add column row_id bigint generated always as identity`",
        )
    if described["taken"]:
        raise InputError(
            f"{', '.join(described['taken'])} already exist(s) as table(s) in {migration.schema}; "
            "the migration needs these names for its versioned views.",
            "rename those tables",
        )
    column_types = {column["name"]: column["data_type"] for column in described["columns"]}
    facts = {column["name"]: column for column in described["columns"]}
    plan = compile_blueprint(spec, column_types, engine, existing_indexes=int(described.get("indexes", 0)),
                             facts=facts, attachments=described.get("attachments"),
                             schema=migration.schema)  # fmt: skip
    created = plan.names_created()
    taken = (warehouse.describe_table(migration.schema, migration.table, [], created, attachments=False)["taken"]
             if created else [])  # fmt: skip
    if taken:
        raise InputError(
            f"{', '.join(taken)} already exist(s) in {migration.schema}; the migration would create them.",
            "choose other names (create_table, rename_table), or drop those tables first",
        )
    _check_rules(migration, plan, column_types)
    new_row = plan.new_row()
    expressions: list[Expression] = [(f"{plan.source(physical)}.up (for {physical})", up, data_type, None)
                   for physical, (up, data_type) in plan.backfill.items()
                   if physical not in plan.generated]  # (a sequence expand creates numbers those)  # fmt: skip
    expressions += [(f"{plan.source(column)}.down (for {column})", down, data_type, new_row)
                    for column, (down, data_type) in plan.down.items()]  # fmt: skip
    # Defaults too (checks: _check_carried): every user expression is evaluated here, read-only, or refused.
    expressions += [(f"the default of {added['name']}", added["default"], added["data_type"], None)
                    for added in plan.adds if added.get("default")]  # fmt: skip
    defaults = [step for step in plan.expand if step["kind"] == "set_default" and step["column"] in column_types]
    expressions += [(f"the default of {step['column']}", step["default"], column_types[step["column"]], None)
                    for step in defaults]  # fmt: skip
    _check_expressions(migration, expressions)
    _check_carried(migration, plan, new_row)
    return described


def _refuse_hidden(migration: Migration, hidden: dict[str, Any] | None, table: str | None = None) -> None:
    """A table (the migrated one, or `table`) that exists but that the connection's user may not see
    (hidden_relation): said as a missing privilege, naming the user and the grant, not as a missing table."""
    if not hidden:
        return
    user, schema = hidden["user"], migration.schema
    relation = f"{schema}.{table}" if table else migration.relation
    missing = [f"USAGE on schema {schema}"] if not hidden["schema_usage"] else []
    missing += [f"SELECT on {relation}"] if not hidden["table_select"] else []
    grants = ([f"grant usage on schema {schema} to {user}"] if not hidden["schema_usage"] else []) + [
        f"grant select, insert, update, delete, references, trigger on {relation} to {user}"]  # fmt: skip
    raise InputError(
        f"table {relation} exists, but user {user} lacks the privilege to use it ({', '.join(missing) or 'access'}).",
        f"connect as its owner, or have it granted: {'; '.join(grants)} (a migration also alters the table: "
        "the owner, or a member of the owning role, runs it)",
    )


def _check_created(migration: Migration, described: dict[str, Any]) -> None:
    """A migration that creates its table: the name is free, the tables its foreign keys point at
    exist with those columns, and the validation rules name its columns."""
    if described["exists"]:
        raise InputError(
            f"table {migration.relation} already exists in target {migration.warehouse.info().target}; "
            "this migration creates it.",
            "name a new table in `table`, or migrate the existing one with other operations",
        )
    if migration.spec.checks.recent_rows:
        raise InputError("checks.recent_rows compares recent rows with the backup; a table this migration creates "
                         "has none.", "leave recent_rows out of this spec")  # fmt: skip
    plan = compile_blueprint(migration.spec, {}, migration.engine, attachments=[], schema=migration.schema)
    (created,) = plan.create_tables
    references = [(f"columns.{name}.references", column["parent_table"], column["parent_columns"])
                  for name, column in created["columns"].items() if isinstance(column, dict) and
                  column.get("parent_table")]  # fmt: skip
    references += [(f"foreign_keys {key['name']}", key["parent_table"], key["parent_columns"])
                   for key in created["foreign_keys"]]  # fmt: skip
    parents: dict[str, list[str]] = {}  # each parent's columns, read once
    for where, parent, columns in references:
        if parent == migration.table:
            continue  # a key pointing into the new table itself
        if parent not in parents:
            parents[parent] = _columns_of(migration, parent, where)
        missing = [column for column in columns if column not in parents[parent]]
        if missing:
            raise InputError(f"{where}: {parent} has no column {', '.join(missing)}.", "reference an existing column")
    declared = {name: column if isinstance(column, str) else column["type"]
                for name, column in created["columns"].items()}  # fmt: skip
    _check_rules(migration, plan, declared)


def _check_carried(migration: Migration, plan: Blueprint, new_row: list[dict[str, str | None]]) -> None:
    """The constraints the new shape will have, new or carried over from a replaced column, must
    hold for its values (as `up` computes them): a check false on some row, or a unique constraint
    with duplicate values, would fail the migration after its backfill. Refused here, with the
    count and an example."""
    if not plan.carried_rules:
        return
    schema, table, key = migration.schema, migration.table, list(migration.spec.key)
    calls = [Warehouse.check_expression(schema, table, rule["check"], "boolean", new_row, key, must_hold=True)
             if "check" in rule else Warehouse.count_duplicate_values(schema, table, rule["unique"], new_row)
             for rule in plan.carried_rules]  # fmt: skip
    try:
        results = migration.warehouse.run_together(calls)
    except WarehouseError as exc:
        raise InputError(
            f"the constraints {', '.join(rule['name'] for rule in plan.carried_rules)} cannot be evaluated over the "
            f"new shape: {exc.message.split(' failed: ', 1)[-1]}",
            "drop the constraint in a migration before this one (or change it to suit the new type); "
            "nothing was changed",
        ) from exc
    for rule, result in zip(plan.carried_rules, results, strict=True):
        if "check" in rule and result["violations"]:
            example = ", ".join(f"{k} = {v}" for k, v in zip(key, result["example_key"] or [], strict=False))
            raise InputError(
                f"check {rule['name']} ({rule['check']}) is false for "
                f"{result['violations']} row(s) of the new shape as `up` fills it, e.g. the row with {example}.",
                "change `up` so the new values satisfy it, or drop the check first; nothing was changed",
            )
        if "unique" in rule and result["duplicates"]:
            raise InputError(
                f"unique constraint {rule['name']} ({', '.join(rule['unique'])}) would see {result['duplicates']} "
                "duplicated value(s) in the new shape as `up` fills it, e.g. "
                f"{tuple(result['example'])}.",
                "change `up` so the new values stay unique (e.g. include the key), or drop the constraint first; "
                "nothing was changed",
            )


def _check_rules(migration: Migration, plan: Blueprint, column_types: dict[str, str]) -> None:
    """Every validation rule of the spec names columns of the new shape, of the right kind, and
    tables that exist: a rule that could not run is refused here, before anything changes, not
    skipped at validation."""
    checks = migration.spec.checks
    new = {name: column_types.get(physical) or next((c["data_type"] for c in plan.adds if c["name"] == physical), "")
           for name, physical in plan.new}  # fmt: skip
    recent = [checks.recent_rows.column] if checks.recent_rows else []
    rules = {"checks.not_null": checks.not_null, "checks.accepted_values": list(checks.accepted_values),
             "checks.ranges": list(checks.ranges), "checks.no_future_dates": checks.no_future_dates,
             "checks.recent_rows": recent}  # fmt: skip
    for rule, columns in rules.items():
        missing = [column for column in columns if column not in new]
        if missing:
            raise InputError(f"{rule}: {', '.join(missing)} is not a column of the new shape ({', '.join(new)}).",
                             "list columns of the table after the migration")  # fmt: skip
    for column in [*checks.no_future_dates, *recent]:
        if not any(kind in new[column].lower() for kind in ("date", "timestamp")):
            raise InputError(f"checks: {column} is {new[column]}, not a date or timestamp (no_future_dates and "
                             "recent_rows compare it with the current time).",
                             "name a date or timestamp column")  # fmt: skip
    for index, key in enumerate(checks.foreign_keys):
        where = f"checks.foreign_keys[{index}]"
        child = new if key.table is None else _columns_of(migration, key.table, where)
        parent_table, parent_column = key.parent
        if key.column not in child:
            raise InputError(f"{where}: {key.column} is not a column of {key.table or 'the new shape'}.",
                             "name an existing column")  # fmt: skip
        if parent_column not in _columns_of(migration, parent_table, where):
            raise InputError(f"{where}: {parent_table} has no column {parent_column}.", "reference an existing column")


def _columns_of(migration: Migration, table: str, where: str) -> list[str]:
    described = migration.warehouse.describe_table(migration.schema, table, [], [], attachments=False)
    _refuse_hidden(migration, described.get("hidden"), table)
    if not described.get("exists"):
        raise InputError(f"{where}: table {migration.schema}.{table} does not exist.", "name an existing table")
    return [column["name"] for column in described["columns"]]


def _check_expressions(migration: Migration, expressions: list[Expression]) -> None:
    """Every expression evaluated read-only in one call; when one fails, each alone, to name it."""
    key = list(migration.spec.key)
    calls = [Warehouse.check_expression(migration.schema, migration.table, expression, data_type, shape, key)
             for _, expression, data_type, shape in expressions]  # fmt: skip
    try:
        results = migration.warehouse.run_together(calls)
    except WarehouseError:
        results = None
    if results is not None:
        for (what, expression, data_type, _), result in zip(expressions, results, strict=True):
            if result["too_long"]:
                example = ", ".join(f"{k} = {v}" for k, v in zip(key, result["example_key"] or [], strict=False))
                raise InputError(
                    f"{what} ({expression}) gives {result['too_long']} value(s) longer than {data_type} holds "
                    f"({result['max_length']} characters), e.g. the row with {example}; storing them would fail "
                    "(an explicit cast would cut them short).",
                    "widen the data_type or shorten the values in the expression (e.g. left(..., n)); "
                    "nothing was changed",
                )
        return
    for (what, expression, data_type, shape), call in zip(expressions, calls, strict=True):
        try:
            migration.warehouse.run(call)
        except WarehouseError as exc:
            over = "the new shape (as `up` fills it)" if shape else migration.relation
            raise InputError(
                f"{what} ({expression}) cannot be computed as {data_type} on every row of {over}: "
                f"{exc.message.split(' failed: ', 1)[-1]}",
                "correct the expression or its data_type; nothing was changed",
            ) from exc
    raise WarehouseError("the expressions failed together but each passed alone")  # pragma: no cover


def describe() -> str:
    return (
        "Preflight (read only): every user expression judged by the engine's grammar (exactly one "
        "expression), table, key (unique, not NULL), columns, every `up`, `down`, default and check "
        "evaluated on every row."
    )
