"""split_column: one column into several, each from `up`; the old one from `down` for old readers."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from harness.operations.base import Compiler, OperationSpec, key_column_moved
from harness.spec_fields import DataType, Identifier, SqlExpression, Strict


class NewColumn(Strict):
    column: Identifier
    data_type: DataType
    up: SqlExpression


class SplitColumn(OperationSpec):
    """One column into several: each new one from `up`; the old one from `down` for old readers."""

    type: Literal["split_column"]
    column: Identifier
    into: list[NewColumn] = Field(min_length=2)
    down: SqlExpression | None = Field(default=None, description="the old column from the new ones")

    def apply(self, compiler: Compiler) -> None:
        compiler.old_column(self.column)
        for part in self.into:
            compiler.add_new(part.column, part.data_type, part.up)
        compiler.drop_old(self.column, self.down)

    def columns_changed(self) -> list[str]:
        return [self.column]

    def added_columns(self) -> set[str]:
        return {part.column for part in self.into}

    def key_conflict(self, key: list[str]) -> str | None:
        return key_column_moved(self.column, key)
