"""Fixtures: a real DuckDB file per test, a real PostgreSQL schema per test process (see
tests/fixtures/warehouse.py); markers by tier (tests/unit: `unit`, tests/slow: `slow`) and by
warehouse (a test using a PostgreSQL or DuckDB fixture is marked `postgres` / `duckdb`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.settings import Settings
from harness.warehouse import Warehouse
from tests.fixtures.warehouse import Db, duckdb_settings_for, postgres_settings_for

HERE = Path(__file__).parent


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


@pytest.fixture
def loaded(settings: Settings) -> Warehouse:
    """The jaffle_shop seeds and the demo `customers` table, loaded through dbt."""
    warehouse = Warehouse(settings)
    warehouse.seed(["raw_customers", "raw_orders", "raw_payments"])
    warehouse.build_models(["customers"])
    return warehouse
