"""What a replaced column carries over, rewritten by the engine's parser (no warehouse): index and
constraint definitions over the shadow columns, checks over renamed columns, and the restore's
list of constraints, indexes, replica identity and comments to put back."""

from __future__ import annotations

from harness.carry import constraint_definition, index_definition, renamed_check
from harness.lifecycle.restore import attachments_back, indexes_back

SHADOWS = {"nickname": "_ec_nickname", "score": "_ec_score"}


def test_an_index_definition_moves_to_the_shadow_columns_and_keeps_every_option() -> None:
    definition = ("CREATE UNIQUE INDEX accounts_nick ON s.accounts USING btree (nickname text_pattern_ops DESC, "
                  "lower(email)) INCLUDE (score) WITH (fillfactor='70') "
                  "WHERE ((score > 0) AND ('nickname' <> nickname))")  # fmt: skip
    assert index_definition(definition, "accounts_nick_ec", SHADOWS, "accounts") == (
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS accounts_nick_ec ON s.accounts (_ec_nickname "
        "text_pattern_ops DESC, (lower(email))) INCLUDE (_ec_score) WITH (fillfactor = '70') "
        "WHERE _ec_score > 0 AND 'nickname' <> _ec_nickname"
    )  # a string that looks like a column name is left alone; btree is the default method


def test_an_index_for_a_restore_or_another_table() -> None:
    definition = "CREATE INDEX i ON s.accounts USING btree (score)"
    assert index_definition(definition, "i", {}, "accounts", concurrently=False) == (
        "CREATE INDEX IF NOT EXISTS i ON s.accounts (score)"
    )
    assert index_definition(definition, "i_ec", {"score": "points"}, "accounts", on_table="_ec_new_accounts") == (
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS i_ec ON s._ec_new_accounts (points)"
    )


def test_constraints_move_to_the_shadow_columns_not_valid() -> None:
    assert constraint_definition("CHECK ((score >= 0))", SHADOWS, "accounts") == "CHECK (_ec_score >= 0) NOT VALID"
    # A foreign key's own columns move; the parent's do not (unless it refers to the table itself).
    assert constraint_definition("FOREIGN KEY (nickname, a) REFERENCES s.people(nickname, a) ON DELETE CASCADE",
                                 SHADOWS, "accounts") == (
        "FOREIGN KEY (_ec_nickname, a) REFERENCES s.people (nickname, a) ON DELETE CASCADE NOT VALID"
    )  # fmt: skip
    assert constraint_definition("FOREIGN KEY (nickname) REFERENCES accounts(score)", SHADOWS, "accounts") == (
        "FOREIGN KEY (_ec_nickname) REFERENCES accounts (_ec_score) NOT VALID"
    )
    assert constraint_definition("CHECK ((score >= 0))", {}, "t", not_valid=False) == "CHECK (score >= 0)"


def test_a_check_over_renamed_columns_by_each_engines_parser() -> None:
    assert renamed_check("CHECK ((score >= 0))", {"score": "points"}, "t", ("pglast", None)) == "points >= 0"
    assert renamed_check("CHECK((score >= 0))", {"score": "points"}, "t", ("sqlglot", "duckdb")) == "points >= 0"
    assert renamed_check("CHECK (a > b)", {}, "t", ("sqlglot", "duckdb")) == "a > b"  # kept as written


def test_the_restore_drops_what_the_migration_added_and_puts_back_what_it_took() -> None:
    unique = {"kind": "unique", "name": "accounts_email_key", "columns": ["email"], "definition": "UNIQUE (email)"}
    index = {"kind": "index", "name": "accounts_signup", "columns": ["signup"],
             "definition": "CREATE INDEX accounts_signup ON s.accounts USING btree (signup)"}  # fmt: skip
    check = {"kind": "check", "name": "score_positive", "columns": ["score"], "definition": "CHECK ((score > 0))"}
    before = [unique, index, {"kind": "comment", "name": None, "columns": ["email"], "definition": "contact"},
              {"kind": "replica_identity", "name": None, "columns": [], "definition": "full"}]  # fmt: skip
    now = [check, {**unique, "definition": "UNIQUE (email, score)"},
           {"kind": "comment", "name": None, "columns": ["mail"], "definition": "changed"},
           {"kind": "replica_identity", "name": None, "columns": [], "definition": "default"}]  # fmt: skip
    drop, add = attachments_back(before, now, ["email", "score", "signup"], {"email": "mail"})
    assert drop == [{"kind": "drop_constraint", "name": "score_positive"},
                    {"kind": "drop_constraint", "name": "accounts_email_key"}]  # fmt: skip
    assert add == [
        {
            "kind": "add_constraint",
            "name": "accounts_email_key",
            "definition": "UNIQUE (email)",
            "constraint_kind": "unique",
            "columns": ["email"],
        },
        {
            "kind": "raw_sql",
            "sql": "CREATE INDEX IF NOT EXISTS accounts_signup ON s.accounts (signup)",
            "index": "accounts_signup",
            "index_definition": index["definition"],
        },
        {"kind": "set_replica_identity", "identity": "full", "index": None},
        {"kind": "set_comment", "column": "email", "comment": "contact"},
    ]
    assert attachments_back(before, before, ["email"]) == ([], [])


def test_duckdb_indexes_come_back_by_name_and_statement_qualified() -> None:
    """DuckDB lists its indexes as statements only: the reverse compares them by name and statement,
    drops what the migration added and creates again, in the table's schema, what it took."""
    kept, gone = "CREATE INDEX a_kept ON accounts(id)", "CREATE INDEX a_signup ON accounts(signup)"
    added = "CREATE UNIQUE INDEX a_nick ON accounts(nickname)"
    drop, add = indexes_back([kept, gone], [kept, added], "s")
    assert drop == [{"kind": "drop_index", "name": "a_nick"}]
    assert add == [{"kind": "raw_sql", "sql": "CREATE INDEX IF NOT EXISTS a_signup ON s.accounts (signup)",
                    "index": "a_signup", "index_definition": gone}]  # fmt: skip
