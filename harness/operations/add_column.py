"""add_column: expand adds a nullable column, the backfill fills it with `up`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from harness.operations.base import VOLATILE, Compiler, OperationSpec
from harness.spec_fields import DataType, Identifier, SqlExpression


class AddColumn(OperationSpec):
    """Expand adds a nullable column, backfill fills it with `up`; `not_null` is enforced by a
    check constraint added NOT VALID, validated after the backfill and turned into NOT NULL at
    contract."""

    type: Literal["add_column"]
    column: Identifier
    data_type: DataType
    up: SqlExpression | None = Field(default=None, description="computes the new column from the old shape")
    volatile: bool = Field(default=False, description=VOLATILE)
    default: SqlExpression | None = Field(default=None, description="column default for new rows")
    not_null: bool = False

    @model_validator(mode="after")
    def _fillable(self) -> AddColumn:
        if self.not_null and self.up is None and self.default is None:
            raise ValueError("a NOT NULL column needs `up` or `default` to fill the existing rows")
        return self

    def apply(self, compiler: Compiler) -> None:
        compiler.add_new(self.column, self.data_type, self.up, self.default, self.volatile)
        if self.not_null:
            compiler.not_null_via_check(self.column, self.column)

    def columns_changed(self) -> list[str]:
        return [self.column]

    def added_columns(self) -> set[str]:
        return {self.column}
