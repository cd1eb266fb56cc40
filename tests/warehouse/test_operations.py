"""The operation catalog, each on both adapters: forward (start → validate → complete, then an
independent re-validation), and rollback from `contracted` to the exact before-checksum.
Operations an adapter cannot do are refused before anything changes."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.documents.plan import build_plan
from harness.engines import engine_for
from harness.errors import GuardRefused, HarnessError, InputError, StateError
from harness.lifecycle.migration import Migration
from harness.lifecycle.step import NullReporter, StepResult
from harness.operations import compile_blueprint
from harness.settings import Settings
from harness.spec import MigrationSpec, load_spec
from harness.warehouse import Warehouse
from tests.fixtures.accounts import COLUMNS, ROWS, create_accounts
from tests.fixtures.catalog import catalog, relations
from tests.fixtures.warehouse import Db, write_spec


def spec_text(operations: str, table: str = "accounts") -> str:
    return f"name: accounts_change\ntable: {table}\nkey: [id]\nbatch_size: 7\noperations:\n{operations}"


@dataclass(frozen=True)
class Case:
    operations: str
    final_columns: list[str] | None  # columns of the table after contract (None: the table is gone)
    check: Callable[[Db], None] = lambda db: None
    postgres_only: bool = False
    setup: str = ""  # SQL run after the table is created
    setup_postgres: str = ""  # and on PostgreSQL only (a constraint DuckDB cannot add to a table)
    refused_on_duckdb: str = "not supported on duckdb"  # with postgres_only: DuckDB's refusal
    final_table: str = "accounts"
    restored_after_contract: bool = False  # a rewrite or a dropped table: rollback after contract restores
    constraint_on_duckdb: bool = False  # ... and on DuckDB, a constraint it cannot drop from a table


def _values(db: Db, sql: str) -> list[tuple[object, ...]]:
    return db.query(sql.replace("{s}", db.schema))


def _numbered_by_identity(db: Db) -> None:
    """Every row has its own number; a new row gets the next one after them; `always` refuses a given one."""
    assert _values(db, "select count(distinct ticket), count(ticket), max(ticket) from {s}.accounts") == [
        (ROWS, ROWS, ROWS)
    ]
    db.execute(f"insert into {db.schema}.accounts (id, nickname) values (1001, 'new')")
    assert _values(db, "select ticket from {s}.accounts where id = 1001") == [(ROWS + 1,)]
    _rejects(db, "insert into {s}.accounts (id, nickname, ticket) values (1002, 'x', 5)", "(?i)generated always")


def _not_null_tier(db: Db) -> None:
    assert _values(db, "select count(*) from {s}.accounts where tier is null") == [(0,)]
    assert _values(db, "select tier from {s}.accounts where id = 30") == [("gold",)]


def _renamed(db: Db) -> None:
    assert _values(db, "select email_address from {s}.accounts where id = 3") == [("user3@example.com",)]


def _retyped(db: Db) -> None:
    assert float(_values(db, "select score from {s}.accounts where id = 5")[0][0]) == 7.5


def _nickname_still_required(db: Db) -> None:
    assert _values(db, "select nickname from {s}.accounts where id = 7") == [("nick7!",)]
    with pytest.raises(Exception, match=r"(?i)null"):
        db.execute(f"insert into {db.schema}.accounts (id, email) values (999, 'x@example.com')")


def _email_required(db: Db) -> None:
    assert _values(db, "select email from {s}.accounts where id = 10") == [("unknown@example.com",)]
    with pytest.raises(Exception, match=r"(?i)null"):
        db.execute(f"insert into {db.schema}.accounts (id, nickname) values (999, 'x')")


def _nickname_optional(db: Db) -> None:
    db.execute(f"insert into {db.schema}.accounts (id, email) values (999, 'x@example.com')")


def _status_default(db: Db) -> None:
    db.execute(f"insert into {db.schema}.accounts (id, nickname) values (999, 'x')")
    assert _values(db, "select status from {s}.accounts where id = 999") == [("active",)]


def _no_status_default(db: Db) -> None:
    db.execute(f"insert into {db.schema}.accounts (id, nickname) values (999, 'x')")
    assert _values(db, "select status from {s}.accounts where id = 999") == [(None,)]


def _constraint_validated(db: Db, name: str) -> list[tuple[object, ...]]:
    """Of this test's schema only: another pytest-xdist worker may have the same name in its own."""
    return _values(
        db, f"select convalidated from pg_constraint where connamespace = '{{s}}'::regnamespace and conname = '{name}'"
    )


def _check_enforced(db: Db) -> None:
    assert _constraint_validated(db, "score_not_negative") == [(True,)]
    with pytest.raises(Exception, match="score_not_negative"):
        db.execute(f"update {db.schema}.accounts set score = -1 where id = 1")


def _fk_enforced(db: Db) -> None:
    assert _constraint_validated(db, "accounts_status_fk") == [(True,)]
    with pytest.raises(Exception, match="accounts_status_fk"):
        db.execute(f"update {db.schema}.accounts set status = 'bogus' where id = 1")


def _unique_enforced(db: Db) -> None:
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        db.execute(f"update {db.schema}.accounts set nickname = 'nick2' where id = 1")


def _split(db: Db) -> None:
    assert _values(db, "select first_name, last_name from {s}.accounts where id = 4") == [("First4", "Last4")]


def _merged(db: Db) -> None:
    assert _values(db, "select label from {s}.accounts where id = 4") == [("nick4:active",)]


def _index_exists(name: str) -> Callable[[Db], None]:
    def check(db: Db) -> None:
        if db.adapter == "postgres":
            found = _values(db, f"select indisvalid from pg_index where indexrelid = '{{s}}.{name}'::regclass")
            assert found == [(True,)]
        else:
            assert _values(db, f"select count(*) from duckdb_indexes() where index_name = '{name}'") == [(1,)]

    return check


def _rejects(db: Db, statement: str, error: str) -> None:
    with pytest.raises(Exception, match=error):
        db.execute(statement.replace("{s}", db.schema))


def _index_is(db: Db, name: str, definition: str) -> None:
    """Written by hand: the index as PostgreSQL prints it, every option."""
    found = _values(db, f"select indexdef from pg_indexes where schemaname = '{{s}}' and indexname = '{name}'")
    assert found == [(f"CREATE INDEX {name} ON {db.schema}.accounts {definition}",)]


def _no_index(db: Db) -> None:
    if db.adapter == "postgres":
        # In this test's schema: another pytest-xdist worker may have an accounts_signup in its own.
        sql = "select count(*) from pg_indexes where schemaname = '{s}' and indexname = 'accounts_signup'"
        assert _values(db, sql) == [(0,)]
    else:
        assert _values(db, "select count(*) from duckdb_indexes() where index_name = 'accounts_signup'") == [(0,)]


def _events_table(db: Db) -> None:
    assert db.columns("account_events") == ["id", "account_id", "kind"]


