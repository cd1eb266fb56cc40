"""User SQL (`up`, `down`, `default`, `check`, ...) judged by a real parser of the engine's
grammar before anything evaluates it: pglast (PostgreSQL's own parser) or sqlglot (DuckDB's
dialect). A value is accepted only when `SELECT (<value>)` parses to exactly one plain SELECT of
exactly one expression, with no FROM, WHERE, set operation or other clause: dollar quotes,
E-strings, comments and `;` can then never reach a second statement. Functions that act outside
the row (read or write files, other connections, the server, session settings) are refused by
name. `raw_sql` is SQL by design and is not judged here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from harness.spec_fields import SqlText

# Functions an expression may not call: they act outside the row it computes.
_POSTGRES_REFUSED = ("dblink", "lo_", "pg_read_", "pg_ls_", "pg_file_", "pg_stat_file", "pg_terminate_backend",
                     "pg_cancel_backend", "pg_reload_conf", "pg_rotate_logfile", "set_config", "pg_sleep",
                     "pg_advisory", "pg_try_advisory", "pg_notify", "query_to_xml", "pg_logical_emit_message",
                     "pg_switch_wal", "pg_create_", "pg_drop_", "pg_promote")  # fmt: skip
_DUCKDB_REFUSED = ("read_", "glob", "getenv", "query", "query_table", "sniff_csv", "parquet_", "iceberg_",
                   "delta_scan", "postgres_", "sqlite_", "mysql_", "httpfs", "load", "install", "checkpoint",
                   "current_setting", "duckdb_secrets", "which_secret", "sleep")  # fmt: skip


def user_expressions(model: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every user SQL expression in a spec (a model, lists and dicts of them), with its path."""
    if isinstance(model, SqlText):
        yield path, str(model)
    elif isinstance(model, BaseModel):
        for name in type(model).model_fields:
            yield from user_expressions(getattr(model, name), f"{path}.{name}" if path else name)
    elif isinstance(model, (list, tuple)):
        for index, item in enumerate(model):
            yield from user_expressions(item, f"{path}[{index}]")
    elif isinstance(model, dict):
        for key, item in model.items():
            yield from user_expressions(item, f"{path}.{key}")


def check_expression(text: str, grammar: str) -> None:
    """Raises ValueError unless `text` is exactly one expression of `grammar` (an engine's name:
    "postgres" with PostgreSQL's own parser, any other with sqlglot's dialect of that name)
    calling no refused function."""
    if grammar == "postgres":
        called = _postgres_functions(text)
        refused = _POSTGRES_REFUSED
    else:
        called = _sqlglot_functions(text, grammar)
        refused = _DUCKDB_REFUSED
    bad = sorted({name for name in called if name.startswith(refused) or name in refused})
    if bad:
        raise ValueError(f"calls {', '.join(bad)}, which act(s) outside the row (refused in expressions)")


def _postgres_functions(text: str) -> set[str]:
    from pglast import parse_sql
    from pglast.enums import SetOperation
    from pglast.parser import ParseError
    from pglast.visitors import Visitor

    try:
        statements = parse_sql(f"SELECT ({text})")
    except ParseError as error:
        raise ValueError(f"not one PostgreSQL expression ({error})") from error
    if len(statements) != 1:
        raise ValueError(f"not one expression: PostgreSQL reads {len(statements)} statements")
    select = statements[0].stmt
    clauses = ("fromClause", "whereClause", "groupClause", "havingClause", "windowClause", "sortClause",
               "limitCount", "limitOffset", "lockingClause", "withClause", "intoClause", "distinctClause",
               "valuesLists")  # fmt: skip
    if type(select).__name__ != "SelectStmt" or select.op != SetOperation.SETOP_NONE or \
            len(select.targetList or ()) != 1 or any(getattr(select, clause, None) for clause in clauses):  # fmt: skip
        raise ValueError("not one expression: PostgreSQL reads more than a single value (a clause or a second part)")
    names: set[str] = set()

    class Calls(Visitor):  # type: ignore[misc]
        def visit_FuncCall(self, ancestors: Any, node: Any) -> None:  # pglast's naming
            names.add(".".join(part.sval for part in node.funcname).split(".")[-1].lower())

    Calls()(statements)
    return names


def _sqlglot_functions(text: str, grammar: str) -> set[str]:
    import sqlglot
    from sqlglot import exp
    from sqlglot.dialects.dialect import Dialect
    from sqlglot.errors import ParseError, TokenError

    dialect = grammar if grammar in Dialect.classes else None
    title = {"duckdb": "DuckDB"}.get(grammar, grammar)
    try:
        statements = sqlglot.parse(f"SELECT ({text})", read=dialect)
    except (ParseError, TokenError) as error:
        raise ValueError(f"not one {title} expression ({str(error).splitlines()[0]})") from error
    if len(statements) != 1 or not isinstance(statements[0], exp.Select):
        raise ValueError(f"not one expression: {title} reads more than a single value (a clause or a second part)")
    select = statements[0]
    clauses = ("from", "where", "group", "having", "order", "limit", "offset", "with", "joins", "laterals",
               "qualify", "windows", "into", "distinct")  # fmt: skip
    if len(select.expressions) != 1 or any(select.args.get(clause) for clause in clauses):
        raise ValueError(f"not one expression: {title} reads more than a single value (a clause or a second part)")
    names = {node.sql_name().lower() for node in select.find_all(exp.Func) if not isinstance(node, exp.Anonymous)}
    names |= {node.name.lower() for node in select.find_all(exp.Anonymous)}
    return names
