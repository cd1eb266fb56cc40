"""Each operation compiled on each engine, without a warehouse: what expand adds, what the
backfill computes, what settle validates and what contract does; refusals are rows too."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

import harness.operations as catalog
from harness.engines import DUCKDB, POSTGRES, Engine
from harness.errors import InputError
from harness.operations import (
    CATALOG,
    OPERATION_TYPES,
    Blueprint,
    Derived,
    compile_blueprint,
    planned_additions,
    undo_targets,
)
from harness.spec import MigrationSpec

COLUMNS = {"id": "integer", "email": "varchar(100)", "score": "integer", "status": "varchar(20)",
           "first_name": "text", "last_name": "text"}  # fmt: skip
FACTS = {"score": {"name": "score", "nullable": False, "default": "0"}}
# What column_attachments reads from the catalog: a check, a unique constraint, a comment.
ATTACHMENTS = [
    {"name": "first_name_set", "kind": "check", "columns": ["first_name"], "definition": "CHECK ((first_name <> ''))"},
    {"name": "accounts_last_name_key", "kind": "unique", "columns": ["last_name"], "definition": "UNIQUE (last_name)",
     "index_definition": "CREATE UNIQUE INDEX accounts_last_name_key ON s.accounts USING btree (last_name)"},
    {"name": None, "kind": "comment", "columns": ["last_name"], "definition": "family name"},
]  # fmt: skip


def spec(*operations: dict[str, Any], **fields: Any) -> MigrationSpec:
    return MigrationSpec.model_validate(
        {"name": "m", "table": "accounts", "key": ["id"], "operations": list(operations), **fields}
    )


@dataclass(frozen=True)
class Case:
    operation: dict[str, Any]
    engine: Engine
    expect: dict[str, Any] = field(default_factory=dict)  # Blueprint field -> value
    refused: str | None = None  # a regex of the InputError


CASES = {
    "add_column": Case(
        {"type": "add_column", "column": "tier", "data_type": "text", "up": "'gold'"},
        POSTGRES,
        {
            "adds": [{"name": "tier", "data_type": "text", "default": None}],
            "backfill": {"tier": ["'gold'", "text"]},
            "added": ["tier"],
            "contract": [],
        },
    ),
    "add_column-not-null-pg": Case(
        {"type": "add_column", "column": "tier", "data_type": "text", "default": "'x'", "not_null": True},
        POSTGRES,
        {
            "expand": [{"kind": "add_not_null_check", "name": "accounts_tier_not_null", "column": "tier"}],
            "settle": [{"kind": "validate_constraint", "name": "accounts_tier_not_null"}],
            "contract": [
                {"kind": "set_not_null", "column": "tier"},
                {"kind": "drop_constraint", "name": "accounts_tier_not_null"},
            ],
        },
    ),
    "add_column-not-null-duckdb": Case(
        {"type": "add_column", "column": "tier", "data_type": "text", "default": "'x'", "not_null": True},
        DUCKDB,
        {"expand": [], "settle": [], "contract": [{"kind": "set_not_null", "column": "tier"}]},
    ),
    "add_column-identity": Case(  # numbered from a sequence of its own until contract makes it an identity
        {"type": "add_column", "column": "ticket", "data_type": "bigint", "identity": "always"},
        POSTGRES,
        {
            "adds": [{"name": "ticket", "data_type": "bigint", "default": None}],
            "expand": [
                {
                    "kind": "add_sequence_default",
                    "column": "ticket",
                    "sequence": "accounts_ticket_ec_seq",
                    "data_type": "bigint",
                },
                {"kind": "add_not_null_check", "name": "accounts_ticket_not_null", "column": "ticket"},
            ],
            "backfill": {"ticket": ['coalesce("ticket", nextval(\'"accounts_ticket_ec_seq"\'))', "bigint"]},
            "generated": ["ticket"],
            "derived": [],
            "contract": [
                {"kind": "set_not_null", "column": "ticket"},
                {"kind": "drop_constraint", "name": "accounts_ticket_not_null"},
                {
                    "kind": "add_identity",
                    "column": "ticket",
                    "identity": "always",
                    "sequence": "accounts_ticket_ec_seq",
                },
            ],
        },
    ),
    "add_column-identity-duckdb": Case(
        {"type": "add_column", "column": "ticket", "data_type": "bigint", "identity": "by default"},
        DUCKDB,
        refused="DuckDB has no identity columns",
    ),
    "add_column-identity-with-up": Case(
        {"type": "add_column", "column": "ticket", "data_type": "bigint", "identity": "always", "up": "id"},
        POSTGRES,
        refused="numbered by its sequence",
    ),
    "add_column-identity-text": Case(
        {"type": "add_column", "column": "ticket", "data_type": "text", "identity": "always"},
        POSTGRES,
        refused="smallint, integer or bigint",
    ),
    "drop_column": Case(
        {"type": "drop_column", "column": "email", "down": "'x'"},
        DUCKDB,
        {
            "dropped": ["email"],
            "down": {"email": ["'x'", "varchar(100)"]},
            "contract": [{"kind": "drop_column", "column": "email"}],
        },
    ),
    "rename_column": Case(
        {"type": "rename_column", "column": "email", "to": "email_address"},
        DUCKDB,
        {
            "renamed": {"email": "email_address"},
            "adds": [],
            "contract": [{"kind": "rename_column", "column": "email", "to": "email_address"}],
        },
    ),
    "rename_column-taken": Case(
        {"type": "rename_column", "column": "email", "to": "status"},
        DUCKDB,
        refused=r"operations\[0\] \(rename_column\): status is already a column name",
    ),
    "change_type-keeps-not-null": Case(
        {"type": "change_type", "column": "score", "data_type": "numeric(10, 2)"},
        POSTGRES,
        {
            "rewritten": ["score"],
            "backfill": {"_ec_score": ['"score"', "numeric(10, 2)"]},
            "contract": [
                {"kind": "drop_column", "column": "score"},
                {"kind": "rename_column", "column": "_ec_score", "to": "score"},
                {"kind": "set_not_null", "column": "score"},
                {"kind": "drop_constraint", "name": "accounts_score_not_null"},
            ],
        },
    ),
    "set_not_null": Case(
        {"type": "set_not_null", "column": "email", "up": "coalesce(email, 'none')"},
        POSTGRES,
        {
            "backfill": {"_ec_email": ["coalesce(email, 'none')", "varchar(100)"]},
            "new": [
                ("id", "id"),
                ("email", "_ec_email"),
                ("score", "score"),
                ("status", "status"),
                ("first_name", "first_name"),
                ("last_name", "last_name"),
            ],
        },
    ),
    "set_not_null-missing-column": Case(
        {"type": "set_not_null", "column": "nope"}, POSTGRES, refused=r"nope is not a column of accounts"
    ),
    "drop_not_null": Case(
        {"type": "drop_not_null", "column": "score"}, DUCKDB, {"expand": [{"kind": "drop_not_null", "column": "score"}]}
    ),
    "set_default": Case(
        {"type": "set_default", "column": "status", "default": "'new'"},
        DUCKDB,
        {"expand": [{"kind": "set_default", "column": "status", "default": "'new'"}]},
    ),
    "drop_default": Case(
        {"type": "drop_default", "column": "status"},
        DUCKDB,
        {"contract": [{"kind": "drop_default", "column": "status"}]},
    ),
    "add_check-pg": Case(
        {"type": "add_check", "name": "score_positive", "check": "score >= 0"},
        POSTGRES,
        {
            "expand": [{"kind": "add_check", "name": "score_positive", "check": "score >= 0"}],
            "settle": [{"kind": "validate_constraint", "name": "score_positive"}],
        },
    ),
    "add_check-duckdb": Case(
        {"type": "add_check", "name": "score_positive", "check": "score >= 0"},
        DUCKDB,
        refused=r"operations\[0\] \(add_check\): not supported on duckdb",
    ),
    "add_foreign_key-duckdb": Case(
        {"type": "add_foreign_key", "name": "fk", "column": "status", "references": "statuses.code"},
        DUCKDB,
        refused="not supported on duckdb",
    ),
    "add_foreign_key-pg": Case(
        {"type": "add_foreign_key", "name": "fk", "column": "status", "references": "statuses.code"},
        POSTGRES,
        {
            "expand": [
                {
                    "kind": "add_foreign_key",
                    "name": "fk",
                    "columns": ["status"],
                    "parent_table": "statuses",
                    "parent_columns": ["code"],
                    "on_delete": "no action",
                }
            ],
            "settle": [{"kind": "validate_constraint", "name": "fk"}],
        },
    ),
    "add_unique-pg": Case(
        {"type": "add_unique", "name": "u", "columns": ["email"]},
        POSTGRES,
        {
            "create_indexes": [{"name": "u", "columns": ["email"], "unique": True}],
            "settle": [{"kind": "unique_using_index", "name": "u"}],
        },
    ),
    "add_unique-duckdb": Case(
        {"type": "add_unique", "name": "u", "columns": ["email"]},
        DUCKDB,
        {"create_indexes": [{"name": "u", "columns": ["email"], "unique": True}], "settle": []},
    ),
    "split_column": Case(
        {
            "type": "split_column",
            "column": "email",
            "into": [
                {"column": "user", "data_type": "text", "up": "split_part(email, '@', 1)"},
                {"column": "domain", "data_type": "text", "up": "split_part(email, '@', 2)"},
            ],
        },
        DUCKDB,
        {"added": ["user", "domain"], "dropped": ["email"]},
    ),
    "merge_columns": Case(
        {
            "type": "merge_columns",
            "columns": ["first_name", "last_name"],
            "into": {"column": "full_name", "data_type": "text", "up": "first_name || ' ' || last_name"},
        },
        DUCKDB,
        {"added": ["full_name"], "dropped": ["first_name", "last_name"]},
    ),
    "merge_columns-bad-down": Case(
        {
            "type": "merge_columns",
            "columns": ["first_name", "last_name"],
            "into": {"column": "full_name", "data_type": "text", "up": "first_name"},
            "down": {"email": "'x'"},
        },
        DUCKDB,
        refused="`down` names email",
    ),
    "create_index": Case(
        {"type": "create_index", "name": "i", "columns": ["status"]},
        POSTGRES,
        {"create_indexes": [{"name": "i", "columns": ["status"], "unique": False}]},
    ),
    "drop_index": Case({"type": "drop_index", "name": "i"}, POSTGRES, {"drop_indexes": ["i"]}),
    "create_table": Case(
        {"type": "create_table", "table": "t", "columns": {"a": "integer"}, "primary_key": ["a"]},
        DUCKDB,
        {
            "create_tables": [
                {
                    "type": "create_table",
                    "table": "t",
                    "columns": {"a": "integer"},
                    "primary_key": ["a"],
                    "checks": [],
                    "uniques": [],
                    "foreign_keys": [],
                }
            ]
        },
    ),
    "create_table-identity-duckdb": Case(
        {"type": "create_table", "table": "t", "columns": {"a": {"type": "bigint", "identity": "always"}}},
        DUCKDB,
        refused="DuckDB has no identity columns",
    ),
    "create_table-own-without-its-key": Case(
        {"type": "create_table", "table": "accounts", "columns": {"a": "integer"}},
        DUCKDB,
        refused="id of its keys are not among its columns",
    ),
    "create_table-own": Case(  # the spec's own table: nothing before it, the key its primary key
        {"type": "create_table", "columns": {"id": "bigint", "a": "integer"}},
        DUCKDB,
        {
            "creates_table": True,
            "new": [("id", "id"), ("a", "a")],
            "added": ["id", "a"],
            "create_tables": [
                {
                    "type": "create_table",
                    "table": "accounts",
                    "columns": {"id": "bigint", "a": "integer"},
                    "primary_key": ["id"],
                    "checks": [],
                    "uniques": [],
                    "foreign_keys": [],
                }
            ],
        },
    ),
    "rename_table": Case({"type": "rename_table", "to": "members"}, DUCKDB, {"final_table": "members"}),
    "drop_table": Case({"type": "drop_table"}, DUCKDB, {"drops_table": True}),
    "raw_sql": Case({"type": "raw_sql", "up": "select 1", "down": "select 2"}, DUCKDB, {"raw": ["select 1"]}),
    "raw_sql-on_complete": Case(
        {"type": "raw_sql", "up": "select 1", "down": "select 2", "on_complete": True},
        DUCKDB,
        {"raw": [], "contract": [{"kind": "raw_sql", "sql": "select 1"}]},
    ),
    "drop_constraint": Case(
        {"type": "drop_constraint", "name": "first_name_set"},
        POSTGRES,
        {"contract": [{"kind": "drop_constraint", "name": "first_name_set"}]},
    ),
    "drop_constraint-missing": Case(
        {"type": "drop_constraint", "name": "nope"}, POSTGRES, refused="has no constraint nope .*first_name_set"
    ),
    "drop_constraint-duckdb": Case(
        {"type": "drop_constraint", "name": "first_name_set"}, DUCKDB, refused="cannot drop or rename a constraint"
    ),
    "rename_constraint": Case(
        {"type": "rename_constraint", "name": "first_name_set", "to": "first_name_present"},
        POSTGRES,
        {"contract": [{"kind": "rename_constraint", "name": "first_name_set", "to": "first_name_present"}]},
    ),
    "rename_constraint-taken": Case(
        {"type": "rename_constraint", "name": "first_name_set", "to": "accounts_last_name_key"},
        POSTGRES,
        refused="already has a constraint or index named accounts_last_name_key",
    ),
    "set_comment": Case(
        {"type": "set_comment", "column": "score", "comment": "points"},
        DUCKDB,
        {"contract": [{"kind": "set_comment", "column": "score", "comment": "points"}]},
    ),
    "add_check-with-up": Case(
        {"type": "add_check", "name": "score_positive", "check": "score > 0", "up": {"score": "greatest(score, 1)"}},
        POSTGRES,
        {
            "backfill": {"_ec_score": ["greatest(score, 1)", "integer"]},
            "expand": [
                {"kind": "add_not_null_check", "name": "accounts_score_not_null", "column": "_ec_score"},
                {"kind": "add_check", "name": "score_positive", "check": "_ec_score > 0"},
            ],
            "carried_rules": [{"name": "score_positive", "check": "score > 0"}],
        },
    ),
    "alter_column": Case(
        {
            "type": "alter_column",
            "column": "last_name",
            "data_type": "varchar(80)",
            "not_null": True,
            "default": "'x'",
            "comment": "surname",
            "to": "surname",
            "up": "coalesce(last_name, 'x')",
        },
        POSTGRES,
        {
            "adds": [{"name": "_ec_last_name", "data_type": "varchar(80)", "default": "'x'"}],
            "expand": [
                {"kind": "add_not_null_check", "name": "accounts_last_name_not_null", "column": "_ec_last_name"},
                {"kind": "set_comment", "column": "_ec_last_name", "comment": "family name"},  # carried
            ],
            "settle_indexes": [
                {
                    "name": "accounts_last_name_key_ec",
                    "definition": "CREATE UNIQUE INDEX CONCURRENTLY "
                    "IF NOT EXISTS accounts_last_name_key_ec ON s.accounts (_ec_last_name)",
                }
            ],
            "contract": [
                {"kind": "drop_column", "column": "last_name"},
                {"kind": "rename_column", "column": "_ec_last_name", "to": "last_name"},
                {"kind": "set_not_null", "column": "last_name"},
                {"kind": "drop_constraint", "name": "accounts_last_name_not_null"},
                {"kind": "rename_column", "column": "last_name", "to": "surname"},
                {
                    "kind": "unique_using_index",
                    "name": "accounts_last_name_key",
                    "index": "accounts_last_name_key_ec",
                    "deferrable": None,
                    "deferred": None,
                },
                {"kind": "set_comment", "column": "surname", "comment": "surname"},
            ],
            "renamed": {"last_name": "surname"},
            "carried_rules": [{"name": "accounts_last_name_key", "unique": ["surname"]}],
        },
    ),
    "create_index-options": Case(
        {
            "type": "create_index",
            "name": "i",
            "columns": [{"column": "email", "opclass": "text_pattern_ops"}],
            "where": "score > 0",
            "include": ["status"],
            "method": "btree",
            "storage": {"fillfactor": 70},
        },
        POSTGRES,
        {
            "create_indexes": [
                {
                    "name": "i",
                    "columns": ["email"],
                    "unique": False,
                    "options": {
                        "method": "btree",
                        "elements": [{"opclass": "text_pattern_ops", "order": "asc", "nulls": None}],
                        "include": ["status"],
                        "where": "score > 0",
                        "storage": {"fillfactor": 70},
                    },
                }
            ]
        },
    ),
    "create_index-options-duckdb": Case(
        {"type": "create_index", "name": "i", "columns": ["email"], "where": "score > 0"},
        DUCKDB,
        refused="DuckDB indexes take columns only",
    ),
    "add_column-volatile": Case(
        {"type": "add_column", "column": "token", "data_type": "double precision", "up": "random()", "volatile": True},
        DUCKDB,
        {"derived": [Derived("token", "token", "random()", "double precision", volatile=True)]},
    ),
    "add_foreign_key-several-columns": Case(
        {
            "type": "add_foreign_key",
            "name": "fk",
            "columns": ["first_name", "last_name"],
            "references": "people(first, last)",
            "on_delete": "cascade",
        },
        POSTGRES,
        {
            "expand": [
                {
                    "kind": "add_foreign_key",
                    "name": "fk",
                    "columns": ["first_name", "last_name"],
                    "parent_table": "people",
                    "parent_columns": ["first", "last"],
                    "on_delete": "cascade",
                }
            ]
        },
    ),
    "add_foreign_key-count-mismatch": Case(
        {"type": "add_foreign_key", "name": "fk", "columns": ["first_name", "last_name"], "references": "people.id"},
        POSTGRES,
        refused="2 column\\(s\\) reference 1",
    ),
    "add_primary_key": Case(
        {"type": "add_primary_key", "columns": ["email"]},
        POSTGRES,
        {
            "create_indexes": [{"name": "accounts_pkey", "columns": ["email"], "unique": True}],
            "expand": [{"kind": "add_not_null_check", "name": "accounts_email_not_null", "column": "email"}],
            "contract": [
                {"kind": "set_not_null", "column": "email"},
                {"kind": "drop_constraint", "name": "accounts_email_not_null"},
                {"kind": "add_primary_key", "name": "accounts_pkey", "index": "accounts_pkey"},
            ],
        },
    ),
    "add_primary_key-duckdb": Case(
        {"type": "add_primary_key", "columns": ["id"], "name": "pk"},
        DUCKDB,
        {
            "contract": [
                {"kind": "set_not_null", "column": "id"},
                {"kind": "add_primary_key", "name": "pk", "columns": ["id"]},
            ],
            "create_indexes": [],
        },
    ),
    "set_replica_identity": Case(
        {"type": "set_replica_identity", "identity": "full"},
        POSTGRES,
        {"contract": [{"kind": "set_replica_identity", "identity": "full", "index": None}]},
    ),
    "set_replica_identity-duckdb": Case(
        {"type": "set_replica_identity", "identity": "full"}, DUCKDB, refused="no logical replication"
    ),
    "alter_column-nothing": Case({"type": "alter_column", "column": "email"}, POSTGRES, refused="changes nothing"),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_each_operation_compiles_to_its_phases(case: Case) -> None:
    if case.refused:
        with pytest.raises((InputError, ValueError), match=case.refused):
            compile_blueprint(spec(case.operation), COLUMNS, case.engine, facts=FACTS, attachments=ATTACHMENTS)
        return
    plan = compile_blueprint(spec(case.operation), COLUMNS, case.engine, facts=FACTS, attachments=ATTACHMENTS)
    for name, value in case.expect.items():
        assert getattr(plan, name) == value, name


def test_every_operation_type_has_a_case_and_the_catalog_comes_from_the_modules() -> None:
    modules = sorted(p.stem for p in Path(catalog.__file__).parent.glob("*.py") if p.stem not in ("__init__", "base"))
    assert sorted(CATALOG) == modules
    assert ", ".join(CATALOG) == OPERATION_TYPES
    covered = {case.operation["type"] for case in CASES.values()}
    assert covered | {"rewrite_table"} == set(CATALOG)


def rewrite_plan(**fields: Any) -> Blueprint:
    operations = [{"type": "rename_column", "column": "email", "to": "email_address"},
                  {"type": "add_check", "name": "score_positive", "check": "score >= 0"}]  # fmt: skip
    return compile_blueprint(spec(*operations, **fields), COLUMNS, DUCKDB, facts=FACTS)


def test_placement_rewrite_and_the_rewrite_table_operation_compile_alike() -> None:
    by_field = rewrite_plan(placement="rewrite")
    with_op = compile_blueprint(
        spec({"type": "rename_column", "column": "email", "to": "email_address"},
             {"type": "add_check", "name": "score_positive", "check": "score >= 0"}, {"type": "rewrite_table"}),
        COLUMNS, DUCKDB, facts=FACTS,
    )  # fmt: skip
    assert by_field == with_op
    assert by_field.rewrite is not None and by_field.rewrite.table == "_ec_new_accounts"
    assert by_field.rewrite.checks == [{"name": "score_positive", "check": "score >= 0"}]  # declared, even on DuckDB
    assert by_field.expand == [] and by_field.contract == [] and by_field.physical_added == []
    score = next(column for column in by_field.rewrite.columns if column["name"] == "score")
    assert score["not_null"] is True and score["default"] == "0"  # carried over from the table's facts


def test_in_place_add_check_on_duckdb_is_refused_but_rewrite_declares_it() -> None:
    with pytest.raises(InputError, match="not supported on duckdb"):
        rewrite_plan()


def test_rewrite_refuses_a_sequence_fed_column_and_on_duckdb_indexes_it_would_lose() -> None:
    """PostgreSQL builds the old table's indexes on the new one (from their definitions); DuckDB cannot."""
    facts = {"id": {"name": "id", "default": "nextval('accounts_id_seq')"}}
    with pytest.raises(InputError, match="takes its values from a sequence"):
        compile_blueprint(spec({"type": "drop_default", "column": "status"}, placement="rewrite"), COLUMNS, POSTGRES,
                          facts=facts)  # fmt: skip
    with pytest.raises(InputError, match="index"):
        compile_blueprint(spec({"type": "drop_default", "column": "status"}, placement="rewrite"), COLUMNS, DUCKDB,
                          existing_indexes=1)  # fmt: skip


