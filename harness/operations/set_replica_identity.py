"""set_replica_identity: what logical replication sends to identify a changed row (PostgreSQL)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from harness.operations.base import Compiler, OperationSpec
from harness.spec_fields import Identifier


class SetReplicaIdentity(OperationSpec):
    """At contract (metadata only): `default` (the primary key), `full` (the whole row), `nothing`,
    or `index` (a unique index over NOT NULL columns, named by `index`)."""

    type: Literal["set_replica_identity"]
    identity: Literal["default", "full", "nothing", "index"]
    index: Identifier | None = Field(default=None, description="with identity: index, the unique index")
    needs = ("replica_identity",)

    @model_validator(mode="after")
    def _index_named(self) -> SetReplicaIdentity:
        if (self.identity == "index") != (self.index is not None):
            raise ValueError("set_replica_identity: `index` names the index exactly when identity is `index`")
        return self

    def apply(self, compiler: Compiler) -> None:
        compiler.plan.contract_last.append({"kind": "set_replica_identity", "identity": self.identity,
                                            "index": self.index})  # fmt: skip