def _events_declared(db: Db) -> None:
    """create_table with full column definitions: each enforced, the default and comment there."""
    db.execute(f"insert into {db.schema}.events (id, amount, code) values (1, 5, 'a')")
    assert _values(db, "select status from {s}.events") == [("new",)]
    for statement in ["insert into {s}.events (id, status) values (2, 'bogus')",  # references
                      "insert into {s}.events (id, amount) values (3, -1)",  # column check
                      "insert into {s}.events (id, amount) values (4, 5000)",  # named check
                      "insert into {s}.events (id, code) values (5, 'a')",  # unique
                      "insert into {s}.events (id, status) values (6, null)"]:  # not null  # fmt: skip
        _rejects(db, statement, "(?i)constraint|violat|null|foreign|check|duplicate|unique")
    if db.adapter == "postgres":
        found = _values(db, "select col_description('{s}.events'::regclass, 2)")
    else:
        where = "table_name = 'events' and column_name = 'status'"
        found = _values(db, f"select comment from duckdb_columns() where {where}")
    assert found == [("the status",)]
    db.execute(f"delete from {db.schema}.events")


def _raw_ran(db: Db) -> None:
    assert _values(db, "select note from {s}.audit_note") == [("migrated",)]


def _comment(db: Db, column: str) -> list[tuple[object, ...]]:
    if db.adapter == "postgres":
        return _values(db, f"select col_description('{{s}}.accounts'::regclass, attnum) from pg_attribute "
                           f"where attrelid = '{{s}}.accounts'::regclass and attname = '{column}'")  # fmt: skip
    return _values(db, f"select comment from duckdb_columns() where schema_name = '{{s}}' and table_name = 'accounts' "
                       f"and column_name = '{column}'")  # fmt: skip


def _constraints(db: Db) -> list[tuple[object, ...]]:
    return _values(db, "select conname from pg_constraint where conrelid = '{s}.accounts'::regclass order by 1")


def _altered(db: Db) -> None:
    """alter_column: retyped, NOT NULL, a default, renamed, commented, all at once."""
    assert _values(db, "select contact from {s}.accounts where id = 10") == [("none",)]
    assert _comment(db, "contact") == [("how to reach them",)]
    db.execute(f"insert into {db.schema}.accounts (id, nickname) values (999, 'x')")
    assert _values(db, "select contact from {s}.accounts where id = 999") == [("unknown",)]
    with pytest.raises(Exception, match=r"(?i)null"):
        db.execute(f"update {db.schema}.accounts set contact = null where id = 1")


def _altered_with_rules(db: Db) -> None:
    assert _constraints(db) == [("accounts_score_not_negative",), ("accounts_status_key",)]
    assert _values(db, "select count(distinct status) from {s}.accounts") == [(40,)]
    with pytest.raises(Exception, match="accounts_score_not_negative"):
        db.execute(f"update {db.schema}.accounts set score = -5 where id = 1")


def _carried_over(db: Db) -> None:
    """The rewritten table kept the old one's NOT NULL (nickname), default (status) and key."""
    db.execute(f"insert into {db.schema}.accounts (id, nickname) values (999, 'x')")
    assert _values(db, "select status from {s}.accounts where id = 999") == [("new",)]
    with pytest.raises(Exception, match=r"(?i)null"):
        db.execute(f"insert into {db.schema}.accounts (id, email) values (998, 'y@example.com')")
    with pytest.raises(Exception, match=r"(?i)duplicate|unique|primary key"):
        db.execute(f"insert into {db.schema}.accounts (id, nickname) values (1, 'again')")


