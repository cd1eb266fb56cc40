"""Migration specs: typed models, loaded and validated once at the edge.

A spec is one YAML file. Every error names the file, the field and the fix; nothing that
fails here has touched the warehouse.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

import yaml
from pydantic import Field, ValidationError, model_validator

from harness.errors import SpecError
from harness.operations import CATALOG, OPERATION_TYPES, OperationSpec
from harness.spec_fields import Identifier, Strict, check_sql_expression

__all__ = ["Checks", "MigrationSpec", "Operation", "check_sql_expression", "load_spec"]

if TYPE_CHECKING:
    Operation = OperationSpec
else:  # the discriminated union of every operation module's model
    Operation = Annotated[Union[tuple(CATALOG.values())], Field(discriminator="type")]  # noqa: UP007


class Range(Strict):
    min: float | int | str | None = None
    max: float | int | str | None = None

    @property
    def label(self) -> str:
        """`1 .. 5`, `≥ 1` or `≤ 5`: the bounds given, as people read them."""
        if self.min is not None and self.max is not None:
            return f"{self.min} .. {self.max}"
        return f"≥ {self.min}" if self.min is not None else f"≤ {self.max}"


class ForeignKey(Strict):
    """`column` of `table` (default: the migrated table) must exist in `references` (table.column)."""

    column: Identifier
    table: Identifier | None = None
    references: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")

    @property
    def parent(self) -> tuple[str, str]:
        table, column = self.references.split(".")
        return table, column


class RecentRows(Strict):
    column: Identifier
    hours: int = Field(default=24, ge=1, le=24 * 365)


class Monitor(Strict):
    """The backfill's pacing by measured signals (PostgreSQL): a one-row read of `probe_table`,
    timed just before the backfill (the baseline) and after each call, and the streaming replicas'
    lag; while the read takes more than `max_latency_ratio` times the baseline, or a replica is
    more than `max_replication_lag_seconds` (or `max_replication_lag_bytes` of WAL) behind, or
    another client holds a transaction open longer than `max_transaction_seconds` (it keeps VACUUM
    from the row versions the backfill leaves), or more than `max_error_rate` of the database's
    transactions roll back between two looks, the backfill pauses (journaled), and resumes when
    they recover. A pause longer than
    `max_pause_seconds` stops the backfill (exit 1; with `--auto-rollback`, the lossless rollback
    follows)."""

    probe_table: Identifier | None = Field(
        default=None, description="the table the probe reads (default: the migrated one)"
    )
    max_latency_ratio: float = Field(default=2.0, ge=1.1, le=1000.0)
    max_replication_lag_seconds: float = Field(default=30.0, ge=0.1, le=86_400.0)
    max_replication_lag_bytes: int | None = Field(
        default=None, ge=1, description="also pause while a replica has more WAL than this left to replay"
    )
    max_transaction_seconds: float | None = Field(
        default=None, ge=1.0, description="also pause while another client holds a transaction open longer than this"
    )
    max_error_rate: float | None = Field(
        default=None, gt=0.0, le=1.0,
        description="also pause while more than this share of the database's transactions roll back (between looks)",
    )  # fmt: skip
    max_pause_seconds: float = Field(default=300.0, ge=1.0, le=86_400.0)


class Checks(Strict):
    row_count_tolerance: float = Field(default=0.0, ge=0.0, le=1.0)
    not_null: list[Identifier] = Field(default_factory=list)
    accepted_values: dict[Identifier, list[str | int | float]] = Field(default_factory=dict)
    ranges: dict[Identifier, Range] = Field(default_factory=dict)
    no_future_dates: list[Identifier] = Field(default_factory=list)
    foreign_keys: list[ForeignKey] = Field(default_factory=list)
    sample_rows: int = Field(default=100, ge=0, le=100_000, description="random rows compared with the backup")
    recent_rows: RecentRows | None = None
    great_expectations: bool = Field(
        default=False, description="also run the checklist (not_null, unique key) as a GX suite"
    )


class ExpectationSpec(Strict):
    """One Great Expectations expectation, by its snake_case name, with its arguments."""

    type: str = Field(pattern=r"^expect_[a-z0-9_]+$")
    kwargs: dict[str, Any] = Field(default_factory=dict)


class MigrationSpec(Strict):
    name: Identifier
    description: str = ""
    table: Identifier
    schema_name: Identifier | None = Field(default=None, alias="schema")
    key: list[Identifier] = Field(min_length=1)
    batch_size: int = Field(default=10_000, ge=1, le=1_000_000)
    batch_seconds: float | None = Field(
        default=None, ge=0.001, le=60.0,
        description="PostgreSQL: the time per batch the batch size steers towards (batch_size is where it starts)",
    )  # fmt: skip
    throttle_seconds: float = Field(default=0.0, ge=0.0, le=60.0)
    monitor: Monitor | None = Field(default=None, description="pause the backfill while a probe says readers wait")
    concurrent_writes: bool = Field(
        default=False,
        description="the table takes writes while the migration runs (PostgreSQL: kept in sync by triggers)",
    )
    placement: Literal["in_place", "rewrite"] = Field(
        default="in_place",
        description="where the new shape is built: on the table (shadow columns) or in a new table swapped in "
        "at contract (the `rewrite_table` operation says the same)",
    )
    operations: list[Operation] = Field(min_length=1)
    checks: Checks = Field(default_factory=Checks)
    expectations: list[ExpectationSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _operations_fit_together(self) -> MigrationSpec:
        seen: set[str] = set()
        for position, operation in enumerate(self.operations):
            for column in operation.columns_changed():
                if column in seen:
                    raise ValueError(f"operations[{position}]: column {column!r} is changed by two operations")
                seen.add(column)
            conflict = operation.key_conflict(list(self.key))
            if conflict:
                raise ValueError(f"operations[{position}]: {conflict}")
            if (operation.alone or operation.creates(self.table)) and len(self.operations) > 1:
                raise ValueError(
                    f"{operation.type} must be the only operation of its migration"
                    + (f" when it creates {self.table} itself" if operation.creates(self.table) else "")
                )
            if operation.once and sum(op.type == operation.type for op in self.operations) > 1:
                raise ValueError(f"{operation.type} may appear once")
        return self

    @property
    def creates_table(self) -> bool:
        """The migration creates its own table (`create_table` of `table`): nothing exists before it."""
        return any(operation.creates(self.table) for operation in self.operations)

    @property
    def dropped(self) -> list[str]:
        return [getattr(op, "column", "") for op in self.operations if op.type == "drop_column"]

    def expectation_suite(self) -> list[tuple[str, dict[str, Any]]]:
        """The GX suite: generated from the checklist when asked, then the declared ones."""
        suite: list[tuple[str, dict[str, Any]]] = []
        if self.checks.great_expectations:
            suite += [("expect_column_values_to_not_be_null", {"column": c}) for c in self.checks.not_null]
            if len(self.key) == 1:
                suite.append(("expect_column_values_to_be_unique", {"column": self.key[0]}))
            else:
                suite.append(("expect_compound_columns_to_be_unique", {"column_list": list(self.key)}))
        return suite + [(e.type, dict(e.kwargs)) for e in self.expectations]

    def changes_since(self, recorded: dict[str, Any]) -> list[str]:
        """What differs from the spec as a run recorded it (`model_dump(mode="json")`), in words:
        each changed field, and each operation added, removed or changed, by its index."""
        now = self.model_dump(mode="json")
        changes = [f"{name} changed" for name in sorted(set(now) | set(recorded))
                   if name != "operations" and now.get(name) != recorded.get(name)]  # fmt: skip
        before, after = recorded.get("operations", []), now["operations"]
        for index in range(max(len(before), len(after))):
            old, new = (before[index] if index < len(before) else None), (after[index] if index < len(after) else None)
            if old is None:
                changes.append(f"operations[{index}] added ({new['type']})")
            elif new is None:
                changes.append(f"operations[{index}] removed ({old['type']})")
            elif old["type"] != new["type"]:
                changes.append(f"operations[{index}] replaced ({old['type']} → {new['type']})")
            elif old != new:
                fields = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
                changes.append(f"operations[{index}] ({new['type']}) changed: {', '.join(fields)}")
        return changes

    @property
    def spec_hash(self) -> str:
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _field_path(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif isinstance(part, str) and part in OPERATION_TYPES.split(", "):
            continue  # the discriminator's tag says nothing the index does not
        else:
            path += f".{part}" if path else str(part)
    return path or "(top level)"


_FIXES = {
    "missing": "add the field",
    "extra_forbidden": "remove it or check its spelling",
    "union_tag_invalid": f"use one of: {OPERATION_TYPES}",
    "union_tag_not_found": "give each operation a `type` (one of the catalog, see docs/operations.md)",
}


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping (YAML would keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is given twice (line {key_node.start_mark.line + 1})",
                    key_node.start_mark,
                )  # fmt: skip
            seen.add(key)
        return super().construct_mapping(node, deep)


def load_spec(path: str | Path) -> MigrationSpec:
    """Reads and validates one spec file; raises SpecError naming file, field and fix."""
    file = Path(path)
    if not file.is_file():
        raise SpecError(f"{file}: no such spec file.", "pass the path of a migration YAML file")
    try:
        raw = yaml.load(file.read_text(), Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        raise SpecError(f"{file}: not valid YAML: {exc}.", "fix the YAML syntax") from exc
    if not isinstance(raw, dict):
        raise SpecError(f"{file}: the spec must be a mapping of fields.", "see docs/spec.md")
    try:
        return MigrationSpec.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = _field_path(tuple(first["loc"]))
        message = first["msg"].removeprefix("Value error, ")
        fix = _FIXES.get(first["type"], "correct the value (see docs/spec.md)")
        more = f" ({exc.error_count() - 1} more problem(s) after this one)" if exc.error_count() > 1 else ""
        raise SpecError(f"{file}: field `{field}`: {message}{more}.", fix) from exc
