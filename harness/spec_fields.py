"""The field types a spec is made of: identifiers, SQL type names and SQL expressions, each
checked when the spec is loaded (before anything touches the warehouse)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DATA_TYPE = re.compile(r"^[A-Za-z][A-Za-z0-9_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?(\[\])?$")
# PostgreSQL truncates identifiers at 63 bytes; longer names would silently collide.
MAX_IDENTIFIER_LENGTH = 63


def check_identifier(value: str) -> str:
    if not _IDENTIFIER.match(value) or len(value) > MAX_IDENTIFIER_LENGTH:
        raise ValueError(
            f"{value!r} is not a plain identifier: use letters, digits and underscores, "
            f"starting with a letter or underscore, at most {MAX_IDENTIFIER_LENGTH} characters (names that need "
            "quoting, with spaces, punctuation or non-ASCII letters, are not supported: rename the table or column, "
            "or migrate a copy under a plain name)"
        )
    return value


def check_data_type(value: str) -> str:
    if not _DATA_TYPE.match(value.strip()):
        raise ValueError(f"{value!r} is not a SQL type name such as text, integer or numeric(12, 2)")
    return value.strip()


class SqlText(str):
    """A user SQL expression, as the spec loader accepted it: marked so that preflight finds every
    one (harness.sql_grammar.user_expressions) and judges it by the engine's grammar."""


def check_sql_expression(value: str) -> str:
    """Accepts one SQL expression: no statement separator, no comment, balanced parentheses.

    Quotes are honoured, so `first_name || ';' || last_name` is fine.
    """
    text = value.strip()
    if not text:
        raise ValueError("the expression is empty")
    depth = 0
    quote: str | None = None
    index = 0
    while index < len(text):
        char = text[index]
        if quote:
            if char == quote:
                if text[index + 1 : index + 2] == quote:  # doubled quote: escaped, stay inside
                    index += 1
                else:
                    quote = None
        elif char in "'\"":
            quote = char
        elif char == ";":
            raise ValueError("an expression may not contain ';' (one expression, not statements)")
        elif text[index : index + 2] in ("--", "/*"):
            raise ValueError("an expression may not contain SQL comments")
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise ValueError("unbalanced parentheses: a ')' closes nothing")
        index += 1
    if quote:
        raise ValueError(f"unterminated quote {quote}")
    if depth:
        raise ValueError("unbalanced parentheses: a '(' is never closed")
    return SqlText(text)


Identifier = Annotated[str, AfterValidator(check_identifier)]
DataType = Annotated[str, AfterValidator(check_data_type)]
SqlExpression = Annotated[str, AfterValidator(check_sql_expression)]


class Strict(BaseModel):
    """A spec model: unknown fields are refused, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)
