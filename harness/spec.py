"""Migration specs: typed models, loaded and validated once at the edge.

A spec is one YAML file. Every error names the file, the field and the fix; nothing that
fails here has touched the warehouse.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from harness.errors import SpecError

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DATA_TYPE = re.compile(r"^[A-Za-z][A-Za-z0-9_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?(\[\])?$")
# PostgreSQL truncates identifiers at 63 bytes; longer names would silently collide.
MAX_IDENTIFIER_LENGTH = 63


def check_identifier(value: str) -> str:
    if not _IDENTIFIER.match(value) or len(value) > MAX_IDENTIFIER_LENGTH:
        raise ValueError(
            f"{value!r} is not a plain identifier: use letters, digits and underscores, "
            f"starting with a letter or underscore, at most {MAX_IDENTIFIER_LENGTH} characters"
        )
    return value


def check_data_type(value: str) -> str:
    if not _DATA_TYPE.match(value.strip()):
        raise ValueError(f"{value!r} is not a SQL type name such as text, integer or numeric(12, 2)")
    return value.strip()


def check_sql_expression(value: str) -> str:
    """Accepts one SQL expression: no statement separator, no comment, balanced parentheses.

    Quotes are honoured, so `first_name || ';' || last_name` is fine.
    """
    text = value.strip()
    if not text:
        raise ValueError("the expression is empty")
    depth = 0
    quote: str | None = None
    index = 0
    while index < len(text):
        char = text[index]
        if quote:
            if char == quote:
                if text[index + 1 : index + 2] == quote:  # doubled quote: escaped, stay inside
                    index += 1
                else:
                    quote = None
        elif char in "'\"":
            quote = char
        elif char == ";":
            raise ValueError("an expression may not contain ';' (one expression, not statements)")
        elif text[index : index + 2] in ("--", "/*"):
            raise ValueError("an expression may not contain SQL comments")
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise ValueError("unbalanced parentheses: a ')' closes nothing")
        index += 1
    if quote:
        raise ValueError(f"unterminated quote {quote}")
    if depth:
        raise ValueError("unbalanced parentheses: a '(' is never closed")
    return text


Identifier = Annotated[str, AfterValidator(check_identifier)]
DataType = Annotated[str, AfterValidator(check_data_type)]
SqlExpression = Annotated[str, AfterValidator(check_sql_expression)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AddColumn(_Strict):
    """Expand adds a nullable column, backfill fills it with `up`; `not_null` is enforced by a
    check constraint added NOT VALID, validated after the backfill and turned into NOT NULL at
    contract."""

    type: Literal["add_column"]
    column: Identifier
    data_type: DataType
    up: SqlExpression | None = Field(default=None, description="computes the new column from the old shape")
    default: SqlExpression | None = Field(default=None, description="column default for new rows")
    not_null: bool = False

    @model_validator(mode="after")
    def _fillable(self) -> AddColumn:
        if self.not_null and self.up is None and self.default is None:
            raise ValueError("a NOT NULL column needs `up` or `default` to fill the existing rows")
        return self


class DropColumn(_Strict):
    """The column stays readable through `<table>_v1` until contract drops it."""

    type: Literal["drop_column"]
    column: Identifier
    down: SqlExpression | None = Field(default=None, description="recomputes the dropped column from the new shape")


class RenameColumn(_Strict):
    """No data moves: `<table>_v2` shows the column under its new name; contract renames it."""

    type: Literal["rename_column"]
    column: Identifier
    to: Identifier


class ChangeType(_Strict):
    """A shadow column of the new type is backfilled with `up` and swapped in at contract."""

    type: Literal["change_type"]
    column: Identifier
    data_type: DataType
    up: SqlExpression | None = Field(default=None, description="new value from the old shape; default: a cast")
    down: SqlExpression | None = Field(default=None, description="old value from the new shape; default: a cast")


class SetNotNull(_Strict):
    """A shadow column filled with `up` (e.g. coalesce(col, 'unknown')) under a NOT VALID check."""

    type: Literal["set_not_null"]
    column: Identifier
    up: SqlExpression | None = Field(default=None, description="value for the new shape; default: the column")
    down: SqlExpression | None = Field(default=None, description="value for the old shape; default: the column")


class DropNotNull(_Strict):
    """Relaxing: applied at expand (metadata only)."""

    type: Literal["drop_not_null"]
    column: Identifier


class SetDefault(_Strict):
    """Applied at expand, so writers of either shape get it (metadata only)."""

    type: Literal["set_default"]
    column: Identifier
    default: SqlExpression


class DropDefault(_Strict):
    """Applied at contract: writers of the old shape keep relying on it until then."""

    type: Literal["drop_default"]
    column: Identifier


class AddCheck(_Strict):
    """PostgreSQL: added NOT VALID at expand (new writes checked), validated after the backfill."""

    type: Literal["add_check"]
    name: Identifier
    check: SqlExpression


class AddForeignKey(_Strict):
    """PostgreSQL: added NOT VALID at expand, validated after the backfill."""

    type: Literal["add_foreign_key"]
    name: Identifier
    column: Identifier
    references: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")
    on_delete: Literal["no action", "restrict", "cascade", "set null"] = "no action"

    @property
    def parent(self) -> tuple[str, str]:
        table, column = self.references.split(".")
        return table, column


class AddUnique(_Strict):
    """A unique index built CONCURRENTLY at expand, attached as a constraint after the backfill."""

    type: Literal["add_unique"]
    name: Identifier
    columns: list[Identifier] = Field(min_length=1)


class NewColumn(_Strict):
    column: Identifier
    data_type: DataType
    up: SqlExpression


class SplitColumn(_Strict):
    """One column into several: each new one from `up`; the old one from `down` for old readers."""

    type: Literal["split_column"]
    column: Identifier
    into: list[NewColumn] = Field(min_length=2)
    down: SqlExpression | None = Field(default=None, description="the old column from the new ones")


class MergeColumns(_Strict):
    """Several columns into one: `into.up` combines them; `down` gives each old one back."""

    type: Literal["merge_columns"]
    columns: list[Identifier] = Field(min_length=2)
    into: NewColumn
    down: dict[Identifier, SqlExpression] = Field(default_factory=dict)


class CreateIndex(_Strict):
    """Built CONCURRENTLY at expand (PostgreSQL): reads and writes go on."""

    type: Literal["create_index"]
    name: Identifier
    columns: list[Identifier] = Field(min_length=1)
    unique: bool = False


class DropIndex(_Strict):
    """Dropped CONCURRENTLY at contract: old readers keep its speed until then."""

    type: Literal["drop_index"]
    name: Identifier


class CreateTable(_Strict):
    """A new table created at expand (empty) and dropped again on rollback."""

    type: Literal["create_table"]
    table: Identifier
    columns: dict[Identifier, DataType] = Field(min_length=1)
    primary_key: list[Identifier] = Field(default_factory=list)


class RenameTable(_Strict):
    """A view under the new name serves the new shape until contract renames the table."""

    type: Literal["rename_table"]
    to: Identifier


class DropTable(_Strict):
    """The table stays (and stays readable) until contract; rollback restores it from the backup."""

    type: Literal["drop_table"]


class RawSql(_Strict):
    """Statements run at expand; `down` (required) runs on rollback. They must not change the
    migrated table's columns: validation would report it."""

    type: Literal["raw_sql"]
    up: str = Field(min_length=1)
    down: str = Field(min_length=1)


