"""add_foreign_key: added NOT VALID at expand, validated after the backfill."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from harness.operations.add_check import UP
from harness.operations.base import Compiler, OperationSpec, shadow_name
from harness.spec_fields import Identifier, SqlExpression


class AddForeignKey(OperationSpec):
    """Added NOT VALID at expand, validated after the backfill. With `up`, the columns it names get
    the expressions' values first (a shadow column each), e.g. orphans pointed at a parent that exists."""

    type: Literal["add_foreign_key"]
    name: Identifier
    column: Identifier
    references: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")
    on_delete: Literal["no action", "restrict", "cascade", "set null"] = "no action"
    up: dict[Identifier, SqlExpression] | None = Field(default=None, description=UP)
    needs = ("alter_add_constraint",)

    @property
    def parent(self) -> tuple[str, str]:
        table, column = self.references.split(".")
        return table, column

    def apply(self, compiler: Compiler) -> None:
        compiler.fix_values(self.up or {})
        parent_table, parent_column = self.parent
        compiler.plan.expand.append({
            "kind": "add_foreign_key", "name": self.name, "column": compiler.physical(self.column),
            "parent_table": parent_table, "parent_column": parent_column, "on_delete": self.on_delete,
        })  # fmt: skip
        compiler.plan.settle.append({"kind": "validate_constraint", "name": self.name})

    def columns_changed(self) -> list[str]:
        return list(self.up or {})

    def added_columns(self) -> set[str]:
        return {shadow_name(column) for column in self.up or {}}
