"""What every operation shares: its spec base class, the compiler it folds into, the blueprint.

`compile_blueprint` (in `__init__`) folds the spec's operations, in order, into a `Compiler`:
each operation's `apply` says what it adds at expand, what the backfill computes, what settle
validates and what contract does, through the compiler's named building blocks (`add_new`,
`shadow`, `drop_old`, `not_null_via_check`, ...). The result is a `Blueprint`: plain data the
lifecycle hands to the package's macros. No SQL is written here, only expressions the spec declared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from harness.errors import InputError
from harness.spec_fields import Strict

if TYPE_CHECKING:
    from harness.engines import Engine
    from harness.spec import MigrationSpec

SHADOW_PREFIX = "_ec_"
VOLATILE = (
    "`up` gives another value each time (now(), random(), gen_random_uuid()): validation checks the column is "
    "filled wherever `up` is not NULL (and its type), not that it equals a recomputation"
)
REWRITE_PREFIX = "_ec_new_"
MAX_NAME = 63


def shadow_name(column: str) -> str:
    return (SHADOW_PREFIX + column)[:MAX_NAME]


def rewrite_name(table: str) -> str:
    """The table a rewrite builds the new shape in, until contract renames it."""
    return (REWRITE_PREFIX + table)[:MAX_NAME]


def constraint_name(table: str, column: str, suffix: str) -> str:
    return f"{table}_{column}"[: MAX_NAME - len(suffix) - 1] + "_" + suffix


def pkey_name(table: str) -> str:
    """PostgreSQL's name for a table's primary key declared without one."""
    return table[: MAX_NAME - len("_pkey")] + "_pkey"


def sequence_name(table: str, column: str) -> str:
    """The sequence an identity column added in place is numbered from until contract (not
    `<table>_<column>_seq`: that name is the identity's own)."""
    return constraint_name(table, column, "ec_seq")


@dataclass(frozen=True)
class Derived:
    """A column whose every value must equal `expression` computed from the old shape."""

    column: str  # the name after contract
    physical: str  # the column holding it before contract
    expression: str
    data_type: str
    volatile: bool = False  # `up` gives another value each time: validated as filled, not as equal


@dataclass
class Rewrite:
    """The rewrite placement: the new shape as a new table, filled by copying the rows."""

    table: str  # `_ec_new_<table>`, renamed to the final name at contract
    columns: list[dict[str, Any]]  # {name, data_type, expression (over the old names), not_null, default}
    primary_key: list[str]
    checks: list[dict[str, str]]  # {name, check}: declared in CREATE TABLE (the table is empty then)
    foreign_keys: list[dict[str, Any]]  # {name, columns, parent_table, parent_columns, on_delete}
    back: list[dict[str, str]]  # {name (old column), expression over the new names, data_type}: sync new -> old
    # The old table's own constraints, declared anew (see harness.carry.declared_anew): unique
    # constraints {name, columns} under temporary names (an index's name is the schema's) given
    # back by `after_swap` at contract; foreign keys by definition {name, definition}.
    uniques: list[dict[str, Any]] = field(default_factory=list)
    constraints: list[dict[str, str]] = field(default_factory=list)
    after_swap: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Undo:
    """What a rollback removes besides restoring the table, from the spec alone (no catalog read:
    a rollback must work whatever state the table is in)."""

    created_tables: list[str] = field(default_factory=list)  # by create_table: may take rows of their own
    scratch_tables: list[str] = field(default_factory=list)  # by the placement (a rewrite's new table): derived
    renamed_to: str | None = None
    raw_downs: list[str] = field(default_factory=list)


@dataclass
class ExpandUndo:
    """Before contract, how a rollback takes back what expand and settle did to the table itself,
    in this order: `alterations` in one transaction (the constraints they added dropped, defaults
    put back), `indexes` built for the migration dropped (CONCURRENTLY where the engine can),
    NOT NULL put back on the `relaxed` columns (a check NOT VALID, validated, then SET NOT NULL
    where the engine has them: no long lock), and the `columns` expand added dropped. Every step
    is metadata (or a scan that takes no lock writers wait on): no row of the old shape is
    rewritten, so every write is kept, and its time does not grow with the table."""

    alterations: list[dict[str, Any]] = field(default_factory=list)
    indexes: list[str] = field(default_factory=list)
    relaxed: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.alterations or self.indexes or self.relaxed or self.columns)


