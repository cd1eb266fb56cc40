"""add_primary_key: a primary key for a table that has none, without a long lock."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from harness.operations.base import Compiler, OperationSpec, pkey_name
from harness.spec_fields import Identifier


class AddPrimaryKey(OperationSpec):
    """PostgreSQL: its unique index built CONCURRENTLY (after the backfill when a column is
    backfilled), each nullable column made NOT NULL through a check (NOT VALID, validated, then SET
    NOT NULL without a scan), and at contract `ADD CONSTRAINT ... PRIMARY KEY USING INDEX` (no scan
    under the lock). DuckDB: `ADD PRIMARY KEY` at contract. Refused when the table has a primary
    key; preflight counts the NULLs and duplicates the new shape would put in it."""

    type: Literal["add_primary_key"]
    columns: list[Identifier] = Field(min_length=1)
    name: Identifier | None = Field(default=None, description="the constraint's name; default <table>_pkey")

    def apply(self, compiler: Compiler) -> None:
        plan = compiler.plan
        existing = [a["name"] for a in compiler.attachments or [] if a["kind"] == "primary_key"]
        if existing:
            raise compiler.fail(f"{plan.table} has a primary key already ({existing[0]}).",
                                "drop it with drop_constraint in a migration before this one")  # fmt: skip
        name = self.name or pkey_name(plan.table)
        physical = [compiler.physical(column) for column in self.columns]
        for column, held_in in zip(self.columns, physical, strict=True):
            fact = compiler.facts.get(held_in, {})
            if fact.get("nullable", True) is not False:
                compiler.not_null_via_check(held_in, column)
        filled = " and ".join(f'"{column}" is not null' for column in physical)
        plan.carried_rules += [{"name": name, "unique": physical, "physical": True},
                               {"name": name, "check": filled, "physical": True}]  # fmt: skip
        if compiler.engine.concurrent_index:
            plan.create_indexes.append({"name": name, "columns": physical, "unique": True})
            plan.contract.append({"kind": "add_primary_key", "name": name, "index": name})
        else:
            plan.contract.append({"kind": "add_primary_key", "name": name, "columns": list(self.columns)})