def test_duckdb_refuses_to_drop_columns_of_an_indexed_table_before_anything_changes() -> None:
    migration = spec({"type": "drop_column", "column": "email"})
    with pytest.raises(InputError, match="DuckDB cannot drop or rename columns"):
        compile_blueprint(migration, COLUMNS, DUCKDB, existing_indexes=1)
    assert compile_blueprint(migration, COLUMNS, POSTGRES, existing_indexes=1).dropped == ["email"]


def test_operations_compose_in_order() -> None:
    plan = compile_blueprint(
        spec({"type": "rename_column", "column": "email", "to": "mail"},
             {"type": "create_index", "name": "by_mail", "columns": ["mail"]}),
        COLUMNS, POSTGRES,
    )  # fmt: skip
    assert plan.create_indexes == [{"name": "by_mail", "columns": ["email"], "unique": False}]  # the physical column


def test_spec_level_rules_come_from_the_operations() -> None:
    with pytest.raises(ValueError, match="part of the key"):
        spec({"type": "drop_column", "column": "id"})
    with pytest.raises(ValueError, match="drop_table must be the only operation"):
        spec({"type": "drop_table"}, {"type": "drop_index", "name": "i"})
    with pytest.raises(ValueError, match="rename_table may appear once"):
        spec({"type": "rename_table", "to": "a"}, {"type": "rename_table", "to": "b"})
    with pytest.raises(ValueError, match="changed by two operations"):
        spec({"type": "drop_column", "column": "email"}, {"type": "set_default", "column": "email", "default": "1"})


