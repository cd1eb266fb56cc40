"""`harness` where its users are: inside their own dbt project (the current directory), with the
profile their dbt_project.yml names and the profiles.yml dbt would find, the package installed
from this checkout with `dbt deps`. A migration runs start to finish and back from there; outside
any dbt project, harness says so (exit 2) instead of working on its own checkout."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.settings import Settings
from tests.fixtures.warehouse import Db, write_spec
from tests.warehouse.test_dbt_guard import dbt, stock_project

NOTE = """name: orders_note
table: orders
key: [id]
operations:
  - {type: add_column, column: note, data_type: varchar(20), up: "'n' || status"}
"""


def test_harness_runs_inside_the_users_project_with_its_own_profile(
    settings: Settings, db: Db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = stock_project(tmp_path, settings, db.schema)  # profile `shop`, target `dev`
    assert dbt(project, "deps", meta_schema=settings.meta_schema).returncode == 0
    assert dbt(project, "run", meta_schema=settings.meta_schema).returncode == 0
    (project / "migrations").mkdir()
    spec = write_spec(project / "migrations", NOTE, "orders_note.yml")
    monkeypatch.chdir(project)
    monkeypatch.delenv("DBT_PROFILES_DIR", raising=False)
    schemas = ["--meta-schema", settings.meta_schema, "--backup-schema", settings.backup_schema]
    runner = CliRunner()
    for command in (["migrate", "start"], ["migrate", "complete"]):
        result = runner.invoke(app, [*schemas, *command, str(spec.relative_to(project))])
        assert result.exit_code == 0, result.output
    assert db.query(f"select id, note from {db.schema}.orders order by id") == [
        (1, "nplaced"),
        (2, "nshipped"),
        (3, "nreturned"),
    ]
    rolled = runner.invoke(app, [*schemas, "rollback", "migrations/orders_note.yml"])
    assert rolled.exit_code == 0, rolled.output
    assert db.columns("orders") == ["id", "status"]


def test_outside_a_dbt_project_harness_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DBT_PROJECT_DIR", raising=False)
    spec = write_spec(tmp_path, NOTE)
    result = CliRunner().invoke(app, ["plan", str(spec)])
    assert result.exit_code == 2, result.output
    assert "has no dbt_project.yml: harness works on a dbt project" in " ".join(result.output.split())
