"""Locating differences between two relations of one warehouse: segment checksums by key range
(one scan of each side per level, the engine's native hash), narrowed until the differing
segments are small, then a keyed comparison inside those segments only, so that only the
differing rows leave the warehouse, each named with its old and new values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from harness.errors import InputError
from harness.validation.compare import REDACTED
from harness.warehouse import Warehouse

Relation = tuple[str, str]
# Leaf ranges compared per query (each becomes one OR-ed range condition).
RANGES_PER_QUERY = 200


@dataclass(frozen=True)
class RowDifference:
    key: Any
    kind: str  # "only in A", "only in B", "changed"
    columns: dict[str, tuple[Any, Any]]  # column -> (value in A, value in B); all columns when one side is missing


@dataclass
class DiffResult:
    relation_a: str
    relation_b: str
    key: str
    rows_a: int
    rows_b: int
    differences: list[RowDifference] = field(default_factory=list)
    columns_only_in_a: list[str] = field(default_factory=list)
    columns_only_in_b: list[str] = field(default_factory=list)
    segments_compared: int = 0

    def count(self, kind: str) -> int:
        return sum(1 for difference in self.differences if difference.kind == kind)

    @property
    def identical(self) -> bool:
        return not self.differences and not self.columns_only_in_a and not self.columns_only_in_b

    def to_dict(self, show_values: bool = False) -> dict[str, Any]:
        """The result as JSON data. Keys and column values are values from table rows: `<redacted>`
        unless `show_values` (each difference still names its kind and columns)."""
        data = asdict(self)
        if not show_values:
            data["differences"] = [
                {"key": REDACTED, "kind": difference.kind,
                 "columns": {column: [REDACTED, REDACTED] for column in difference.columns}}
                for difference in self.differences
            ]  # fmt: skip
        data.update(
            identical=self.identical,
            only_in_a=self.count("only in A"),
            only_in_b=self.count("only in B"),
            changed=self.count("changed"),
            values_shown=show_values,
        )
        return data


def _start(
    relation_a: Relation, relation_b: Relation, sides: list[dict[str, Any]], key: str
) -> tuple[DiffResult, list[str], tuple[int, int] | None]:
    """Checks both sides (exist, have the key, integer key) from diff_bounds; returns the empty
    result, the columns to compare (key first) and the key span [lower, upper), None if both empty."""
    for relation, side in zip((relation_a, relation_b), sides, strict=True):
        name = ".".join(relation)
        if not side["exists"]:
            raise InputError(f"table {name} does not exist.", "check the schema and table names")
        if key not in side["columns"]:
            raise InputError(f"key {key} is not a column of {name}.", "pass --key with a column of both")
    columns_a, columns_b = sides[0]["columns"], sides[1]["columns"]
    common = sorted(set(columns_a) & set(columns_b), key=lambda name: (name != key, name))
    result = DiffResult(
        relation_a=".".join(relation_a),
        relation_b=".".join(relation_b),
        key=key,
        rows_a=0,
        rows_b=0,
        columns_only_in_a=sorted(set(columns_a) - set(columns_b)),
        columns_only_in_b=sorted(set(columns_b) - set(columns_a)),
    )
    bounds = [side[edge] for side in sides for edge in ("min_key", "max_key") if side.get(edge) is not None]
    if not bounds:
        return result, common, None
    if not all(isinstance(bound, int) and not isinstance(bound, bool) for bound in bounds):
        raise InputError(
            f"diff bisects integer key ranges; key {key} holds {type(bounds[0]).__name__} values.",
            "pass an integer key column (e.g. the surrogate id)",
        )
    return result, common, (min(bounds), max(bounds) + 1)


def diff_across(
    warehouse_a: Warehouse,
    relation_a: Relation,
    warehouse_b: Warehouse,
    relation_b: Relation,
    key: str,
    *,
    segments: int = 256,
    leaf_rows: int = 2_000,
) -> DiffResult:
    """Like diff_relations, for relations in two warehouses (e.g. DuckDB and its copy in
    PostgreSQL): each side computes portable segment checksums, the harness compares them, and
    narrows to leaves whose rows (as portable text) it fetches and compares itself."""
    sides = [
        warehouse.diff_bounds([list(relation)], key)[0]
        for warehouse, relation in ((warehouse_a, relation_a), (warehouse_b, relation_b))
    ]
    result, common, span = _start(relation_a, relation_b, sides, key)
    if span is None:
        return result
    both = ((warehouse_a, relation_a), (warehouse_b, relation_b))
    pending, leaves, first_level = [span], [], True
    while pending:
        lower, upper = pending.pop()
        width = -(-(upper - lower) // segments)
        levels = [
            {int(row["bucket"]): (int(row["row_count"]), row["checksum"]) for row in warehouse.segment_checksums(
                relation, key, common, lower, width, segments, portable=True,
            )}
            for warehouse, relation in both
        ]  # fmt: skip
        result.segments_compared += segments
        if first_level:
            result.rows_a, result.rows_b = (sum(rows for rows, _ in level.values()) for level in levels)
            first_level = False
        for bucket in sorted(levels[0].keys() | levels[1].keys(), reverse=True):
            side_a, side_b = levels[0].get(bucket, (0, None)), levels[1].get(bucket, (0, None))
            if side_a == side_b:
                continue
            start = lower + bucket * width
            end = min(start + width, upper)
            if side_a[0] + side_b[0] <= leaf_rows or width == 1:
                leaves.append([start, end])
            else:
                pending.append((start, end))
    for chunk in range(0, len(leaves), RANGES_PER_QUERY):
        ranges = leaves[chunk : chunk + RANGES_PER_QUERY]
        fetched = [
            {row["key__"]: row for row in warehouse.fetch_key_ranges(relation, key, common, ranges)}
            for warehouse, relation in both
        ]  # fmt: skip
        result.differences.extend(_compare_fetched(fetched[0], fetched[1], [c.lower() for c in common]))
    result.differences.sort(key=lambda difference: difference.key)
    return result


def _compare_fetched(side_a: dict[Any, Any], side_b: dict[Any, Any], names: list[str]) -> list[RowDifference]:
    differences = []
    for value in side_a.keys() | side_b.keys():
        row_a, row_b = side_a.get(value), side_b.get(value)
        if row_a is None or row_b is None:
            kind = "only in B" if row_a is None else "only in A"
            pairs = {n: (row_a[n] if row_a else None, row_b[n] if row_b else None) for n in names}
            differences.append(RowDifference(value, kind, pairs))
            continue
        changed = {n: (row_a[n], row_b[n]) for n in names if row_a[n] != row_b[n]}
        if changed:
            differences.append(RowDifference(value, "changed", changed))
    return differences


def diff_relations(
    warehouse: Warehouse,
    relation_a: Relation,
    relation_b: Relation,
    key: str,
    *,
    segments: int = 256,
    leaf_rows: int = 50_000,
) -> DiffResult:
    """Finds every row that differs between A and B (same warehouse), keyed by an integer key."""
    relations = [list(relation_a), list(relation_b)]
    sides = warehouse.diff_bounds(relations, key)
    result, common, span = _start(relation_a, relation_b, sides, key)
    if span is None:
        return result
    # Narrow level by level; ranges whose rows fit `leaf_rows` are compared row by row at the end.
    pending: list[tuple[int, int]] = [span]
    leaves: list[list[int]] = []
    first_level = True
    while pending:
        lower, upper = pending.pop()
        width = -(-(upper - lower) // segments)  # ceiling division
        rows = warehouse.segment_differences(relations, key, common, lower, width, segments)
        result.segments_compared += segments
        for row in rows:
            if row["is_total"]:
                if first_level:
                    result.rows_a, result.rows_b = int(row["rows_a"]), int(row["rows_b"])
                continue
            start = lower + int(row["bucket"]) * width
            end = min(start + width, upper)
            if int(row["rows_a"]) + int(row["rows_b"]) <= leaf_rows or width == 1:
                leaves.append([start, end])
            else:
                pending.append((start, end))
        first_level = False
    for chunk in range(0, len(leaves), RANGES_PER_QUERY):
        result.differences.extend(
            _differing_rows(warehouse, relations, key, common, leaves[chunk : chunk + RANGES_PER_QUERY])
        )
    result.differences.sort(key=lambda difference: difference.key)
    return result


def _differing_rows(
    warehouse: Warehouse, relations: list[list[str]], key: str, columns: list[str], ranges: list[list[int]]
) -> list[RowDifference]:
    rows = warehouse.differing_rows(relations, key, columns, ranges)
    names = [column.lower() for column in columns]  # rows come back with lower-cased names
    differences = []
    for row in rows:
        value_a, value_b = row[f"a__{key.lower()}"], row[f"b__{key.lower()}"]
        pairs = {name: (row[f"a__{name}"], row[f"b__{name}"]) for name in names}
        if value_b is None:
            differences.append(RowDifference(value_a, "only in A", pairs))
        elif value_a is None:
            differences.append(RowDifference(value_b, "only in B", pairs))
        else:
            differences.append(RowDifference(value_a, "changed", {n: p for n, p in pairs.items() if p[0] != p[1]}))
    return differences
