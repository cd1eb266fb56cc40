"""shape_back: the ALTERs that give a contracted table its before-shape again, from the catalog
facts journaled with the before-snapshot and the catalog now (no warehouse)."""

from __future__ import annotations

from harness.lifecycle.restore import shape_back


def column(name: str, ddl_type: str, nullable: bool = True, default: str | None = None) -> dict[str, object]:
    return {"name": name, "data_type": ddl_type.split("(")[0], "ddl_type": ddl_type, "nullable": nullable,
            "default": default}  # fmt: skip


BEFORE = [
    column("id", "integer", False, "nextval('products_id_seq'::regclass)"),
    column("name", "character varying(40)", False),
    column("price", "integer"),
    column("full_name", "character varying(100)"),
]


def test_an_unchanged_table_needs_nothing() -> None:
    assert shape_back(BEFORE, BEFORE, {}) == ([], [])


def test_added_dropped_retyped_and_defaulted_columns_are_put_back() -> None:
    now = [BEFORE[0], column("name", "character varying(40)", False, "'unnamed'"), column("label", "text"),
           column("price", "numeric(12,2)", False), column("first_name", "text")]  # fmt: skip
    shape, not_null = shape_back(BEFORE, now, {})
    assert shape == [
        {"kind": "drop_column", "column": "label"},
        {"kind": "drop_column", "column": "first_name"},
        {"kind": "drop_default", "column": "name"},
        {"kind": "drop_not_null", "column": "price"},
        {"kind": "reset_type", "column": "price", "data_type": "integer"},
        {"kind": "add_column", "name": "full_name", "data_type": "character varying(100)"},
    ]
    assert not_null == []


def test_a_retyped_not_null_column_gets_its_not_null_back_after_the_rows() -> None:
    before = [column("id", "integer", False), column("nick", "varchar(50)", False)]
    now = [column("id", "integer", False), column("nick", "varchar(80)", False)]
    shape, not_null = shape_back(before, now, {})
    assert shape == [{"kind": "drop_not_null", "column": "nick"},
                     {"kind": "reset_type", "column": "nick", "data_type": "varchar(50)"}]  # fmt: skip
    assert not_null == [{"kind": "set_not_null", "column": "nick"}]


def test_a_renamed_column_is_renamed_back_and_a_script_may_run_twice() -> None:
    before = [column("id", "integer", False), column("points", "integer")]
    now = [column("id", "integer", False), column("reward_points", "integer")]
    assert shape_back(before, now, {"points": "reward_points"}) == (
        [{"kind": "rename_column", "column": "reward_points", "to": "points"}], [])  # fmt: skip
    script, _ = shape_back(before, now, {"points": "reward_points"}, script=True)
    assert script == [{"kind": "rename_back", "data_type": "integer", "column": "reward_points", "to": "points"}]
    assert shape_back(before, before, {"points": "reward_points"}, script=True) == ([], [])  # already back
