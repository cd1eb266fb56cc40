"""The Markdown plan: built from the spec, the warehouse and the journal; no secrets in it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.documents.plan import build_plan
from harness.lifecycle.migration import Migration
from harness.spec import load_spec
from harness.warehouse import Warehouse
from tests.fixtures.warehouse import CUSTOMERS_SPEC, Db


def test_plan_before_and_after_a_run(loaded: Warehouse, db: Db) -> None:
    migration = Migration(loaded, load_spec(CUSTOMERS_SPEC))
    first = build_plan(migration)
    assert "rows now: 100; batches of 30: 4" in first
    assert "throughput not measured yet" in first
    assert "latest run: none yet" in first
    migration.start()
    second = build_plan(migration)
    run = migration.current_run()
    assert run is not None and run.backup_relation
    assert f"backup: `{run.backup_relation}`, verified at" in second
    assert "rows/s ≈" in second
    assert "`full_name` = `first_name || ' ' || last_name` recomputed in SQL" in second
    assert "`raw_orders.user_id` → `customers.id`: no orphans" in second
    expected_pattern = "writers keep working" if db.adapter == "postgres" else "DuckDB has no triggers"
    assert expected_pattern in second


def test_cli_writes_the_plan_and_it_holds_no_secrets(
    loaded: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in loaded.settings.environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PGPASSWORD", "s3cret-do-not-print")  # trust auth ignores it; it must not leak
    settings = loaded.settings
    target = tmp_path / "plan.md"
    result = CliRunner().invoke(app, ["--target", settings.target or "duckdb", "--meta-schema", settings.meta_schema,
                                      "--backup-schema", settings.backup_schema,
                                      "plan", str(CUSTOMERS_SPEC), "--output", str(target),
                                      "--docs-block", str(tmp_path / "blocks")])  # fmt: skip
    assert result.exit_code == 0, result.output
    text = target.read_text()
    assert text.startswith("# Migration plan: customers_full_name")
    assert "s3cret" not in text and "s3cret" not in result.output
    block = (tmp_path / "blocks" / "plan_customers_full_name.md").read_text()
    assert block.startswith("{% docs plan_customers_full_name %}\n{% raw %}") and block.rstrip().endswith(
        "{% enddocs %}"
    )
    assert text in block  # inside a raw block: dbt never renders the spec's text as Jinja
    assert target.stat().st_mode & 0o777 == 0o600  # the operator's alone
    log = tmp_path / "cli-target" / "logs" / "dbt.log"  # where the CLI's dbt calls log (EC_TARGET_DIR), debug level
    assert log.is_file() and "s3cret" not in log.read_text(errors="replace")
    assert log.stat().st_mode & 0o777 == 0o600 and log.parent.stat().st_mode & 0o777 == 0o700
