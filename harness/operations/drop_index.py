"""drop_index: dropped CONCURRENTLY at contract; old readers keep its speed until then."""

from __future__ import annotations

from typing import Literal

from harness.operations.base import Compiler, OperationSpec
from harness.spec_fields import Identifier


class DropIndex(OperationSpec):
    """Dropped CONCURRENTLY at contract: old readers keep its speed until then."""

    type: Literal["drop_index"]
    name: Identifier

    def apply(self, compiler: Compiler) -> None:
        compiler.plan.drop_indexes.append(self.name)
