"""drop_column: readable through `<table>_v1` until contract drops it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from harness.operations.base import Compiler, OperationSpec, key_column_moved
from harness.spec_fields import Identifier, SqlExpression


class DropColumn(OperationSpec):
    """The column stays readable through `<table>_v1` until contract drops it."""

    type: Literal["drop_column"]
    column: Identifier
    down: SqlExpression | None = Field(default=None, description="recomputes the dropped column from the new shape")

    def apply(self, compiler: Compiler) -> None:
        compiler.drop_old(compiler.old_column(self.column), self.down)

    def columns_changed(self) -> list[str]:
        return [self.column]

    def key_conflict(self, key: list[str]) -> str | None:
        return key_column_moved(self.column, key)
