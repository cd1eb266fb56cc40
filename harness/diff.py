"""Locating differences between two relations: segment checksums by key range, narrowed until
the differing segments are small enough to fetch, then compared row by row and column by column
(the bisection of data-diff, done with the engine's native hash in one scan per level).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from harness.errors import InputError
from harness.warehouse import Warehouse

Relation = tuple[str, str]


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

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            identical=self.identical,
            only_in_a=self.count("only in A"),
            only_in_b=self.count("only in B"),
            changed=self.count("changed"),
        )
        return data


def _columns(warehouse: Warehouse, relation: Relation) -> list[str]:
    described = warehouse.describe_table(relation[0], relation[1], [], [])
    if not described["exists"]:
        raise InputError(f"table {relation[0]}.{relation[1]} does not exist.", "check the schema and table names")
    return [column["name"] for column in described["columns"]]


def diff_relations(
    warehouse: Warehouse,
    relation_a: Relation,
    relation_b: Relation,
    key: str,
    *,
    segments: int = 64,
    leaf_rows: int = 512,
) -> DiffResult:
    """Finds every row that differs between A and B (same warehouse), keyed by an integer key."""
    columns_a, columns_b = _columns(warehouse, relation_a), _columns(warehouse, relation_b)
    for relation, columns in ((relation_a, columns_a), (relation_b, columns_b)):
        if key not in columns:
            raise InputError(
                f"key {key} is not a column of {relation[0]}.{relation[1]}.", "pass --key with a column of both"
            )
    common = sorted(set(columns_a) & set(columns_b), key=lambda name: (name != key, name))
    relations = [list(relation_a), list(relation_b)]
    ranges = warehouse.project.operation("key_ranges", relations=relations, key=key)
    result = DiffResult(
        relation_a=".".join(relation_a),
        relation_b=".".join(relation_b),
        key=key,
        rows_a=int(ranges[0]["row_count"]),
        rows_b=int(ranges[1]["row_count"]),
        columns_only_in_a=sorted(set(columns_a) - set(columns_b)),
        columns_only_in_b=sorted(set(columns_b) - set(columns_a)),
    )
    bounds = [r[edge] for r in ranges for edge in ("min_key", "max_key") if r[edge] is not None]
    if not bounds:
        return result  # both empty
    if not all(isinstance(bound, int) and not isinstance(bound, bool) for bound in bounds):
        raise InputError(
            f"diff bisects integer key ranges; key {key} holds {type(bounds[0]).__name__} values.",
            "pass an integer key column (e.g. the surrogate id)",
        )
    pending = [(min(bounds), max(bounds) + 1, result.rows_a + result.rows_b)]
    while pending:
        lower, upper, rows = pending.pop()
        if rows <= leaf_rows or upper - lower <= segments:
            result.differences.extend(_compare_rows(warehouse, relations, key, common, lower, upper))
            continue
        width = -(-(upper - lower) // segments)  # ceiling division
        buckets = warehouse.project.operation(
            "segment_checksums", relations=relations, key=key, columns=common,
            lower=lower, width=width, segments=segments,
        )  # fmt: skip
        result.segments_compared += segments
        by_bucket: dict[int, list[tuple[int, str | None]]] = {}
        for row in buckets:
            sides = by_bucket.setdefault(int(row["bucket"]), [(0, None), (0, None)])
            sides[int(row["side"])] = (int(row["row_count"]), row["checksum"])
        for bucket, (side_a, side_b) in sorted(by_bucket.items(), reverse=True):
            if side_a != side_b:
                start = lower + bucket * width
                pending.append((start, min(start + width, upper), side_a[0] + side_b[0]))
    result.differences.sort(key=lambda difference: difference.key)
    return result


def _compare_rows(
    warehouse: Warehouse, relations: list[list[str]], key: str, columns: list[str], lower: int, upper: int
) -> list[RowDifference]:
    fetched = warehouse.project.operation(
        "fetch_key_range", relations=relations, key=key, columns=columns, lower=lower, upper=upper
    )
    names = [column.lower() for column in columns]  # rows come back with lower-cased names
    side_a = {row[key.lower()]: row for row in fetched[0]}
    side_b = {row[key.lower()]: row for row in fetched[1]}
    differences = []
    for value in side_a.keys() | side_b.keys():
        row_a, row_b = side_a.get(value), side_b.get(value)
        if row_b is None:
            differences.append(RowDifference(value, "only in A", {c: (row_a[c], None) for c in names}))  # type: ignore[index]
        elif row_a is None:
            differences.append(RowDifference(value, "only in B", {c: (None, row_b[c]) for c in names}))
        else:
            changed = {c: (row_a[c], row_b[c]) for c in names if row_a[c] != row_b[c]}
            if changed:
                differences.append(RowDifference(value, "changed", changed))
    return differences
