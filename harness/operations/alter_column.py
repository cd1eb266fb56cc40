"""alter_column: several changes to one column in one operation (pgroll's alter_column)."""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from pydantic import Field, model_validator

from harness.operations.add_check import AddCheck
from harness.operations.add_unique import AddUnique
from harness.operations.base import VOLATILE, Compiler, OperationSpec, key_column_moved, shadow_name
from harness.operations.create_table import NamedCheck
from harness.operations.drop_default import DropDefault
from harness.operations.drop_not_null import DropNotNull
from harness.operations.set_default import SetDefault
from harness.spec_fields import DataType, Identifier, SqlExpression, Strict


class UniqueName(Strict):
    name: Identifier


class AlterColumn(OperationSpec):
    """Any of: a new type, NOT NULL set or dropped, a default set or dropped, a comment, a unique
    constraint, a check, a new name; with `up`/`down` for the values. A new type, NOT NULL or `up`
    gives the column a shadow (as change_type / set_not_null do: its constraints, indexes, default
    and comment carried over), and the other changes apply to it; otherwise each change is the
    single operation's (drop_not_null, set_default, drop_default). The check and the unique
    constraint hold the new values; preflight counts the rows that would break them."""

    type: Literal["alter_column"]
    column: Identifier
    data_type: DataType | None = None
    not_null: bool | None = Field(default=None, description="true: set NOT NULL (with `up` for NULLs); false: drop it")
    default: SqlExpression | None = None
    drop_default: bool = False
    comment: str | None = None
    unique: UniqueName | None = None
    check: NamedCheck | None = None
    to: Identifier | None = Field(default=None, description="the column's new name")
    up: SqlExpression | None = Field(default=None, description="new value from the old shape; default: a cast")
    volatile: bool = Field(default=False, description=VOLATILE)
    down: SqlExpression | None = Field(default=None, description="old value from the new shape; default: a cast")

    @model_validator(mode="after")
    def _something_changes(self) -> AlterColumn:
        changes = [self.data_type, self.not_null, self.default, self.comment, self.unique, self.check, self.to, self.up]
        if all(change is None for change in changes) and not self.drop_default:
            raise ValueError("alter_column changes nothing: give data_type, not_null, default, drop_default, comment, "
                             "unique, check, to or up")  # fmt: skip
        if self.default is not None and self.drop_default:
            raise ValueError("alter_column: give default or drop_default, not both")
        return self

    @property
    def needs(self) -> tuple[str, ...]:  # type: ignore[override]
        """A check is added to the existing table (unless a rewrite declares it)."""
        return ("alter_add_constraint",) if self.check else ()

    @property
    def replaces(self) -> bool:
        """Whether the values change: a shadow column carries the new ones until contract."""
        return self.data_type is not None or self.not_null is True or self.up is not None

    def apply(self, compiler: Compiler) -> None:
        column = compiler.old_column(self.column)
        plan = compiler.plan
        if self.replaces:
            data_type = self.data_type or compiler.columns[column]
            hidden = compiler.shadow(column, data_type, self.up, self.down, self.volatile)
            added = next(add for add in plan.adds if add["name"] == hidden)
            if self.default is not None or self.drop_default:
                added["default"] = self.default  # written for the new type (preflight evaluates it as one)
            was_required = compiler.facts.get(column, {}).get("nullable") is False
            if self.not_null or (self.not_null is None and was_required):
                compiler.not_null_via_check(hidden, column)
        else:
            if self.not_null is False:
                DropNotNull(type="drop_not_null", column=column).apply(compiler)
            if self.default is not None:
                SetDefault(type="set_default", column=column, default=self.default).apply(compiler)
            if self.drop_default:
                DropDefault(type="drop_default", column=column).apply(compiler)
        physical = compiler.physical(column)
        if self.comment is not None:
            plan.contract_last.append({"kind": "set_comment", "column": physical, "comment": self.comment})
        if self.to:
            self._rename(compiler, column)
        current = self.to or column  # its name in the new shape from here on
        if self.unique:
            AddUnique(type="add_unique", name=self.unique.name, columns=[current]).apply(compiler)
        if self.check:
            AddCheck(type="add_check", name=self.check.name, check=self.check.check).apply(compiler)

    def _rename(self, compiler: Compiler, column: str) -> None:
        """The column's new name: shown by `<table>_v2`, given at contract after any swap."""
        plan, to = compiler.plan, self.to
        assert to is not None
        if to in plan.new_names or to in compiler.columns:
            raise compiler.fail(f"{to} is already a column name.", "choose a new name")
        plan.new = [(to if reader == column else reader, phys) for reader, phys in plan.new]
        plan.contract.append({"kind": "rename_column", "column": column, "to": to})
        plan.renamed[column] = to  # a replaced column's values are validated as derived, under the new name
        if self.replaces and self.down is None:  # the old value from the new shape: the column under its new name
            plan.down[column] = [f'"{to}"', plan.down[column][1]]
        plan.derived = [d if d.column != column else replace(d, column=to) for d in plan.derived]

    def columns_changed(self) -> list[str]:
        return [self.column]

    def added_columns(self) -> set[str]:
        return {shadow_name(self.column)} if self.replaces else set()

    def key_conflict(self, key: list[str]) -> str | None:
        return key_column_moved(self.column, key) if self.replaces or self.to else None
