"""add_foreign_key: added NOT VALID at expand, validated after the backfill."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from harness.operations.add_check import UP
from harness.operations.base import Compiler, OperationSpec, shadow_name
from harness.spec_fields import Identifier, SqlExpression

NAME = r"[A-Za-z_][A-Za-z0-9_]*"
REFERENCES = rf"^{NAME}\.{NAME}$|^{NAME} *\( *{NAME}( *, *{NAME})* *\)$"


def parse_references(references: str) -> tuple[str, list[str]]:
    """`table.column` or `table(a, b)` -> (table, [columns])."""
    table, *columns = re.findall(NAME, references)
    return table, columns


class AddForeignKey(OperationSpec):
    """Added NOT VALID at expand, validated after the backfill. One column (`column`, `references:
    table.column`) or several (`columns`, `references: table(a, b)`). With `up`, the columns it
    names get the expressions' values first (a shadow column each), e.g. orphans pointed at a
    parent that exists."""

    type: Literal["add_foreign_key"]
    name: Identifier
    column: Identifier | None = None
    columns: list[Identifier] | None = Field(default=None, description="several columns (a multi-column key)")
    references: str = Field(pattern=REFERENCES, description="table.column, or table(column, ...) for several")
    on_delete: Literal["no action", "restrict", "cascade", "set null"] = "no action"
    up: dict[Identifier, SqlExpression] | None = Field(default=None, description=UP)
    needs = ("alter_add_constraint",)

    @model_validator(mode="after")
    def _columns_match(self) -> AddForeignKey:
        if (self.column is None) == (self.columns is None):
            raise ValueError("add_foreign_key: give `column` or `columns` (one of them)")
        if len(self.child_columns) != len(self.parent[1]):
            raise ValueError(f"add_foreign_key: {len(self.child_columns)} column(s) reference "
                             f"{len(self.parent[1])} in {self.references}")  # fmt: skip
        return self

    @property
    def child_columns(self) -> list[str]:
        return [self.column] if self.column else list(self.columns or [])

    @property
    def parent(self) -> tuple[str, list[str]]:
        return parse_references(self.references)

    def apply(self, compiler: Compiler) -> None:
        compiler.fix_values(self.up or {})
        parent_table, parent_columns = self.parent
        compiler.plan.expand.append({
            "kind": "add_foreign_key", "name": self.name, "columns": [compiler.physical(c) for c in self.child_columns],
            "parent_table": parent_table, "parent_columns": parent_columns, "on_delete": self.on_delete,
        })  # fmt: skip
        compiler.plan.settle.append({"kind": "validate_constraint", "name": self.name})

    def columns_changed(self) -> list[str]:
        return list(self.up or {})

    def added_columns(self) -> set[str]:
        return {shadow_name(column) for column in self.up or {}}
