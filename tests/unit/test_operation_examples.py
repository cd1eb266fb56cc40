"""docs/operations.md's examples stay valid: every YAML block of the page loads with the spec
loader, each operation of the catalog has an example under its own heading, every expression in
them passes the engine's grammar, and each compiles against the tables the page describes, on
PostgreSQL, and on DuckDB unless the page says DuckDB refuses it (then it must be refused)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.engines import DUCKDB, POSTGRES, Engine
from harness.errors import InputError
from harness.operations import CATALOG, compile_blueprint
from harness.spec import MigrationSpec, load_spec
from harness.sql_grammar import check_expression, user_expressions

PAGE = Path(__file__).parents[2] / "docs" / "operations.md"
SECTION = "## Examples, one per operation"

# The shop the examples migrate, as the section's opening list describes it: table -> {column: type}.
TABLES = {
    "customers": {"id": "bigint", "email": "varchar(200)", "first_name": "text", "last_name": "text",
                  "phone": "text", "status": "varchar(20)", "is_active": "boolean", "loyalty_points": "integer",
                  "signup_source": "text", "created_at": "timestamp", "legacy_notes": "text"},
    "orders": {"id": "bigint", "customer_id": "bigint", "status": "varchar(20)", "amount": "text",
               "currency": "char(3)", "placed_at": "timestamp", "shipped_at": "timestamp", "delivery_window": "text",
               "coupon_code": "text", "external_ref": "text", "note": "text"},
    "order_lines": {"order_id": "bigint", "line_no": "integer", "product_sku": "text", "quantity": "integer"},
    "reviews": {"id": "bigint", "customer_id": "bigint", "order_id": "bigint", "line_no": "integer",
                "rating": "integer", "body": "text"},
    "orders_2019": {"id": "bigint", "customer_id": "bigint", "amount": "numeric(12, 2)"},
}  # fmt: skip

# The examples the page says DuckDB refuses (a constraint added to, dropped from or renamed on an
# existing table, index options, replica identity, an index over a column swapped in at contract,
# identity): everything else compiles there too.
DUCKDB_REFUSED = {
    "add_column", "alter_column", "add_check", "add_foreign_key", "drop_constraint",
    "rename_constraint", "create_index", "set_replica_identity", "add_column with identity",
    "create_table as a migration of its own", "add_unique",
}  # fmt: skip


@dataclass(frozen=True)
class Example:
    heading: str  # the nearest heading above the block (`### <type>` in the examples section)
    line: int
    text: str


def examples() -> list[Example]:
    """Every ```yaml block of the page, with its heading."""
    found: list[Example] = []
    heading, start = "", 0
    block: list[str] | None = None
    for number, line in enumerate(PAGE.read_text().splitlines(), start=1):
        if block is not None:
            if line.strip() == "```":
                found.append(Example(heading, start, "\n".join(block) + "\n"))
                block = None
            else:
                block.append(line)
        elif line.startswith("#"):
            heading = line.lstrip("#").strip()
        elif line.strip() == "```yaml":
            block, start = [], number
    return found


EXAMPLES = examples()
IDS = [f"{example.heading}@{example.line}" for example in EXAMPLES]


def load(example: Example, tmp_path: Path) -> MigrationSpec:
    file = tmp_path / f"example_{example.line}.yml"
    file.write_text(example.text)
    return load_spec(file)


def test_the_page_has_one_example_per_operation_under_its_own_heading() -> None:
    text = PAGE.read_text()
    assert SECTION in text
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    headings = re.findall(r"^### (\w+)$", section, flags=re.MULTILINE)
    assert sorted(headings) == sorted(CATALOG), "one `### <type>` heading per operation of the catalog"
    in_section = [example for example in EXAMPLES if example.heading in headings]
    assert sorted(example.heading for example in in_section) == sorted(CATALOG), "one yaml block per heading"


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_each_example_loads_and_uses_the_operation_it_is_under(example: Example, tmp_path: Path) -> None:
    migration = load(example, tmp_path)
    if example.heading in CATALOG:
        assert example.heading in [operation.type for operation in migration.operations]


def test_every_operation_type_has_an_example(tmp_path: Path) -> None:
    used = {operation.type for example in EXAMPLES for operation in load(example, tmp_path).operations}
    missing = sorted(set(CATALOG) - used)
    assert not missing, f"docs/operations.md has no example of {', '.join(missing)}"


def judge(migration: MigrationSpec, engine: Engine) -> None:
    """Each expression of the spec by the engine's grammar, as preflight judges it."""
    for path, expression in user_expressions(migration):
        try:
            check_expression(expression, engine)
        except ValueError as exc:
            pytest.fail(f"{migration.name}: {path} ({expression!r}) on {engine.name}: {exc}")


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_each_example_compiles_against_the_shop(example: Example, tmp_path: Path) -> None:
    migration = load(example, tmp_path)
    # (a migration that creates its table has none before it)
    assert migration.creates_table or migration.table in TABLES, f"{migration.table} is not among the shop's tables"
    columns = {} if migration.creates_table else TABLES[migration.table]
    judge(migration, POSTGRES)
    plan = compile_blueprint(migration, columns, POSTGRES)  # (refused: InputError, the test fails)
    assert plan.new, "the new shape has columns"
    if example.heading in DUCKDB_REFUSED:
        with pytest.raises(InputError, match=r"(?i)duckdb"):  # refused for the engine, not for a typo
            compile_blueprint(migration, columns, DUCKDB)
    else:
        judge(migration, DUCKDB)
        assert compile_blueprint(migration, columns, DUCKDB).new
