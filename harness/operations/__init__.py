"""The operation catalog: one module per operation type, each holding its spec model and its
effect on every phase (see `base.OperationSpec`). The spec's union of operation types and
`OPERATION_TYPES` are derived from the modules here, never kept by hand.

Zero-downtime rules the operations follow (pgroll's, for a dbt warehouse):
- a column whose values or type change gets a *shadow* column (`_ec_<name>`): old readers and
  writers keep the original until contract swaps the shadow in by renames (metadata only);
- constraints are added NOT VALID at expand and validated after the backfill (where the engine can);
  NOT NULL is first a validated check constraint, so SET NOT NULL does not scan;
- indexes are built and dropped CONCURRENTLY (where the engine can);
- nothing destructive happens before contract, and contract runs only after validation.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import TYPE_CHECKING, Any, get_args

from harness.errors import InputError
from harness.operations.base import (
    Blueprint,
    Compiler,
    Derived,
    OperationSpec,
    Rewrite,
    Undo,
    constraint_name,
    rewrite_name,
    shadow_name,
)

if TYPE_CHECKING:
    from harness.engines import Engine
    from harness.spec import MigrationSpec

__all__ = [
    "CATALOG",
    "OPERATION_TYPES",
    "Blueprint",
    "Derived",
    "OperationSpec",
    "Rewrite",
    "Undo",
    "compile_blueprint",
    "constraint_name",
    "planned_additions",
    "rewrite_name",
    "shadow_name",
    "undo_targets",
]


def _discover() -> dict[str, type[OperationSpec]]:
    """Every OperationSpec subclass of this package's modules, by its `type` tag, in module order."""
    found: dict[str, type[OperationSpec]] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, OperationSpec) and cls is not OperationSpec and cls.__module__ == module.__name__:
                (tag,) = get_args(cls.model_fields["type"].annotation)
                found[tag] = cls
    return found


CATALOG: dict[str, type[OperationSpec]] = _discover()
OPERATION_TYPES = ", ".join(CATALOG)


def compile_blueprint(
    spec: MigrationSpec, columns: dict[str, str], engine: Engine, *, existing_indexes: int = 0,
    facts: dict[str, dict[str, Any]] | None = None, attachments: list[dict[str, Any]] | None = None,
    schema: str | None = None,
) -> Blueprint:  # fmt: skip
    """The plan of every phase: each operation applied in order (so they compose), then the
    migration's placement. Raises InputError naming the operation for anything impossible on this
    table or engine. `columns` maps the table's column names to their types; `facts` (name ->
    {nullable, default, identity}) are what operations and a rewrite carry over; `attachments`
    (column_attachments: constraints, indexes, comments) what a replaced column carries over;
    `schema` the table's (for the sequence an identity column is numbered from)."""
    from harness.carry import carry_over, over_final_names
    from harness.placements import placement_for

    placement = placement_for(spec)
    compiler = Compiler(spec, columns, engine, facts or {}, schema)
    compiler.attachments = attachments
    for position, operation in enumerate(spec.operations):
        compiler.position = position
        for capability in operation.needs if not placement.declares_constraints else ():
            if not getattr(engine, capability):
                raise compiler.fail(*_refusal(engine, capability))
        operation.apply(compiler)
        for column in [*compiler.plan.backfill, *compiler.plan.down]:
            compiler.plan.origin.setdefault(column, position)
    if not placement.declares_constraints:
        carry_over(compiler, compiler.attachments or [])
    placement.finish(compiler, existing_indexes)
    over_final_names(compiler, placement)
    if engine.index_blocks_alter:
        _index_limits(compiler, existing_indexes)
    return compiler.plan


def _refusal(engine: Engine, capability: str) -> tuple[str, str]:
    problem, fix = engine.refusal(capability)
    return f"{problem}.", fix


def _index_limits(compiler: Compiler, existing_indexes: int) -> None:
    """Engines where an index blocks dropping or renaming a column, or renaming the table."""
    plan = compiler.plan
    contract_alters = any(step["kind"] in ("drop_column", "rename_column") for step in plan.contract)
    renames = plan.final_table != plan.table or plan.rewrite is not None
    if plan.rewrite is not None:
        existing_indexes = 0  # the old table's go with it
    # (the indexes built after the backfill count too: a unique one on a shadow column blocks its swap)
    if (contract_alters or renames) and (existing_indexes or plan.create_indexes or plan.settle_indexes):
        where = f"{existing_indexes} index(es) on {plan.table}" if existing_indexes else "indexes this migration adds"
        problem, fix = compiler.engine.refusal("index_blocks_alter")
        raise InputError(f"{problem} ({where}).", f"on {compiler.engine.title}, {fix}")


def undo_targets(spec: MigrationSpec) -> Undo:
    """What a rollback removes besides the table's own changes, from the spec alone."""
    from harness.placements import placement_for

    undo = Undo()
    for operation in spec.operations:
        operation.undo(spec.table, undo)
    undo.scratch_tables += placement_for(spec).created_tables(spec.table)
    return undo


def planned_additions(spec: MigrationSpec) -> set[str]:
    """Every physical column the spec's expand adds (shadows included), whatever the table."""
    return {name for operation in spec.operations for name in operation.added_columns()}
