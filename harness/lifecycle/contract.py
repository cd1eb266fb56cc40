"""Contract: only after a passed validation (a hard guard read from the journal), in one
transaction under lock_timeout: drop the old shape's views and columns and the sync trigger,
swap shadows (or the rewrite's new table) in, rename or drop the table, re-create the views, and
move the run to `contracted` (so a crash can never leave the table contracted under another
state; `migrate complete` then writes the missing journal line)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from harness.errors import GuardRefused
from harness.lifecycle import reverse
from harness.lifecycle.rollback import aside_name
from harness.lifecycle.state import RunRecord, State, utc_now
from harness.lifecycle.step import Outcome
from harness.operations import Blueprint
from harness.placements import NEW_VERSION, OLD_VERSION, placement_of

if TYPE_CHECKING:
    from harness.lifecycle.migration import Migration

NAME = "contract"


def run(migration: Migration, run: RunRecord) -> Outcome:
    # Hard guard, independent of the caller: the journal must show a passed last validation.
    if not migration.require_run().last_validation_passed():
        raise GuardRefused(
            f"contract refused: the last validation of {migration.spec.name} did not pass.",
            "run `harness validate <spec>` until it passes, or roll back",
        )
    warehouse, schema, table = migration.warehouse, migration.schema, migration.table
    plan = migration.blueprint(run)
    placement = placement_of(plan)
    swap_in = placement.swap_in(plan)
    archived = reverse.archive(migration, run)  # what contract drops, kept for a rollback after it
    kept = (warehouse.settings.backup_schema, aside_name(table, run.run_id, "archive")) if plan.drops_table else None
    archived.update({"archive": ".".join(kept)} if kept else {})
    for name in plan.drop_indexes:
        migration.with_lock_retry(run, f"drop index {name}", partial(warehouse.drop_index, schema, name))
    renamed = plan.final_table != plan.table
    views_after = {} if renamed else plan.views_after_contract()
    drop_views = [] if plan.creates_table else [f"{table}_current", f"{table}_{OLD_VERSION}", f"{table}_{NEW_VERSION}"]
    drop_views += [plan.final_table] if renamed else []
    migration.with_lock_retry(
        run, "contract",
        lambda: warehouse.contract_table(
            schema, table, plan.contract, views_after=views_after, final_table=plan.final_table,
            drop_table=plan.drops_table, drop_views=drop_views, swap_in=swap_in, after_swap=placement.after_swap(plan),
            state={"run_id": run.run_id, "state": State.CONTRACTED.value, "at": utc_now()}, archive=kept,
        ),
    )  # fmt: skip
    done = [f"dropped {', '.join(plan.dropped)}"] if plan.dropped else []
    done += [f"renamed {', '.join(f'{a} → {b}' for a, b in plan.renamed.items())}"] if plan.renamed else []
    done += [f"swapped in {', '.join(plan.rewritten)}"] if plan.rewritten else []
    done += [f"dropped index(es) {', '.join(plan.drop_indexes)}"] if plan.drop_indexes else []
    done += [f"table renamed to {plan.final_table}"] if renamed else []
    done += [f"table {table} dropped: kept as {archived['archive']} for a rollback (and the backup)"] \
        if plan.drops_table else []  # fmt: skip
    done += [f"{swap_in} swapped in, the old {table} dropped"] if swap_in else []
    done += [f"dropped values archived in {archived['archive']} ({archived['archived_rows']:,} rows)"] \
        if "archived_rows" in archived else []  # fmt: skip
    done += [f"nothing to take away: {table} was created at expand"] if plan.creates_table else \
        [f"{len(plan.contract)} alteration(s), {table}_{OLD_VERSION} dropped"]  # fmt: skip
    # The views readers keep after contract: the package's on-run-end hook (keep_version_views)
    # re-creates them if a `dbt run` of the table's model drops them with the old table.
    views = [f"{plan.final_table}_{NEW_VERSION}", f"{plan.final_table}_current"] if views_after else []
    return Outcome(None, "; ".join(done), state=State.CONTRACTED, figures={"views": views, **archived})


def check_model(migration: Migration, run: RunRecord) -> None:
    """Before anything is dropped: a dbt model (table or incremental) that builds the table must
    build the new shape, or its next `dbt run` would rebuild the old one over the contracted table
    (and its views). Its SQL is compiled as the project stands and asked for its columns; a model
    that builds the table's old name after a rename, or a table the migration drops, is refused too."""
    plan = migration.blueprint(run)
    warehouse, schema = migration.warehouse, migration.schema
    fix = (
        "update the model's SQL to select the new shape, or have it follow the migration (if "
        f"expand_contract.migrated('{migration.spec.name}'): the new shape's SELECT, else the old one), then run "
        "`harness migrate complete <spec>` again; or pass --model-later to contract now and update it before its "
        "next dbt run"
    )
    stale = warehouse.model_building(schema, migration.table) if plan.final_table != migration.table or \
        plan.drops_table else None  # fmt: skip
    if stale is not None:
        gone = "drops" if plan.drops_table else f"renames to {plan.final_table}"
        raise GuardRefused(f"contract refused: dbt model {stale.name} ({stale.original_file_path}) builds "
                           f"{migration.relation}, which this migration {gone}: its next `dbt run` would build "
                           "it again.", fix)  # fmt: skip
    model = None if plan.drops_table else warehouse.model_building(schema, plan.final_table)
    if model is None:
        return
    builds = warehouse.model_columns(model, migration.spec.name)
    new = plan.new_names
    missing = [c for c in new if c.lower() not in {b.lower() for b in builds}]
    extra = [b for b in builds if b.lower() not in {c.lower() for c in new}]
    differences = [f"{label}: {', '.join(names)}" for label, names in (("missing", missing), ("left over", extra))
                   if names]  # fmt: skip
    if differences:
        raise GuardRefused(
            f"contract refused: dbt model {model.name} ({model.original_file_path}) still builds {schema}."
            f"{plan.final_table} as {', '.join(builds)}; after contract the table is {', '.join(new)}, and the "
            f"model's next `dbt run` would rebuild the old shape over it ({'; '.join(differences)}).",
            fix,
        )


def recovered(migration: Migration, run: RunRecord) -> Outcome:
    """The journal line of a contract that committed (the run's state with it) before the
    process stopped."""
    archived = reverse.archive_relation(migration, run)  # (named by the run: found in the catalog)
    return Outcome(None, f"contract had committed (state {run.state} with it) before the process stopped; "
                         "journaled now", state=State.CONTRACTED,
                   figures={"archive": archived} if archived else None)  # fmt: skip


def describe(migration: Migration, plan: Blueprint) -> str:
    swap_in = placement_of(plan).swap_in(plan)
    if plan.creates_table:
        return f"Contract: re-validate; nothing to take away (`{migration.table}` is new), the run is done."
    return (
        f"Contract: re-validate, then in one transaction drop {', '.join(plan.dropped) or 'none'}, "
        f"`{migration.table}_v1`"
        + (" and the sync trigger" if migration.dual_write(plan) else "")
        + (f"; {len(plan.contract)} alteration(s)" if plan.contract else "")
        + (f"; the old table is dropped and `{swap_in}` renamed in its place" if swap_in else "")
        + (f"; the table becomes `{plan.final_table}`" if plan.final_table != migration.table else "")
        + "."
    )
