"""drop_table: the table stays readable until contract; rollback brings it back from the backup."""

from __future__ import annotations

from typing import Literal

from harness.operations.base import Compiler, OperationSpec


class DropTable(OperationSpec):
    """The table stays (and stays readable) until contract; rollback restores it from the backup."""

    type: Literal["drop_table"]
    alone = True

    def apply(self, compiler: Compiler) -> None:
        compiler.plan.drops_table = True
