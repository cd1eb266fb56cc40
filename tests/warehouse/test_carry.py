"""A replaced column keeps everything it had: set_not_null and change_type swap a shadow column in
at contract, and the column's unique constraints (multi-column and deferrable ones too), checks,
foreign keys, indexes (partial, expression) and comment go over with it, under their own names.
The proof compares the catalog read independently (tests/fixtures/catalog.py) with the end state
written by hand; a rollback before contract leaves the catalog exactly as it was. What cannot be
carried is refused before anything changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import InputError
from harness.lifecycle.migration import Migration
from harness.settings import Settings
from harness.spec import load_spec
from harness.warehouse import Warehouse
from tests.fixtures.accounts import create_accounts
from tests.fixtures.catalog import catalog
from tests.fixtures.warehouse import Db, write_spec

ATTACHED = """
alter table {s}.accounts add constraint accounts_email_key unique (email);
alter table {s}.accounts add constraint accounts_nickname_status_key unique (nickname, status)
    deferrable initially deferred;
alter table {s}.accounts add constraint score_not_negative check (score >= 0);
alter table {s}.accounts add constraint accounts_status_fk foreign key (status) references {s}.statuses (code);
create index accounts_high_score on {s}.accounts (score desc) where score > 10;
create index accounts_lower_email on {s}.accounts (lower(email));
comment on column {s}.accounts.score is 'points earned';
comment on column {s}.accounts.email is 'where we write';
"""

REPLACE_THREE = """
  - {type: set_not_null, column: email, up: "coalesce(email, 'user' || id || '@unknown.example.com')"}
  - {type: change_type, column: score, data_type: bigint}
  - {type: change_type, column: status, data_type: varchar(40)}
