"""What a replaced column carries over to its shadow column: the definitions PostgreSQL gives for
its indexes and constraints (`pg_get_indexdef`, `pg_get_constraintdef`), with the replaced
columns renamed to their shadows, parsed and printed again by PostgreSQL's own parser (pglast),
never by string replacement: a column name inside a string literal, a function's name or another
table's column is left alone.

The lifecycle builds the carried copies on the shadow columns under temporary names while both
shapes exist (checks and foreign keys NOT VALID, then validated; indexes CONCURRENTLY) and gives
them the old names at contract, once the old column has taken its own with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pglast import ast, parse_sql
from pglast.stream import RawStream

from harness.errors import InputError
from harness.operations.base import MAX_NAME, rewrite_name, shadow_name

if TYPE_CHECKING:
    from harness.operations.base import Blueprint, Compiler
    from harness.placements import InPlace as Placement

_NAME_LISTS = ("fk_attrs", "keys", "including")
CARRIED_SUFFIX = "_ec"


def _renamed(node: Any, columns: dict[str, str], table: str) -> Any:
    """`node` with every reference to a column of `table` in `columns` renamed (recursively)."""
    if isinstance(node, tuple | list):
        return tuple(_renamed(item, columns, table) for item in node)
    if not isinstance(node, ast.Node):
        return node
    if isinstance(node, ast.ColumnRef):
        *qualifier, last = node.fields
        if isinstance(last, ast.String) and last.sval in columns:
            node.fields = (*qualifier, ast.String(sval=columns[last.sval]))
        return node
    if isinstance(node, ast.IndexElem) and node.name in columns:
        node.name = columns[node.name]
    if isinstance(node, ast.Constraint):
        for attribute in _NAME_LISTS:
            names = getattr(node, attribute) or ()
            setattr(node, attribute, tuple(ast.String(sval=columns.get(n.sval, n.sval)) for n in names) or None)
        if node.pktable is not None and node.pktable.relname == table and node.pk_attrs:  # refers to itself
            node.pk_attrs = tuple(ast.String(sval=columns.get(n.sval, n.sval)) for n in node.pk_attrs)
    for attribute in node.__slots__:
        if attribute in _NAME_LISTS or attribute == "pk_attrs":
            continue
        value = getattr(node, attribute)
        if isinstance(value, ast.Node | tuple | list):
            setattr(node, attribute, _renamed(value, columns, table))
    return node


def index_name(definition: str) -> str:
    """The name a CREATE INDEX statement gives its index."""
    (raw,) = parse_sql(definition)
    return str(raw.stmt.idxname)


def index_definition(
    definition: str,
    name: str,
    columns: dict[str, str],
    table: str,
    *,
    concurrently: bool = True,
    on_table: str | None = None,
    in_schema: str | None = None,
) -> str:
    """`CREATE [UNIQUE] INDEX CONCURRENTLY IF NOT EXISTS <name> ...` from an index's definition,
    on the shadow columns (`columns`: old name -> shadow): method, operator classes, order,
    expressions, INCLUDE, predicate and storage parameters kept. Without `concurrently`, for a
    table nobody reads meanwhile (a restore); `on_table`: on another table of the same schema (a
    rewrite's new one); `in_schema`: the table qualified with it (DuckDB records its indexes'
    statements unqualified)."""
    (raw,) = parse_sql(definition)
    statement = raw.stmt
    if not isinstance(statement, ast.IndexStmt):
        raise ValueError(f"not an index definition: {definition}")
    statement = _renamed(statement, columns, table)
    statement.idxname, statement.concurrent, statement.if_not_exists = name, concurrently, True
    if on_table:
        statement.relation.relname = on_table
    if in_schema:
        statement.relation.schemaname = in_schema
    return str(RawStream()(statement))


def constraint_definition(definition: str, columns: dict[str, str], table: str, not_valid: bool = True) -> str:
    """A CHECK or FOREIGN KEY constraint's definition (as after `ADD CONSTRAINT <name>`) over the
    renamed columns; NOT VALID (validated after the backfill, without a lock writers wait on)
    unless declared with a new, empty table (`not_valid=False`)."""
    (raw,) = parse_sql(f"alter table {_quoted(table)} add constraint ec_carried {definition}")
    (command,) = raw.stmt.cmds
    constraint = _renamed(command.def_, columns, table)
    constraint.skip_validation, constraint.initially_valid = not_valid, not not_valid
    text = str(RawStream()(constraint))
    prefix = "CONSTRAINT ec_carried "
    return text[len(prefix) :] if text.startswith(prefix) else text


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def check_expression_of(definition: str) -> str:
    """The boolean expression of a CHECK constraint's definition (`CHECK ((a > 0)) NOT VALID` -> `a > 0`)."""
    (raw,) = parse_sql(f"alter table t add constraint c {definition}")
    (command,) = raw.stmt.cmds
    return str(RawStream()(command.def_.raw_expr))


