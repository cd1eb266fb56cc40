"""The migration plan people read: pattern and why, steps, timeline, downtime, validation rules,
monitoring and rollback triggers, and the rollback procedure, as Markdown.

Figures come from the warehouse (row count now) and the journal of earlier runs (measured
backfill throughput, lock waits, backup location and restore time); nothing is invented: what
has not been measured yet says so.
"""

from __future__ import annotations

import re
from typing import Any

from harness.errors import StateError
from harness.lifecycle import Migration, RunRecord, utc_now
from harness.operations import undo_targets

TRIGGERS = [
    "validation fails beyond its tolerance (row count, checksums, `up` recomputed, checklist, GX suite)",
    "a backfill batch fails (with `--auto-rollback`: rolled back at once, before-checksum proven)",
    "checksum corruption: the backup does not restore to the before-snapshot's checksums",
]


def _measured_throughput(run: RunRecord | None) -> float | None:
    if run is None:
        return None
    for step in reversed(run.steps):
        if step["step"] == "backfill" and step["status"] == "ok" and step["rows_affected"] and step["seconds"]:
            return float(step["rows_affected"]) / float(step["seconds"])
    return None


def _step_detail(run: RunRecord | None, name: str) -> dict[str, Any] | None:
    if run is None:
        return None
    found = [step for step in run.steps if step["step"] == name and step["status"] == "ok"]
    return found[-1] if found else None


def build_restore_script(migration: Migration) -> str:
    """A self-contained SQL script that restores the table from the run's verified backup; it runs
    with `psql -f` or the DuckDB CLI alone, and running it twice is safe. Its header is the
    rollback plan. Holds no connection settings."""
    run = migration.current_run()
    if run is None or not run.backup_relation:
        raise StateError(
            f"migration {migration.spec.name} has no verified backup yet, so there is nothing to restore from.",
            "run `harness migrate start <spec>` (it takes and verifies the backup first)",
        )
    backup_schema, backup_table = run.backup_relation.split(".", 1)
    info = migration.warehouse.info()
    spec = migration.spec
    views = [f"{migration.table}_{suffix}" for suffix in ("current", "v1", "v2")]
    undo = undo_targets(spec)
    drop_tables, renamed = list(undo.created_tables), undo.renamed_to
    if renamed:  # a view of the new shape until contract, the table itself after
        views += [f"{renamed}_{suffix}" for suffix in ("current", "v2")]
        (drop_tables if run.state == "contracted" else views).append(renamed)
    statements = migration.warehouse.project.operation(
        "restore_script", schema=migration.schema, table=migration.table, backup_schema=backup_schema,
        backup_table=backup_table, views=views, drop_tables=drop_tables,
        undo=undo.raw_downs,
    )  # fmt: skip
    backup = _step_detail(run, "backup + verify")
    runner = "psql -v ON_ERROR_STOP=1 -f <this file>"
    if info.adapter != "postgres":
        runner = "duckdb <database file> < <this file>"
    measured = re.search(r"restore ([0-9.]+)s", backup["detail"] or "") if backup else None
    header = [
        f"Restore script for migration {migration.spec.name}, run {run.run_id} (state {run.state}).",
        f"Generated {utc_now()} UTC for {info.adapter} target `{info.target}`; restores `{migration.relation}`.",
        "",
        "Rollback plan",
        f"  backup:            {run.backup_relation}",
        f"  verified at:       {backup['finished_at'] if backup else 'unknown'} (restored and checksummed)",
        f"  measured recovery: {measured.group(1) + ' s' if measured else 'not measured'} (restore at verification)",
        "  steps:             1. drop the migration's views  2. in one transaction, replace the table",
        "                     by the backup's copy  3. check: harness validate / harness snapshot",
        f"  run with:          {runner}",
        "  idempotent:        yes (each run rebuilds the table from the backup)",
        "  triggers:          " + "; ".join(TRIGGERS),
    ]
    lines = [f"-- {line}".rstrip() for line in header]
    return "\n".join([*lines, "", *(f"{statement};" for statement in statements), ""])


def describe_operation(fields: dict[str, Any]) -> str:
    """One line for an operation: its type, then its fields."""
    kind = fields.pop("type")
    return f"`{kind}` " + ", ".join(f"{name}: `{value}`" for name, value in fields.items())


def as_docs_block(migration: Migration, markdown: str) -> str:
    """The plan as a dbt docs block (`plan_<migration>`), for the package's docs site."""
    return f"{{% docs plan_{migration.spec.name} %}}\n{markdown}\n{{% enddocs %}}\n"


