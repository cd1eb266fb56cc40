"""The CLI's exit codes and help, where no warehouse is needed: 0 pass, 1 failed, 2 bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.snapshot import ColumnStats, Snapshot

runner = CliRunner()


def write_snapshot(path: Path, checksum: str) -> Path:
    Snapshot("main.t", "duckdb", 3, checksum, {"id": ColumnStats("integer", checksum, 0)}).save(path)
    return path


def test_two_equal_snapshot_files_pass_and_different_ones_fail(tmp_path: Path) -> None:
    a, b = write_snapshot(tmp_path / "a.json", "x"), write_snapshot(tmp_path / "b.json", "y")
    assert runner.invoke(app, ["validate", "--before", str(a), "--after", str(a)]).exit_code == 0
    junit = tmp_path / "junit.xml"
    result = runner.invoke(app, ["validate", "--before", str(a), "--after", str(b), "--junit-xml", str(junit)])
    assert result.exit_code == 1 and "<failure" in junit.read_text()
    page = tmp_path / "validation.html"
    result = runner.invoke(app, ["validate", "--before", str(a), "--after", str(b), "--html", str(page)])
    assert result.exit_code == 1 and "table checksum" in page.read_text() and "FAIL" in page.read_text()
    assert "http" not in page.read_text() and "<script" not in page.read_text()  # one page, nothing to fetch


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["validate"], "nothing to validate"),
        (["validate", "--before", "missing.json", "--after", "missing.json"], "no such snapshot file"),
        (["plan", "no/such/spec.yml"], "no such spec file"),
        (["migrate", "start", "no/such/spec.yml"], "no such spec file"),
        (["restore", "migrations/customers_full_name.yml"], "say so with --from-backup"),
        (["--meta-schema", 'x"; drop table t; --', "migrate", "status", "m.yml"], "--meta-schema / EC_META_SCHEMA"),
        (["--backup-schema", "a b", "backup", "m.yml"], "--backup-schema / EC_BACKUP_SCHEMA"),
    ],
)
def test_bad_input_exits_2_with_one_line(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_an_unexpected_error_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(path: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("harness.cli.load_spec", broken)
    result = runner.invoke(app, ["migrate", "start", "migrations/customers_full_name.yml"])
    assert result.exit_code == 2 and "unexpected RuntimeError: boom" in result.output
    assert "Traceback" not in result.output


def test_a_bad_spec_exits_2_naming_the_field(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yml"
    spec.write_text("name: m\ntable: t\nkey: [id]\noperations:\n  - type: add_colum\n")
    result = runner.invoke(app, ["plan", str(spec)])
    assert result.exit_code == 2 and "operations[0]" in result.output


@pytest.mark.parametrize(
    "command",
    [
        ["demo"],
        ["snapshot"],
        ["validate"],
        ["diff"],
        ["plan"],
        ["backup"],
        ["rollback"],
        ["restore"],
        ["restore-script"],
        ["migrate", "start"],
        ["migrate", "complete"],
        ["migrate", "status"],
    ],
)
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Example:" in result.output
