"""`harness move` without a warehouse: the data plane's SQL (golden), endpoints, option refusals,
and the report's redaction."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.errors import InputError
from harness.move import KeyDifference, MoveOptions, MoveResult, RangeMismatch, _check_options, parse_endpoint
from harness.move_plane import portable_text, quote, range_predicate, row_hash
from harness.settings import Settings


def test_portable_text_trims_decimals_unless_both_sides_declare_the_scale() -> None:
    assert portable_text('"n"', "DECIMAL(12,2)", exact=True) == 'cast("n" as varchar)'
    assert "rtrim(rtrim(" in portable_text('"n"', "DECIMAL(12,2)", exact=False)
    assert (
        portable_text('"t"', "TIMESTAMP WITH TIME ZONE", exact=False) == "cast((\"t\" at time zone 'UTC') as varchar)"
    )
    assert portable_text('"s"', "VARCHAR", exact=False) == 'cast("s" as varchar)'


def test_row_hash_is_the_packages_portable_hash() -> None:
    """concat_ws of never-NULL parts spells the package's `a || '|' || b`: the same md5, the same
    number (checked here on DuckDB itself, NULLs and separators included)."""
    columns = [("a", "INTEGER"), ("b", "VARCHAR"), ("c", "DECIMAL(5,2)")]
    parts = [f"coalesce({portable_text(quote(name), data_type, False)}, chr(1))" for name, data_type in columns]
    chained = "('0x' || substr(md5(" + " || '|' || ".join(parts) + "), 1, 15))::BIGINT"
    with duckdb.connect() as connection:
        connection.execute("create table t as select * from (values (1, 'x|y', 1.50), (null, null, null), "
                           "(2, '', -0.10)) as v(a, b, c)")  # fmt: skip
        ours, package = connection.execute(f"select sum({row_hash(columns, [])}), sum({chained}) from t").fetchone()
    assert ours == package and ours is not None


def test_range_predicate_is_lower_inclusive_upper_exclusive_and_open_at_the_ends() -> None:
    assert range_predicate("id", 10, 20) == '"id" >= 10 and "id" < 20'
    assert range_predicate("id", None, 20) == '"id" < 20'
    assert range_predicate("id", 10, None) == '"id" >= 10'
    assert range_predicate("id", None, None) == "true"


def test_endpoints_are_tables_or_parquet_folders(tmp_path: Path) -> None:
    settings = Settings(target="duckdb")
    assert parse_endpoint("main.orders", settings).table == "orders"
    assert parse_endpoint("orders", settings).schema is None
    assert parse_endpoint(str(tmp_path / "out"), settings).folder == tmp_path / "out"
    with pytest.raises(InputError, match="not a plain identifier"):
        parse_endpoint('main."orders; drop table x"', settings)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (MoveOptions(batch_size=0), "at least 1"),
        (MoveOptions(resume=True, mode="replace"), "starts one over"),
        (MoveOptions(mode="upsert"), "unknown mode"),
    ],
)
def test_options_that_cannot_work_are_refused(options: MoveOptions, message: str) -> None:
    with pytest.raises(InputError, match=message):
        _check_options(options)


def test_cli_refuses_append_with_replace_and_a_bad_transform_before_connecting() -> None:
    runner = CliRunner()
    both = runner.invoke(app, ["move", "a.b", "c.d", "--append", "--replace"], terminal_width=200)
    assert both.exit_code == 2 and "exclude each other" in both.output
    bad = runner.invoke(app, ["move", "a.b", "c.d", "--transform", "no_equals_sign"], terminal_width=200)
    assert bad.exit_code == 2 and "column=expression" in bad.output


def test_differing_keys_and_bounds_are_redacted_unless_shown() -> None:
    result = MoveResult("s", "d", ["id"], ["id", "x"], ranges=3)
    result.mismatches.append(RangeMismatch(1, 100, 200, 10, 9, "5", "4", [KeyDifference(["150"], "only in source")]))
    assert not result.verified
    hidden, shown = result.summary(), result.summary(show_values=True)
    assert "150" not in hidden and "100" not in hidden and "<redacted>" in hidden
    assert "(150)" in shown and "[100, 200)" in shown and "only in source 1" in shown
    assert result.to_dict()["mismatches"][0]["keys"] == [{"key": "<redacted>", "kind": "only in source"}]