CASES = {
    "add_column_not_null": Case(
        "  - {type: add_column, column: tier, data_type: varchar(10), not_null: true,\n"
        "     up: \"case when score > 60 then 'gold' else 'basic' end\"}\n",
        [*COLUMNS, "tier"],
        _not_null_tier,
    ),
    "add_column_volatile": Case(
        "  - {type: add_column, column: token, data_type: double precision, up: random(), volatile: true}\n",
        [*COLUMNS, "token"],
        lambda db: (_values(db, "select count(*) from {s}.accounts where token is null") == [(0,)]) or pytest.fail(),
    ),
    "add_column_full": Case(
        "  - {type: add_column, column: tier, data_type: varchar(10), not_null: true, unique: true,\n"
        "     up: \"case when score > 60 then 'gold' else 'basic' end || '-' || id\", check: length(tier) > 3,\n"
        "     references: tiers.code, comment: the level}\n",
        [*COLUMNS, "tier"],
        lambda db: (
            (
                _constraints(db) == [("accounts_tier_check",), ("accounts_tier_fkey",), ("accounts_tier_key",)]
                and _comment(db, "tier") == [("the level",)]
            )
            or pytest.fail(str(_constraints(db)))
        ),
        postgres_only=True,
        setup_postgres="create table {s}.tiers (code varchar(10) primary key); insert into {s}.tiers "
        "select t || '-' || i from generate_series(1, 40) as g(i), (values ('gold'), ('basic')) as v(t)",
    ),
    "add_column_default": Case(
        "  - {type: add_column, column: plan, data_type: varchar(10), default: \"'free'\"}\n",
        [*COLUMNS, "plan"],
        lambda db: None,
    ),
    "rename_column": Case(
        "  - {type: rename_column, column: email, to: email_address}\n",
        ["id", "email_address", *COLUMNS[2:]],
        _renamed,
    ),
    "change_type": Case(
        "  - {type: change_type, column: score, data_type: 'numeric(10, 2)', up: score / 2.0,\n"
        "     down: cast(score * 2 as integer)}\n",
        [c for c in COLUMNS if c != "score"] + ["score"],
        _retyped,  # the shadow column took its place
    ),
    "change_type_of_not_null_column": Case(
        "  - {type: change_type, column: nickname, data_type: varchar(80), up: \"nickname || '!'\"}\n",
        [c for c in COLUMNS if c != "nickname"] + ["nickname"],
        _nickname_still_required,
    ),
    "set_not_null": Case(
        "  - {type: set_not_null, column: email, up: \"coalesce(email, 'unknown@example.com')\"}\n",
        [c for c in COLUMNS if c != "email"] + ["email"],
        _email_required,
    ),
    "drop_not_null": Case("  - {type: drop_not_null, column: nickname}\n", COLUMNS, _nickname_optional),
    "set_default": Case("  - {type: set_default, column: status, default: \"'active'\"}\n", COLUMNS, _status_default),
    "drop_default": Case("  - {type: drop_default, column: status}\n", COLUMNS, _no_status_default),
    "add_check": Case(
        "  - {type: add_check, name: score_not_negative, check: score >= 0}\n",
        COLUMNS,
        _check_enforced,
        postgres_only=True,
    ),
    "add_foreign_key": Case(
        "  - {type: add_foreign_key, name: accounts_status_fk, column: status, references: statuses.code}\n",
        COLUMNS,
        _fk_enforced,
        postgres_only=True,
    ),
    "add_unique": Case(
        "  - {type: add_unique, name: accounts_nickname_key, columns: [nickname]}\n", COLUMNS, _unique_enforced
    ),
    "split_column": Case(
        "  - type: split_column\n    column: full_name\n    down: first_name || ' ' || last_name\n    into:\n"
        "      - {column: first_name, data_type: varchar(50), up: \"split_part(full_name, ' ', 1)\"}\n"
        "      - {column: last_name, data_type: varchar(50), up: \"split_part(full_name, ' ', 2)\"}\n",
        [c for c in COLUMNS if c != "full_name"] + ["first_name", "last_name"],
        _split,
    ),
    "merge_columns": Case(
        "  - type: merge_columns\n    columns: [nickname, status]\n"
        "    into: {column: label, data_type: varchar(80), up: \"nickname || ':' || status\"}\n"
        "    down: {nickname: \"split_part(label, ':', 1)\", status: \"split_part(label, ':', 2)\"}\n",
        [c for c in COLUMNS if c not in ("nickname", "status")] + ["label"],
        _merged,
    ),
    "drop_column": Case("  - {type: drop_column, column: nickname}\n", [c for c in COLUMNS if c != "nickname"]),
    "create_index": Case(
        "  - {type: create_index, name: accounts_status_score, columns: [status, score]}\n",
        COLUMNS,
        _index_exists("accounts_status_score"),
    ),
    "create_index_with_options": Case(
        "  - {type: create_index, name: accounts_nick_pattern, method: btree, include: [email], where: score > 10,\n"
        "     columns: [{column: nickname, opclass: text_pattern_ops, order: desc, nulls: last}, score],\n"
        "     storage: {fillfactor: 70}}\n",
        COLUMNS,
        lambda db: _index_is(
            db,
            "accounts_nick_pattern",
            "USING btree (nickname text_pattern_ops DESC NULLS LAST, "
            "score) INCLUDE (email) WITH (fillfactor='70') WHERE (score > 10)",
        ),
        postgres_only=True,
        refused_on_duckdb="DuckDB indexes take columns only",
    ),
    "add_primary_key": Case(
        "  - {type: add_primary_key, columns: [id]}\n",
        COLUMNS,
        lambda db: _rejects(db, "insert into {s}.accounts (id, nickname) values (1, 'x')", "(?i)primary key|duplicate"),
        constraint_on_duckdb=True,
    ),
    "add_foreign_key_two_columns": Case(
        "  - {type: add_foreign_key, name: accounts_nick_status_fk, columns: [nickname, status],\n"
        '     references: "nick_status(nickname, status)"}\n',
        COLUMNS,
        lambda db: _rejects(db, "update {s}.accounts set status = 'new' where id = 1", "accounts_nick_status_fk"),
        postgres_only=True,
        setup_postgres="create table {s}.nick_status (nickname varchar(50), status varchar(20), primary key "
        "(nickname, status)); insert into {s}.nick_status select nickname, status from {s}.accounts",
    ),
    "add_column_identity": Case(
        "  - {type: add_column, column: ticket, data_type: bigint, identity: always}\n",
        [*COLUMNS, "ticket"],
        _numbered_by_identity,
        postgres_only=True,
        refused_on_duckdb="DuckDB has no identity columns",
    ),
    "set_replica_identity": Case(
        "  - {type: set_replica_identity, identity: full}\n",
        COLUMNS,
        lambda db: (
            (_values(db, "select relreplident from pg_class where oid = '{s}.accounts'::regclass") == [("f",)])
            or pytest.fail("replica identity")
        ),
        postgres_only=True,
        refused_on_duckdb="no logical replication",
    ),
    "drop_index": Case(
        "  - {type: drop_index, name: accounts_signup}\n",
        COLUMNS,
        _no_index,
        setup="create index accounts_signup on {s}.accounts (signup)",
    ),
    "create_table": Case(
        "  - type: create_table\n    table: account_events\n    primary_key: [id]\n"
        "    columns: {id: bigint, account_id: integer, kind: varchar(20)}\n",
        COLUMNS,
        _events_table,
    ),
    "create_table_full": Case(
        "  - type: create_table\n    table: events\n    primary_key: [id]\n    columns:\n"
        "      id: bigint\n"
        "      status: {type: varchar(20), not_null: true, default: \"'new'\", references: statuses.code,\n"
        "               comment: the status}\n"
        "      amount: {type: 'numeric(10, 2)', check: amount >= 0}\n"
        "      code: {type: varchar(10), unique: true}\n"
        "    checks: [{name: events_amount_small, check: amount < 1000}]\n"
        "    uniques: [{name: events_code_status_key, columns: [code, status]}]\n",
        COLUMNS,
        _events_declared,
    ),
    "rename_table": Case("  - {type: rename_table, to: members}\n", COLUMNS, final_table="members"),
    "drop_table": Case("  - {type: drop_table}\n", None),
    "rewrite_table": Case("  - {type: rewrite_table}\n", COLUMNS, _carried_over, restored_after_contract=True),
    "drop_constraint": Case(
        "  - {type: drop_constraint, name: score_small}\n",
        COLUMNS,
        lambda db: _values(db, "update {s}.accounts set score = 5000 where id = 1"),
        postgres_only=True,
        refused_on_duckdb="DuckDB cannot drop or rename a constraint",
        setup_postgres="alter table {s}.accounts add constraint score_small check (score < 1000)",
    ),
    "rename_constraint": Case(
        "  - {type: rename_constraint, name: score_small, to: score_below_1000}\n",
        COLUMNS,
        lambda db: (_constraints(db) == [("score_below_1000",)]) or pytest.fail(str(_constraints(db))),
        postgres_only=True,
        refused_on_duckdb="DuckDB cannot drop or rename a constraint",
        setup_postgres="alter table {s}.accounts add constraint score_small check (score < 1000)",
    ),
    "set_comment": Case(
        "  - {type: set_comment, column: score, comment: points earned}\n",
        COLUMNS,
        lambda db: (_comment(db, "score") == [("points earned",)]) or pytest.fail(str(_comment(db, "score"))),
    ),
    "alter_column": Case(
        "  - {type: alter_column, column: email, data_type: varchar(120), not_null: true, default: \"'unknown'\",\n"
        "     to: contact, comment: how to reach them, up: \"coalesce(email, 'none')\"}\n",
        [c for c in COLUMNS if c != "email"] + ["contact"],
        _altered,
    ),
    "alter_column_with_rules": Case(
        "  - {type: alter_column, column: status, unique: {name: accounts_status_key},\n"
        "     up: \"status || '-' || id\"}\n"
        "  - {type: add_check, name: accounts_score_not_negative, check: score >= 0, up: {score: abs(score)}}\n",
        [c for c in COLUMNS if c not in ("status", "score")] + ["status", "score"],
        _altered_with_rules,
        postgres_only=True,
        setup_postgres="update {s}.accounts set score = -score where id < 5",
    ),
    "raw_sql_on_complete": Case(
        '  - type: raw_sql\n    on_complete: true\n    up: "create view {s}.account_emails as select id, email '
        'from {s}.accounts"\n    down: drop view if exists {s}.account_emails\n',
        COLUMNS,
        lambda db: (_values(db, "select count(*) from {s}.account_emails") == [(40,)]) or pytest.fail("no view"),
    ),
    "raw_sql": Case(
        '  - type: raw_sql\n    up: "create table {s}.audit_note (note varchar(20)); '
        "insert into {s}.audit_note values ('migrated')\"\n    down: drop table if exists {s}.audit_note\n",
        COLUMNS,
        _raw_ran,
    ),
}


def migration_for(warehouse: Warehouse, tmp_path: Path, operations: str, db: Db) -> Migration:
    spec = load_spec(write_spec(tmp_path, spec_text(operations.replace("{s}", db.schema))))
    return Migration(warehouse, spec, lock_backoff_seconds=0.05)


def by_name_rows(rows: list[tuple[Any, ...]], columns: list[str] = COLUMNS) -> list[dict[str, Any]]:
    return [dict(zip(columns, row, strict=True)) for row in rows]


def by_name(db: Db, table: str) -> list[dict[str, Any]]:
    """Rows as {column: value}: equal whatever the column order."""
    return by_name_rows(db.rows(table), db.columns(table))


