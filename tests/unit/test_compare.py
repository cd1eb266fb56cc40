"""Snapshot comparison edge cases, without a warehouse."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from harness.snapshot import ColumnStats, Snapshot
from harness.spec import MigrationSpec
from harness.validation.compare import ValidationReport, compare_snapshots


def snapshot(rows: int = 10, portable: bool = False, adapter: str = "duckdb", **columns: ColumnStats) -> Snapshot:
    columns = columns or {"id": ColumnStats("integer", "c-id", 0, "1", "10"), "name": ColumnStats("text", "c-n", 2)}
    return Snapshot(f"s.{adapter}", adapter, rows, "t-" + "".join(sorted(columns)), columns, portable=portable)


def failed(checks: list) -> list[str]:  # type: ignore[type-arg]
    return [check.name for check in checks if not check.passed]


def test_identical_snapshots_pass_every_check_including_the_table_checksum() -> None:
    checks = compare_snapshots(snapshot(), snapshot())
    assert failed(checks) == [] and "table checksum" in [check.name for check in checks]


@pytest.mark.parametrize(("after_rows", "tolerance", "passes"), [(10, 0.0, True), (11, 0.0, False), (11, 0.1, True),
                                                                  (12, 0.1, False)])  # fmt: skip
def test_row_count_tolerance(after_rows: int, tolerance: float, passes: bool) -> None:
    checks = compare_snapshots(snapshot(), snapshot(rows=after_rows), row_count_tolerance=tolerance)
    assert ("row count" not in failed(checks)) is passes


def test_a_changed_checksum_null_count_or_min_fails_that_column_only() -> None:
    before = snapshot()
    for changed in ({"checksum": "other"}, {"null_count": 3}):
        after = snapshot(id=before.columns["id"], name=replace(before.columns["name"], **changed))
        assert failed(compare_snapshots(before, after)) == ["column name unchanged"]
    after = snapshot(id=replace(before.columns["id"], min="0"), name=before.columns["name"])
    assert failed(compare_snapshots(before, after)) == ["column id unchanged"]


def test_columns_added_and_dropped_must_be_exactly_the_expected_ones() -> None:
    before = snapshot()
    after = snapshot(id=before.columns["id"], full=ColumnStats("text", "c-f", 0))
    assert failed(compare_snapshots(before, after)) == ["columns added", "columns dropped"]
    assert failed(compare_snapshots(before, after, expect_added=["full"], expect_dropped=["name"])) == []


def test_a_renamed_column_keeps_its_values_and_a_rewritten_one_is_not_compared() -> None:
    before = snapshot()
    renamed = snapshot(id=before.columns["id"], label=before.columns["name"])
    assert failed(compare_snapshots(before, renamed, renamed={"name": "label"})) == []
    retyped = snapshot(id=before.columns["id"], name=ColumnStats("varchar", "new", 0))
    assert failed(compare_snapshots(before, retyped, rewritten=["name"])) == []


def test_without_value_comparison_only_counts_and_shape_are_checked() -> None:
    before = snapshot()
    after = snapshot(rows=10, id=before.columns["id"], name=replace(before.columns["name"], checksum="x"))
    assert [check.name for check in compare_snapshots(before, after, compare_values=False)] == [
        "row count", "columns added", "columns dropped"]  # fmt: skip


def test_portable_and_native_checksums_are_never_compared() -> None:
    checks = compare_snapshots(snapshot(), snapshot(portable=True))
    assert failed(checks) == ["checksum kind"]


def test_across_engines_types_and_min_max_spellings_may_differ() -> None:
    before = snapshot(portable=True)
    after = snapshot(portable=True, adapter="postgres", id=replace(before.columns["id"], data_type="int4", min="01"),
                     name=before.columns["name"])  # fmt: skip
    assert failed(compare_snapshots(before, after)) == []


def test_a_report_summarises_its_failures() -> None:
    report = ValidationReport("x")
    report.extend(compare_snapshots(snapshot(), snapshot(rows=9)))
    assert not report.passed and report.summary().startswith("1 of ") and "row count" in report.summary()
    assert report.to_dict()["passed"] is False


def test_a_skipped_rule_is_reported_with_its_reason_and_does_not_block(tmp_path: Path) -> None:
    from harness.report import write_junit
    from harness.validation.checklist import skipped_rules
    from harness.validation.compare import CheckResult

    spec = MigrationSpec.model_validate({
        "name": "m", "table": "t", "key": ["id"], "checks": {"sample_rows": 50},
        "operations": [{"type": "add_column", "column": "c", "data_type": "integer"}],
    })  # fmt: skip
    report = ValidationReport("x", [CheckResult("row count", "1", "1", True)])
    report.extend(skipped_rules(spec, "the table takes writes", []))
    assert report.passed
    assert report.summary() == "1 checks passed, 1 skipped (the table takes writes)"
    report.checks.append(CheckResult("key", "0 bad", "2 bad", False))
    assert report.summary() == "1 of 2 checks failed: key, 1 skipped (the table takes writes)"
    junit = write_junit(report, tmp_path / "j.xml").read_text()
    assert 'skipped="1"' in junit and '<skipped message="the table takes writes"' in junit
