"""Great Expectations suites on both adapters: a passing expectation passes, a failing one fails
(with its observed values), an expectation that errors fails, and Data Docs are built."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.errors import InputError, StateError
from harness.lifecycle.migration import Migration
from harness.spec import load_spec
from harness.validation.expectations import run_suite
from harness.warehouse import Warehouse
from tests.fixtures.warehouse import DEMO_SPEC, Db, write_spec


def test_passing_and_failing_expectations_on_raw_orders(loaded: Warehouse, db: Db, tmp_path: Path) -> None:
    suite = [
        ("expect_table_row_count_to_equal", {"value": 99}),
        ("expect_table_row_count_to_equal", {"value": 100}),
        ("expect_column_values_to_not_be_null", {"column": "order_date"}),
        ("expect_column_values_to_be_in_set", {"column": "status", "value_set": ["completed", "shipped"]}),
        ("expect_column_values_to_be_between", {"column": "user_id", "min_value": 1, "max_value": 100}),
        ("expect_column_values_to_be_unique", {"column": "user_id"}),
        ("expect_column_values_to_not_be_null", {"column": "no_such_column"}),
    ]
    result = run_suite(loaded.project, db.schema, "raw_orders", suite, tmp_path / "docs")
    outcome = [(check.passed, check.actual) for check in result.checks]
    assert outcome[0] == (True, "observed 99")
    assert outcome[1] == (False, "observed 99")
    assert outcome[2] == (True, "0 unexpected")
    assert outcome[3][0] is False and outcome[3][1] == "19 unexpected"
    assert result.checks[3].detail == "unexpected sample (10): <redacted>"  # values from rows: when asked for
    assert "returned" in result.checks[3].shown(show_values=True).detail
    assert outcome[4] == (True, "0 unexpected")
    assert outcome[5][0] is False  # customers place several orders
    assert outcome[6][0] is False and outcome[6][1].startswith("error:")  # an error never passes
    assert result.data_docs is not None and result.data_docs.is_file()
    assert "raw_orders" in result.data_docs.read_text()
    db.execute("update raw_orders set status = status where id = 1")  # the file is released again


def test_unknown_expectation_is_an_input_error(loaded: Warehouse, db: Db) -> None:
    with pytest.raises(InputError, match="not a Great Expectations expectation"):
        run_suite(loaded.project, db.schema, "raw_orders", [("expect_the_unexpected", {})])


def test_failing_expectation_fails_validation_and_blocks_contract(loaded: Warehouse, db: Db, tmp_path: Path) -> None:
    text = DEMO_SPEC.read_text().replace("min_value: 3, max_value: 200", "min_value: 3, max_value: 8")
    spec = load_spec(write_spec(tmp_path, text))
    migration = Migration(loaded, spec)
    with pytest.raises(Exception, match="validation of customers_full_name failed"):
        migration.start()
    report = migration.validate()
    failed = [check.name for check in report.failures]
    assert failed == ["gx expect_column_value_lengths_to_be_between(column='full_name', max_value=8, min_value=3)"]
    assert report.data_docs and Path(report.data_docs).is_file()
    # GX's pages fetch their styles and scripts from CDNs; beside them, the validation on one page
    # that reads the same offline: no link, script or font to fetch, every check and its verdict.
    assert report.page and Path(report.page).parent == Path(report.data_docs).parent.parent
    page = Path(report.page).read_text()
    assert re.findall(r"<(?:script|link|img|iframe)\b|@import|url\(|https?://", page) == []
    assert "expect_column_value_lengths_to_be_between" in page and "FAIL" in page and "failed" in page
    with pytest.raises(StateError, match="needs a validated run"):
        migration.complete()
    assert "first_name" in db.columns("customers")
