"""raw_sql: statements run at expand; the required `down` runs on rollback."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from harness.operations.base import Compiler, OperationSpec, Undo


class RawSql(OperationSpec):
    """Statements run at expand; `down` (required) runs on rollback. They must not change the
    migrated table's columns: validation would report it."""

    type: Literal["raw_sql"]
    up: str = Field(min_length=1)
    down: str = Field(min_length=1)

    def apply(self, compiler: Compiler) -> None:
        compiler.plan.raw.append(self.up)

    def undo(self, table: str, undo: Undo) -> None:
        undo.raw_downs.append(self.down)