# The constraints an expand or settle step adds, which its undo drops by name.
CONSTRAINT_KINDS = frozenset(
    {"add_check", "add_constraint", "add_foreign_key", "add_not_null_check", "unique_using_index"}
)


def undo_expand(plan: Blueprint, before: dict[str, dict[str, Any]]) -> ExpandUndo:
    """The inverse of an in-place blueprint's expand and settle, given the columns' catalog facts
    before the migration (`before`: name -> {default, nullable, ...}, from the before-snapshot's
    journal line). Each alteration kind's inverse: a constraint is dropped, a default is put back
    (or dropped if there was none), a relaxed NOT NULL is restored, an added column is dropped."""
    built = [*plan.create_indexes, *plan.settle_indexes]
    undo = ExpandUndo(indexes=[index["name"] for index in built], columns=list(plan.physical_added))
    for step in [*plan.expand, *plan.settle]:
        if step["kind"] in CONSTRAINT_KINDS:
            undo.alterations.append({"kind": "drop_constraint", "name": step["name"]})
        elif step["kind"] == "set_default":
            column, old = step["column"], before.get(step["column"], {}).get("default")
            put_back = {"kind": "set_default", "column": column, "default": old}
            undo.alterations.append(put_back if old else {"kind": "drop_default", "column": column})
        elif step["kind"] == "set_comment":
            continue  # on a column the undo drops
        elif step["kind"] == "drop_not_null" and before.get(step["column"], {}).get("nullable") is False:
            undo.relaxed.append(step["column"])
    return undo


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
    # Built after the backfill: {name, definition} (carried over) or {name, columns, unique} (on backfilled columns).
    settle_indexes: list[dict[str, Any]] = field(default_factory=list)
    # What the new shape's values must satisfy for the carried constraints (preflight counts the rows that do not):
    # {name, check over the new shape's names} and {name, unique: [columns of the new shape]}.
    carried_rules: list[dict[str, Any]] = field(default_factory=list)
    contract: list[dict[str, Any]] = field(default_factory=list)  # alterations at contract (one transaction)
    # At the end of contract's transaction, once the columns have their final names (comments, raw SQL
    # on_complete); a `column` in them is the physical one when declared, renamed at the end of the fold.
    contract_last: list[dict[str, Any]] = field(default_factory=list)
    drop_indexes: list[str] = field(default_factory=list)
    create_tables: list[dict[str, Any]] = field(default_factory=list)  # {table, columns, primary_key}
    raw: list[str] = field(default_factory=list)  # raw SQL run at expand
    derived: list[Derived] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # old name -> new name, values kept
    rewritten: list[str] = field(default_factory=list)  # old names whose values/type change in place
    added: list[str] = field(default_factory=list)  # new names that did not exist before
    dropped: list[str] = field(default_factory=list)  # old names gone after contract
    drops_table: bool = False
    creates_table: bool = False  # the spec's own table is new: no old shape, no views, nothing to back up
    rewrite: Rewrite | None = None  # the rewrite placement's new table; None: in place
    origin: dict[str, int] = field(default_factory=dict)  # backfilled / down column -> operation index
    # Columns numbered from a sequence expand creates: their `up` draws on it (preflight cannot evaluate
    # it, and a recomputation never equals); settle's validated NOT NULL proves them filled.
    generated: list[str] = field(default_factory=list)

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
        """Sync triggers exist while both shapes do, if any column differs between them (always for
        a rewrite: the shapes live in two tables)."""
        return bool(self.backfill or self.down) or self.rewrite is not None

    def sync_rule(self) -> dict[str, Any]:
        """What the sync trigger needs: `up` assignments (over v1 names) for the old shape's writes,
        `down` assignments (over v2 names) for the new shape's, and the new shape's columns."""
        return {
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
            elif physical in self.backfill and physical not in self.generated:
                up, data_type = self.backfill[physical]
                row.append({"name": name, "expression": up, "data_type": data_type})
            else:
                added = next(c for c in self.adds if c["name"] == physical)
                row.append({"name": name, "expression": added["default"], "data_type": added["data_type"]})
        return row

    def versions(self) -> dict[str, list[list[str]]]:
        """The versioned views: name -> [[reader's name, physical column], ...]."""
        if self.creates_table:  # one shape only: the table itself
            return {}
        views = {"v1": [[c, c] for c in self.old]}
        if self.rewrite:  # the new table has the new names
            views["v2"] = [[name, name] for name in self.new_names]
        elif not self.drops_table:
            views["v2"] = [list(pair) for pair in self.new]
        return views

    def views_after_contract(self) -> dict[str, list[list[str]]]:
        return {} if self.drops_table or self.creates_table else {"v2": [[name, name] for name in self.new_names]}

    def names_created(self) -> list[str]:
        """Tables and views the migration creates under new names (preflight refuses taken ones)."""
        names = [spec["table"] for spec in self.create_tables if spec["table"] != self.table]
        names += [self.rewrite.table] if self.rewrite else []
        return names + ([self.final_table] if self.final_table != self.table else [])


class Compiler:
    """The fold's state: the blueprint so far, and the building blocks operations apply with.

    `position` is the index of the operation being applied, so every refusal names it."""

    def __init__(
        self, spec: MigrationSpec, columns: dict[str, str], engine: Engine, facts: dict[str, dict[str, Any]],
        schema: str | None = None,
    ) -> None:  # fmt: skip
        self.spec = spec
        self.schema = schema or spec.schema_name  # where the table lives (None: the target's, unqualified)
        self.columns = columns
        self.engine = engine
        self.facts = facts
        # column_attachments: what the columns carry besides their type; None once contracted (the
        # blueprint is then compiled from the before-snapshot, and the catalog has moved on).
        self.attachments: list[dict[str, Any]] | None = None
        self.position = 0
        self.plan = Blueprint(table=spec.table, final_table=spec.table, old=list(columns),
                              new=[(c, c) for c in columns])  # fmt: skip

    @property
    def placement_name(self) -> str:
        from harness.placements import placement_for

        return placement_for(self.spec).name

    def constraint(self, name: str) -> dict[str, Any]:
        """The table's constraint `name` (column_attachments), or a refusal naming the ones it has."""
        if self.attachments is None:
            return {"name": name, "kind": None, "columns": []}
        kinds = ("check", "unique", "foreign_key", "primary_key", "exclusion")
        found = [a for a in self.attachments if a["kind"] in kinds]
        for attachment in found:
            if attachment["name"] == name:
                return attachment
        names = ", ".join(sorted(a["name"] for a in found)) or "none"
        raise self.fail(f"{self.spec.table} has no constraint {name} (it has: {names}).", "name an existing constraint")

    def fail(self, problem: str, fix: str) -> InputError:
        operation = self.spec.operations[self.position]
        return InputError(f"operations[{self.position}] ({operation.type}): {problem}", fix)

    def physical(self, name: str) -> str:
        """The physical column holding `name` of the new shape so far."""
        for reader, column in self.plan.new:
            if reader == name:
                return column
        raise self.fail(f"{name} is not a column of the new shape ({', '.join(self.plan.new_names)}).",
                        "name a column of the table (after the operations before this one)")  # fmt: skip

    def old_column(self, name: str) -> str:
        """An existing column, still in the new shape (not dropped or renamed by an earlier operation)."""
        if name not in self.columns:
            raise self.fail(f"{name} is not a column of {self.spec.table} (columns: {', '.join(self.columns)}).",
                            "name an existing column")  # fmt: skip
        self.physical(name)
        return name

    def add_physical(self, name: str, data_type: str, default: str | None = None) -> None:
        if name in self.columns or name in self.plan.physical_added:
            raise self.fail(f"column {name} already exists in {self.spec.table}.", "choose a new column name")
        self.plan.adds.append({"name": name, "data_type": data_type, "default": default})

    def remove(self, name: str) -> None:
        self.plan.new = [(reader, column) for reader, column in self.plan.new if reader != name]

    def add_new(
        self, column: str, data_type: str, up: str | None, default: str | None = None, volatile: bool = False
    ) -> None:
        """A new column of the new shape, filled by the backfill from `up` (if any)."""
        self.add_physical(column, data_type, default)
        self.plan.new.append((column, column))
        self.plan.added.append(column)
        if up:
            self.plan.backfill[column] = [up, data_type]
            self.plan.derived.append(Derived(column, column, up, data_type, volatile))

    def drop_old(self, column: str, down: str | None) -> None:
        """An old column the new shape leaves out; dropped at contract, kept up by `down` until then."""
        self.remove(column)
        self.plan.dropped.append(column)
        self.plan.contract.append({"kind": "drop_column", "column": column})
        if down:
            self.plan.down[column] = [down, self.columns[column]]

    def not_null_via_check(self, column: str, final: str) -> None:
        """NOT NULL without a long lock: a check NOT VALID (new writes), validated after the backfill
        (no lock on writers), then SET NOT NULL at contract, which the engine proves from the check."""
        check = constraint_name(self.spec.table, final, "not_null")
        late = self.engine.not_valid_constraints
        if late:
            self.plan.expand.append({"kind": "add_not_null_check", "name": check, "column": column})
            self.plan.settle.append({"kind": "validate_constraint", "name": check})
        self.plan.contract.append({"kind": "set_not_null", "column": final})
        if late:
            self.plan.contract.append({"kind": "drop_constraint", "name": check})

    def fix_values(self, up: dict[str, str]) -> None:
        """Columns whose values a new constraint needs fixed (`up`: {column: expression over the
        old shape}): each gets a shadow column of its type filled with the expression, swapped in
        at contract (a NOT NULL column stays NOT NULL); the constraint then applies to the shadow."""
        for column, expression in up.items():
            hidden = self.shadow(column, self.columns.get(column, ""), expression, None)
            if self.facts.get(column, {}).get("nullable") is False:
                self.not_null_via_check(hidden, column)

    def over_physical(self, expression: str) -> str:
        """A user expression over the new shape's names, rewritten over the physical columns that
        hold them now (a shadow, a renamed column's old name), by the engine's parser."""
        from harness.carry import renamed_check

        physical = {name: column for name, column in self.plan.new if name != column}
        return renamed_check(f"CHECK ({expression})", physical, self.spec.table, self.engine.sql_parser)

    def shadow(self, column: str, data_type: str, up: str | None, down: str | None, volatile: bool = False) -> str:
        """Values of `column` change: a shadow column carries the new ones until contract swaps it in."""
        self.old_column(column)
        hidden = shadow_name(column)
        # The column's default goes over with it (cast to the new type; preflight evaluates it), so
        # writers of either shape get it meanwhile and the column keeps it after contract. A
        # default drawing on a sequence stays behind: the sequence may belong to the old column.
        default = str((self.facts.get(column) or {}).get("default") or "")
        carried = f"cast(({default}) as {data_type})" if default and "nextval(" not in default.lower() else None
        self.add_physical(hidden, data_type, carried)
        self.plan.backfill[hidden] = [up or f'"{column}"', data_type]
        self.plan.down[column] = [down or f'"{column}"', self.columns[column]]
        self.plan.new = [(reader, hidden if reader == column else phys) for reader, phys in self.plan.new]
        self.plan.contract += [
            {"kind": "drop_column", "column": column},
            {"kind": "rename_column", "column": hidden, "to": column},
        ]
        self.plan.derived.append(Derived(column, hidden, up or f'"{column}"', data_type, volatile))
        self.plan.rewritten.append(column)
        return hidden


def key_column_moved(column: str, key: list[str]) -> str | None:
    """The refusal for an operation that would change a key column (rows are found by the key)."""
    return f"{column!r} is part of the key; its rows are found by it during the migration" if column in key else None


class OperationSpec(Strict):
    """One operation of a migration: its spec fields, and its effect on every phase.

    Subclasses live one per module in `harness/operations/`; the spec's union of operation types
    is built from them. Optional behaviour is small class attributes and methods with defaults:
    - `needs`: engine capabilities the operation needs when applied in place;
    - `alone` / `once`: it must be the only operation / may appear once in a migration;
    - `placement`: a migration-level choice the operation stands for (`rewrite_table`);
    - `columns_changed`, `added_columns`, `key_conflict`, `undo`: what other phases ask of it.
    """

    type: str
    needs: ClassVar[tuple[str, ...]] = ()
    alone: ClassVar[bool] = False
    once: ClassVar[bool] = False
    placement: ClassVar[str | None] = None

    def apply(self, compiler: Compiler) -> None:
        """Adds this operation's effect on each phase to the blueprint (raises InputError if impossible)."""
        raise NotImplementedError

    def columns_changed(self) -> list[str]:
        """The existing columns this operation changes (two operations may not change the same one)."""
        return []

    def added_columns(self) -> set[str]:
        """Physical columns expand adds for it, whatever the table (shadows included)."""
        return set()

    def key_conflict(self, key: list[str]) -> str | None:
        """Why this operation may not touch the key, if it does."""
        return None

    def creates(self, table: str) -> bool:
        """Whether this operation creates `table`, the spec's own (then nothing exists before it)."""
        return False

    def undo(self, table: str, undo: Undo) -> None:
        """Adds what a rollback must remove for this operation, from the spec alone."""
