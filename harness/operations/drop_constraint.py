"""drop_constraint: a check, unique or foreign key constraint dropped at contract."""

from __future__ import annotations

from typing import Literal

from harness.operations.base import Compiler, OperationSpec
from harness.spec_fields import Identifier


class DropConstraint(OperationSpec):
    """Dropped at contract, in its one transaction: writers of the old shape are held to it until
    then (a unique constraint takes its index with it). It must exist (preflight reads the catalog);
    one another table's foreign key depends on (a unique constraint it references) is refused."""

    type: Literal["drop_constraint"]
    name: Identifier
    needs = ("alter_constraints",)

    def apply(self, compiler: Compiler) -> None:
        found = compiler.constraint(self.name)
        if found["kind"] in ("unique", "primary_key"):
            for other in compiler.attachments:
                if other["kind"] == "referenced" and sorted(other["columns"]) == sorted(found["columns"]):
                    raise compiler.fail(
                        f"foreign key {other['name']} of {other['owner']} depends on {self.name}.",
                        "drop that foreign key first (in a migration before this one)",
                    )
        compiler.plan.contract.append({"kind": "drop_constraint", "name": found["name"]})
