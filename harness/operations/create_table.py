"""create_table: a new table created at expand (empty) and dropped again on rollback (refused
while it holds rows). Of another table, beside the migrated one; of the spec's own `table` (no
`table` field, or the same name), a migration of its own: nothing exists before it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from harness.operations.add_foreign_key import REFERENCES, parse_references
from harness.operations.base import Compiler, OperationSpec, Undo
from harness.spec_fields import DataType, Identifier, SqlExpression, Strict

OnDelete = Literal["no action", "restrict", "cascade", "set null"]


class ColumnDefinition(Strict):
    """A column with everything it can declare (the table is empty: nothing scans rows)."""

    type: DataType
    not_null: bool = False
    default: SqlExpression | None = None
    identity: Literal["always", "by default"] | None = Field(default=None, description="GENERATED ... AS IDENTITY")
    unique: bool = False
    check: SqlExpression | None = None
    references: str | None = Field(default=None, pattern=REFERENCES, description="table.column")
    on_delete: OnDelete = "no action"
    comment: str | None = None


class NamedCheck(Strict):
    name: Identifier
    check: SqlExpression = Field(description="over the new shape's columns")


class NamedUnique(Strict):
    name: Identifier
    columns: list[Identifier] = Field(min_length=1)


class NamedForeignKey(Strict):
    name: Identifier
    columns: list[Identifier] = Field(min_length=1)
    references: str = Field(pattern=REFERENCES, description="table.column or table(column, ...)")
    on_delete: OnDelete = "no action"


class CreateTable(OperationSpec):
    """A new table created at expand (empty) and dropped again on rollback. A column is a type, or
    a full definition (`not_null`, `default`, `identity`, `unique`, `check`, `references`,
    `on_delete`, `comment`); named table constraints: `checks`, `uniques`, `foreign_keys`.
    Without `table` (or with the spec's own), the migration creates its table: then it is the
    only operation, and `primary_key` defaults to the spec's `key`."""

    type: Literal["create_table"]
    table: Identifier | None = Field(default=None, description="default: the spec's own table (a new one)")
    columns: dict[Identifier, DataType | ColumnDefinition] = Field(min_length=1)
    primary_key: list[Identifier] = Field(default_factory=list)
    checks: list[NamedCheck] = Field(default_factory=list)
    uniques: list[NamedUnique] = Field(default_factory=list)
    foreign_keys: list[NamedForeignKey] = Field(default_factory=list)

    def creates(self, table: str) -> bool:
        return self.table in (None, table)

    def apply(self, compiler: Compiler) -> None:
        own = self.creates(compiler.spec.table)
        primary_key = self.primary_key or (list(compiler.spec.key) if own else [])
        named = [*primary_key, *(compiler.spec.key if own else ()), *(c for u in self.uniques for c in u.columns),
                 *(c for f in self.foreign_keys for c in f.columns)]  # fmt: skip
        missing = sorted({c for c in named if c not in self.columns})
        if missing:
            raise compiler.fail(f"column(s) {', '.join(missing)} of its keys are not among its columns.",
                                "list them under `columns`")  # fmt: skip
        identity = [name for name, c in self.columns.items() if isinstance(c, ColumnDefinition) and c.identity]
        if identity and not compiler.engine.identity_columns:
            raise compiler.fail(f"{compiler.engine.title} has no identity columns ({', '.join(identity)}).",
                                "give the column a sequence default (`default: nextval('a_sequence')`)")  # fmt: skip
        spec = {**self.model_dump(), "table": self.table or compiler.spec.table, "primary_key": primary_key}
        for foreign_key in spec["foreign_keys"]:
            foreign_key["parent_table"], foreign_key["parent_columns"] = parse_references(foreign_key["references"])
        for column in spec["columns"].values():
            if isinstance(column, dict) and column.get("references"):
                column["parent_table"], column["parent_columns"] = parse_references(column["references"])
        compiler.plan.create_tables.append(spec)
        if own:  # the new shape is the table itself; there is no old one
            compiler.plan.creates_table = True
            compiler.plan.new = [(name, name) for name in self.columns]
            compiler.plan.added = list(self.columns)

    def undo(self, table: str, undo: Undo) -> None:
        undo.created_tables.append(self.table or table)
