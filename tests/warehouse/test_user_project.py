"""`harness` where its users are: inside their own dbt project (the current directory), with the
profile their dbt_project.yml names and the profiles.yml dbt would find, the package installed
from this checkout with `dbt deps`. A migration runs start to finish and back from there; outside
any dbt project, harness says so (exit 2) instead of working on its own checkout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from harness.cli import app
from harness.settings import Settings
from tests.fixtures.warehouse import Db, write_spec
from tests.warehouse.test_dbt_guard import dbt, stock_project


def added_column(name: str, table: str, column: str, up: str) -> str:
    """A spec adding one varchar(20) column to `table`, filled by `up`."""
    return (f"name: {name}\ntable: {table}\nkey: [id]\noperations:\n"
            f"  - {{type: add_column, column: {column}, data_type: varchar(20), up: \"{up}\"}}\n")  # fmt: skip


NOTE = added_column("orders_note", "orders", "note", "'n' || status")


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
    monkeypatch.delenv("DBT_PROJECT_DIR", raising=False)
    schemas = ["--meta-schema", settings.meta_schema, "--backup-schema", settings.backup_schema]
    runner = CliRunner()
    started = runner.invoke(app, [*schemas, "migrate", "start", str(spec.relative_to(project))])
    assert started.exit_code == 0, started.output
    # The model still builds the old shape: contract is refused before anything is dropped (its
    # next `dbt run` would rebuild the old shape over the contracted table).
    rows = db.rows("orders")
    refused = runner.invoke(app, [*schemas, "migrate", "complete", str(spec.relative_to(project))])
    assert refused.exit_code == 1, refused.output
    said = " ".join(refused.output.split())
    assert "contract refused: dbt model orders (models/orders.sql) still builds" in said and "missing: note" in said
    assert db.rows("orders") == rows and db.columns("orders") == ["id", "status", "note"]
    (project / "models" / "orders.sql").write_text(
        "select 1 as id, 'placed' as status, 'nplaced' as note union all select 2, 'shipped', 'nshipped' "
        "union all select 3, 'returned', 'nreturned'\n"
    )  # the model updated to the new shape: contract goes ahead
    completed = runner.invoke(app, [*schemas, "migrate", "complete", str(spec.relative_to(project))])
    assert completed.exit_code == 0, completed.output
    expected = [(1, "nplaced"), (2, "nshipped"), (3, "nreturned")]
    assert db.query(f"select id, note from {db.schema}.orders order by id") == expected
    rebuilt = dbt(project, "run", meta_schema=settings.meta_schema)  # after contract: the new shape, rebuilt
    assert rebuilt.returncode == 0, rebuilt.stdout[-2000:]
    assert db.query(f"select id, note from {db.schema}.orders order by id") == expected
    assert db.query(f"select id, note from {db.schema}.orders_current order by id") == expected  # readers' view
    rolled = runner.invoke(app, [*schemas, "rollback", "migrations/orders_note.yml"])
    assert rolled.exit_code == 0, rolled.output
    assert db.columns("orders") == ["id", "status"]


def jaffle_like(project: Path) -> None:
    """What a stock jaffle_shop project has besides the stock project's `orders`: seeds named like
    the package's demo ones, a staging view, a `customers` table and an incremental model."""
    (project / "seeds").mkdir()
    (project / "seeds" / "raw_customers.csv").write_text("id,first_name,last_name\n1,Ada,L\n2,Bo,K\n")
    models = project / "models"
    (models / "stg_customers.sql").write_text(
        "{{ config(materialized='view') }}\nselect * from {{ ref('raw_customers') }}\n"
    )
    (models / "customers.sql").write_text(
        "select id, first_name || ' ' || last_name as name from {{ ref('stg_customers') }}\n"
    )
    (models / "order_events.sql").write_text(
        "{{ config(materialized='incremental', unique_key='id') }}\nselect id, status from {{ ref('orders') }}\n"
        "{% if is_incremental() %} where id > (select max(id) from {{ this }}) {% endif %}\n"
    )
    (models / "schema.yml").write_text(yaml.safe_dump({"version": 2, "models": [
        {"name": "customers", "description": "The shop's customers.",
         "columns": [{"name": "id", "data_tests": ["unique"]}]},
    ]}))  # fmt: skip
    (project / "models" / "overview.md").write_text("{% docs __overview__ %}\n# The shop\n{% enddocs %}\n")


