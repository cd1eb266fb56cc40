"""Fixtures: a real DuckDB file per test, a real PostgreSQL schema per test process (see
tests/fixtures/warehouse.py); markers by tier (tests/unit: `unit`, tests/slow: `slow`) and by
warehouse (a test using a PostgreSQL or DuckDB fixture is marked `postgres` / `duckdb`)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.engines import release_embedded_connections
from harness.runner import DbtProject
from harness.settings import DEMO_PROJECT, Settings
from harness.warehouse import Warehouse
from tests.fixtures.warehouse import (
    PG,
    SESSION_SCHEMA,
    Db,
    duckdb_settings_for,
    ensure_worker_database,
    postgres_settings_for,
)

HERE = Path(__file__).parent


def pytest_configure(config: pytest.Config) -> None:
    """The tests' dbt project (integration_tests/) installs the package from this checkout: linked
    once, by the first process (pytest-xdist's controller runs this before any worker starts)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        DbtProject(Settings(target_dir=config.rootpath / "target")).install_packages()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.path))
        if HERE / "unit" in path.parents:
            item.add_marker(pytest.mark.unit)
        if HERE / "slow" in path.parents:
            item.add_marker(pytest.mark.slow)
        fixtures = getattr(item, "fixturenames", [])
        if "postgres_settings" in fixtures:
            item.add_marker(pytest.mark.postgres)
        if "duckdb_settings" in fixtures:
            item.add_marker(pytest.mark.duckdb)


@pytest.fixture(autouse=True)
def _cli_target_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI run in-process (CliRunner) writes dbt's artifacts and log under the test's own
    tmp_path, not the checkout's target/ that every pytest-xdist worker would share."""
    monkeypatch.setenv("EC_TARGET_DIR", str(tmp_path / "cli-target"))
    # ... in the package's own dbt project (integration_tests/), as `cd integration_tests` would.
    monkeypatch.setenv("DBT_PROJECT_DIR", str(DEMO_PROJECT))


@pytest.fixture(
    params=[pytest.param("duckdb", marks=pytest.mark.duckdb), pytest.param("postgres", marks=pytest.mark.postgres)]
)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Each test using this runs twice: on a DuckDB file and on a PostgreSQL schema."""
    if request.param == "duckdb":
        yield duckdb_settings_for(tmp_path)
    else:
        yield from postgres_settings_for(tmp_path)


@pytest.fixture
def duckdb_settings(tmp_path: Path) -> Settings:
    return duckdb_settings_for(tmp_path)


@pytest.fixture
def postgres_settings(tmp_path: Path) -> Iterator[Settings]:
    yield from postgres_settings_for(tmp_path)


@pytest.fixture
def db(settings: Settings) -> Db:
    return Db(settings)


JAFFLE_TABLES = ["raw_customers", "raw_orders", "raw_payments", "customers"]


@pytest.fixture(scope="session")
def jaffle_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The jaffle_shop seeds and the demo `customers` table, loaded through dbt once per test
    process and adapter (on first use), then copied for each test: a DuckDB file, a PostgreSQL
    schema of this process."""
    templates: dict[str, Any] = {}
    yield templates
    if "postgres" in templates:
        Db(templates["postgres"]).execute(f"drop schema if exists {templates['postgres'].schema} cascade")


def _jaffle_template(templates: dict[str, Any], adapter: str, root: Path) -> Any:
    if adapter not in templates:
        if adapter == "duckdb":
            template = duckdb_settings_for(root)
        else:
            ensure_worker_database()
            schema = f"{SESSION_SCHEMA}_jaffle"
            template = Settings(project_dir=DEMO_PROJECT, target="postgres", pg_database=str(PG["dbname"]),
                                target_dir=root / "target", schema=schema)  # fmt: skip
            Db(template).execute(f"drop schema if exists {schema} cascade")
        warehouse = Warehouse(template)
        warehouse.seed(JAFFLE_TABLES[:3])
        warehouse.build_models(["customers"])
        release_embedded_connections()
        templates[adapter] = template
    return templates[adapter]


@pytest.fixture
def loaded(settings: Settings, jaffle_templates: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The jaffle_shop seeds and the demo `customers` table, as dbt loads them (copied from this
    process's template: dbt seed + dbt run once, not per test)."""
    adapter = "postgres" if settings.target == "postgres" else "duckdb"
    template = _jaffle_template(jaffle_templates, adapter, tmp_path_factory.mktemp(f"jaffle_{adapter}"))
    if adapter == "duckdb":
        for suffix in ("", ".wal"):  # (closed by release_embedded_connections: normally no WAL is left)
            source = Path(f"{template.duckdb_path}{suffix}")
            if source.exists():
                shutil.copyfile(source, f"{settings.duckdb_path}{suffix}")
    else:
        db = Db(settings)
        db.execute(f"create schema if not exists {db.schema}")
        for table in JAFFLE_TABLES:
            db.execute(f"create table {db.schema}.{table} as table {template.schema}.{table}")
    return Warehouse(settings)
