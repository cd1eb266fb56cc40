"""add_column: expand adds a nullable column, the backfill fills it with `up`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from harness.operations.add_check import AddCheck
from harness.operations.add_foreign_key import REFERENCES, AddForeignKey
from harness.operations.add_unique import AddUnique
from harness.operations.base import VOLATILE, Compiler, OperationSpec, constraint_name, sequence_name
from harness.spec_fields import DataType, Identifier, SqlExpression

INTEGER_TYPES = ("smallint", "integer", "bigint", "int2", "int4", "int8", "int")


class AddColumn(OperationSpec):
    """Expand adds a nullable column, backfill fills it with `up`; `not_null` is enforced by a
    check constraint added NOT VALID, validated after the backfill and turned into NOT NULL at
    contract. A full definition besides: `unique` (an index built CONCURRENTLY after the backfill,
    then the constraint `<table>_<column>_key`), `check` (NOT VALID, then validated:
    `<table>_<column>_check`), `references` (a foreign key, likewise: `<table>_<column>_fkey`),
    `comment`. Preflight counts the rows of the new shape that would break them. `identity`
    (PostgreSQL): the column numbered from a sequence of its own (its default from expand on, so
    every new row of either shape gets a number; the backfill numbers the existing rows, leaving
    the numbered ones alone), NOT NULL as above, and at contract a `GENERATED ... AS IDENTITY`
    column whose sequence goes on after the last number given: no table rewrite, no long lock."""

    type: Literal["add_column"]
    column: Identifier
    data_type: DataType
    up: SqlExpression | None = Field(default=None, description="computes the new column from the old shape")
    volatile: bool = Field(default=False, description=VOLATILE)
    default: SqlExpression | None = Field(default=None, description="column default for new rows")
    not_null: bool = False
    unique: bool = False
    check: SqlExpression | None = Field(default=None, description="a check on the column (and the new shape's others)")
    references: str | None = Field(default=None, pattern=REFERENCES, description="table.column: a foreign key")
    on_delete: Literal["no action", "restrict", "cascade", "set null"] = "no action"
    comment: str | None = None
    identity: Literal["always", "by default"] | None = Field(
        default=None, description="GENERATED ... AS IDENTITY at contract; the existing rows numbered by the backfill"
    )

    @model_validator(mode="after")
    def _fillable(self) -> AddColumn:
        if self.not_null and self.up is None and self.default is None and self.identity is None:
            raise ValueError("a NOT NULL column needs `up` or `default` to fill the existing rows")
        if self.identity and (self.up or self.default):
            raise ValueError("an identity column is numbered by its sequence: leave out `up` and `default`")
        if self.identity and self.data_type.lower() not in INTEGER_TYPES:
            raise ValueError(f"an identity column is smallint, integer or bigint, not {self.data_type}")
        return self

    @property
    def needs(self) -> tuple[str, ...]:  # type: ignore[override]
        """A check or a foreign key is added to the existing table (unless a rewrite declares it)."""
        constraint = ("alter_add_constraint",) if self.check or self.references else ()
        return constraint + (("identity_columns",) if self.identity else ())

    def apply(self, compiler: Compiler) -> None:
        if self.identity:
            self._numbered(compiler)
            return
        compiler.add_new(self.column, self.data_type, self.up, self.default, self.volatile)
        self._attached(compiler)

    def _numbered(self, compiler: Compiler) -> None:
        """An identity column: a sequence owned by the column is its default from expand; the
        backfill numbers the rows that have no number yet; NOT NULL via a validated check; at contract
        the default gives way to the identity, set to go on after the sequence's last number."""
        if compiler.placement_name == "rewrite":
            raise compiler.fail("an identity column is added in place only.", "migrate this table in place")
        sequence = sequence_name(compiler.spec.table, self.column)
        qualified = f'"{compiler.schema}"."{sequence}"' if compiler.schema else f'"{sequence}"'
        compiler.add_new(self.column, self.data_type, None)
        plan = compiler.plan
        plan.expand.append({"kind": "add_sequence_default", "column": self.column, "sequence": sequence,
                            "data_type": self.data_type})  # fmt: skip
        plan.backfill[self.column] = [f"coalesce(\"{self.column}\", nextval('{qualified}'))", self.data_type]
        plan.generated.append(self.column)
        compiler.not_null_via_check(self.column, self.column)
        plan.contract.append({"kind": "add_identity", "column": self.column, "identity": self.identity,
                              "sequence": sequence})  # fmt: skip
        self._attached(compiler)

    def _attached(self, compiler: Compiler) -> None:
        """NOT NULL, comment, unique, check and foreign key, each as its own operation would add it."""
        if self.not_null and not self.identity:
            compiler.not_null_via_check(self.column, self.column)
        table = compiler.spec.table
        if self.comment is not None:
            compiler.plan.contract_last.append({"kind": "set_comment", "column": self.column, "comment": self.comment})
        if self.unique:
            name = constraint_name(table, self.column, "key")
            AddUnique(type="add_unique", name=name, columns=[self.column]).apply(compiler)
        if self.check:
            name = constraint_name(table, self.column, "check")
            AddCheck(type="add_check", name=name, check=self.check).apply(compiler)
        if self.references:
            name = constraint_name(table, self.column, "fkey")
            AddForeignKey(type="add_foreign_key", name=name, column=self.column, references=self.references,
                          on_delete=self.on_delete).apply(compiler)  # fmt: skip

    def columns_changed(self) -> list[str]:
        return [self.column]

    def added_columns(self) -> set[str]:
        return {self.column}
