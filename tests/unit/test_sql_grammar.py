"""User SQL judged by the engine's own grammar (no warehouse): one expression or refused."""

from __future__ import annotations

import pytest

from harness.engines import ENGINES
from harness.settings import DEMO_PROJECT
from harness.spec import load_spec
from harness.sql_grammar import check_expression, user_expressions

GOOD = ["first_name || ' ' || last_name", "cast(score * 2 as varchar)", "coalesce(email, 'x@y.z')",
        "case when score > 10 then 'hi' else 'lo' end", "(select count(*) from statuses)", "E'it''s' || 1",
        "split_part(full_name, ' ', 1)"]  # fmt: skip
BAD = {
    "dollar quotes": "$$'$$) as text)) from t; create table pwned as select 1; select count(cast((1 --'\n+0",
    "a second statement": "1); create table pwned as select (1",
    "a set operation": "1) union all select (2",
    "a FROM clause": "1) from pg_class where (1",
    "an unfinished expression": "1 +",
}


@pytest.mark.parametrize("grammar", ["postgres", "duckdb"])
def test_one_expression_passes_and_anything_more_is_refused(grammar: str) -> None:
    for text in GOOD:
        check_expression(text, ENGINES[grammar])
    for name, text in BAD.items():
        with pytest.raises(ValueError, match="not one"):
            check_expression(text, ENGINES[grammar])
        assert name


@pytest.mark.parametrize(
    ("grammar", "text", "name"),
    [
        ("postgres", "pg_sleep(1) is null", "pg_sleep"),
        ("postgres", "lo_import('/etc/hostname')", "lo_import"),
        ("postgres", "(select dblink_exec('dbname=x', 'select 1'))", "dblink_exec"),
        ("duckdb", "(select count(*) from read_csv('/etc/hostname'))", "read_csv"),
        ("duckdb", "getenv('HOME')", "getenv"),
    ],
)
def test_functions_that_act_outside_the_row_are_refused_by_name(grammar: str, text: str, name: str) -> None:
    with pytest.raises(ValueError, match=f"calls {name}"):
        check_expression(text, ENGINES[grammar])


def test_every_user_expression_of_a_spec_is_found_with_its_path() -> None:
    found = dict(user_expressions(load_spec(DEMO_PROJECT / "migrations" / "customers_full_name.yml")))
    assert found == {"operations[0].up": "first_name || ' ' || last_name",
                     "operations[1].down": "split_part(full_name, ' ', 1)",
                     "operations[2].down": "split_part(full_name, ' ', 2)"}  # fmt: skip
