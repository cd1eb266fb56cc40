"""User SQL (`up`, `down`, `default`, `check`, ...) judged by a real parser of the engine's
grammar before anything evaluates it: pglast (the server's own parser) or sqlglot (in the
engine's dialect), as the engine's capabilities say (`Engine.sql_parser`). A value is accepted
only when `SELECT (<value>)` parses to exactly one plain SELECT of
exactly one expression, with no FROM, WHERE, set operation or other clause: dollar quotes,
E-strings, comments and `;` can then never reach a second statement. Functions that act outside
the row (read or write files, other connections, the server, session settings) are refused by
name. `raw_sql` is SQL by design and is not judged here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from harness.spec_fields import SqlText

if TYPE_CHECKING:
    from harness.engines import Engine


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


def check_expression(text: str, engine: Engine) -> None:
    """Raises ValueError unless `text` is exactly one expression of the engine's grammar (its
    `sql_parser`: pglast, the server's own parser, or sqlglot in a dialect), calling none of the
    engine's `refused_functions` (names or prefixes)."""
    parser, dialect = engine.sql_parser
    title, refused = engine.title or engine.name, engine.refused_functions
    called = _pglast_functions(text, title) if parser == "pglast" else _sqlglot_functions(text, dialect, title)
    bad = sorted({name for name in called if name.startswith(refused) or name in refused})
    if bad:
        raise ValueError(f"calls {', '.join(bad)}, which act(s) outside the row (refused in expressions)")


def _pglast_functions(text: str, title: str) -> set[str]:
    from pglast import parse_sql
    from pglast.enums import SetOperation
    from pglast.parser import ParseError
    from pglast.visitors import Visitor

    try:
        statements = parse_sql(f"SELECT ({text})")
    except ParseError as error:
        raise ValueError(f"not one {title} expression ({error})") from error
    if len(statements) != 1:
        raise ValueError(f"not one expression: {title} reads {len(statements)} statements")
    select = statements[0].stmt
    clauses = ("fromClause", "whereClause", "groupClause", "havingClause", "windowClause", "sortClause",
               "limitCount", "limitOffset", "lockingClause", "withClause", "intoClause", "distinctClause",
               "valuesLists")  # fmt: skip
    if type(select).__name__ != "SelectStmt" or select.op != SetOperation.SETOP_NONE or \
            len(select.targetList or ()) != 1 or any(getattr(select, clause, None) for clause in clauses):  # fmt: skip
        raise ValueError(f"not one expression: {title} reads more than a single value (a clause or a second part)")
    names: set[str] = set()

    class Calls(Visitor):  # type: ignore[misc]
        def visit_FuncCall(self, ancestors: Any, node: Any) -> None:  # pglast's naming
            names.add(".".join(part.sval for part in node.funcname).split(".")[-1].lower())

    Calls()(statements)
    return names


def _sqlglot_functions(text: str, dialect: str | None, title: str) -> set[str]:
    import sqlglot
    from sqlglot import exp
    from sqlglot.dialects.dialect import Dialect
    from sqlglot.errors import ParseError, TokenError

    try:
        statements = sqlglot.parse(f"SELECT ({text})", read=dialect if dialect in Dialect.classes else None)
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


def expression_columns(text: str, engine: Engine) -> set[str] | None:
    """The column names an expression reads (unqualified, lower case), by sqlglot in the engine's
    dialect; None when it cannot be parsed (then every column is taken to be read)."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError, TokenError

    parser, dialect = engine.sql_parser
    try:
        parsed = sqlglot.parse_one(f"SELECT ({text})", read="postgres" if parser == "pglast" else dialect)
    except (ParseError, TokenError, ValueError):
        return None
    return {column.name.lower() for column in parsed.find_all(exp.Column)}
