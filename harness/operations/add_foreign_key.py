"""add_foreign_key: added NOT VALID at expand, validated after the backfill."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from harness.operations.base import Compiler, OperationSpec
from harness.spec_fields import Identifier


class AddForeignKey(OperationSpec):
    """Added NOT VALID at expand, validated after the backfill."""

    type: Literal["add_foreign_key"]
    name: Identifier
    column: Identifier
    references: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")
    on_delete: Literal["no action", "restrict", "cascade", "set null"] = "no action"
    needs = ("alter_add_constraint",)

    @property
    def parent(self) -> tuple[str, str]:
        table, column = self.references.split(".")
        return table, column

    def apply(self, compiler: Compiler) -> None:
        parent_table, parent_column = self.parent
        compiler.plan.expand.append({
            "kind": "add_foreign_key", "name": self.name, "column": compiler.physical(self.column),
            "parent_table": parent_table, "parent_column": parent_column, "on_delete": self.on_delete,
        })  # fmt: skip
        compiler.plan.settle.append({"kind": "validate_constraint", "name": self.name})
