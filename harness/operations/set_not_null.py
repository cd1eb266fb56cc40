"""set_not_null: a shadow column filled with `up` under a NOT VALID check, swapped in at contract."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from harness.operations.base import VOLATILE, Compiler, OperationSpec, shadow_name
from harness.spec_fields import Identifier, SqlExpression


class SetNotNull(OperationSpec):
    """A shadow column filled with `up` (e.g. coalesce(col, 'unknown')) under a NOT VALID check."""

    type: Literal["set_not_null"]
    column: Identifier
    up: SqlExpression | None = Field(default=None, description="value for the new shape; default: the column")
    volatile: bool = Field(default=False, description=VOLATILE)
    down: SqlExpression | None = Field(default=None, description="value for the old shape; default: the column")

    def apply(self, compiler: Compiler) -> None:
        data_type = compiler.columns.get(self.column, "")
        hidden = compiler.shadow(self.column, data_type, self.up, self.down, self.volatile)
        compiler.not_null_via_check(hidden, self.column)

    def columns_changed(self) -> list[str]:
        return [self.column]

    def added_columns(self) -> set[str]:
        return {shadow_name(self.column)}
