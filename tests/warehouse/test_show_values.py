"""Failure text in CI logs, on both adapters: a failing validation or diff whose failure involves
a value from a table row keeps it out of stdout, stderr, the JSON and the JUnit XML (and out of
the error of `migrate complete`) unless `--show-values`; `--json -` is JSON on stdout."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.lifecycle.migration import Migration
from harness.spec import load_spec
from harness.warehouse import Warehouse
from tests.fixtures.warehouse import Db, write_spec

SECRET = "zz-secret-42"

# The secret reaches a check four ways: an orphaned value, a column's max, a GX unexpected sample
# (its length is 12), and (as a key) nowhere: keys here are integers, redacted all the same.
SPEC = """
name: customers_initial
table: customers
key: [id]
operations:
  - type: add_column
    column: initial
    data_type: varchar(10)
    up: "substr(first_name, 1, 1)"
checks:
  foreign_keys:
    - {column: last_name, references: raw_customers.last_name}
  sample_rows: 100
expectations:
  - type: expect_column_value_lengths_to_be_between
    kwargs: {column: last_name, min_value: 1, max_value: 10}
"""


@pytest.fixture
def cli_env(loaded: Warehouse, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The CLI pointed at the test's warehouse, on a console wide enough that nothing folds."""
    for name, value in loaded.settings.environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("COLUMNS", "250")
    settings = loaded.settings
    return ["--target", settings.target or "duckdb", "--meta-schema", settings.meta_schema,
            "--backup-schema", settings.backup_schema]  # fmt: skip


def junit_text(path: Path) -> str:
    """Every attribute value and text of a JUnit file, as CI reads them (unescaped)."""
    elements = list(ET.parse(path).iter())
    return "\n".join([*(value for e in elements for value in e.attrib.values()), *(e.text or "" for e in elements)])


def test_validation_failure_text_redacts_row_values_unless_show_values(
    loaded: Warehouse, db: Db, cli_env: list[str], tmp_path: Path
) -> None:
    spec = write_spec(tmp_path, SPEC)
    Migration(loaded, load_spec(spec)).start()
    db.execute(f"update customers set last_name = '{SECRET}' where id = 42")
    runner = CliRunner()
    json_file, junit_file = tmp_path / "validate.json", tmp_path / "validate.xml"
    reports = ["--json", str(json_file), "--junit-xml", str(junit_file)]

    hidden = runner.invoke(app, [*cli_env, "validate", str(spec), *reports])
    assert hidden.exit_code == 1, hidden.output
    data = json.loads(json_file.read_text())
    failed = {check["name"]: check for check in data["checks"] if not check["passed"]}
    orphans = "customers.last_name → raw_customers.last_name"
    assert {orphans, "column last_name unchanged", "100 random rows = backup"} <= set(failed), failed
    assert any(name.startswith("gx expect_column_value_lengths") for name in failed), failed
    assert failed[orphans]["actual"] == "1 orphans"  # counts stay
    for text in (hidden.output, json_file.read_text(), junit_text(junit_file)):
        assert SECRET not in text
        assert "<redacted>" in text
    assert data["values_shown"] is False

    refused = runner.invoke(app, [*cli_env, "migrate", "complete", str(spec)])
    assert refused.exit_code == 1 and "contract refused" in refused.output and SECRET not in refused.output

    shown = runner.invoke(app, [*cli_env, "validate", str(spec), *reports, "--show-values"])
    assert shown.exit_code == 1, shown.output
    for text in (shown.stdout, json_file.read_text(), junit_text(junit_file)):
        assert SECRET in text
    assert json.loads(json_file.read_text())["values_shown"] is True

    as_json = runner.invoke(app, [*cli_env, "validate", str(spec), "--json", "-"])
    assert as_json.exit_code == 1
    printed = json.loads(as_json.stdout)  # stdout holds the JSON alone: the table went to stderr
    assert printed["passed"] is False and "Validation of" in as_json.stderr and SECRET not in as_json.output


def test_diff_counts_differences_and_shows_values_only_when_asked(
    loaded: Warehouse, db: Db, cli_env: list[str], tmp_path: Path
) -> None:
    loaded.copy_table((db.schema, "customers"), (db.schema, "customers_copy"))
    db.execute(f"update customers_copy set last_name = '{SECRET}' where id = 7")
    runner = CliRunner()
    out = tmp_path / "diff.json"
    args = [*cli_env, "diff", f"{db.schema}.customers", f"{db.schema}.customers_copy", "--key", "id"]

    hidden = runner.invoke(app, [*args, "--json", str(out)])
    assert hidden.exit_code == 1, hidden.output
    assert SECRET not in hidden.output and SECRET not in out.read_text()
    assert "changed" in hidden.output and "last_name" in hidden.output and "--show-values" in hidden.output
    data = json.loads(out.read_text())
    assert data["changed"] == 1 and data["values_shown"] is False
    redacted = {"key": "<redacted>", "kind": "changed", "columns": {"last_name": ["<redacted>", "<redacted>"]}}
    assert data["differences"] == [redacted]

    shown = runner.invoke(app, [*args, "--json", str(out), "--show-values"])
    assert shown.exit_code == 1 and SECRET in shown.stdout and SECRET in out.read_text()
    assert json.loads(out.read_text())["differences"][0]["key"] == 7

    as_json = runner.invoke(app, [*args, "--json", "-"])
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["changed"] == 1 and SECRET not in as_json.output
