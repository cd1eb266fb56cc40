"""The operation catalog, compiled: what each phase of a migration does to the warehouse.

`compile_blueprint` turns a spec's operations (applied in order, so they compose) and the
table's current columns into a `Blueprint`: plain data naming the physical columns to add,
the backfill, the two readable shapes, the sync rules, and the DDL of expand, settle (after
the backfill) and contract. The lifecycle hands these to the package's macros; no SQL is
written here, only expressions the spec declared.

Zero-downtime rules the compiler follows (pgroll's, for a dbt warehouse):
- a column whose values or type change gets a *shadow* column (`_ec_<name>`): old readers and
  writers keep the original until contract swaps the shadow in by renames (metadata only);
- constraints are added NOT VALID at expand and validated after the backfill (PostgreSQL);
  NOT NULL is first a validated check constraint, so SET NOT NULL does not scan;
- indexes are built and dropped CONCURRENTLY (PostgreSQL);
- nothing destructive happens before contract, and contract runs only after validation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.errors import InputError
from harness.spec import (
    AddCheck,
    AddColumn,
    AddForeignKey,
    AddUnique,
    ChangeType,
    CreateIndex,
    CreateTable,
    DropColumn,
    DropDefault,
    DropIndex,
    DropNotNull,
    DropTable,
    MergeColumns,
    MigrationSpec,
    RawSql,
    RenameColumn,
    RenameTable,
    RewriteTable,
    SetDefault,
    SetNotNull,
    SplitColumn,
)

SHADOW_PREFIX = "_ec_"
REWRITE_PREFIX = "_ec_new_"
MAX_NAME = 63

# What DuckDB 1.4 cannot do, and what to do instead (checked before anything changes).
DUCKDB_UNSUPPORTED = {
    "add_check": "DuckDB cannot add a constraint to an existing table (ALTER TABLE ... ADD CONSTRAINT is not "
    "implemented); add rewrite_table to the migration (the new table declares it), run it on PostgreSQL, or "
    "state the rule as a `checks` entry (accepted_values, ranges) so validation enforces it",
    "add_foreign_key": "DuckDB cannot add a foreign key to an existing table; add rewrite_table to the migration, "
    "run it on PostgreSQL, or state it under `checks.foreign_keys` so validation proves there are no orphans",
}


def shadow_name(column: str) -> str:
    return (SHADOW_PREFIX + column)[:MAX_NAME]


def rewrite_name(table: str) -> str:
    """The table a rewrite_table builds the new shape in, until contract renames it."""
    return (REWRITE_PREFIX + table)[:MAX_NAME]


def constraint_name(table: str, column: str, suffix: str) -> str:
    return f"{table}_{column}"[: MAX_NAME - len(suffix) - 1] + "_" + suffix


@dataclass(frozen=True)
class Derived:
    """A column whose every value must equal `expression` computed from the old shape."""

    column: str  # the name after contract
    physical: str  # the column holding it before contract
    expression: str
    data_type: str


@dataclass
class Rewrite:
    """rewrite_table: the new shape as a new table, filled by copying the rows."""

    table: str  # `_ec_new_<table>`, renamed to the final name at contract
    columns: list[dict[str, Any]]  # {name, data_type, expression (over the old names), not_null, default}
    primary_key: list[str]
    checks: list[dict[str, str]]  # {name, check}: declared in CREATE TABLE (the table is empty then)
    foreign_keys: list[dict[str, str]]  # {name, column, parent_table, parent_column, on_delete}
    back: list[dict[str, str]]  # {name (old column), expression over the new names, data_type}: sync new -> old


@dataclass
class Blueprint:
    table: str
    final_table: str
    old: list[str]  # v1: the table's columns before the migration
    new: list[tuple[str, str]]  # v2: (name readers see, physical column)
    adds: list[dict[str, Any]] = field(default_factory=list)  # physical columns added at expand
    backfill: dict[str, list[str]] = field(default_factory=dict)  # physical column -> [up, data_type]
    down: dict[str, list[str]] = field(default_factory=dict)  # old column -> [down over v2 names, its type]
    expand: list[dict[str, Any]] = field(default_factory=list)  # alterations at expand (one transaction)
    create_indexes: list[dict[str, Any]] = field(default_factory=list)
    settle: list[dict[str, Any]] = field(default_factory=list)  # after the backfill: validate constraints
    contract: list[dict[str, Any]] = field(default_factory=list)  # alterations at contract (one transaction)
    drop_indexes: list[str] = field(default_factory=list)
    create_tables: list[CreateTable] = field(default_factory=list)
    raw: list[RawSql] = field(default_factory=list)
    derived: list[Derived] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # old name -> new name, values kept
    rewritten: list[str] = field(default_factory=list)  # old names whose values/type change in place
    added: list[str] = field(default_factory=list)  # new names that did not exist before
    dropped: list[str] = field(default_factory=list)  # old names gone after contract
    drops_table: bool = False
    rewrite: Rewrite | None = None
    origin: dict[str, int] = field(default_factory=dict)  # backfilled / down column -> operation index

    def source(self, column: str) -> str:
        """`operations[i]` that declared the expression for `column`, for messages."""
        return f"operations[{self.origin[column]}]" if column in self.origin else "an operation"

    @property
    def new_names(self) -> list[str]:
        return [name for name, _ in self.new]

    @property
    def physical_added(self) -> list[str]:
        """Columns expand adds to the table (none for a rewrite: the old table is never altered)."""
        return [] if self.rewrite else [column["name"] for column in self.adds]

    @property
    def sync_needed(self) -> bool:
        """PostgreSQL sync triggers exist while both shapes do, if any column differs between them
        (always for a rewrite: the shapes live in two tables)."""
        return bool(self.backfill or self.down) or self.rewrite is not None

    def sync_rule(self) -> dict[str, Any]:
        """What the PostgreSQL sync trigger needs: which physical columns belong to each side only,
        `up` assignments (over v1 names) and `down` assignments (over v2 names)."""
        new_physical = {physical for _, physical in self.new}
        return {
            "old_only": [c for c in self.old if c not in new_physical],
            "new_only": [physical for _, physical in self.new if physical not in self.old],
            "up": self.backfill,
            "down": self.down,
            "new_columns": [list(pair) for pair in self.new],
        }

    def new_row(self) -> list[dict[str, str | None]]:
        """The new shape computed from the old columns alone: kept columns as they are
        ({name, column}), added ones from `up`, else their default, else NULL ({name, expression,
        data_type}). Preflight evaluates each `down` over it, before any column exists."""
        row: list[dict[str, str | None]] = []
        for name, physical in self.new:
            if physical in self.old:
                row.append({"name": name, "column": physical})
            elif physical in self.backfill:
                up, data_type = self.backfill[physical]
                row.append({"name": name, "expression": up, "data_type": data_type})
            else:
                added = next(c for c in self.adds if c["name"] == physical)
                row.append({"name": name, "expression": added["default"], "data_type": added["data_type"]})
        return row

    def versions(self) -> dict[str, list[list[str]]]:
        """The versioned views: name -> [[reader's name, physical column], ...]."""
        views = {"v1": [[c, c] for c in self.old]}
        if self.rewrite:  # the new table has the new names
            views["v2"] = [[name, name] for name in self.new_names]
        elif not self.drops_table:
            views["v2"] = [list(pair) for pair in self.new]
        return views

    def views_after_contract(self) -> dict[str, list[list[str]]]:
        return {} if self.drops_table else {"v2": [[name, name] for name in self.new_names]}


def compile_blueprint(
    spec: MigrationSpec, columns: dict[str, str], adapter: str, *, existing_indexes: int = 0,
    facts: dict[str, dict[str, Any]] | None = None,
) -> Blueprint:  # fmt: skip
    """The plan of every phase; raises InputError naming the operation for anything impossible
    on this table or adapter. `columns` maps the table's column names to their types; `facts`
    (name -> {nullable, default}) are what a rewrite_table carries over to the new table."""
    table = spec.table
    plan = Blueprint(table=table, final_table=table, old=list(columns), new=[(c, c) for c in columns])
    postgres = adapter == "postgres"

    def fail(position: int, problem: str, fix: str) -> InputError:
        return InputError(f"operations[{position}] ({spec.operations[position].type}): {problem}", fix)

    def physical(position: int, name: str) -> str:
        for reader, column in plan.new:
            if reader == name:
                return column
        raise fail(position, f"{name} is not a column of the new shape ({', '.join(plan.new_names)}).",
                   "name a column of the table (after the operations before this one)")  # fmt: skip

    def old_column(position: int, name: str) -> str:
        if name not in columns:
            raise fail(position, f"{name} is not a column of {table} (columns: {', '.join(columns)}).",
                       "name an existing column")  # fmt: skip
        physical(position, name)  # still in the new shape: not dropped or renamed by an earlier operation
        return name

    def add_physical(position: int, name: str, data_type: str, default: str | None = None) -> None:
        if name in columns or name in plan.physical_added:
            raise fail(position, f"column {name} already exists in {table}.", "choose a new column name")
        plan.adds.append({"name": name, "data_type": data_type, "default": default})

    def remove(name: str) -> None:
        plan.new = [(reader, column) for reader, column in plan.new if reader != name]

    def add_new(position: int, column: str, data_type: str, up: str | None, default: str | None = None) -> None:
        """A new column of the new shape, filled by the backfill from `up` (if any)."""
        add_physical(position, column, data_type, default)
        plan.new.append((column, column))
        plan.added.append(column)
        if up:
            plan.backfill[column] = [up, data_type]
            plan.derived.append(Derived(column, column, up, data_type))

    def drop_old(column: str, down: str | None) -> None:
        """An old column the new shape leaves out; dropped at contract, kept up by `down` until then."""
        remove(column)
        plan.dropped.append(column)
        plan.contract.append({"kind": "drop_column", "column": column})
        if down:
            plan.down[column] = [down, columns[column]]

    def not_null_via_check(column: str, final: str) -> None:
        """NOT NULL without a long lock: a check NOT VALID (new writes), validated after the backfill
        (no lock on writers), then SET NOT NULL at contract, which PostgreSQL proves from the check."""
        check = constraint_name(table, final, "not_null")
        if postgres:
            plan.expand.append({"kind": "add_not_null_check", "name": check, "column": column})
            plan.settle.append({"kind": "validate_constraint", "name": check})
        plan.contract.append({"kind": "set_not_null", "column": final})
        if postgres:
            plan.contract.append({"kind": "drop_constraint", "name": check})

    def shadow(position: int, column: str, data_type: str, up: str | None, down: str | None) -> str:
        """Values of `column` change: a shadow column carries the new ones until contract."""
        old_column(position, column)
        hidden = shadow_name(column)
        add_physical(position, hidden, data_type)
        plan.backfill[hidden] = [up or f'"{column}"', data_type]
        plan.down[column] = [down or f'"{column}"', columns[column]]
        plan.new = [(reader, hidden if reader == column else phys) for reader, phys in plan.new]
        plan.contract += [
            {"kind": "drop_column", "column": column},
            {"kind": "rename_column", "column": hidden, "to": column},
        ]
        plan.derived.append(Derived(column, hidden, up or f'"{column}"', data_type))
        plan.rewritten.append(column)
        return hidden

    rewrite_at = next((i for i, op in enumerate(spec.operations) if isinstance(op, RewriteTable)), None)
    for position, op in enumerate(spec.operations):
        if adapter != "postgres" and op.type in DUCKDB_UNSUPPORTED and rewrite_at is None:
            raise fail(position, f"not supported on {adapter}.", DUCKDB_UNSUPPORTED[op.type])
        if isinstance(op, AddColumn):
            add_new(position, op.column, op.data_type, op.up, op.default)
            if op.not_null:
                not_null_via_check(op.column, op.column)
        elif isinstance(op, DropColumn):
            drop_old(old_column(position, op.column), op.down)
        elif isinstance(op, RenameColumn):
            old_column(position, op.column)
            if op.to in plan.new_names or op.to in columns:
                raise fail(position, f"{op.to} is already a column name.", "choose a new name")
            plan.new = [(op.to if reader == op.column else reader, phys) for reader, phys in plan.new]
            plan.renamed[op.column] = op.to
            plan.contract.append({"kind": "rename_column", "column": op.column, "to": op.to})
        elif isinstance(op, ChangeType):
            hidden = shadow(position, op.column, op.data_type, op.up, op.down)
            if (facts or {}).get(op.column, {}).get("nullable") is False:  # the swapped-in column stays NOT NULL
                not_null_via_check(hidden, op.column)
        elif isinstance(op, SetNotNull):
            not_null_via_check(shadow(position, op.column, columns[op.column], op.up, op.down), op.column)
        elif isinstance(op, DropNotNull):
            plan.expand.append({"kind": "drop_not_null", "column": old_column(position, op.column)})
        elif isinstance(op, SetDefault):
            plan.expand.append({"kind": "set_default", "column": old_column(position, op.column),
                                "default": op.default})  # fmt: skip
        elif isinstance(op, DropDefault):
            plan.contract.append({"kind": "drop_default", "column": old_column(position, op.column)})
        elif isinstance(op, AddCheck):
            plan.expand.append({"kind": "add_check", "name": op.name, "check": op.check})
            plan.settle.append({"kind": "validate_constraint", "name": op.name})
        elif isinstance(op, AddForeignKey):
            parent_table, parent_column = op.parent
            plan.expand.append({"kind": "add_foreign_key", "name": op.name, "column": physical(position, op.column),
                                "parent_table": parent_table, "parent_column": parent_column,
                                "on_delete": op.on_delete})  # fmt: skip
            plan.settle.append({"kind": "validate_constraint", "name": op.name})
        elif isinstance(op, AddUnique):
            index_columns = [physical(position, c) for c in op.columns]
            plan.create_indexes.append({"name": op.name, "columns": index_columns, "unique": True})
            if postgres:
                plan.settle.append({"kind": "unique_using_index", "name": op.name})
        elif isinstance(op, SplitColumn):
            old_column(position, op.column)
            for part in op.into:
                add_new(position, part.column, part.data_type, part.up)
            drop_old(op.column, op.down)
        elif isinstance(op, MergeColumns):
            for column in op.columns:
                old_column(position, column)
            unknown = sorted(set(op.down) - set(op.columns))
            if unknown:
                raise fail(position, f"`down` names {', '.join(unknown)}, which are not merged.",
                           "give `down` only for the merged columns")  # fmt: skip
            for column in op.columns:
                drop_old(column, op.down.get(column))
            add_new(position, op.into.column, op.into.data_type, op.into.up)
        elif isinstance(op, CreateIndex):
            index_columns = [physical(position, c) for c in op.columns]
            plan.create_indexes.append({"name": op.name, "columns": index_columns, "unique": op.unique})
        elif isinstance(op, DropIndex):
            plan.drop_indexes.append(op.name)
        elif isinstance(op, CreateTable):
            if op.table == table:
                raise fail(position, f"{op.table} is the migrated table.", "name a new table")
            missing = [c for c in op.primary_key if c not in op.columns]
            if missing:
                raise fail(position, f"primary key column(s) {', '.join(missing)} are not among its columns.",
                           "list them under `columns`")  # fmt: skip
            plan.create_tables.append(op)
        elif isinstance(op, RenameTable):
            plan.final_table = op.to
        elif isinstance(op, DropTable):
            plan.drops_table = True
        elif isinstance(op, RawSql):
            plan.raw.append(op)
        for column in [*plan.backfill, *plan.down]:
            plan.origin.setdefault(column, position)
    if rewrite_at is not None:
        _as_rewrite(spec, plan, columns, facts or {}, existing_indexes, rewrite_at)
    if adapter == "duckdb":
        _duckdb_index_limits(spec, plan, existing_indexes)
    return plan


def _as_rewrite(
    spec: MigrationSpec, plan: Blueprint, columns: dict[str, str], facts: dict[str, dict[str, Any]],
    existing_indexes: int, position: int,
) -> None:  # fmt: skip
    """Turns the in-place plan into a rewrite: the same new shape, declared whole in a new table.
    NOT NULLs, defaults, checks, foreign keys and unique indexes go into the new table before it
    has rows; the old table is left as it is and dropped at contract."""

    def fail(problem: str, fix: str) -> InputError:
        return InputError(f"operations[{position}] (rewrite_table): {problem}", fix)

    if existing_indexes > len(plan.drop_indexes):
        raise fail(
            f"{spec.table} has {existing_indexes} index(es) besides its primary key; the rewritten table would "
            "not have them.",
            "list each with drop_index (it goes with the old table) and recreate what you need with create_index "
            "(built on the new table)",
        )
    for name, fact in facts.items():
        generator = str(fact.get("default") or "")
        if "nextval(" in generator.lower() or fact.get("identity"):
            raise fail(
                f"{name} takes its values from a sequence ({generator or 'identity'}), which a new table "
                "cannot take over while the old one owns it.",
                "migrate this table in place (without rewrite_table)",
            )
    reader = {physical: name for name, physical in plan.new}
    not_null = {step["column"] for step in plan.contract if step["kind"] == "set_not_null"}
    nullable = {step["column"] for step in plan.expand if step["kind"] == "drop_not_null"}
    defaults = {step["column"]: step["default"] for step in plan.expand if step["kind"] == "set_default"}
    no_default = {step["column"] for step in plan.contract if step["kind"] == "drop_default"}
    added = {column["name"]: column for column in plan.adds}
    table_columns = []
    default: str | None
    for name, physical in plan.new:
        if physical in columns:
            fact = facts.get(physical, {})
            expression, data_type = f'"{physical}"', columns[physical]
            required = physical in spec.key or (fact.get("nullable") is False and physical not in nullable)
            default = defaults.get(physical, None if physical in no_default else fact.get("default"))
        elif physical in plan.backfill:
            (expression, data_type), default = plan.backfill[physical], None
            required = False
            if physical in added:
                default = added[physical]["default"]
        else:
            data_type, default = added[physical]["data_type"], added[physical]["default"]
            expression, required = default or "null", False
        table_columns.append({"name": name, "data_type": data_type, "expression": expression,
                              "not_null": required or name in not_null, "default": default})  # fmt: skip
    back = []
    for column in plan.old:
        if column in plan.down:
            back.append({"name": column, "expression": plan.down[column][0], "data_type": columns[column]})
        elif column in reader:
            back.append({"name": column, "expression": f'"{reader[column]}"', "data_type": columns[column]})
    foreign_keys = [
        {**{k: v for k, v in step.items() if k != "kind"}, "column": reader[step["column"]]}
        for step in plan.expand
        if step["kind"] == "add_foreign_key"
    ]
    plan.rewrite = Rewrite(
        table=rewrite_name(spec.table),
        columns=table_columns,
        primary_key=list(spec.key),
        checks=[{"name": s["name"], "check": s["check"]} for s in plan.expand if s["kind"] == "add_check"],
        foreign_keys=foreign_keys,
        back=back,
    )
    for index in plan.create_indexes:
        gone = [c for c in index["columns"] if c not in reader]
        if gone:
            raise fail(f"index {index['name']} is on {', '.join(gone)}, which the new table does not have.",
                       "index columns of the new shape (or drop the index operation)")  # fmt: skip
    plan.create_indexes = [{**index, "columns": [reader[c] for c in index["columns"]]} for index in plan.create_indexes]
    plan.settle = [step for step in plan.settle if step["kind"] == "unique_using_index"]
    plan.derived = [Derived(d.column, d.column, d.expression, d.data_type) for d in plan.derived]
    plan.drop_indexes = []  # they go with the old table
    plan.expand, plan.contract = [], []


def _duckdb_index_limits(spec: MigrationSpec, plan: Blueprint, existing_indexes: int) -> None:
    """DuckDB refuses to drop or rename a column, or rename the table, while an index exists on it."""
    contract_alters = any(step["kind"] in ("drop_column", "rename_column") for step in plan.contract)
    renames = plan.final_table != plan.table or plan.rewrite is not None
    if plan.rewrite is not None:
        existing_indexes = 0  # the old table's go with it
    if (contract_alters or renames) and (existing_indexes or plan.create_indexes):
        where = f"{existing_indexes} index(es) on {spec.table}" if existing_indexes else "indexes this migration adds"
        raise InputError(
            f"DuckDB cannot drop or rename columns, or rename a table, while an index exists on it ({where}).",
            "on DuckDB, create indexes in a separate migration after this one (or drop them first); "
            "PostgreSQL has no such limit",
        )


@dataclass(frozen=True)
class UndoTargets:
    """What a rollback removes besides restoring the table, from the spec alone (no catalog read:
    a rollback must work whatever state the table is in)."""

    created_tables: list[str]
    renamed_to: str | None
    raw_downs: list[str]


def undo_targets(spec: MigrationSpec) -> UndoTargets:
    rewrite = [rewrite_name(spec.table)] if any(isinstance(op, RewriteTable) for op in spec.operations) else []
    return UndoTargets(
        created_tables=[op.table for op in spec.operations if isinstance(op, CreateTable)] + rewrite,
        renamed_to=next((op.to for op in spec.operations if isinstance(op, RenameTable)), None),
        raw_downs=[op.down for op in spec.operations if isinstance(op, RawSql)],
    )


def planned_additions(spec: MigrationSpec) -> set[str]:
    """Every physical column the spec's expand adds (shadows included), whatever the table."""
    names: set[str] = set()
    for op in spec.operations:
        if isinstance(op, AddColumn):
            names.add(op.column)
        elif isinstance(op, ChangeType | SetNotNull):
            names.add(shadow_name(op.column))
        elif isinstance(op, SplitColumn):
            names.update(part.column for part in op.into)
        elif isinstance(op, MergeColumns):
            names.add(op.into.column)
    return names
