"""The package in a stock dbt project (its own name and profile, installed from this checkout
with `dbt deps`): `dbt run` of a model whose table has a migration under way is refused by the
package's on-run-start hook before any model runs, and the table (rows and columns) is unchanged;
once the migration is rolled back, `dbt run` builds the model again."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from harness.lifecycle.migration import Migration
from harness.settings import REPO_ROOT, Settings
from harness.spec import load_spec
from harness.warehouse import Warehouse
from tests.fixtures.warehouse import PG, Db, write_spec

DBT = str(Path(sys.executable).with_name("dbt"))


def stock_project(root: Path, settings: Settings, schema: str) -> Path:
    """A user's project: one table model, a profile of its own pointing at the test's warehouse."""
    project = root / "shop"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text(yaml.safe_dump({
        "name": "shop", "version": "1.0.0", "config-version": 2, "profile": "shop",
        "models": {"shop": {"+materialized": "table"}},
    }))  # fmt: skip
    (project / "packages.yml").write_text(yaml.safe_dump({"packages": [{"local": str(REPO_ROOT)}]}))
    (project / "models" / "orders.sql").write_text(
        "select 1 as id, 'placed' as status union all select 2, 'shipped' union all select 3, 'returned'\n"
    )
    if settings.target == "postgres":
        output = {"type": "postgres", "host": PG["host"], "port": PG["port"], "user": PG["user"], "password": "",
                  "dbname": settings.pg_database, "schema": schema, "threads": 1}  # fmt: skip
    else:
        output = {"type": "duckdb", "path": str(settings.duckdb_path), "schema": schema, "threads": 1}
    (project / "profiles.yml").write_text(yaml.safe_dump({"shop": {"target": "dev", "outputs": {"dev": output}}}))
    return project


def dbt(project: Path, *args: str, meta_schema: str, select: bool = True) -> subprocess.CompletedProcess[str]:
    command = [DBT, *args, "--project-dir", str(project), "--profiles-dir", str(project)]
    if args[0] != "deps":
        command += ["--select", "shop"] if select else []
        command += ["--vars", yaml.safe_dump({"expand_contract_meta_schema": meta_schema})]
    return subprocess.run(command, capture_output=True, text=True, cwd=project)


def test_dbt_run_refuses_a_model_under_migration(settings: Settings, db: Db, tmp_path: Path) -> None:
    project = stock_project(tmp_path, settings, db.schema)
    meta = settings.meta_schema
    assert dbt(project, "deps", meta_schema=meta).returncode == 0
    built = dbt(project, "run", meta_schema=meta)
    assert built.returncode == 0, built.stdout[-2000:]  # no migration: the hook lets dbt run
    note = "  - {type: add_column, column: note, data_type: varchar(20), up: \"'n' || status\"}\n"
    spec = write_spec(tmp_path, "name: orders_note\ntable: orders\nkey: [id]\noperations:\n" + note)
    migration = Migration(Warehouse(settings), load_spec(spec))
    migration.start()
    rows, columns = db.rows("orders"), db.columns("orders")
    refused = dbt(project, "run", meta_schema=meta)
    assert refused.returncode != 0
    assert f"model orders: {db.schema}.orders is under migration orders_note (state validated)" in refused.stdout
    assert db.rows("orders") == rows and db.columns("orders") == columns == ["id", "status", "note"]
    migration.rollback()
    again = dbt(project, "run", meta_schema=meta)
    assert again.returncode == 0, again.stdout[-2000:]
    assert db.columns("orders") == ["id", "status"]
