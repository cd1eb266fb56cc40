"""merge_columns: several columns into one; `down` gives each old one back."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from harness.operations.base import Compiler, OperationSpec
from harness.operations.split_column import NewColumn
from harness.spec_fields import Identifier, SqlExpression


class MergeColumns(OperationSpec):
    """Several columns into one: `into.up` combines them; `down` gives each old one back."""

    type: Literal["merge_columns"]
    columns: list[Identifier] = Field(min_length=2)
    into: NewColumn
    down: dict[Identifier, SqlExpression] = Field(default_factory=dict)

    def apply(self, compiler: Compiler) -> None:
        for column in self.columns:
            compiler.old_column(column)
        unknown = sorted(set(self.down) - set(self.columns))
        if unknown:
            raise compiler.fail(f"`down` names {', '.join(unknown)}, which are not merged.",
                                "give `down` only for the merged columns")  # fmt: skip
        for column in self.columns:
            compiler.drop_old(column, self.down.get(column))
        compiler.add_new(self.into.column, self.into.data_type, self.into.up)

    def columns_changed(self) -> list[str]:
        return list(self.columns)

    def added_columns(self) -> set[str]:
        return {self.into.column}

    def key_conflict(self, key: list[str]) -> str | None:
        return "a key column cannot be merged away" if set(self.columns) & set(key) else None
