"""rewrite_table: the old spelling of `placement: rewrite` (see harness/placements.py)."""

from __future__ import annotations

from typing import Literal

from harness.operations.base import Compiler, OperationSpec


class RewriteTable(OperationSpec):
    """The new shape is built in a new table (`_ec_new_<table>`) instead of in place: expand creates
    it (key, NOT NULLs, defaults and checks declared up front, so no constraint ever scans the big
    table), the backfill copies the rows in keyset batches computing `up`, sync triggers keep both
    tables in step (PostgreSQL), and contract swaps it in (drop the old, rename the new) in one
    transaction. Columns keep their order; the old table is never altered. Same as the
    migration-level `placement: rewrite`."""

    type: Literal["rewrite_table"]
    once = True
    placement = "rewrite"

    def apply(self, compiler: Compiler) -> None:
        """Nothing of its own: the placement turns the whole blueprint into a rewrite."""
