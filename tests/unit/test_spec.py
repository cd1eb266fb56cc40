"""Spec loading: good specs load; bad ones name the file, the field and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import SpecError
from harness.spec import check_sql_expression, load_spec
from tests.fixtures.warehouse import DEMO_SPEC, write_spec

BASE = """
name: m
table: customers
key: [id]
operations:
  - type: add_column
    column: full_name
    data_type: text
    up: "first_name || ' ' || last_name"
"""


def test_demo_spec_loads_with_its_shapes() -> None:
    spec = load_spec(DEMO_SPEC)
    assert spec.key == ["id"] and spec.batch_size == 30
    assert spec.dropped == ["first_name", "last_name"]
    assert [op.type for op in spec.operations] == ["add_column", "drop_column", "drop_column"]
    assert len(spec.spec_hash) == 16


@pytest.mark.parametrize(
    ("text", "field", "fix"),
    [
        (BASE.replace("table: customers", "table: 'cust; drop'"), "`table`", "correct the value"),
        (BASE.replace("key: [id]", ""), "`key`", "add the field"),
        (BASE.replace("type: add_column", "type: add_colum"), "`operations[0]`", "use one of: add_check, add_column"),
        (BASE + "batchsize: 5\n", "`batchsize`", "remove it or check its spelling"),
        (BASE.replace("data_type: text", "data_type: 'text; drop table x'"), "operations[0].data_type", "correct"),
        (BASE.replace("key: [id]", "key: []"), "`key`", "correct the value"),
        (BASE + "batch_size: 0\n", "`batch_size`", "correct the value"),
    ],
    ids=["identifier", "missing-key", "unknown-operation", "unknown-field", "bad-type", "empty-key", "batch-size"],
)
def test_bad_spec_names_file_field_and_fix(tmp_path: Path, text: str, field: str, fix: str) -> None:
    path = write_spec(tmp_path, text)
    with pytest.raises(SpecError) as raised:
        load_spec(path)
    message = str(raised.value)
    assert str(path) in message and field in message and fix in message


def test_dropping_a_key_column_is_refused(tmp_path: Path) -> None:
    text = BASE + "  - type: drop_column\n    column: id\n"
    with pytest.raises(SpecError, match="part of the key"):
        load_spec(write_spec(tmp_path, text))


@pytest.mark.parametrize(
    ("operations", "problem"),
    [
        (
            "  - {type: rename_column, column: first_name, to: given_name}\n"
            "  - {type: change_type, column: first_name, data_type: text}\n",
            "changed by two operations",
        ),
        ("  - {type: rename_column, column: id, to: customer_id}\n", "part of the key"),
        (
            "  - {type: merge_columns, columns: [id, first_name], into: {column: x, data_type: text, up: id}}\n",
            "key column cannot be merged",
        ),
        ("  - {type: drop_table}\n", "drop_table must be the only operation"),
        ("  - {type: create_table, columns: {id: integer}}\n", "only operation of its migration when it creates"),
        ("  - {type: add_column, column: tier, data_type: text, not_null: true}\n", "needs `up` or `default`"),
        ("  - {type: rename_table, to: a}\n  - {type: rename_table, to: b}\n", "rename_table may appear once"),
        ("  - {type: raw_sql, up: select 1}\n", "`operations[1].down`"),
        ("  - {type: rewrite_table}\n  - {type: rewrite_table}\n", "rewrite_table may appear once"),
    ],
    ids=[
        "same-column-twice",
        "rename-key",
        "merge-key",
        "drop-table-not-alone",
        "own-create-table-not-alone",
        "not-null-unfillable",
        "two-renames",
        "raw-sql-without-down",
        "two-rewrites",
    ],
)
def test_operations_that_cannot_compose_are_refused(tmp_path: Path, operations: str, problem: str) -> None:
    with pytest.raises(SpecError) as raised:
        load_spec(write_spec(tmp_path, BASE + operations))
    assert problem in str(raised.value)


def test_missing_and_malformed_files_are_spec_errors(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="no such spec file"):
        load_spec(tmp_path / "absent.yml")
    with pytest.raises(SpecError, match="not valid YAML"):
        load_spec(write_spec(tmp_path, "name: [unclosed"))
    with pytest.raises(SpecError, match="must be a mapping"):
        load_spec(write_spec(tmp_path, "- a list"))


@pytest.mark.parametrize(
    "expression",
    ["first_name || ';' || last_name", "coalesce(a, 'x--y')", "\"odd;name\" || 'it''s'", "f(g(h(x)))"],
)
def test_expressions_with_quoted_separators_are_accepted(expression: str) -> None:
    assert check_sql_expression(expression) == expression


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("a; drop table x", "';'"),
        ("a -- comment", "comments"),
        ("a /* c */", "comments"),
        ("a)", "closes nothing"),
        ("(a", "never closed"),
        ("'open", "unterminated"),
        ("   ", "empty"),
    ],
)
def test_expressions_that_could_inject_are_refused(expression: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        check_sql_expression(expression)


def test_changes_since_a_recorded_spec_name_each_field_and_operation(tmp_path: Path) -> None:
    recorded = load_spec(write_spec(tmp_path, BASE + "  - {type: drop_column, column: last_name}\n", "a.yml"))
    edited = BASE.replace("key: [id]", "key: [id]\nbatch_size: 7").replace("data_type: text", "data_type: varchar(90)")
    now = load_spec(write_spec(tmp_path, edited + "  - {type: set_default, column: id, default: '0'}\n", "b.yml"))
    assert now.changes_since(recorded.model_dump(mode="json")) == [
        "batch_size changed",
        "operations[0] (add_column) changed: data_type",
        "operations[1] replaced (drop_column → set_default)",
    ]
    shorter = load_spec(write_spec(tmp_path, BASE, "c.yml"))
    assert shorter.changes_since(recorded.model_dump(mode="json")) == ["operations[1] removed (drop_column)"]
    assert recorded.changes_since(recorded.model_dump(mode="json")) == []


def test_a_key_given_twice_is_refused(tmp_path: Path) -> None:
    """YAML keeps the last of two equal keys; a spec must not silently lose the first."""
    spec = tmp_path / "twice.yml"
    spec.write_text("name: m\ntable: t\nkey: [id]\noperations:\n  - {type: drop_column, column: a}\nname: other\n")
    with pytest.raises(SpecError, match="the key 'name' is given twice"):
        load_spec(spec)
