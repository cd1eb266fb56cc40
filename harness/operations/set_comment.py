"""set_comment: a column's comment set (or removed) at contract, metadata only."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from harness.operations.base import Compiler, OperationSpec
from harness.spec_fields import Identifier


class SetComment(OperationSpec):
    """Set at contract, after the columns have their final names (metadata only, both engines);
    `comment: null` removes it. `column` is its name in the new shape at this point of the spec."""

    type: Literal["set_comment"]
    column: Identifier
    comment: str | None = Field(description="the comment; null removes it")

    def apply(self, compiler: Compiler) -> None:
        physical = compiler.physical(self.column)
        compiler.plan.contract_last.append({"kind": "set_comment", "column": physical, "comment": self.comment})
