"""drop_not_null: relaxing, applied at expand (metadata only)."""

from __future__ import annotations

from typing import Literal

from harness.operations.base import Compiler, OperationSpec
from harness.spec_fields import Identifier


class DropNotNull(OperationSpec):
    """Relaxing: applied at expand (metadata only)."""

    type: Literal["drop_not_null"]
    column: Identifier

    def apply(self, compiler: Compiler) -> None:
        compiler.plan.expand.append({"kind": "drop_not_null", "column": compiler.old_column(self.column)})

    def columns_changed(self) -> list[str]:
        return [self.column]