def test_installing_the_package_adds_nothing_that_collides(settings: Settings, db: Db, tmp_path: Path) -> None:
    """A jaffle_shop-like project (its own `customers` model, `raw_customers` seed, docs home
    page) installs the package: `dbt build` and `dbt docs generate` run clean with nothing
    selected away, and the docs home page stays the project's."""
    project = stock_project(tmp_path, settings, db.schema)
    jaffle_like(project)
    meta = settings.meta_schema
    assert dbt(project, "deps", meta_schema=meta).returncode == 0
    for command in ("build", "docs"):
        done = dbt(project, *(["docs", "generate"] if command == "docs" else [command]), meta_schema=meta,
                   select=False)  # fmt: skip
        assert done.returncode == 0, done.stdout[-3000:]
    assert db.query(f"select count(*) from {db.schema}.customers") == [(2,)]
    manifest = json.loads((project / "target" / "manifest.json").read_text())
    ours = [node for node in manifest["nodes"].values() if node["package_name"] == "expand_contract"]
    assert [node["resource_type"] for node in ours] == ["operation", "operation"]  # the two hooks only
    overview = [doc for doc in manifest["docs"].values() if doc["name"] == "__overview__"]
    assert {doc["package_name"] for doc in overview} == {"dbt", "shop"}
    assert "harness plan" in manifest["docs"]["doc.expand_contract.__expand_contract__"]["block_contents"]


def test_outside_a_dbt_project_harness_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DBT_PROJECT_DIR", raising=False)
    spec = write_spec(tmp_path, NOTE)
    result = CliRunner().invoke(app, ["plan", str(spec)])
    assert result.exit_code == 2, result.output
    assert "has no dbt_project.yml: harness works on a dbt project" in " ".join(result.output.split())


KIND = added_column("order_events_kind", "order_events", "kind", "'e' || status")


def test_an_incremental_model_keeps_working_after_its_migration(
    settings: Settings, db: Db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An incremental model migrated (a column added) whose SQL follows the migration
    (expand_contract.migrated): after contract its next `dbt run` appends new rows in the new
    shape to the migrated table, and the readers' view reads them."""
    project = stock_project(tmp_path, settings, db.schema)
    jaffle_like(project)
    meta = settings.meta_schema
    assert dbt(project, "deps", meta_schema=meta).returncode == 0
    assert dbt(project, "build", meta_schema=meta, select=False).returncode == 0
    write_spec(project, KIND, "kind.yml")
    monkeypatch.chdir(project)
    monkeypatch.delenv("DBT_PROFILES_DIR", raising=False)
    monkeypatch.delenv("DBT_PROJECT_DIR", raising=False)
    schemas = ["--meta-schema", meta, "--backup-schema", settings.backup_schema]
    runner = CliRunner()
    assert runner.invoke(app, [*schemas, "migrate", "start", "kind.yml"]).exit_code == 0
    (project / "models" / "order_events.sql").write_text(
        "{{ config(materialized='incremental', unique_key='id') }}\n"
        "select id, status{% if expand_contract.migrated('order_events_kind') %}, 'e' || status as kind{% endif %}\n"
        "from {{ ref('orders') }}\n"
        "{% if is_incremental() %} where id > (select max(id) from {{ this }}) {% endif %}\n"
    )
    completed = runner.invoke(app, [*schemas, "migrate", "complete", "kind.yml"])
    assert completed.exit_code == 0, completed.output
    (project / "models" / "orders.sql").write_text(  # a new order arrives upstream
        "select 1 as id, 'placed' as status union all select 2, 'shipped' union all select 3, 'returned' "
        "union all select 4, 'placed'\n"
    )
    ran = dbt(project, "run", meta_schema=meta, select=False)
    assert ran.returncode == 0, ran.stdout[-3000:]
    expected = [(1, "placed", "eplaced"), (2, "shipped", "eshipped"), (3, "returned", "ereturned"),
                (4, "placed", "eplaced")]  # fmt: skip
    assert db.query(f"select id, status, kind from {db.schema}.order_events order by id") == expected
    assert db.query(f"select id, status, kind from {db.schema}.order_events_current order by id") == expected