@pytest.mark.parametrize("case_name", list(CASES))
def test_operation_forward_then_rollback_to_exact_checksum(
    settings: Settings, db: Db, tmp_path: Path, case_name: str
) -> None:
    case = CASES[case_name]
    create_accounts(db)
    for setup in (case.setup, case.setup_postgres if db.adapter == "postgres" else ""):
        if setup:
            db.execute(setup.replace("{s}", db.schema))
    original, schema_before = db.rows("accounts"), catalog(db, "accounts")
    warehouse = Warehouse(settings)
    migration = migration_for(warehouse, tmp_path, case.operations, db)
    if case.postgres_only and db.adapter != "postgres":
        with pytest.raises(InputError, match=case.refused_on_duckdb):
            migration.start()
        assert db.rows("accounts") == original  # refused before anything changed
        return
    steps = [step.step for step in migration.start()]
    assert steps[-1] == "validate"
    assert db.rows("accounts")[0][: len(COLUMNS)] == original[0]  # old shape untouched while both exist
    migration.complete()
    run = migration.current_run()
    assert run is not None and run.state == "contracted"
    assert_catalog_written_by_hand(db, case_name)  # (for the cases with an end state written by hand)
    if case.final_columns is None:
        assert db.query(
            f"select count(*) from information_schema.tables where table_schema = '{db.schema}' "
            "and table_name = 'accounts'"
        ) == [(0,)]
    else:
        assert db.columns(case.final_table) == case.final_columns
        assert len(db.rows(case.final_table)) == ROWS
    assert migration.validate(record=False).passed  # re-derived independently from the backup
    contracted = db.rows(case.final_table) if case.final_columns is not None else []
    case.check(db)  # (may write a row: after the validation)
    kept = case.final_columns is not None and db.rows(case.final_table) != contracted  # a write since contract
    try:
        steps = migration.rollback()  # from contracted: the strongest rollback
        restored = case.restored_after_contract or (db.adapter == "duckdb" and case.constraint_on_duckdb)
        assert steps[0].step == ("restore" if restored else "reverse migration"), steps[0]
    except GuardRefused as refused:  # rollback loses no write: refused where it cannot keep it
        why = (
            "inserted since contract",
            "the old shape requires NOT NULL",  # (rows no `down` gives a value)
            "break what the old shape enforced",
        )  # (a check the migration dropped)
        assert kept and (case.restored_after_contract or any(w in refused.message for w in why)), refused
        migration.restore_from_backup()  # the disaster path gives it up, knowingly
        kept = False
    now, before = by_name(db, "accounts"), by_name_rows(original)
    if kept:  # the new row is kept, in the old shape; every other row is as before
        assert [row for row in now if row in before] == before and len(now) == len(before) + 1, now[-2:]
    else:
        assert now == before
    assert sorted(db.columns("accounts")) == sorted(COLUMNS)  # PostgreSQL: a column put back comes last
    schema_after = catalog(db, "accounts")  # the catalog too: constraints, indexes, comments as they were
    assert sorted(schema_after.pop("columns")) == sorted(schema_before.pop("columns"))
    assert schema_after == schema_before
    rolled = migration.current_run()
    assert rolled is not None and rolled.state == "rolled_back"


def arranged(db: Db, case_name: str) -> Case:
    """The case's `accounts` table, set up (skipped where the adapter refuses the case before anything changes)."""
    case = CASES[case_name]
    if case.postgres_only and db.adapter != "postgres":
        pytest.skip("refused on this adapter before anything changes (test_operation_forward_then_rollback...)")
    create_accounts(db)
    for setup in (case.setup, case.setup_postgres if db.adapter == "postgres" else ""):
        if setup:
            db.execute(setup.replace("{s}", db.schema))
    return case


@pytest.mark.parametrize("case_name", list(CASES))
def test_operation_rolled_back_before_contract_restores_the_catalog(
    settings: Settings, db: Db, tmp_path: Path, case_name: str
) -> None:
    """Rollback from `validated` is the undo of what start added: the rows are exactly the
    before-rows (nobody wrote) and the catalog is the before-catalog (columns with types,
    defaults and NOT NULLs; constraints and indexes with names and definitions; triggers); no view
    or table the migration made is left."""
    case = arranged(db, case_name)
    original, schema_before, tables_before = db.rows("accounts"), catalog(db, "accounts"), relations(db)
    migration = migration_for(Warehouse(settings), tmp_path, case.operations, db)
    migration.start()
    steps = migration.rollback()
    assert steps[0].step == "undo", steps[0]
    assert steps[-1].result == "checksum equals before-snapshot"
    assert db.rows("accounts") == original
    assert catalog(db, "accounts") == schema_before
    assert relations(db) == tables_before


def _backfills(case: Case) -> bool:
    """Whether the case's migration has a backfill (compiled against `accounts` as the fixture
    makes it, on PostgreSQL, which takes every case); a case that needs its setup to compile counts."""
    types = {"id": "integer", "email": "varchar(100)", "score": "integer", "status": "varchar(20)",
             "nickname": "varchar(50)", "full_name": "varchar(100)", "signup": "date"}  # fmt: skip
    try:
        migration = MigrationSpec.model_validate(yaml.safe_load(spec_text(case.operations.replace("{s}", "s"))))
        plan = compile_blueprint(migration, types, engine_for("postgres"))
    except (HarnessError, ValueError):
        return True
    return bool(plan.backfill) or plan.rewrite is not None


@pytest.mark.parametrize("case_name", [name for name, case in CASES.items() if _backfills(case)])
def test_operation_rolled_back_after_a_crash_mid_backfill_restores_the_catalog(
    settings: Settings, db: Db, tmp_path: Path, case_name: str
) -> None:
    """Each operation with a backfill, its run stopped after the first batch (the process gone
    at the moment kill -9 would leave: the batch and its checkpoint committed, the step not
    journaled), then rolled back: the before-rows and the before-catalog, nothing left behind."""
    case = arranged(db, case_name)
    original, schema_before, tables_before = db.rows("accounts"), catalog(db, "accounts"), relations(db)
    spec = load_spec(write_spec(tmp_path, spec_text(case.operations.replace("{s}", db.schema))))
    crashing = Migration(Warehouse(settings), spec, StopAfter("mid-backfill"), batches_per_call=1)
    with pytest.raises(KeyboardInterrupt):
        crashing.start()
    run = crashing.current_run()
    assert run is not None and run.state == "expanded" and run.last_checkpoint is not None
    steps = Migration(Warehouse(settings), spec, lock_backoff_seconds=0.05).rollback()
    assert steps[0].step == "undo" and steps[-1].result == "checksum equals before-snapshot"
    assert db.rows("accounts") == original
    assert catalog(db, "accounts") == schema_before
    assert relations(db) == tables_before


# Changes the table in place at expand (a default, a relaxed NOT NULL), adds columns, an index
# and a unique constraint, on a table with an index of its own (DuckDB then alters around it).
IN_PLACE_CHANGES = (
    "  - {type: add_column, column: tier, data_type: varchar(10), not_null: true,\n"
    "     up: \"case when score > 60 then 'gold' else 'basic' end\"}\n"
    "  - {type: set_default, column: status, default: \"'active'\"}\n"
    "  - {type: drop_not_null, column: nickname}\n"
    "  - {type: add_unique, name: accounts_email_key, columns: [email]}\n"
)


