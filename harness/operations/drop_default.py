"""drop_default: applied at contract; writers of the old shape rely on it until then."""

from __future__ import annotations

from typing import Literal

from harness.operations.base import Compiler, OperationSpec
from harness.spec_fields import Identifier


class DropDefault(OperationSpec):
    """Applied at contract: writers of the old shape keep relying on it until then."""

    type: Literal["drop_default"]
    column: Identifier

    def apply(self, compiler: Compiler) -> None:
        compiler.plan.contract.append({"kind": "drop_default", "column": compiler.old_column(self.column)})

    def columns_changed(self) -> list[str]:
        return [self.column]
