"""The CLI: help with examples, validate's exit codes and its JSON / JUnit outputs."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.warehouse import Warehouse
from tests.fixtures.warehouse import CUSTOMERS_SPEC, Db

COMMANDS = [["demo"], ["snapshot"], ["validate"], ["diff"], ["plan"], ["migrate", "start"], ["migrate", "complete"],
            ["migrate", "status"], ["migrate", "watch"], ["rollback"], ["restore"], ["restore-script"], ["backup"],
            ["move"]]  # fmt: skip


def test_help_lists_commands() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in ("demo", "snapshot", "validate", "migrate", "rollback"):
        assert name in result.output


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "Example: harness" in result.output


@pytest.fixture
def cli_env(loaded: Warehouse, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The CLI pointed at the test's warehouse (file or schema) through the profile's variables."""
    for name, value in loaded.settings.environment().items():
        monkeypatch.setenv(name, value)
    settings = loaded.settings
    return ["--target", settings.target or "duckdb", "--meta-schema", settings.meta_schema,
            "--backup-schema", settings.backup_schema]  # fmt: skip


def test_validate_exit_codes_and_reports(cli_env: list[str], db: Db, tmp_path: Path) -> None:
    runner = CliRunner()
    early = tmp_path / "early.xml"  # no run yet: refused (exit 1), and CI still gets a report saying why
    assert runner.invoke(app, [*cli_env, "validate", str(CUSTOMERS_SPEC), "--junit-xml", str(early)]).exit_code == 1
    errored = ET.parse(early).getroot().find("testsuite")
    assert errored is not None and errored.get("errors") == "1" and errored.get("time") is not None
    assert [case.get("classname") for case in errored.iter("testcase")] == ["customers_full_name"]
    started = runner.invoke(app, [*cli_env, "migrate", "start", str(CUSTOMERS_SPEC)])
    assert started.exit_code == 0, started.output
    good = runner.invoke(app, [*cli_env, "validate", str(CUSTOMERS_SPEC), "--json", str(tmp_path / "good.json")])
    assert good.exit_code == 0, good.output
    assert json.loads((tmp_path / "good.json").read_text())["passed"] is True

    db.execute("update customers set full_name = 'Nobody' where id = 42")  # a broken backfill
    junit = tmp_path / "validate.xml"
    bad = runner.invoke(app, [*cli_env, "validate", str(CUSTOMERS_SPEC), "--junit-xml", str(junit)])
    assert bad.exit_code == 1
    assert "validation failed" in bad.output
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "1" and float(suite.get("time") or 0) > 0
    failed = [case.get("name") for case in suite.iter("testcase") if case.find("failure") is not None]
    assert failed == ["full_name = up"]
    assert {case.get("classname") for case in suite.iter("testcase")} == {"customers_full_name"}  # run to run

    refused = runner.invoke(app, [*cli_env, "migrate", "complete", str(CUSTOMERS_SPEC)])
    assert refused.exit_code == 1 and "contract refused" in refused.output
    assert "first_name" in db.columns("customers")
    status = runner.invoke(app, [*cli_env, "migrate", "status", str(CUSTOMERS_SPEC), "--json", "-"])
    assert json.loads(status.output)["state"] == "validated"

    restored = runner.invoke(app, [*cli_env, "restore", str(CUSTOMERS_SPEC), "--from-backup"], terminal_width=200)
    assert restored.exit_code == 0, restored.output
    assert "asked for: --from-backup" in restored.output and "checksum equals before-snapshot" in restored.output
    assert db.columns("customers") == ["id", "first_name", "last_name"]


def test_snapshot_files_compare_with_validate(cli_env: list[str], db: Db, tmp_path: Path) -> None:
    runner = CliRunner()
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert runner.invoke(app, [*cli_env, "snapshot", f"{db.schema}.customers", "--output", str(first)]).exit_code == 0
    assert runner.invoke(app, [*cli_env, "snapshot", "customers", "--output", str(second)]).exit_code == 0
    same = runner.invoke(app, ["validate", "--before", str(first), "--after", str(second)])
    assert same.exit_code == 0, same.output
    db.execute("delete from customers where id = 1")
    assert runner.invoke(app, [*cli_env, "snapshot", "customers", "--output", str(second)]).exit_code == 0
    assert runner.invoke(app, ["validate", "--before", str(first), "--after", str(second)]).exit_code == 1
    assert (
        runner.invoke(app, ["validate", "--before", str(tmp_path / "none.json"), "--after", str(second)]).exit_code == 2
    )


def test_a_refused_step_exits_1(cli_env: list[str], db: Db) -> None:
    """Complete or roll back before a run exists, roll back twice: refused steps (exit 1), as
    documented; exit 2 stays for bad input and no connection."""
    runner = CliRunner()
    for command in (["migrate", "complete"], ["rollback"]):
        refused = runner.invoke(app, [*cli_env, *command, str(CUSTOMERS_SPEC)])
        assert refused.exit_code == 1 and "has no recorded run" in refused.output, refused.output
    assert runner.invoke(app, [*cli_env, "migrate", "start", str(CUSTOMERS_SPEC)]).exit_code == 0
    assert runner.invoke(app, [*cli_env, "rollback", str(CUSTOMERS_SPEC)]).exit_code == 0
    again = runner.invoke(app, [*cli_env, "rollback", str(CUSTOMERS_SPEC)])
    assert again.exit_code == 1 and "already rolled back" in again.output, again.output


def test_status_shows_the_backfill_progress_from_the_checkpoints(cli_env: list[str], loaded: Warehouse) -> None:
    """A backfill stopped after its first batch: `migrate status` reads its progress from the
    checkpoints (rows done of the table's rows, rows/s, time left), in text and in JSON."""
    from harness.lifecycle.migration import Migration
    from harness.spec import load_spec
    from tests.warehouse.test_operations import StopAfter

    class AfterOneBatch(StopAfter):
        def backfill_progress(self, rows_done: int, rows_total: int, rows_per_second: float) -> None:
            raise KeyboardInterrupt

    migration = Migration(loaded, load_spec(CUSTOMERS_SPEC), AfterOneBatch(""), batches_per_call=1)
    with pytest.raises(KeyboardInterrupt):
        migration.start()
    runner = CliRunner()
    status = runner.invoke(app, [*cli_env, "migrate", "status", str(CUSTOMERS_SPEC)], terminal_width=200)
    assert status.exit_code == 0, status.output
    assert "backfill: 30 of 100 rows (30%), 1 batch(es)" in status.output
    progress = json.loads(
        runner.invoke(app, [*cli_env, "migrate", "status", str(CUSTOMERS_SPEC), "--json", "-"]).output
    )
    assert progress["backfill_progress"]["rows_done"] == 30 and progress["backfill_progress"]["finished"] is False