def build_plan(migration: Migration) -> str:
    spec = migration.spec
    info = migration.warehouse.info()
    run = migration.current_run()
    rows = migration.warehouse.snapshot(migration.schema, migration.table, profile=False).row_count
    throughput = _measured_throughput(run)
    batches = -(-rows // spec.batch_size) if rows else 0
    lock_waits = [step for step in (run.steps if run else []) if step["step"] == "lock_wait"]
    backup = _step_detail(run, "backup + verify")
    blueprint = migration.blueprint(run)
    added = ", ".join(blueprint.added) or "none"
    dropped = ", ".join(blueprint.dropped) or "none"
    postgres = info.adapter == "postgres"
    rewrite = blueprint.rewrite
    synced = migration.dual_write(blueprint)

    lines = [
        f"# Migration plan: {spec.name}",
        "",
        f"{spec.description.strip()}" if spec.description else "",
        "",
        f"- table: `{migration.relation}` on target `{info.target}` ({info.adapter}), key ({', '.join(spec.key)})",
        f"- rows now: {rows:,}; batches of {spec.batch_size:,}: {batches:,}",
        f"- generated: {utc_now()} UTC; latest run: {run.run_id + ' (' + run.state + ')' if run else 'none yet'}",
        "",
        "## Pattern: expand-contract",
        "",
        f"{len(spec.operations)} operation(s) (below): adds {added}, drops {dropped}. "
        "The old and new shapes stay readable side by side "
        f"(`{spec.table}_v1`, `{spec.table}_v2`; `{spec.table}_current` chooses), the new column is "
        "backfilled in keyset batches without a long lock, and nothing is dropped until validation passes. "
        + (
            "PostgreSQL: writers keep working during the migration"
            + (" (a sync trigger runs `up` / `down` while both shapes exist)" if synced else "")
            + "; every DDL waits at most lock_timeout."
            if postgres
            else "DuckDB has no triggers: stop writes to the old columns between expand and switch; "
            "the switch itself is atomic."
        ),
        "",
        "## Operations",
        "",
        *[
            f"{n}. {describe_operation(op.model_dump(exclude_defaults=True))}"
            for n, op in enumerate(spec.operations, 1)
        ],
        "",
        "## Steps",
        "",
        "1. Preflight (read only): table, key (unique, not NULL), columns, every `up` evaluated on every row.",
        "2. Before-snapshot: row count, whole-table and per-column checksums.",
        f"3. Backup to `{migration.warehouse.settings.backup_schema}`, verified by restoring it into a scratch "
        "schema and comparing checksums; restore time measured.",
        (
            f"4. Expand: create `{rewrite.table}`, empty, with the whole new shape (key, NOT NULLs, defaults, "
            "checks declared before it has rows); the old table is not altered"
            if rewrite
            else f"4. Expand: add {', '.join(blueprint.physical_added) or 'no columns'} (nullable, metadata only)"
        )
        + (f"; {len(blueprint.expand)} constraint/default change(s)" if blueprint.expand else "")
        + (f"; index(es) {', '.join(i['name'] for i in blueprint.create_indexes)}" if blueprint.create_indexes else "")
        + (("; the sync triggers on both tables" if rewrite else "; the sync trigger") if synced else "")
        + "; the versioned views.",
        f"5. Backfill: {batches:,} batch(es), each with its checkpoint in one transaction; resumable."
        + (
            f" Each copies its rows into `{rewrite.table}`; `{spec.table}_v2` appears after the last."
            if rewrite
            else ""
        ),
        "6. Validate (see below); a failure blocks contract.",
        f"7. Switch: `{spec.table}_current` → v2, atomically.",
        f"8. Contract: re-validate, then in one transaction drop {dropped}, `{spec.table}_v1`"
        + (" and the sync trigger" if synced else "")
        + (f"; {len(blueprint.contract)} alteration(s)" if blueprint.contract else "")
        + (f"; the old table is dropped and `{rewrite.table}` renamed in its place" if rewrite else "")
        + (f"; the table becomes `{blueprint.final_table}`" if blueprint.final_table != spec.table else "")
        + ".",
        "",
        "## Timeline and downtime",
        "",
    ]
    if throughput:
        lines.append(f"- backfill: {rows:,} rows at the measured {throughput:,.0f} rows/s ≈ {rows / throughput:,.1f} s")
    else:
        lines.append("- backfill: throughput not measured yet (the first run's journal will give it)")
    lines.append(
        f"- expected downtime: zero; lock waits recorded so far: {len(lock_waits)}"
        + (f" ({'; '.join(step['detail'] for step in lock_waits[-3:])})" if lock_waits else "")
    )
    lines += ["", "## Validation rules", ""]
    checks = spec.checks
    rules = [f"row count equal (tolerance {checks.row_count_tolerance:.0%})", "unchanged columns: identical checksums"]
    rules += [f"`{d.column}` = `{d.expression}` recomputed in SQL" for d in blueprint.derived]
    rules += [f"`{column}` not NULL" for column in checks.not_null]
    rules += [f"`{column}` in {values}" for column, values in checks.accepted_values.items()]
    rules += [f"`{column}` within {r.min} .. {r.max}" for column, r in checks.ranges.items()]
    rules += [f"`{column}` not in the future" for column in checks.no_future_dates]
    rules += [f"`{fk.table or spec.table}.{fk.column}` → `{fk.references}`: no orphans" for fk in checks.foreign_keys]
    if checks.sample_rows:
        rules.append(f"{checks.sample_rows} random rows equal to the backup, field by field")
    if checks.recent_rows:
        rules.append(
            f"rows of the last {checks.recent_rows.hours} h by `{checks.recent_rows.column}` equal to the backup"
        )
    rules += [f"Great Expectations: `{name}` {kwargs}" for name, kwargs in spec.expectation_suite()]
    lines += [f"- {rule}" for rule in rules]
    lines += ["", "## Monitoring and rollback triggers", ""]
    lines += [f"- {trigger}" for trigger in TRIGGERS]
    lines += ["- progress: `harness migrate status <spec>` (journal of every step, lock wait and validation)", ""]
    lines += ["## Rollback procedure", ""]
    if run and run.backup_relation and backup:
        lines += [
            f"- backup: `{run.backup_relation}`, verified at {backup['finished_at']} ({backup['detail']})",
        ]
    else:
        lines.append("- backup: taken and verified at the start of the run (none yet)")
    lines += [
        "- run: `harness rollback <spec>` (from any state): drops the versioned views, restores the table "
        "from the backup in one transaction, then proves the table equals the before-snapshot (exact "
        "checksums) and records how long it took.",
        "",
    ]
    return "\n".join(lines)
