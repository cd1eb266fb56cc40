"""change_type: a shadow column of the new type, backfilled with `up`, swapped in at contract."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from harness.operations.base import VOLATILE, Compiler, OperationSpec, key_column_moved, shadow_name
from harness.spec_fields import DataType, Identifier, SqlExpression


class ChangeType(OperationSpec):
    """A shadow column of the new type is backfilled with `up` and swapped in at contract; a NOT
    NULL column stays NOT NULL (a check on the shadow NOT VALID, validated, then SET NOT NULL)."""

    type: Literal["change_type"]
    column: Identifier
    data_type: DataType
    up: SqlExpression | None = Field(default=None, description="new value from the old shape; default: a cast")
    volatile: bool = Field(default=False, description=VOLATILE)
    down: SqlExpression | None = Field(default=None, description="old value from the new shape; default: a cast")

    def apply(self, compiler: Compiler) -> None:
        hidden = compiler.shadow(self.column, self.data_type, self.up, self.down, self.volatile)
        if compiler.facts.get(self.column, {}).get("nullable") is False:
            compiler.not_null_via_check(hidden, self.column)

    def columns_changed(self) -> list[str]:
        return [self.column]

    def added_columns(self) -> set[str]:
        return {shadow_name(self.column)}

    def key_conflict(self, key: list[str]) -> str | None:
        return key_column_moved(self.column, key)