class StopAfter(NullReporter):
    """Ends the process (as a crash would) once `step` is journaled, or mid-backfill."""

    def __init__(self, step: str) -> None:
        self.step = step

    def step_finished(self, step: StepResult) -> None:
        if step.step == self.step:
            raise KeyboardInterrupt

    def backfill_progress(self, rows_done: int, rows_total: int, rows_per_second: float) -> None:
        if self.step == "mid-backfill" and rows_done >= 14:
            raise KeyboardInterrupt


@pytest.mark.parametrize("state", ["backed_up", "expanded", "validated", "switched"])
def test_rollback_from_each_state_before_contract_restores_rows_and_catalog(
    settings: Settings, db: Db, tmp_path: Path, state: str
) -> None:
    create_accounts(db)
    db.execute(f"create index accounts_signup on {db.schema}.accounts (signup)")
    original, schema_before, tables_before = db.rows("accounts"), catalog(db, "accounts"), relations(db)
    spec = load_spec(write_spec(tmp_path, spec_text(IN_PLACE_CHANGES)))
    stop = {"expanded": "mid-backfill", "switched": "switch"}.get(state)
    migration = Migration(Warehouse(settings), spec, StopAfter(stop or ""), lock_backoff_seconds=0.05)
    if state == "backed_up":
        migration.backup()
    elif state == "validated":
        migration.start()
    else:
        with pytest.raises(KeyboardInterrupt):
            migration.start()
            migration.complete()
    run = migration.current_run()
    assert run is not None and run.state == state
    steps = migration.rollback()
    assert steps[0].step == "undo"
    assert steps[-1].result == "checksum equals before-snapshot"
    assert db.rows("accounts") == original
    assert catalog(db, "accounts") == schema_before
    assert relations(db) == tables_before
    with pytest.raises(StateError, match="already rolled back"):
        migration.rollback()


def test_rollback_refuses_nulls_written_into_a_relaxed_column(settings: Settings, db: Db, tmp_path: Path) -> None:
    """drop_not_null let a writer store a NULL the old shape forbids: rollback says how many, and
    changes nothing; once the row has a value, it goes through."""
    create_accounts(db)
    migration = migration_for(Warehouse(settings), tmp_path, "  - {type: drop_not_null, column: nickname}\n", db)
    migration.start()
    db.execute(f"update {db.schema}.accounts set nickname = null where id in (3, 4)")
    rows, schema_now = db.rows("accounts"), catalog(db, "accounts")
    with pytest.raises(GuardRefused, match=r"2 row\(s\) with nickname NULL") as raised:
        migration.rollback()
    assert raised.value.exit_code == 1 and "is null" in (raised.value.fix or "")
    assert db.rows("accounts") == rows and catalog(db, "accounts") == schema_now
    db.execute(f"update {db.schema}.accounts set nickname = 'restored' where nickname is null")
    migration.rollback()
    with pytest.raises(Exception, match=r"(?i)null"):
        db.execute(f"update {db.schema}.accounts set nickname = null where id = 5")


COMPOSED = (
    "  - {type: rename_column, column: email, to: email_address}\n"
    "  - {type: change_type, column: score, data_type: bigint}\n"
    "  - {type: add_column, column: tier, data_type: varchar(10), up: \"case when score > 60 then 'gold' else 'basic' "
    'end", not_null: true}\n'
    "  - {type: drop_column, column: nickname, down: \"'nick' || id\"}\n"
    "  - {type: set_default, column: status, default: \"'active'\"}\n"
)


def test_composed_operations_forward_then_rollback(settings: Settings, db: Db, tmp_path: Path) -> None:
    create_accounts(db)
    original = db.rows("accounts")
    warehouse = Warehouse(settings)
    migration = migration_for(warehouse, tmp_path, COMPOSED, db)
    migration.start()
    assert db.columns("accounts_v1") == COLUMNS
    assert db.columns("accounts_v2") == ["id", "email_address", "score", "status", "full_name", "signup", "tier"]
    migration.complete()
    assert db.columns("accounts") == ["id", "email_address", "status", "full_name", "signup", "score", "tier"]
    assert db.query(f"select email_address, score, tier from {db.schema}.accounts where id = 21") == [
        ("user21@example.com", 63, "gold")
    ]
    assert migration.validate(record=False).passed
    migration.rollback()
    assert by_name(db, "accounts") == by_name_rows(original)


REWRITTEN = (
    "  - {type: rewrite_table}\n"
    "  - {type: rename_column, column: email, to: email_address}\n"
    "  - {type: change_type, column: score, data_type: bigint}\n"
    "  - {type: set_not_null, column: signup, up: \"coalesce(signup, cast('2024-01-01' as date))\"}\n"
    "  - {type: drop_column, column: nickname, down: \"'nick' || id\"}\n"
    "  - {type: set_default, column: status, default: \"'active'\"}\n"
    "  - {type: add_check, name: score_not_negative, check: score >= 0}\n"
    "  - {type: add_column, column: tier, data_type: varchar(10), up: \"case when score > 60 then 'gold' else 'basic' "
    'end", not_null: true}\n'
)


def test_rewrite_table_builds_the_new_shape_aside_then_swaps(settings: Settings, db: Db, tmp_path: Path) -> None:
    """rewrite_table: the old table is never altered; the new one (columns in place, constraints
    declared up front, add_check even on DuckDB) is copied, validated, swapped in at contract, and
    a rollback from contracted gives the exact rows back, and the catalog."""
    create_accounts(db)
    original, schema_before = db.rows("accounts"), catalog(db, "accounts")
    migration = migration_for(Warehouse(settings), tmp_path, REWRITTEN, db)
    assert "create `_ec_new_accounts`, empty, with the whole new shape" in build_plan(migration)
    migration.start()
    assert db.rows("accounts") == original and db.columns("accounts") == COLUMNS
    final = ["id", "email_address", "score", "status", "full_name", "signup", "tier"]
    assert db.columns("_ec_new_accounts") == final
    assert db.columns("accounts_v1") == COLUMNS and db.columns("accounts_v2") == final
    migration.complete()
    assert db.columns("accounts") == final  # the retyped column kept its place
    assert db.query(f"select email_address, score, tier from {db.schema}.accounts where id = 21") == [
        ("user21@example.com", 63, "gold")
    ]
    assert db.query(
        f"select count(*) from information_schema.tables where table_schema = '{db.schema}' "
        "and table_name = '_ec_new_accounts'"
    ) == [(0,)]
    with pytest.raises(Exception, match=r"(?i)score_not_negative|constraint"):
        db.execute(f"update {db.schema}.accounts set score = -1 where id = 1")
    with pytest.raises(Exception, match=r"(?i)null"):
        db.execute(f"insert into {db.schema}.accounts (id, tier) values (999, 'gold')")  # signup NOT NULL
    db.execute(f"insert into {db.schema}.accounts (id, signup, tier) values (999, date '2024-05-01', 'gold')")
    assert db.query(f"select status from {db.schema}.accounts where id = 999") == [("active",)]
    db.execute(f"delete from {db.schema}.accounts where id = 999")
    assert migration.validate(record=False).passed
    migration.rollback()
    assert by_name(db, "accounts") == by_name_rows(original)
    assert sorted(db.columns("accounts")) == sorted(COLUMNS)  # PostgreSQL: a column put back comes last
    schema_after = catalog(db, "accounts")  # the catalog too: constraints, indexes, comments as they were
    assert sorted(schema_after.pop("columns")) == sorted(schema_before.pop("columns"))
    assert schema_after == schema_before