class RewriteTable(_Strict):
    """The new shape is built in a new table (`_ec_new_<table>`) instead of in place: expand creates
    it (key, NOT NULLs, defaults and checks declared up front, so no constraint ever scans the big
    table), the backfill copies the rows in keyset batches computing `up`, sync triggers keep both
    tables in step (PostgreSQL), and contract swaps it in (drop the old, rename the new) in one
    transaction. Columns keep their order; the old table is never altered."""

    type: Literal["rewrite_table"]


Operation = Annotated[
    AddColumn
    | DropColumn
    | RenameColumn
    | ChangeType
    | SetNotNull
    | DropNotNull
    | SetDefault
    | DropDefault
    | AddCheck
    | AddForeignKey
    | AddUnique
    | SplitColumn
    | MergeColumns
    | CreateIndex
    | DropIndex
    | CreateTable
    | RenameTable
    | DropTable
    | RawSql
    | RewriteTable,
    Field(discriminator="type"),
]
OPERATION_TYPES = (
    "add_column, drop_column, rename_column, change_type, set_not_null, drop_not_null, set_default, drop_default, "
    "add_check, add_foreign_key, add_unique, split_column, merge_columns, create_index, drop_index, create_table, "
    "rename_table, drop_table, raw_sql, rewrite_table"
)


