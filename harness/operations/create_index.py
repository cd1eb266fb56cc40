"""create_index: built CONCURRENTLY at expand where the engine can; reads and writes go on."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from harness.operations.base import Compiler, OperationSpec
from harness.spec_fields import Identifier, SqlExpression, Strict

Word = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]


class IndexColumn(Strict):
    """One column of the index with its options (PostgreSQL)."""

    column: Identifier
    opclass: Word | None = Field(default=None, description="operator class, e.g. text_pattern_ops")
    order: Literal["asc", "desc"] = "asc"
    nulls: Literal["first", "last"] | None = None


class CreateIndex(OperationSpec):
    """Built CONCURRENTLY at expand (PostgreSQL): reads and writes go on. On a column the backfill
    fills, built after it. PostgreSQL options: `method`, per-column `opclass` / `order` / `nulls`,
    `include`, a partial index's `where` (over the new shape's names) and `storage` parameters."""

    type: Literal["create_index"]
    name: Identifier
    columns: list[Identifier | IndexColumn] = Field(min_length=1)
    unique: bool = False
    method: Literal["btree", "hash", "gist", "spgist", "gin", "brin"] | None = None
    include: list[Identifier] = Field(default_factory=list, description="columns stored in the index, not keyed")
    where: SqlExpression | None = Field(default=None, description="a partial index's predicate")
    storage: dict[Word, int | float | bool | Word] = Field(
        default_factory=dict, description="storage parameters, e.g. {fillfactor: 70}"
    )

    def _elements(self) -> list[IndexColumn]:
        return [c if isinstance(c, IndexColumn) else IndexColumn(column=c) for c in self.columns]

    @property
    def has_options(self) -> bool:
        plain = all(isinstance(c, str) or (c.opclass, c.order, c.nulls) == (None, "asc", None) for c in self.columns)
        return not plain or bool(self.method or self.include or self.where or self.storage)

    def apply(self, compiler: Compiler) -> None:
        elements = self._elements()
        index: dict[str, Any] = {"name": self.name, "columns": [compiler.physical(e.column) for e in elements],
                                 "unique": self.unique}  # fmt: skip
        if self.has_options:
            if not compiler.engine.index_options:
                problem, fix = compiler.engine.refusal("index_options")
                raise compiler.fail(f"{problem}.", fix)
            index["options"] = {
                "method": self.method,
                "elements": [{"opclass": e.opclass, "order": e.order, "nulls": e.nulls} for e in elements],
                "include": [compiler.physical(c) for c in self.include],
                "where": compiler.over_physical(self.where) if self.where else None,
                "storage": dict(self.storage),
            }
        compiler.plan.create_indexes.append(index)
