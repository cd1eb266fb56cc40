"""create_index: built CONCURRENTLY at expand where the engine can; reads and writes go on."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from harness.operations.base import Compiler, OperationSpec
from harness.spec_fields import Identifier


class CreateIndex(OperationSpec):
    """Built CONCURRENTLY at expand (PostgreSQL): reads and writes go on."""

    type: Literal["create_index"]
    name: Identifier
    columns: list[Identifier] = Field(min_length=1)
    unique: bool = False

    def apply(self, compiler: Compiler) -> None:
        index_columns = [compiler.physical(c) for c in self.columns]
        compiler.plan.create_indexes.append({"name": self.name, "columns": index_columns, "unique": self.unique})
