"""Table snapshots: row count and order-independent checksums, as data."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from harness.errors import InputError


@dataclass(frozen=True)
class ColumnStats:
    data_type: str
    checksum: str
    null_count: int
    # Profile, for people and edge-case checks; not part of identity (approx_distinct is an estimate).
    min: str | None = None
    max: str | None = None
    approx_distinct: int | None = None

    @property
    def identity(self) -> tuple[str, str, int]:
        """What must be equal for the column's data to be the same."""
        return (self.data_type, self.checksum, self.null_count)


@dataclass(frozen=True)
class Snapshot:
    relation: str
    adapter: str
    row_count: int
    table_checksum: str
    columns: dict[str, ColumnStats]
    taken_at: str | None = None
    portable: bool = False  # md5 of engine-neutral text: comparable between DuckDB and PostgreSQL

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Snapshot:
        return cls(
            relation=data["relation"],
            adapter=data["adapter"],
            row_count=int(data["row_count"]),
            table_checksum=str(data["table_checksum"]),
            columns={name: ColumnStats(**stats) for name, stats in data["columns"].items()},
            taken_at=data.get("taken_at"),
            portable=bool(data.get("portable", False)),
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n")
        return path

    @classmethod
    def load(cls, path: Path) -> Snapshot:
        try:
            return cls.from_dict(json.loads(Path(path).read_text()))
        except FileNotFoundError as exc:
            raise InputError(f"{path}: no such snapshot file.", "pass a file written by `harness snapshot`") from exc
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"{path}: not a snapshot ({exc}).", "pass a file written by `harness snapshot --output`"
            ) from exc