def renamed_check(definition: str, columns: dict[str, str], table: str, parser: tuple[str, str | None]) -> str:
    """A CHECK constraint's expression over renamed columns (`columns`: old -> new), parsed by the
    engine's parser (pglast, or sqlglot in the engine's dialect: DuckDB's `CHECK((a >= 0))`)."""
    if not columns and definition.startswith("CHECK (") and definition.endswith(")"):
        return definition[len("CHECK (") : -1]  # one the harness wrapped: kept as the user wrote it
    if parser[0] == "pglast":
        return check_expression_of(constraint_definition(definition, columns, table))
    import sqlglot
    from sqlglot import exp

    text = definition.strip()
    body = text[len("CHECK") :] if text.upper().startswith("CHECK") else text
    tree = sqlglot.parse_one(body, read=parser[1])
    while isinstance(tree, exp.Paren):
        tree = tree.this
    for column in list(tree.find_all(exp.Column)):
        if column.name in columns:
            column.set("this", exp.to_identifier(columns[column.name]))
    return tree.sql(dialect=parser[1])


def declared_anew(compiler: Compiler, reader: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """What a rewrite's new table declares (while empty) of the old table's own constraints, over
    the new shape's names (`reader`: old physical column -> its name in the new shape): checks,
    unique constraints, foreign keys, indexes (PostgreSQL: built after the copy under a temporary
    name, given theirs after the swap: `indexes`, `after_swap`); a replica identity `full` or
    `nothing` (set after the swap; one `using index` names an index of the old table: refused).
    One on a column the new shape drops goes with it, as
    drop_column says. Refused: a foreign key of another table pointing at this one (the rewrite
    drops the old table), an exclusion constraint, and on engines without pglast's grammar a
    foreign key (its definition cannot be re-declared faithfully there yet)."""
    plan = compiler.plan
    declared: dict[str, list[dict[str, Any]]] = {"checks": [], "uniques": [], "constraints": [], "indexes": [],
                                                 "after_swap": []}  # fmt: skip
    for attachment in map(dict, compiler.attachments or []):
        if attachment["kind"] == "replica_identity" and attachment["definition"] in ("full", "nothing"):
            declared["after_swap"].append({"kind": "set_replica_identity", "identity": attachment["definition"],
                                           "index": None})  # fmt: skip
        elif attachment["kind"] == "replica_identity" and attachment["definition"] == "index":
            raise InputError(
                f"placement rewrite: the table's replica identity is the index {attachment.get('index_definition')}, "
                "which goes with the old table.",
                "set it again after this migration (set_replica_identity), or migrate in place",
            )
        if attachment["kind"] in ("comment", "primary_key", "replica_identity"):
            continue
        if attachment["kind"] == "index" and (attachment["name"] in plan.drop_indexes or
                                              compiler.engine.sql_parser[0] != "pglast"):  # fmt: skip
            continue
        if any(column not in reader for column in attachment["columns"]) or _settled_by_the_spec(plan, attachment):
            continue
        kind, name, columns = attachment["kind"], attachment["name"], attachment["columns"]
        renamed = {column: reader[column] for column in columns if reader[column] != column}
        if kind == "check":
            check = renamed_check(attachment["definition"], renamed, plan.table, compiler.engine.sql_parser)
            declared["checks"].append({"name": name, "check": check})
        elif kind == "unique":
            declared["uniques"].append({"name": name, "columns": [reader[column] for column in columns]})
        elif kind == "index":  # built on the new table after the copy, its name given back after the swap
            temporary = carried_name(name)
            definition = index_definition(attachment["definition"], temporary, renamed, plan.table,
                                          on_table=rewrite_name(plan.table))  # fmt: skip
            declared["indexes"].append({"name": temporary, "definition": definition})
            declared["after_swap"].append({"kind": "rename_index", "name": temporary, "to": name})
        elif kind == "foreign_key" and compiler.engine.sql_parser[0] == "pglast":
            definition = constraint_definition(attachment["definition"], renamed, plan.table, not_valid=False)
            declared["constraints"].append({"name": name, "definition": definition})
        else:
            owner = f" of {attachment['owner']}" if kind == "referenced" else ""
            raise InputError(
                f"placement rewrite: {kind.replace('_', ' ')} {name}{owner} cannot be declared on the new table "
                f"({'it points at the table the rewrite drops' if kind == 'referenced' else 'not supported here'}).",
                "drop it in a migration before this one (and add it back after), or migrate in place",
            )
    return declared


def carried_name(name: str) -> str:
    """The temporary name of a carried copy, until contract gives it `name`."""
    return name[: MAX_NAME - len(CARRIED_SUFFIX)] + CARRIED_SUFFIX


def carry_over(compiler: Compiler, attachments: list[dict[str, Any]]) -> None:
    """Everything a replaced (shadowed) column had besides its type, default and NULLability,
    carried over to its shadow, so contract leaves the column as it was in all but its values:
    its comment (at expand); its checks and foreign keys (NOT VALID at expand, validated after the
    backfill); its unique constraints and indexes, multi-column ones included (built CONCURRENTLY
    after the backfill); each under a temporary name, given its own name at contract after the old
    column has taken the original with it. What cannot be carried is refused with the reason."""
    plan = compiler.plan
    shadows = {column: shadow_name(column) for column in plan.rewritten}
    reader = {physical: name for name, physical in plan.new}
    # An old column's name in the new shape (renamed or not), for rules preflight evaluates there.
    readers = {column: reader[shadows.get(column, column)] for column in plan.old
               if reader.get(shadows.get(column, column), column) != column}  # fmt: skip
    for attachment in map(dict, attachments):  # copies: a rename below is this blueprint's only
        involved = [column for column in attachment["columns"] if column in shadows]
        if not involved or (attachment["kind"] == "index" and attachment["name"] in plan.drop_indexes):
            continue
        if any(column in plan.dropped for column in attachment["columns"]):
            continue  # it goes with a column the new shape drops, as drop_column says
        if _settled_by_the_spec(plan, attachment):
            continue
        compiler.position = plan.origin.get(shadows[involved[0]], compiler.position)
        if attachment["kind"] == "comment":
            step = {"kind": "set_comment", "column": shadows[involved[0]], "comment": attachment["definition"]}
            plan.expand.append(step)
            continue
        _refuse_uncarriable(compiler, attachment, involved[0])
        _carry(plan, attachment, shadows, readers)


def _settled_by_the_spec(plan: Blueprint, attachment: dict[str, Any]) -> bool:
    """A replaced column's constraint the spec drops goes with the old column (the spec's drop
    step is taken out: nothing is left to drop); one the spec renames is carried under its new name."""
    for step in list(plan.contract):
        if step["kind"] == "drop_constraint" and step["name"] == attachment["name"]:
            plan.contract.remove(step)
            return True
        if step["kind"] == "rename_constraint" and step["name"] == attachment["name"]:
            plan.contract.remove(step)
            attachment["name"] = step["to"]
    return False


def _refuse_uncarriable(compiler: Compiler, attachment: dict[str, Any], column: str) -> None:
    kind, name, engine = attachment["kind"], attachment["name"], compiler.engine
    what = f"{column} is part of {kind.replace('_', ' ')} {name}"
    if kind in ("primary_key", "exclusion"):
        raise compiler.fail(
            f"{what}; it cannot be carried over to a new column without rebuilding it under a lock writers wait on.",
            "leave this column's type and NULLs as they are",
        )
    if kind == "referenced":
        raise compiler.fail(
            f"{column} is referenced by foreign key {name} of {attachment['owner']}; replacing it would drop that key.",
            "drop that foreign key in a migration before this one, and add it back after",
        )
    if not (engine.not_valid_constraints and engine.concurrent_index):
        raise compiler.fail(
            f"{what}, which {engine.title} cannot carry over to a new column of an existing table.",
            "migrate with `placement: rewrite`, which declares the table's constraints anew",
        )


def _carry(plan: Blueprint, attachment: dict[str, Any], shadows: dict[str, str], readers: dict[str, str]) -> None:
    """A check, foreign key, unique constraint or index, rebuilt on the shadow columns."""
    kind, name = attachment["kind"], attachment["name"]
    temporary = carried_name(name)
    if kind in ("check", "foreign_key"):
        definition = constraint_definition(attachment["definition"], shadows, plan.table)
        plan.expand.append({"kind": "add_constraint", "name": temporary, "definition": definition})
        plan.settle.append({"kind": "validate_constraint", "name": temporary})
        plan.contract.append({"kind": "rename_constraint", "name": temporary, "to": name})
        if kind == "check":
            over_new = constraint_definition(attachment["definition"], readers, plan.table)
            plan.carried_rules.append({"name": name, "check": check_expression_of(over_new)})
        return
    source = attachment.get("index_definition") or attachment["definition"]
    definition = index_definition(source, temporary, shadows, plan.table)
    plan.settle_indexes.append({"name": temporary, "definition": definition})
    if kind == "unique":
        plan.carried_rules.append({"name": name, "unique": [readers.get(c, c) for c in attachment["columns"]]})
        deferrable = {"deferrable": attachment.get("deferrable"), "deferred": attachment.get("deferred")}
        plan.contract.append({"kind": "unique_using_index", "name": name, "index": temporary, **deferrable})
    else:
        plan.contract.append({"kind": "rename_index", "name": temporary, "to": name})


def over_final_names(compiler: Compiler, placement: Placement) -> None:
    """The fold's last step: what was declared over physical columns, renamed to the columns' final
    names: the steps for the end of contract (comments, raw SQL `on_complete`) and the rules
    preflight evaluates over the new shape (a new check's expression, a new unique's columns)."""
    plan = compiler.plan
    final = {physical: name for name, physical in plan.new}
    renamed = {physical: name for physical, name in final.items() if physical != name}
    placement.contract_last(plan, [{**step, "column": final[step["column"]]} if "column" in step else step
                                   for step in plan.contract_last])  # fmt: skip
    for rule in plan.carried_rules:
        if not rule.pop("physical", False):
            continue
        if "unique" in rule:
            rule["unique"] = [final.get(column, column) for column in rule["unique"]]
        elif renamed:
            rule["check"] = renamed_check(f"CHECK ({rule['check']})", renamed, plan.table, compiler.engine.sql_parser)
