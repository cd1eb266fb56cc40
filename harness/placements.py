"""Where a migration builds its new shape, chosen once per migration (`placement:` in the spec):

- `in_place` (the default): shadow and added columns on the table itself; contract swaps the
  shadows in by renames and drops what the new shape leaves out.
- `rewrite` (or the `rewrite_table` operation, its old spelling): the new shape is a new table
  (`_ec_new_<table>`) declared whole while empty, filled by the backfill's copy, kept in step by
  sync triggers, and swapped in at contract; the old table is never altered.

Each placement answers the same questions for every phase, so the lifecycle never asks which
one it has: what expand alters, where indexes and constraints go, what the backfill writes,
which views exist when, what contract swaps in, what rollback drops.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import TYPE_CHECKING, Any

from harness.carry import carried_name, declared_anew, renamed_check
from harness.errors import InputError
from harness.operations.base import (
    Blueprint,
    Compiler,
    ExpandUndo,
    Rewrite,
    pkey_name,
    rewrite_name,
    shadow_name,
    undo_expand,
)

if TYPE_CHECKING:
    from harness.spec import MigrationSpec
    from harness.warehouse import Warehouse

OLD_VERSION, NEW_VERSION = "v1", "v2"


class InPlace:
    name = "in_place"
    declares_constraints = False  # constraints are added to the live table (the engine must be able to)

    def finish(self, compiler: Compiler, existing_indexes: int) -> None:
        """An index on a column the backfill fills is built after it (settle): until then every
        row holds the column's default (a unique one would fail), and the backfill would maintain it."""
        plan = compiler.plan

        def covers(index: dict[str, Any]) -> set[str]:
            return set(index["columns"] + (index.get("options") or {}).get("include", []))

        later = [index for index in plan.create_indexes if covers(index) & set(plan.backfill)]
        plan.create_indexes = [index for index in plan.create_indexes if index not in later]
        plan.settle_indexes = later + plan.settle_indexes

    def created_tables(self, table: str) -> list[str]:
        return []

    def expand_alterations(self, plan: Blueprint) -> list[dict[str, Any]]:
        return [{"kind": "add_column", **column} for column in plan.adds] + plan.expand

    def new_table(self, plan: Blueprint) -> dict[str, Any] | None:
        return None

    def built_in(self, plan: Blueprint, table: str) -> str:
        """The table that holds the new shape before contract (indexes, constraints, validation)."""
        return table

    def views_at_expand(self, plan: Blueprint) -> dict[str, list[list[str]]]:
        return plan.versions()

    def views_after_backfill(self, plan: Blueprint) -> dict[str, list[list[str]]]:
        return {}

    def view_sources(self, plan: Blueprint) -> dict[str, str]:
        return {}

    def backfill(self, plan: Blueprint, lock_rows: bool) -> tuple[dict[str, list[str]], dict[str, Any] | None]:
        """(assignments of the in-place UPDATE, the copy into a new table): one of them is used."""
        return plan.backfill, None

    def final_shape_once_expanded(self, plan: Blueprint) -> bool:
        """Whether the new shape, once expanded, already looks as after contract (validation judges it so)."""
        return False

    def install_sync(self, warehouse: Warehouse, schema: str, table: str, plan: Blueprint) -> None:
        warehouse.install_sync_trigger(schema, table, plan.sync_rule())

    def describe_sync(self) -> str:
        return "the sync trigger (the new shape's views write through INSTEAD OF triggers)"

    def shape_writer(self, plan: Blueprint, key: list[str]) -> dict[str, Any] | None:
        """How the new shape's views take writes while both shapes live in one table: through an
        INSTEAD OF trigger that marks them as the new shape's, so the sync trigger never guesses."""
        return {"version": NEW_VERSION, "new_columns": [list(pair) for pair in plan.new], "key": key}

    def swap_in(self, plan: Blueprint) -> str | None:
        return None

    def after_swap(self, plan: Blueprint) -> list[dict[str, Any]]:
        return []

    def contract_last(self, plan: Blueprint, steps: list[dict[str, Any]]) -> None:
        """Steps for the end of contract's transaction, over the final column names."""
        plan.contract += steps

    def describe_expand(self, plan: Blueprint) -> str:
        return f"add {', '.join(plan.physical_added) or 'no columns'} (nullable, metadata only)"

    def undo(self, plan: Blueprint, before: dict[str, dict[str, Any]]) -> ExpandUndo:
        """What a rollback before contract takes back on the table itself (see ExpandUndo)."""
        return undo_expand(plan, before)


