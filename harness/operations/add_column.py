"""add_column: expand adds a nullable column, the backfill fills it with `up`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from harness.operations.add_check import AddCheck
from harness.operations.add_foreign_key import REFERENCES, AddForeignKey
from harness.operations.add_unique import AddUnique
from harness.operations.base import VOLATILE, Compiler, OperationSpec, constraint_name
from harness.spec_fields import DataType, Identifier, SqlExpression


class AddColumn(OperationSpec):
    """Expand adds a nullable column, backfill fills it with `up`; `not_null` is enforced by a
    check constraint added NOT VALID, validated after the backfill and turned into NOT NULL at
    contract. A full definition besides: `unique` (an index built CONCURRENTLY after the backfill,
    then the constraint `<table>_<column>_key`), `check` (NOT VALID, then validated:
    `<table>_<column>_check`), `references` (a foreign key, likewise: `<table>_<column>_fkey`),
    `comment`. Preflight counts the rows of the new shape that would break them."""

    type: Literal["add_column"]
    column: Identifier
    data_type: DataType
    up: SqlExpression | None = Field(default=None, description="computes the new column from the old shape")
    volatile: bool = Field(default=False, description=VOLATILE)
    default: SqlExpression | None = Field(default=None, description="column default for new rows")
    not_null: bool = False
    unique: bool = False
    check: SqlExpression | None = Field(default=None, description="a check on the column (and the new shape's others)")
    references: str | None = Field(default=None, pattern=REFERENCES, description="table.column: a foreign key")
    on_delete: Literal["no action", "restrict", "cascade", "set null"] = "no action"
    comment: str | None = None

    @model_validator(mode="after")
    def _fillable(self) -> AddColumn:
        if self.not_null and self.up is None and self.default is None:
            raise ValueError("a NOT NULL column needs `up` or `default` to fill the existing rows")
        return self

    @property
    def needs(self) -> tuple[str, ...]:  # type: ignore[override]
        """A check or a foreign key is added to the existing table (unless a rewrite declares it)."""
        return ("alter_add_constraint",) if self.check or self.references else ()

    def apply(self, compiler: Compiler) -> None:
        compiler.add_new(self.column, self.data_type, self.up, self.default, self.volatile)
        if self.not_null:
            compiler.not_null_via_check(self.column, self.column)
        table = compiler.spec.table
        if self.comment is not None:
            compiler.plan.contract_last.append({"kind": "set_comment", "column": self.column, "comment": self.comment})
        if self.unique:
            name = constraint_name(table, self.column, "key")
            AddUnique(type="add_unique", name=name, columns=[self.column]).apply(compiler)
        if self.check:
            name = constraint_name(table, self.column, "check")
            AddCheck(type="add_check", name=name, check=self.check).apply(compiler)
        if self.references:
            name = constraint_name(table, self.column, "fkey")
            AddForeignKey(type="add_foreign_key", name=name, column=self.column, references=self.references,
                          on_delete=self.on_delete).apply(compiler)  # fmt: skip

    def columns_changed(self) -> list[str]:
        return [self.column]

    def added_columns(self) -> set[str]:
        return {self.column}
