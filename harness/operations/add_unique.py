"""add_unique: a unique index built CONCURRENTLY at expand, attached as a constraint after the backfill."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from harness.operations.add_check import UP
from harness.operations.base import Compiler, OperationSpec, shadow_name
from harness.spec_fields import Identifier, SqlExpression


class AddUnique(OperationSpec):
    """A unique index built CONCURRENTLY at expand, attached as a constraint after the backfill.
    With `up`, the columns it names get the expressions' values first (a shadow column each), e.g.
    duplicates made distinct. Preflight counts the duplicates the new shape would still have."""

    type: Literal["add_unique"]
    name: Identifier
    columns: list[Identifier] = Field(min_length=1)
    up: dict[Identifier, SqlExpression] | None = Field(default=None, description=UP)

    def apply(self, compiler: Compiler) -> None:
        compiler.fix_values(self.up or {})
        index_columns = [compiler.physical(c) for c in self.columns]
        compiler.plan.create_indexes.append({"name": self.name, "columns": index_columns, "unique": True})
        compiler.plan.carried_rules.append({"name": self.name, "unique": index_columns, "physical": True})
        if compiler.engine.alter_add_constraint:
            compiler.plan.settle.append({"kind": "unique_using_index", "name": self.name})

    def columns_changed(self) -> list[str]:
        return list(self.up or {})

    def added_columns(self) -> set[str]:
        return {shadow_name(column) for column in self.up or {}}