def test_rewrite_table_builds_indexes_on_the_new_table(settings: Settings, db: Db, tmp_path: Path) -> None:
    """PostgreSQL: create_index and add_unique go to the new table (CONCURRENTLY, while it is
    empty) and come with it at the swap. DuckDB cannot rename a table with an index: refused."""
    create_accounts(db)
    original = db.rows("accounts")
    operations = (
        "  - {type: rewrite_table}\n"
        "  - {type: create_index, name: accounts_status_score, columns: [status, score]}\n"
        "  - {type: add_unique, name: accounts_nickname_key, columns: [nickname]}\n"
    )
    migration = migration_for(Warehouse(settings), tmp_path, operations, db)
    if db.adapter != "postgres":
        with pytest.raises(InputError, match="DuckDB cannot drop or rename columns, or rename a table"):
            migration.start()
        assert db.rows("accounts") == original
        return
    migration.start()
    migration.complete()
    indexes = db.query(f"select indexname from pg_indexes where schemaname = '{db.schema}' and tablename = 'accounts'")
    assert {"accounts_status_score", "accounts_nickname_key"} <= {name for (name,) in indexes}
    _unique_enforced(db)
    migration.rollback()
    assert db.rows("accounts") == original


def test_a_rewrite_carries_the_tables_indexes(settings: Settings, db: Db, tmp_path: Path) -> None:
    """PostgreSQL: the old table's indexes are built on the new one after the copy (their
    definitions, over the new names) and keep their names after the swap; one on a column the new
    shape drops goes with it. DuckDB cannot re-declare them: refused before anything changes."""
    create_accounts(db)
    partial = " where signup > date '2024-01-05'" if db.adapter == "postgres" else ""  # (DuckDB has no partial ones)
    db.execute(f"create index accounts_signup on {db.schema}.accounts (signup){partial}")
    db.execute(f"create index accounts_nick on {db.schema}.accounts (nickname)")
    original = db.rows("accounts")
    operations = ("  - {type: rewrite_table}\n  - {type: rename_column, column: signup, to: joined}\n"
                  "  - {type: drop_column, column: nickname}\n")  # fmt: skip
    migration = migration_for(Warehouse(settings), tmp_path, operations, db)
    if db.adapter != "postgres":
        with pytest.raises(InputError, match=r"2 index\(es\) besides its constraints'.*drop_index"):
            migration.start()
        assert db.rows("accounts") == original
        return
    migration.start()
    migration.complete()
    _index_is(db, "accounts_signup", "USING btree (joined) WHERE (joined > '2024-01-05'::date)")
    assert _values(db, "select count(*) from pg_indexes where schemaname = '{s}' and indexname = 'accounts_nick'") == [
        (0,)
    ]
    migration.rollback()
    assert by_name(db, "accounts") == by_name_rows(original)  # (the dropped column comes back last)


REWRITE_REFUSALS = {
    "a sequence-fed column": (
        "create sequence {s}.account_numbers; "
        "alter table {s}.accounts add column number bigint default nextval('{s}.account_numbers')",
        "",
        r"number takes its values from a sequence.*in place",
    ),
    "an index on a dropped column": (
        "",
        "  - {type: create_index, name: accounts_nick, columns: [nickname]}\n"
        "  - {type: drop_column, column: nickname}\n",
        r"index accounts_nick is on nickname, which the new table does not have",
    ),
}


@pytest.mark.parametrize("case", list(REWRITE_REFUSALS))
def test_rewrite_table_refusals_change_nothing(settings: Settings, db: Db, tmp_path: Path, case: str) -> None:
    setup, operations, message = REWRITE_REFUSALS[case]
    if case == "a sequence-fed column" and db.adapter == "duckdb":
        pytest.skip("DuckDB's sequences belong to the database: the new table keeps using it (next test)")
    create_accounts(db)
    for statement in filter(None, setup.replace("{s}", db.schema).split("; ")):
        db.execute(statement)
    original = db.rows("accounts")
    migration = migration_for(Warehouse(settings), tmp_path, "  - {type: rewrite_table}\n" + operations, db)
    with pytest.raises(InputError) as raised:
        migration.start()
    assert re.search(message, f"{raised.value.message} {raised.value.fix}"), raised.value
    assert db.rows("accounts") == original
    assert migration.current_run() is None


def test_rewrite_table_on_duckdb_keeps_a_sequence_fed_column(duckdb_settings: Settings, tmp_path: Path) -> None:
    """A DuckDB sequence is the database's, not the table's: the new table declares the same
    `nextval` default, so ids go on after the swap (no duplicate key)."""
    db = Db(duckdb_settings)
    create_accounts(db)
    db.execute(f"create sequence {db.schema}.account_numbers")
    db.execute(
        f"alter table {db.schema}.accounts add column number bigint default nextval('{db.schema}.account_numbers')"
    )
    numbers = db.query(f"select id, number from {db.schema}.accounts order by id")
    operations = (
        "  - {type: rewrite_table}\n  - {type: add_column, column: tier, data_type: varchar(10), up: \"'basic'\"}\n"
    )
    migration = migration_for(Warehouse(duckdb_settings), tmp_path, operations, db)
    migration.start()
    migration.complete()
    assert db.query(f"select id, number from {db.schema}.accounts order by id") == numbers
    db.execute(f"insert into {db.schema}.accounts (id, nickname) values (999, 'x')")
    next_number = max(number for _, number in numbers) + 1
    assert db.query(f"select number from {db.schema}.accounts where id = 999") == [(next_number,)]


TOO_LONG = {
    "add_column": "  - {type: add_column, column: label, data_type: varchar(20),\n"
    "     up: \"case when id > 35 then full_name || ' (a long suffix)' else full_name end\"}\n",
    "change_type": "  - {type: change_type, column: full_name, data_type: varchar(20),\n"
    "     up: \"case when id > 35 then full_name || ' (a long suffix)' else full_name end\"}\n",
}


@pytest.mark.parametrize("case", list(TOO_LONG))
def test_values_too_long_for_the_new_type_are_refused_in_preflight(
    settings: Settings, db: Db, tmp_path: Path, case: str
) -> None:
    """An explicit cast to varchar(20) would cut 'First36 Last36 (a long suffix)' short, silently;
    preflight counts such values and names a row instead, and nothing changes."""
    create_accounts(db)
    original, schema_before = db.rows("accounts"), catalog(db, "accounts")
    migration = migration_for(Warehouse(settings), tmp_path, TOO_LONG[case], db)
    with pytest.raises(InputError, match=r"gives 5 value\(s\) longer than varchar\(20\) holds.*the row with id = 36"):
        migration.start()
    assert db.rows("accounts") == original and catalog(db, "accounts") == schema_before
    assert migration.current_run() is None


def test_a_number_out_of_range_for_the_new_type_is_refused_in_preflight(
    settings: Settings, db: Db, tmp_path: Path
) -> None:
    create_accounts(db)
    original = db.rows("accounts")
    operations = "  - {type: change_type, column: score, data_type: 'numeric(4, 2)', up: score * 10}\n"
    with pytest.raises(InputError, match=r"cannot be computed as numeric\(4, 2\)"):
        migration_for(Warehouse(settings), tmp_path, operations, db).start()
    assert db.rows("accounts") == original


