"""rename_constraint: a constraint renamed at contract (metadata only)."""

from __future__ import annotations

from typing import Literal

from harness.operations.base import Compiler, OperationSpec
from harness.spec_fields import Identifier


class RenameConstraint(OperationSpec):
    """Renamed at contract (metadata only): until then both shapes see it under its old name. A
    unique or primary-key constraint's index takes the new name too."""

    type: Literal["rename_constraint"]
    name: Identifier
    to: Identifier
    needs = ("alter_constraints",)

    def apply(self, compiler: Compiler) -> None:
        found = compiler.constraint(self.name)
        if any(other["name"] == self.to for other in compiler.attachments or [] if other["kind"] != "comment"):
            raise compiler.fail(f"{compiler.spec.table} already has a constraint or index named {self.to}.",
                                "choose another name")  # fmt: skip
        compiler.plan.contract.append({"kind": "rename_constraint", "name": found["name"], "to": self.to})