def _on_new_names(index: dict[str, Any], reader: dict[str, str], table: str,
                  parser: tuple[str, str | None]) -> dict[str, Any]:  # fmt: skip
    """An index of the plan over the physical columns, declared over the rewrite's new table's names."""
    moved = {**index, "columns": [reader[c] for c in index["columns"]]}
    options = index.get("options")
    if options:
        renamed = {physical: name for physical, name in reader.items() if physical != name}
        where = options.get("where")
        on_new = renamed_check(f"CHECK ({where})", renamed, table, parser) if where else None
        moved["options"] = {**options, "include": [reader[c] for c in options.get("include") or []], "where": on_new}
    return moved


class RewritePlacement(InPlace):
    name = "rewrite"
    declares_constraints = True  # the new table declares them while it is empty

    def finish(self, compiler: Compiler, existing_indexes: int) -> None:
        """Turns the in-place plan into a rewrite: the same new shape, declared whole in a new table.
        NOT NULLs, defaults, checks, foreign keys and unique indexes go into the new table before it
        has rows; the old table is left as it is and dropped at contract."""
        spec, plan, columns, facts = compiler.spec, compiler.plan, compiler.columns, compiler.facts
        where = next((f"operations[{i}] (rewrite_table)" for i, op in enumerate(spec.operations)
                      if op.placement == self.name), "placement rewrite")  # fmt: skip

        def fail(problem: str, fix: str) -> InputError:
            return InputError(f"{where}: {problem}", fix)

        reader = {physical: name for name, physical in plan.new}
        old_to_new = {column: reader.get(shadow_name(column), reader.get(column)) for column in plan.old}
        declared = declared_anew(compiler, {old: new for old, new in old_to_new.items() if new is not None})
        # Where the engine's parser can re-declare them, the old table's indexes are built on the new
        # one (declared_anew; one on a column the new shape drops goes with it); elsewhere refused.
        if compiler.engine.sql_parser[0] != "pglast" and existing_indexes > len(plan.drop_indexes):
            raise fail(
                f"{spec.table} has {existing_indexes} index(es) besides its constraints'; the rewritten table would "
                "not have them.",
                "list each with drop_index (it goes with the old table) and recreate what you need with create_index "
                "(built on the new table)",
            )
        for name, fact in facts.items():
            generator = str(fact.get("default") or "")
            # A sequence of its own (DuckDB's) serves the new table as it served the old; one the
            # old table owns (PostgreSQL's serial) or an identity would go with the old table.
            if fact.get("identity") or ("nextval(" in generator.lower() and compiler.engine.owned_sequences):
                raise fail(
                    f"{name} takes its values from a sequence ({generator or 'identity'}), which a new table "
                    "cannot take over while the old one owns it.",
                    "migrate this table in place (without rewrite_table)",
                )
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
            {**{k: v for k, v in step.items() if k != "kind"}, "columns": [reader[c] for c in step["columns"]]}
            for step in plan.expand
            if step["kind"] == "add_foreign_key"
        ]
        renamed = {physical: name for physical, name in reader.items() if physical != name}
        new_checks = [{"name": step["name"], "check": renamed_check(f"CHECK ({step['check']})", renamed, spec.table,
                                                                     compiler.engine.sql_parser)}
                      for step in plan.expand if step["kind"] == "add_check"]  # fmt: skip
        plan.settle_indexes += declared["indexes"]
        plan.carried_rules += [*declared["checks"], *({"name": u["name"], "unique": u["columns"]}
                                                      for u in declared["uniques"])]  # fmt: skip
        uniques, after_swap = declared["uniques"], list(declared["after_swap"])
        if compiler.engine.alter_add_constraint:  # an index's name is the schema's: a temporary one until the swap
            after_swap += [{"kind": "rename_constraint", "name": carried_name(u["name"]), "to": u["name"]}
                           for u in uniques]  # fmt: skip
            # The primary key the new table declares is named after it (`_ec_new_<table>_pkey`): after
            # the swap it takes the old key's name, or `<table>_pkey`, as if declared on the table itself.
            old_key = next((a["name"] for a in compiler.attachments or [] if a["kind"] == "primary_key"), None)
            after_swap.append({"kind": "rename_constraint", "name": pkey_name(rewrite_name(spec.table)),
                               "to": old_key or pkey_name(plan.final_table)})  # fmt: skip
            uniques = [{**u, "name": carried_name(u["name"])} for u in uniques]
        else:
            uniques = [{**u, "name": None} for u in uniques]
        plan.rewrite = Rewrite(
            table=rewrite_name(spec.table),
            columns=table_columns,
            primary_key=list(spec.key),
            checks=[*new_checks, *declared["checks"]],
            foreign_keys=foreign_keys,
            back=back,
            uniques=uniques,
            constraints=declared["constraints"],
            after_swap=after_swap,
        )
        for index in plan.create_indexes:
            gone = [c for c in index["columns"] if c not in reader]
            if gone:
                raise fail(f"index {index['name']} is on {', '.join(gone)}, which the new table does not have.",
                           "index columns of the new shape (or drop the index operation)")  # fmt: skip
        plan.create_indexes = [_on_new_names(index, reader, spec.table, compiler.engine.sql_parser)
                               for index in plan.create_indexes]  # fmt: skip
        plan.settle = [step for step in plan.settle if step["kind"] == "unique_using_index"]
        plan.derived = [replace(d, physical=d.column) for d in plan.derived]
        plan.drop_indexes = []  # they go with the old table
        plan.expand, plan.contract = [], []

    def created_tables(self, table: str) -> list[str]:
        return [rewrite_name(table)]

    def _rewrite(self, plan: Blueprint) -> Rewrite:
        assert plan.rewrite is not None, "a rewrite placement's blueprint has its new table"
        return plan.rewrite

    def expand_alterations(self, plan: Blueprint) -> list[dict[str, Any]]:
        return []

    def new_table(self, plan: Blueprint) -> dict[str, Any] | None:
        return asdict(self._rewrite(plan))

    def built_in(self, plan: Blueprint, table: str) -> str:
        return self._rewrite(plan).table

    def views_at_expand(self, plan: Blueprint) -> dict[str, list[list[str]]]:
        # The new shape exists once every row is copied: a write through it before would miss uncopied rows.
        return {OLD_VERSION: plan.versions()[OLD_VERSION]}

    def views_after_backfill(self, plan: Blueprint) -> dict[str, list[list[str]]]:
        return {NEW_VERSION: plan.versions()[NEW_VERSION]}

    def view_sources(self, plan: Blueprint) -> dict[str, str]:
        return {NEW_VERSION: self._rewrite(plan).table}

    def backfill(self, plan: Blueprint, lock_rows: bool) -> tuple[dict[str, list[str]], dict[str, Any] | None]:
        # With triggers, each batch reads its rows FOR SHARE (see backfill_batch_statement).
        return {}, {**asdict(self._rewrite(plan)), "lock_rows": lock_rows}

    def final_shape_once_expanded(self, plan: Blueprint) -> bool:
        return True

    def install_sync(self, warehouse: Warehouse, schema: str, table: str, plan: Blueprint) -> None:
        warehouse.install_rewrite_sync(schema, table, asdict(self._rewrite(plan)))

    def describe_sync(self) -> str:
        return "the sync triggers on both tables"

    def shape_writer(self, plan: Blueprint, key: list[str]) -> dict[str, Any] | None:
        """None: each shape has a table of its own, so its triggers know which one was written."""
        return None

    def swap_in(self, plan: Blueprint) -> str | None:
        return self._rewrite(plan).table

    def after_swap(self, plan: Blueprint) -> list[dict[str, Any]]:
        """Alterations of the swapped-in table, in contract's transaction: names given back."""
        return self._rewrite(plan).after_swap

    def contract_last(self, plan: Blueprint, steps: list[dict[str, Any]]) -> None:
        self._rewrite(plan).after_swap += steps

    def undo(self, plan: Blueprint, before: dict[str, dict[str, Any]]) -> ExpandUndo:
        """The old table was never altered: dropping the new table (`created_tables`) is the undo."""
        return ExpandUndo()

    def describe_expand(self, plan: Blueprint) -> str:
        return (
            f"create `{self._rewrite(plan).table}`, empty, with the whole new shape (key, NOT NULLs, defaults, "
            "checks declared before it has rows); the old table is not altered"
        )


IN_PLACE, REWRITE = InPlace(), RewritePlacement()
PLACEMENTS = {placement.name: placement for placement in (IN_PLACE, REWRITE)}


def placement_for(spec: MigrationSpec) -> InPlace:
    """The spec's placement: `placement:`, or what an operation stands for (`rewrite_table`)."""
    chosen = next((op.placement for op in spec.operations if op.placement), None) or spec.placement
    return PLACEMENTS[chosen]


def placement_of(plan: Blueprint) -> InPlace:
    """The placement a compiled blueprint was built for."""
    return REWRITE if plan.rewrite is not None else IN_PLACE
