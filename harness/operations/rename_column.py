"""rename_column: no data moves; `<table>_v2` shows the new name until contract renames it."""

from __future__ import annotations

from typing import Literal

from harness.operations.base import Compiler, OperationSpec, key_column_moved
from harness.spec_fields import Identifier


class RenameColumn(OperationSpec):
    """No data moves: `<table>_v2` shows the column under its new name; contract renames it."""

    type: Literal["rename_column"]
    column: Identifier
    to: Identifier

    def apply(self, compiler: Compiler) -> None:
        plan = compiler.plan
        compiler.old_column(self.column)
        if self.to in plan.new_names or self.to in compiler.columns:
            raise compiler.fail(f"{self.to} is already a column name.", "choose a new name")
        plan.new = [(self.to if reader == self.column else reader, phys) for reader, phys in plan.new]
        plan.renamed[self.column] = self.to
        plan.contract.append({"kind": "rename_column", "column": self.column, "to": self.to})

    def columns_changed(self) -> list[str]:
        return [self.column]

    def key_conflict(self, key: list[str]) -> str | None:
        return key_column_moved(self.column, key)
