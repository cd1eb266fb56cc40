"""add_check: added NOT VALID at expand (new writes checked), validated after the backfill."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from harness.operations.base import Compiler, OperationSpec, shadow_name
from harness.spec_fields import Identifier, SqlExpression

UP = "{column: expression over the old shape}: values for the rows that would violate it (shadow columns)"


class AddCheck(OperationSpec):
    """Added NOT VALID at expand (new writes checked), validated after the backfill. `check` is
    over the new shape's names at this point of the spec (after a rename, a replaced column: the
    new values). With `up`, the columns it names get the expressions' values first (a shadow column
    each), so rows that would violate the check are fixed instead of refused. Preflight counts the
    rows of the new shape that would still violate it."""

    type: Literal["add_check"]
    name: Identifier
    check: SqlExpression
    up: dict[Identifier, SqlExpression] | None = Field(default=None, description=UP)
    needs = ("alter_add_constraint",)

    def apply(self, compiler: Compiler) -> None:
        compiler.fix_values(self.up or {})
        check = compiler.over_physical(self.check)
        compiler.plan.expand.append({"kind": "add_check", "name": self.name, "check": check})
        compiler.plan.carried_rules.append({"name": self.name, "check": check, "physical": True})
        compiler.plan.settle.append({"kind": "validate_constraint", "name": self.name})

    def columns_changed(self) -> list[str]:
        return list(self.up or {})

    def added_columns(self) -> set[str]:
        return {shadow_name(column) for column in self.up or {}}