@pytest.mark.postgres
def test_a_too_long_value_written_after_preflight_fails_the_backfill_never_truncated(
    postgres_settings: Settings, tmp_path: Path
) -> None:
    """A value written between preflight and the backfill: the batch fails (an assignment, not a
    cast) and the run stays resumable; nothing is stored cut short."""
    db = Db(postgres_settings)
    create_accounts(db)
    operations = "  - {type: add_column, column: label, data_type: varchar(20), up: full_name}\n"

    class LongNameAfterBackup(NullReporter):
        def step_finished(self, step: StepResult) -> None:
            if step.step == "backup + verify":
                db.execute(f"update {db.schema}.accounts set full_name = 'A name of thirty characters!!' where id = 9")

    spec = load_spec(write_spec(tmp_path, spec_text(operations)))
    migration = Migration(Warehouse(postgres_settings), spec, LongNameAfterBackup(), lock_backoff_seconds=0.05)
    with pytest.raises(Exception, match=r"value too long for type character varying\(20\)"):
        migration.start()
    assert db.query(f"select count(*) from {db.schema}.accounts where length(label) = 20") == [(0,)]


def test_alterations_of_a_table_with_an_index_of_its_own(settings: Settings, db: Db, tmp_path: Path) -> None:
    """DuckDB refuses to alter a column of a table with a secondary index ("Dependency Error"):
    the alterations run with its indexes dropped and created again, at expand (drop_not_null,
    set_default) and at contract (drop_default). Both adapters end with the index as it was."""
    create_accounts(db)
    db.execute(f"create index accounts_signup on {db.schema}.accounts (signup)")
    indexes = catalog(db, "accounts")["indexes"]
    operations = (
        "  - {type: drop_not_null, column: nickname}\n"
        "  - {type: set_default, column: email, default: \"'none@example.com'\"}\n"
        "  - {type: drop_default, column: status}\n"
    )
    migration = migration_for(Warehouse(settings), tmp_path, operations, db)
    migration.start()
    migration.complete()
    assert catalog(db, "accounts")["indexes"] == indexes
    db.execute(f"insert into {db.schema}.accounts (id) values (999)")
    assert db.query(f"select email, status, nickname from {db.schema}.accounts where id = 999") == [
        ("none@example.com", None, None)
    ]


def test_a_replaced_column_keeps_its_default(settings: Settings, db: Db, tmp_path: Path) -> None:
    """change_type swaps a shadow column in at contract: the column's default (status: 'new')
    goes over with it, so a row inserted after contract without a status still gets it."""
    create_accounts(db)
    operations = "  - {type: change_type, column: status, data_type: varchar(40)}\n"
    migration = migration_for(Warehouse(settings), tmp_path, operations, db)
    migration.start()
    migration.complete()
    db.execute(f"insert into {db.schema}.accounts (id, nickname) values (999, 'late')")
    assert db.query(f"select status from {db.schema}.accounts where id = 999") == [("new",)]


# The end state of each operation written by hand as the DDL of an empty table (`{x}`: a schema of
# its own, `{s}`: the test's, for what it references). PostgreSQL and DuckDB alike unless a case
# is PostgreSQL's only. A replaced column comes last (the shadow swapped in), keeping its default.
BASE = ("id integer not null, email varchar(100), score integer, status varchar(20) default 'new', "
        "nickname varchar(50) not null, full_name varchar(100), signup date")  # fmt: skip
NEW = "'new'"
EXPECTED = {
    "add_column_not_null": f"create table {{x}}.accounts ({BASE}, tier varchar(10) not null)",
    "rename_column": f"create table {{x}}.accounts ({BASE.replace('email', 'email_address')})",
    "change_type": "create table {x}.accounts (id integer not null, email varchar(100), status varchar(20) default "
    "'new', nickname varchar(50) not null, full_name varchar(100), signup date, score numeric(10, 2))",
    "set_not_null": "create table {x}.accounts (id integer not null, score integer, status varchar(20) default 'new', "
    "nickname varchar(50) not null, full_name varchar(100), signup date, email varchar(100) not null)",
    "drop_not_null": f"create table {{x}}.accounts ({BASE.replace('varchar(50) not null', 'varchar(50)')})",
    "set_default": f"create table {{x}}.accounts ({BASE.replace(NEW, chr(39) + 'active' + chr(39))})",
    "drop_default": f"create table {{x}}.accounts ({BASE.replace(' default ' + NEW, '')})",
    "drop_column": "create table {x}.accounts (id integer not null, email varchar(100), score integer, "
    "status varchar(20) default 'new', full_name varchar(100), signup date)",
    "add_unique": f"create table {{x}}.accounts ({BASE}); create unique index accounts_nickname_key on {{x}}.accounts "
    "(nickname)",
    "set_comment": f"create table {{x}}.accounts ({BASE}); comment on column {{x}}.accounts.score is 'points earned'",
    "alter_column": "create table {x}.accounts (id integer not null, score integer, status varchar(20) default 'new', "
    "nickname varchar(50) not null, full_name varchar(100), signup date, contact varchar(120) not null default "
    "'unknown'); comment on column {x}.accounts.contact is 'how to reach them'",
    "add_primary_key": f"create table {{x}}.accounts ({BASE}, constraint accounts_pkey primary key (id))",
    "add_column_volatile": f"create table {{x}}.accounts ({BASE}, token double precision)",
    "add_column_default": f"create table {{x}}.accounts ({BASE}, plan varchar(10) default 'free')",
    "change_type_of_not_null_column": "create table {x}.accounts (id integer not null, email varchar(100), "
    "score integer, status varchar(20) default 'new', full_name varchar(100), signup date, "
    "nickname varchar(80) not null)",
    "split_column": "create table {x}.accounts (id integer not null, email varchar(100), score integer, "
    "status varchar(20) default 'new', nickname varchar(50) not null, signup date, first_name varchar(50), "
    "last_name varchar(50))",
    "merge_columns": "create table {x}.accounts (id integer not null, email varchar(100), score integer, "
    "full_name varchar(100), signup date, label varchar(80))",
    "create_index": f"create table {{x}}.accounts ({BASE}); create index accounts_status_score on {{x}}.accounts "
    "(status, score)",
    "drop_index": f"create table {{x}}.accounts ({BASE})",  # (the setup's accounts_signup is gone)
    # A migration that creates a table: accounts as it was, and the new table as declared.
    "create_table": f"create table {{x}}.accounts ({BASE}); create table {{x}}.account_events (id bigint primary "
    "key, account_id integer, kind varchar(20))",
    # (statuses, untouched, in `{x}` too: DuckDB refuses a foreign key to another schema)
    "create_table_full": f"create table {{x}}.accounts ({BASE}); create table {{x}}.statuses (code varchar(20) "
    "primary key); create table {x}.events (id bigint primary key, status varchar(20) not null default 'new' "
    "references {x}.statuses (code), amount numeric(10, 2) check (amount >= 0), code varchar(10) unique, "
    "constraint events_amount_small check (amount < 1000), constraint events_code_status_key unique (code, status)); "
    "comment on column {x}.events.status is 'the status'",
    "rename_table": f"create table {{x}}.members ({BASE})",  # (no accounts left: the forward test reads members)
    # The spec's key becomes the new table's primary key (PostgreSQL: below, under the new table's name).
    "rewrite_table": f"create table {{x}}.accounts ({BASE}, primary key (id))",
    "raw_sql_on_complete": f"create table {{x}}.accounts ({BASE})",  # (and the view `up` made: the case's check)
    "raw_sql": f"create table {{x}}.accounts ({BASE}); create table {{x}}.audit_note (note varchar(20))",
}
EXPECTED_POSTGRES = {  # (and where PostgreSQL's end state differs: add_unique is a constraint there)
    "add_unique": f"create table {{x}}.accounts ({BASE}, constraint accounts_nickname_key unique (nickname))",
    "add_check": f"create table {{x}}.accounts ({BASE}, constraint score_not_negative check (score >= 0))",
    "add_foreign_key": f"create table {{x}}.accounts ({BASE}, constraint accounts_status_fk foreign key (status) "
    "references {s}.statuses (code))",
    "add_column_full": f"create table {{x}}.accounts ({BASE}, tier varchar(10) not null, "
    "constraint accounts_tier_key unique (tier), constraint accounts_tier_check check (length(tier) > 3), "
    "constraint accounts_tier_fkey foreign key (tier) references {s}.tiers (code)); "
    "comment on column {x}.accounts.tier is 'the level'",
    "create_index_with_options": f"create table {{x}}.accounts ({BASE}); create index accounts_nick_pattern on "
    "{x}.accounts using btree (nickname text_pattern_ops desc nulls last, score) include (email) "
    "with (fillfactor = 70) where score > 10",
    "rename_constraint": f"create table {{x}}.accounts ({BASE}, constraint score_below_1000 check (score < 1000))",
    "add_column_identity": f"create table {{x}}.accounts ({BASE}, ticket bigint generated always as identity)",
    "drop_constraint": f"create table {{x}}.accounts ({BASE})",
    "add_foreign_key_two_columns": f"create table {{x}}.accounts ({BASE}, constraint accounts_nick_status_fk "
    "foreign key (nickname, status) references {s}.nick_status (nickname, status))",
    "set_replica_identity": f"create table {{x}}.accounts ({BASE}); alter table {{x}}.accounts replica identity full",
    # (status's default carried over to its shadow "cast to the new type", docs/operations.md says)
    "alter_column_with_rules": "create table {x}.accounts (id integer not null, email varchar(100), "
    "nickname varchar(50) not null, full_name varchar(100), signup date, "
    "status varchar(20) default cast('new' as varchar(20)), "
    "score integer, constraint accounts_status_key unique (status), "
    "constraint accounts_score_not_negative check (score >= 0))",
}
# drop_table's end state is no table at all: nothing to write by hand (the forward test asserts it is gone).
NO_END_STATE = {"drop_table"}


