"""create_table: a new table created at expand (empty) and dropped again on rollback."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from harness.operations.base import Compiler, OperationSpec, Undo
from harness.spec_fields import DataType, Identifier


class CreateTable(OperationSpec):
    """A new table created at expand (empty) and dropped again on rollback."""

    type: Literal["create_table"]
    table: Identifier
    columns: dict[Identifier, DataType] = Field(min_length=1)
    primary_key: list[Identifier] = Field(default_factory=list)

    def apply(self, compiler: Compiler) -> None:
        if self.table == compiler.spec.table:
            raise compiler.fail(f"{self.table} is the migrated table.", "name a new table")
        missing = [c for c in self.primary_key if c not in self.columns]
        if missing:
            raise compiler.fail(f"primary key column(s) {', '.join(missing)} are not among its columns.",
                                "list them under `columns`")  # fmt: skip
        compiler.plan.create_tables.append(self.model_dump())

    def undo(self, table: str, undo: Undo) -> None:
        undo.created_tables.append(self.table)
