"""Values from table rows in failure text: `<redacted>` in every renderer (console table, JSON,
JUnit, the summary) unless asked for; counts, names, types and checksums always shown."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from harness import report
from harness.cli import app
from harness.diff import DiffResult, RowDifference
from harness.snapshot import ColumnStats, Snapshot
from harness.validation.compare import REDACTED, CheckResult, ValidationReport, compare_snapshots, labelled

SECRET = "zz-secret-42"


def a_report() -> ValidationReport:
    sample = labelled("orphaned values (first 1): ", [SECRET])
    orphans = CheckResult.holding_values("fk orders.user_id", "0 orphans", "1 orphans", False, sample)
    return ValidationReport(
        "m (main.orders, validated)", [CheckResult("row count", "10", "10", True), orphans], suite="m"
    )


def junit_text(path: Path) -> str:
    """Every attribute value and text of a JUnit file, as CI reads them (unescaped)."""
    return "\n".join([*(value for e in ET.parse(path).iter() for value in e.attrib.values()),
                      *(e.text or "" for e in ET.parse(path).iter())])  # fmt: skip


def rendered(table: object) -> str:
    console = Console(file=io.StringIO(), width=250)
    console.print(table)
    return console.file.getvalue()  # type: ignore[attr-defined]


def test_a_check_holds_its_values_aside_and_shows_them_only_when_asked() -> None:
    check = a_report().checks[1]
    assert (check.expected, check.actual, check.detail) == (
        "0 orphans",
        "1 orphans",
        f"orphaned values (first 1): {REDACTED}",
    )
    assert check.redacts and SECRET not in repr(check.shown())
    assert check.shown(show_values=True).detail == f"orphaned values (first 1): ['{SECRET}']"
    plain = CheckResult("row count", "10", "11", False)
    assert not plain.redacts and plain.shown(show_values=True) == plain


@pytest.mark.parametrize("show_values", [False, True])
def test_console_json_and_junit_redact_values_unless_asked(tmp_path: Path, show_values: bool) -> None:
    validation = a_report()
    console = rendered(report.validation_table(validation, show_values))
    data = report.write_json(validation.to_dict(show_values), tmp_path / "r.json").read_text()
    junit = junit_text(report.write_junit(validation, tmp_path / "r.xml", show_values))
    for text in (console, data, junit):
        assert (SECRET in text) is show_values
        assert (REDACTED in text) is not show_values
        assert "fk orders.user_id" in text and "1 orphans" in text  # names and counts stay
    assert json.loads(data)["values_shown"] is show_values
    assert ("--show-values shows them" in console) is not show_values
    assert SECRET not in validation.summary()  # errors and the journal: check names only


def test_a_columns_min_and_max_are_values_its_checksum_type_and_nulls_are_not() -> None:
    def snapshot(checksum: str, high: str) -> Snapshot:
        return Snapshot("main.t", "duckdb", 3, "t-abc", {"name": ColumnStats("VARCHAR", checksum, 1, "Adams", high)})

    def column_check(after: Snapshot) -> CheckResult:
        return next(c for c in compare_snapshots(snapshot("c-1", "Young"), after) if c.name == "column name unchanged")

    check = column_check(snapshot("c-2", SECRET))
    assert not check.passed
    assert check.expected == f"c-1 (VARCHAR, 1 NULL, {REDACTED} .. {REDACTED})"
    assert check.actual == f"c-2 (VARCHAR, 1 NULL, {REDACTED} .. {REDACTED})"
    assert check.shown(show_values=True).actual == f"c-2 (VARCHAR, 1 NULL, Adams .. {SECRET})"
    edges = column_check(snapshot("c-1", "Zed"))  # the same checksum, another max: texts alike once redacted
    assert not edges.passed and edges.detail == "the min or max differ"


def a_diff() -> DiffResult:
    return DiffResult("main.a", "main.b", "id", 3, 3, [
        RowDifference(7, "changed", {"last_name": ("P.", SECRET)}),
        RowDifference(9, "only in A", {"id": (9, None), "last_name": ("M.", None)}),
    ])  # fmt: skip


@pytest.mark.parametrize("show_values", [False, True])
def test_diff_counts_rows_by_column_and_shows_keys_and_values_only_when_asked(show_values: bool) -> None:
    table = rendered(report.diff_table(a_diff(), show_values=show_values))
    data = json.dumps(a_diff().to_dict(show_values))
    for text in (table, data):
        assert (SECRET in text) is show_values
        assert "last_name" in text
    assert ("(the whole row)" in table) is not show_values  # counted: one row only in A
    differences = json.loads(data)["differences"]
    assert [d["kind"] for d in differences] == ["changed", "only in A"]
    assert differences[0]["key"] == (7 if show_values else REDACTED)
    assert differences[0]["columns"] == {"last_name": ["P.", SECRET] if show_values else [REDACTED, REDACTED]}


def test_json_to_a_dash_goes_to_stdout(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    report.write_json({"passed": True}, Path("-"))
    assert json.loads(capsys.readouterr().out) == {"passed": True}
    assert not (tmp_path / "-").exists()


def test_cli_validate_of_snapshot_files_redacts_unless_show_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # (rich folds narrow columns)
    files = []
    for name, high in (("before", "Young"), ("after", SECRET)):
        stats = {"name": ColumnStats("VARCHAR", f"c-{name}", 0, "Adams", high)}
        files.append(str(Snapshot("main.t", "duckdb", 3, f"t-{name}", stats).save(tmp_path / f"{name}.json")))
    runner = CliRunner()
    args = ["validate", "--before", files[0], "--after", files[1], "--junit-xml", str(tmp_path / "v.xml")]
    hidden = runner.invoke(app, [*args, "--json", "-"])
    assert hidden.exit_code == 1
    assert json.loads(hidden.stdout)["values_shown"] is False  # stdout is the JSON alone; the table on stderr
    assert "Validation of" in hidden.stderr and "validation failed" in hidden.stderr
    assert SECRET not in hidden.output and SECRET not in junit_text(tmp_path / "v.xml")
    shown = runner.invoke(app, [*args, "--json", str(tmp_path / "v.json"), "--show-values"])
    assert shown.exit_code == 1 and SECRET in shown.stdout
    assert SECRET in (tmp_path / "v.json").read_text() and SECRET in junit_text(tmp_path / "v.xml")
