"""rename_table: a view under the new name serves the new shape until contract renames the table."""

from __future__ import annotations

from typing import Literal

from harness.operations.base import Compiler, OperationSpec, Undo
from harness.spec_fields import Identifier


class RenameTable(OperationSpec):
    """A view under the new name serves the new shape until contract renames the table."""

    type: Literal["rename_table"]
    to: Identifier
    once = True

    def apply(self, compiler: Compiler) -> None:
        compiler.plan.final_table = self.to

    def undo(self, table: str, undo: Undo) -> None:
        undo.renamed_to = self.to
