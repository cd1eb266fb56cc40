"""add_unique: a unique index built CONCURRENTLY at expand, attached as a constraint after the backfill."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from harness.operations.base import Compiler, OperationSpec
from harness.spec_fields import Identifier


class AddUnique(OperationSpec):
    """A unique index built CONCURRENTLY at expand, attached as a constraint after the backfill."""

    type: Literal["add_unique"]
    name: Identifier
    columns: list[Identifier] = Field(min_length=1)

    def apply(self, compiler: Compiler) -> None:
        index_columns = [compiler.physical(c) for c in self.columns]
        compiler.plan.create_indexes.append({"name": self.name, "columns": index_columns, "unique": True})
        if compiler.engine.alter_add_constraint:
            compiler.plan.settle.append({"kind": "unique_using_index", "name": self.name})