"""


def spec_text(operations: str, concurrent: bool = False) -> str:
    writers = "concurrent_writes: true\nchecks: {row_count_tolerance: 0.5}\n" if concurrent else ""
    return f"name: accounts_carry\ntable: accounts\nkey: [id]\nbatch_size: 9\n{writers}operations:{operations}"


def migration_for(settings: Settings, tmp_path: Path, operations: str, concurrent: bool = False) -> Migration:
    spec = load_spec(write_spec(tmp_path, spec_text(operations, concurrent)))
    return Migration(Warehouse(settings), spec, lock_backoff_seconds=0.05)


def comments(db: Db) -> list[tuple[object, ...]]:
    return db.query(
        "select attname, col_description(attrelid, attnum) from pg_attribute "
        f"where attrelid = '{db.schema}.accounts'::regclass and attnum > 0 and not attisdropped "
        "and col_description(attrelid, attnum) is not null order by attname"
    )


def test_a_replaced_column_keeps_its_constraints_indexes_and_comment(
    postgres_settings: Settings, tmp_path: Path
) -> None:
    db = Db(postgres_settings)
    s = db.schema
    create_accounts(db)
    db.execute(ATTACHED.replace("{s}", s))
    before = catalog(db, "accounts")
    migration = migration_for(postgres_settings, tmp_path, REPLACE_THREE, concurrent=True)
    migration.start()
    # Writers meanwhile, through both shapes: the carried copies hold them to the same rules.
    db.execute(f"insert into {s}.accounts (id, email, score, status, nickname) values (100, 'a@x', 5, 'new', 'n1')")
    db.execute(f"insert into {s}.accounts_v2 (id, email, score, status, nickname) values (101, 'b@x', 6, 'new', 'n2')")
    with pytest.raises(Exception, match="accounts_email_key"):  # the old column's own constraint, still there
        db.execute(f"insert into {s}.accounts_v2 (id, email, nickname) values (102, 'a@x', 'n3')")
    migration.complete()
    after = catalog(db, "accounts")
    # Written by hand: the three columns swapped in last, email NOT NULL now, score bigint and
    # status varchar(40), each keeping its default; every constraint and index as it was, by name.
    assert after["columns"] == [
        ("id", "integer", None, True, ""),
        ("nickname", "character varying(50)", None, True, ""),
        ("full_name", "character varying(100)", None, False, ""),
        ("signup", "date", None, False, ""),
        ("email", "character varying(100)", None, True, ""),
        ("score", "bigint", None, False, ""),
        ("status", "character varying(40)", "'new'::character varying(40)", False, ""),
    ]
    assert after["constraints"] == [
        ("accounts_email_key", "u", "UNIQUE (email)", True),
        ("accounts_nickname_status_key", "u", "UNIQUE (nickname, status) DEFERRABLE INITIALLY DEFERRED", True),
        ("accounts_status_fk", "f", "FOREIGN KEY (status) REFERENCES statuses(code)", True),  # on the search_path
        ("score_not_negative", "c", "CHECK ((score >= 0))", True),
    ]
    assert after["constraints"] == before["constraints"]
    assert after["indexes"] == [
        ("accounts_email_key", f"CREATE UNIQUE INDEX accounts_email_key ON {s}.accounts USING btree (email)"),
        ("accounts_high_score", f"CREATE INDEX accounts_high_score ON {s}.accounts USING btree (score DESC) "
                                "WHERE (score > 10)"),
        ("accounts_lower_email", f"CREATE INDEX accounts_lower_email ON {s}.accounts USING btree "
                                 "(lower((email)::text))"),
        ("accounts_nickname_status_key", f"CREATE UNIQUE INDEX accounts_nickname_status_key ON {s}.accounts "
                                         "USING btree (nickname, status)"),
    ]  # fmt: skip
    assert after["indexes"] == before["indexes"]
    assert (
        db.query(f"select indisvalid from pg_index where indrelid = '{s}.accounts'::regclass order by indexrelid")
        == [(True,)] * 4
    )
    assert comments(db) == [("email", "where we write"), ("score", "points earned")]
    assert after["triggers"] == []
    # Enforced, not only listed.
    for statement, name in [
        (f"insert into {s}.accounts (id, email, nickname) values (200, 'b@x', 'n9')", "accounts_email_key"),
        (f"update {s}.accounts set score = -1 where id = 1", "score_not_negative"),
        (f"update {s}.accounts set status = 'bogus' where id = 1", "accounts_status_fk"),
    ]:
        with pytest.raises(Exception, match=name):
            db.execute(statement)


def test_rollback_before_contract_leaves_the_catalog_as_it_was(postgres_settings: Settings, tmp_path: Path) -> None:
    db = Db(postgres_settings)
    create_accounts(db)
    db.execute(ATTACHED.replace("{s}", db.schema))
    before, rows, noted = catalog(db, "accounts"), db.rows("accounts"), comments(db)
    migration = migration_for(postgres_settings, tmp_path, REPLACE_THREE)
    migration.start()
    assert catalog(db, "accounts") != before  # the carried copies exist, under temporary names
    migration.rollback()
    assert catalog(db, "accounts") == before
    assert comments(db) == noted
    assert db.rows("accounts") == rows


@pytest.mark.parametrize(
    ("setup", "operation", "message"),
    [
        (
            "alter table {s}.accounts add constraint score_small check (score < 200)",
            "{type: change_type, column: score, data_type: bigint, up: score * 10}",
            r"check score_small \(score < 200\) is false for 34 row\(s\)",
        ),
        (
            "alter table {s}.accounts add constraint accounts_email_key unique (email)",
            "{type: set_not_null, column: email, up: \"coalesce(email, 'unknown')\"}",
            r"unique constraint accounts_email_key \(email\).*1 duplicated value\(s\).*e\.g\. \('unknown',\)",
        ),
        (
            "alter table {s}.accounts add primary key (id, nickname)",
            "{type: change_type, column: nickname, data_type: varchar(200)}",
            r"nickname is part of primary key",
        ),
        (
            "alter table {s}.accounts add constraint accounts_nick_key unique (nickname); create table {s}.fans "
            "(nickname varchar(50) references {s}.accounts (nickname))",
            "{type: change_type, column: nickname, data_type: varchar(80)}",
            r"nickname is referenced by foreign key fans_nickname_fkey of .*fans",
        ),
    ],
    ids=["check_false_for_new_values", "unique_with_duplicates", "primary_key", "referenced"],
)
def test_what_cannot_be_carried_is_refused_before_anything_changes(
    postgres_settings: Settings, tmp_path: Path, setup: str, operation: str, message: str
) -> None:
    db = Db(postgres_settings)
    create_accounts(db)
    db.execute(setup.replace("{s}", db.schema))
    before, rows = catalog(db, "accounts"), db.rows("accounts")
    migration = migration_for(postgres_settings, tmp_path, f"\n  - {operation}\n")
    with pytest.raises(InputError, match=message):
        migration.start()
    assert catalog(db, "accounts") == before
    assert db.rows("accounts") == rows


def test_duckdb_refuses_a_replaced_column_with_a_constraint(duckdb_settings: Settings, tmp_path: Path) -> None:
    """DuckDB cannot add a constraint to an existing table: dropping the old column would drop its
    check silently (or fail at contract for a unique one), so preflight refuses, naming the way that works."""
    db = Db(duckdb_settings)
    s = db.schema
    db.execute(f"create schema if not exists {s}")
    db.execute(
        f"create table {s}.accounts (id integer primary key, email varchar(100) unique, "
        "score integer check (score >= 0), nickname varchar(50))"
    )
    db.execute(f"insert into {s}.accounts select i, 'u' || i, i, 'n' || i from range(1, 20) t(i)")
    rows = db.rows("accounts")
    for operation, kind in [
        ("{type: change_type, column: score, data_type: bigint}", "check"),
        ("{type: set_not_null, column: email}", "unique"),
    ]:
        migration = migration_for(duckdb_settings, tmp_path, f"\n  - {operation}\n")
        with pytest.raises(InputError, match=f"part of {kind} .*cannot carry over") as refused:
            migration.start()
        assert "placement: rewrite" in (refused.value.fix or "")
        assert db.rows("accounts") == rows


def test_a_rewrite_declares_the_old_tables_constraints_on_the_new_one(settings: Settings, tmp_path: Path) -> None:
    """`placement: rewrite` builds the new shape as a new table: the old table's unique constraints
    (multi-column too), checks and (PostgreSQL) foreign keys are declared on it while it is empty,
    over the new shape's names (a renamed column's check follows it), and keep their names after
    the swap; one on a dropped column goes with it."""
    db = Db(settings)
    s = db.schema
    create_accounts(db)
    if db.adapter == "postgres":
        db.execute(
            f"alter table {s}.accounts add primary key (id), add constraint accounts_email_key unique (email), "
            "add constraint accounts_nickname_status_key unique (nickname, status), "
            "add constraint score_not_negative check (score >= 0), "
            f"add constraint accounts_status_fk foreign key (status) references {s}.statuses (code), "
            "add constraint full_name_short check (length(full_name) < 90)"
        )
    else:  # DuckDB declares constraints with the table only
        db.execute(
            f"create table {s}.accounts_copy (id integer primary key, email varchar(100) unique, "
            "score integer check (score >= 0), status varchar(20) default 'new', nickname varchar(50) not null, "
            "full_name varchar(100) check (length(full_name) < 90), signup date, unique (nickname, status))"
        )
        db.execute(f"insert into {s}.accounts_copy select * from {s}.accounts")
        db.execute(f"drop table {s}.accounts")
        db.execute(f"alter table {s}.accounts_copy rename to accounts")
    operations = """
  - {type: rewrite_table}
  - {type: rename_column, column: score, to: points}
  - {type: change_type, column: email, data_type: varchar(200)}
  - {type: drop_column, column: full_name}
