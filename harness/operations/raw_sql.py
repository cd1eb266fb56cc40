"""raw_sql: statements run at expand (or, with `on_complete`, in contract's transaction); the
required `down` runs on rollback."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from harness.operations.base import Compiler, OperationSpec, Undo


class RawSql(OperationSpec):
    """Statements run at expand, or with `on_complete: true` in contract's one transaction (e.g. a
    view of the new shape, a grant, a constraint only the final table can take); `down` (required)
    runs on rollback, whichever state it is in, so it must be safe to run when `up` has not (`if
    exists`). They must not change the migrated table's columns: validation would report it."""

    type: Literal["raw_sql"]
    up: str = Field(min_length=1)
    down: str = Field(min_length=1)
    on_complete: bool = Field(default=False, description="run `up` in contract's transaction instead of at expand")

    def apply(self, compiler: Compiler) -> None:
        if self.on_complete:
            compiler.plan.contract_last.append({"kind": "raw_sql", "sql": self.up})
        else:
            compiler.plan.raw.append(self.up)

    def undo(self, table: str, undo: Undo) -> None:
        undo.raw_downs.append(self.down)