def test_additions_and_undo_come_from_the_spec_alone() -> None:
    migration = spec(
        {"type": "change_type", "column": "score", "data_type": "bigint"},
        {"type": "create_table", "table": "t", "columns": {"a": "integer"}},
        {"type": "rename_table", "to": "members"},
        {"type": "raw_sql", "up": "select 1", "down": "select 2"},
        placement="rewrite",
    )
    assert planned_additions(migration) == {"_ec_score"}
    undo = undo_targets(migration)
    assert undo.created_tables == ["t"] and undo.scratch_tables == ["_ec_new_accounts"]
    assert undo.renamed_to == "members" and undo.raw_downs == ["select 2"]


def test_the_demo_spec_compiles_on_both_engines() -> None:
    text = (Path(__file__).parents[2] / "integration_tests" / "migrations" / "customers_full_name.yml").read_text()
    demo = MigrationSpec.model_validate(yaml.safe_load(text))
    columns = {"id": "integer", "first_name": "text", "last_name": "text"}
    for engine in (DUCKDB, POSTGRES):
        plan = compile_blueprint(demo, columns, engine)
        assert plan.added == ["full_name"] and plan.dropped == ["first_name", "last_name"]


def test_an_identity_column_is_added_in_place_only() -> None:
    operation = {"type": "add_column", "column": "ticket", "data_type": "bigint", "identity": "always"}
    with pytest.raises(InputError, match="added in place only"):
        compile_blueprint(spec(operation, placement="rewrite"), COLUMNS, POSTGRES, facts=FACTS)


def test_an_index_column_written_as_a_mapping_without_options_is_plain() -> None:
    operation = {"type": "create_index", "name": "ix", "columns": [{"column": "email"}, "score"]}
    plan = compile_blueprint(spec(operation), COLUMNS, DUCKDB, facts=FACTS)
    assert [(index["name"], index["columns"], index.get("options")) for index in plan.create_indexes] == [
        ("ix", ["email", "score"], None)
    ]