"""
    migration = migration_for(settings, tmp_path, operations)
    migration.start()
    migration.complete()
    after = catalog(db, "accounts")
    if db.adapter == "postgres":
        assert [(name, kind, definition) for name, kind, definition, _ in after["constraints"]] == [
            ("accounts_email_key", "u", "UNIQUE (email)"),
            ("accounts_nickname_status_key", "u", "UNIQUE (nickname, status)"),
            ("accounts_pkey", "p", "PRIMARY KEY (id)"),  # (the new table's key, named as the table's own)
            ("accounts_status_fk", "f", "FOREIGN KEY (status) REFERENCES statuses(code)"),
            ("score_not_negative", "c", "CHECK ((points >= 0))"),
        ]
        assert all(valid for *_, valid in after["constraints"])
        violations = [
            (f"update {s}.accounts set email = 'user2@example.com' where id = 1", "accounts_email_key"),
            (f"update {s}.accounts set points = -1 where id = 1", "score_not_negative"),
            (f"update {s}.accounts set status = 'bogus' where id = 1", "accounts_status_fk"),
        ]
    else:
        assert [c for c in after["constraints"] if c[0] in ("CHECK", "UNIQUE")] == [
            ("CHECK", "CHECK((points >= 0))"),
            ("UNIQUE", "UNIQUE(email)"),
            ("UNIQUE", "UNIQUE(nickname, status)"),
        ]
        violations = [
            (f"update {s}.accounts set email = 'user2@example.com' where id = 1", "(?i)duplicate|unique"),
            (f"update {s}.accounts set points = -1 where id = 1", "(?i)check"),
        ]
    for statement, error in violations:
        with pytest.raises(Exception, match=error):
            db.execute(statement)
