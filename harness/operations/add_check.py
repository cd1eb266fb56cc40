"""add_check: added NOT VALID at expand (new writes checked), validated after the backfill."""

from __future__ import annotations

from typing import Literal

from harness.operations.base import Compiler, OperationSpec
from harness.spec_fields import Identifier, SqlExpression


class AddCheck(OperationSpec):
    """Added NOT VALID at expand (new writes checked), validated after the backfill."""

    type: Literal["add_check"]
    name: Identifier
    check: SqlExpression
    needs = ("alter_add_constraint",)

    def apply(self, compiler: Compiler) -> None:
        compiler.plan.expand.append({"kind": "add_check", "name": self.name, "check": self.check})
        compiler.plan.settle.append({"kind": "validate_constraint", "name": self.name})
