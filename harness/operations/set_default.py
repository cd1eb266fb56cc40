"""set_default: applied at expand, so writers of either shape get it (metadata only)."""

from __future__ import annotations

from typing import Literal

from harness.operations.base import Compiler, OperationSpec
from harness.spec_fields import Identifier, SqlExpression


class SetDefault(OperationSpec):
    """Applied at expand, so writers of either shape get it (metadata only)."""

    type: Literal["set_default"]
    column: Identifier
    default: SqlExpression

    def apply(self, compiler: Compiler) -> None:
        column = compiler.old_column(self.column)
        compiler.plan.expand.append({"kind": "set_default", "column": column, "default": self.default})

    def columns_changed(self) -> list[str]:
        return [self.column]