def columns_named(operation: Any) -> list[str]:
    """The existing columns an operation changes (two operations may not change the same one)."""
    if isinstance(operation, MergeColumns):
        return list(operation.columns)
    if isinstance(operation, AddColumn | DropColumn | RenameColumn | ChangeType | SetNotNull | SplitColumn):
        return [operation.column]
    if isinstance(operation, DropNotNull | SetDefault | DropDefault):
        return [operation.column]
    return []


class Range(_Strict):
    min: float | int | str | None = None
    max: float | int | str | None = None


class ForeignKey(_Strict):
    """`column` of `table` (default: the migrated table) must exist in `references` (table.column)."""

    column: Identifier
    table: Identifier | None = None
    references: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")

    @property
    def parent(self) -> tuple[str, str]:
        table, column = self.references.split(".")
        return table, column


class RecentRows(_Strict):
    column: Identifier
    hours: int = Field(default=24, ge=1, le=24 * 365)


class Checks(_Strict):
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


class ExpectationSpec(_Strict):
    """One Great Expectations expectation, by its snake_case name, with its arguments."""

    type: str = Field(pattern=r"^expect_[a-z0-9_]+$")
    kwargs: dict[str, Any] = Field(default_factory=dict)


class MigrationSpec(_Strict):
    name: Identifier
    description: str = ""
    table: Identifier
    schema_name: Identifier | None = Field(default=None, alias="schema")
    key: list[Identifier] = Field(min_length=1)
    batch_size: int = Field(default=10_000, ge=1, le=1_000_000)
    throttle_seconds: float = Field(default=0.0, ge=0.0, le=60.0)
    concurrent_writes: bool = Field(
        default=False,
        description="the table takes writes while the migration runs (PostgreSQL: kept in sync by triggers)",
    )
    operations: list[Operation] = Field(min_length=1)
    checks: Checks = Field(default_factory=Checks)
    expectations: list[ExpectationSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _operations_fit_together(self) -> MigrationSpec:
        seen: set[str] = set()
        for position, operation in enumerate(self.operations):
            for column in columns_named(operation):
                if column in seen:
                    raise ValueError(f"operations[{position}]: column {column!r} is changed by two operations")
                seen.add(column)
            if isinstance(operation, DropColumn | RenameColumn | ChangeType | SplitColumn) and (
                operation.column in self.key
            ):
                raise ValueError(
                    f"operations[{position}]: {operation.column!r} is part of the key; "
                    "its rows are found by it during the migration"
                )
            if isinstance(operation, MergeColumns) and set(operation.columns) & set(self.key):
                raise ValueError(f"operations[{position}]: a key column cannot be merged away")
        if any(isinstance(op, DropTable) for op in self.operations) and len(self.operations) > 1:
            raise ValueError("drop_table must be the only operation of its migration")
        if sum(isinstance(op, RenameTable) for op in self.operations) > 1:
            raise ValueError("rename_table may appear once")
        if sum(isinstance(op, RewriteTable) for op in self.operations) > 1:
            raise ValueError("rewrite_table may appear once")
        return self

    @property
    def dropped(self) -> list[str]:
        return [op.column for op in self.operations if isinstance(op, DropColumn)]

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


def load_spec(path: str | Path) -> MigrationSpec:
    """Reads and validates one spec file; raises SpecError naming file, field and fix."""
    file = Path(path)
    if not file.is_file():
        raise SpecError(f"{file}: no such spec file.", "pass the path of a migration YAML file")
    try:
        raw = yaml.safe_load(file.read_text())
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