def assert_catalog_written_by_hand(db: Db, case_name: str) -> None:
    """After complete, each table the end state written by hand in SQL creates in `{x}` (the
    migrated table under its final name; a table the migration created) has the catalog of the
    same-named table in the test's schema (columns with types, defaults and NOT NULLs, constraints
    with names and definitions, indexes with names and definitions, comments, ...): nothing lost,
    nothing extra."""
    ddl = (EXPECTED_POSTGRES.get(case_name) if db.adapter == "postgres" else None) or EXPECTED.get(case_name)
    if ddl is None:
        return
    expected_schema = f"{db.schema}_x"
    db.execute(f"drop schema if exists {expected_schema} cascade")
    db.execute(f"create schema {expected_schema}")
    for statement in ddl.replace("{x}", expected_schema).replace("{s}", db.schema).split("; "):
        db.execute(statement)
    tables = [name for (name,) in db.query(
        f"select table_name from information_schema.tables where table_schema = '{expected_schema}' "
        "and table_type = 'BASE TABLE' order by 1"
    )]  # fmt: skip
    assert tables, f"{case_name}: the end state written by hand creates no table"
    found = {table: catalog(db, table) for table in tables}
    expected = {table: catalog(db, table, expected_schema) for table in tables}
    db.execute(f"drop schema {expected_schema} cascade")
    for reads, schema in ((found, db.schema), (expected, expected_schema)):  # definitions may name their schema
        for read in reads.values():
            for part, rows in read.items():
                read[part] = [tuple(_unqualified(value, schema) for value in row) for row in rows]
    for table in tables:
        assert found[table] == expected[table], table


def _unqualified(value: object, schema: str) -> object:
    return value.replace(f"{schema}.", "") if isinstance(value, str) else value


def test_every_end_state_written_by_hand_is_a_case() -> None:
    assert set(EXPECTED) | set(EXPECTED_POSTGRES) <= set(CASES)


def test_every_case_has_an_end_state_written_by_hand() -> None:
    """Each case's end state is written by hand (for DuckDB too, unless the case is refused
    there), save those with no table left to compare (NO_END_STATE)."""
    written = set(EXPECTED) | set(EXPECTED_POSTGRES)
    assert sorted(set(CASES) - written - NO_END_STATE) == []
    on_duckdb = {name for name, case in CASES.items() if not case.postgres_only}
    assert sorted(on_duckdb - set(EXPECTED) - NO_END_STATE) == []
    assert not NO_END_STATE & written  # (an exempt case has no end state written by hand)
    assert set(CASES) & NO_END_STATE == NO_END_STATE


def test_an_identity_column_numbers_every_row_once_whoever_writes(postgres_settings: Settings, tmp_path: Path) -> None:
    """add_column with `identity`, writers present: a row written after expand gets its number from
    the column's default (through the table or `accounts_v2`) and keeps it through the backfill,
    which numbers only the rows that had none; after contract the identity goes on after the last
    number. DuckDB has no identity columns (the forward test asserts its refusal)."""
    db = Db(postgres_settings)
    s = db.schema
    create_accounts(db)
    spec = load_spec(write_spec(tmp_path, spec_text(
        "  - {type: add_column, column: ticket, data_type: bigint, identity: by default}\n",
    ).replace("operations:", "concurrent_writes: true\nchecks: {row_count_tolerance: 0.5}\noperations:")))  # fmt: skip
    migration = Migration(Warehouse(postgres_settings), spec, StopAfter("expand"), lock_backoff_seconds=0.05)
    with pytest.raises(KeyboardInterrupt):
        migration.start()
    db.execute(f"insert into {s}.accounts (id, nickname) values (201, 'old shape')")
    db.execute(f"insert into {s}.accounts_v2 (id, nickname) values (202, 'new shape')")
    # A number given explicitly (allowed `by default`), ahead of the sequence: the identity goes on after it.
    db.execute(f"insert into {s}.accounts_v2 (id, nickname, ticket) values (203, 'explicit', 500)")
    numbered = db.query(f"select id, ticket from {s}.accounts where id in (201, 202, 203) order by id")
    assert [ticket for _, ticket in numbered] == [1, 2, 500]
    migration.reporter = NullReporter()
    migration.start()
    migration.complete()
    assert db.query(f"select id, ticket from {s}.accounts where id in (201, 202, 203) order by id") == numbered
    assert db.query(f"select count(distinct ticket), count(*), min(ticket), max(ticket) from {s}.accounts") == [
        (ROWS + 3, ROWS + 3, 1, 500)
    ]
    db.execute(f"insert into {s}.accounts (id, nickname) values (204, 'after')")
    assert db.query(f"select ticket from {s}.accounts where id = 204") == [(501,)]
    assert [row[:2] for row in catalog(db, "accounts")["sequences"]] == [("accounts_ticket_seq", "ticket")]
