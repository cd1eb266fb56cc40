"""The migration plan people read: pattern and why, steps, timeline, downtime, validation rules,
monitoring and rollback triggers, and the rollback procedure, as Markdown.

The steps are the lifecycle steps' own descriptions (`describe()` of each step module), so what
runs and what the plan says cannot drift apart. Figures come from the warehouse (row count now)
and the journal's typed figures of earlier runs (backfill throughput, lock waits, backup location
and restore time); what has not been measured yet says so.
"""

from __future__ import annotations

from typing import Any

from harness.documents.restore_script import TRIGGERS
from harness.errors import InputError
from harness.lifecycle import backfill, backup, contract, expand, preflight, reverse, rollback, settle, switch
from harness.lifecycle.migration import Migration
from harness.lifecycle.state import RunRecord, utc_now
from harness.operations import Blueprint


def _measured_throughput(run: RunRecord | None) -> float | None:
    line = run.last_step(backfill.NAME) if run else None
    if line and line["rows_affected"] and line["seconds"]:
        return float(line["rows_affected"]) / float(line["seconds"])
    return None


def describe_operation(fields: dict[str, Any]) -> str:
    """One line for an operation: its type, then its fields."""
    kind = fields.pop("type")
    return f"`{kind}` " + ", ".join(f"{name}: `{value}`" for name, value in fields.items())


def as_docs_block(migration: Migration, markdown: str) -> str:
    """The plan as a dbt docs block (`plan_<migration>`), for the package's docs site. The text is
    inside a raw block: nothing a spec holds (`{{ ... }}` in an expression, say) is ever rendered
    as Jinja by dbt."""
    text = markdown.replace("{% endraw %}", "{% endraw %}{{ '{% endraw %}' }}{% raw %}")
    return f"{{% docs plan_{migration.spec.name} %}}\n{{% raw %}}\n{text}\n{{% endraw %}}\n{{% enddocs %}}\n"


def plan_steps(migration: Migration, plan: Blueprint, batches: int) -> list[str]:
    """The lifecycle in order, each step as it describes itself."""
    steps = [preflight.describe(), *backup.describe(migration), expand.describe(migration, plan),
             backfill.describe(migration, plan, batches), settle.describe(plan),
             "Validate (see below); a failure blocks contract.", switch.describe(migration, plan),
             contract.describe(migration, plan)]  # fmt: skip
    return [f"{number}. {text}" for number, text in enumerate((s for s in steps if s), 1)]


def validation_rules(migration: Migration, plan: Blueprint) -> list[str]:
    spec = migration.spec
    checks = spec.checks
    if plan.creates_table:
        rules = [f"`{spec.table}` exists with the declared columns ({', '.join(plan.new_names)}), in order"]
    else:
        rules = [f"row count equal (tolerance {checks.row_count_tolerance:.0%})",
                 "unchanged columns: identical checksums"]  # fmt: skip
    rules += [f"`{d.column}` = `{d.expression}` recomputed in SQL" for d in plan.derived]
    rules += [f"`{column}` not NULL" for column in checks.not_null]
    rules += [f"`{column}` in {values}" for column, values in checks.accepted_values.items()]
    rules += [f"`{column}` within {r.label}" for column, r in checks.ranges.items()]
    rules += [f"`{column}` not in the future" for column in checks.no_future_dates]
    rules += [f"`{fk.table or spec.table}.{fk.column}` → `{fk.references}`: no orphans" for fk in checks.foreign_keys]
    if checks.sample_rows and not plan.creates_table:  # (a new table has no backup to compare with)
        rules.append(f"{checks.sample_rows} random rows equal to the backup, field by field")
    if checks.recent_rows:
        rules.append(
            f"rows of the last {checks.recent_rows.hours} h by `{checks.recent_rows.column}` equal to the backup"
        )
    rules += [f"Great Expectations: `{name}` {kwargs}" for name, kwargs in spec.expectation_suite()]
    return rules


def build_plan(migration: Migration) -> str:
    spec = migration.spec
    info = migration.warehouse.info()
    engine = migration.engine
    run = migration.current_run()
    rows = migration.warehouse.table_rows(migration.schema, migration.table)
    if rows is None and not spec.creates_table:
        raise InputError(f"table {migration.relation} does not exist in target {info.target}.",
                         "check `table` and `schema` in the spec, or create the table first")  # fmt: skip
    rows = rows or 0
    throughput = _measured_throughput(run)
    batches = -(-rows // spec.batch_size) if rows else 0
    lock_waits = [step for step in (run.steps if run else []) if step["step"] == "lock_wait"]
    verified = run.last_step(backup.BACKUP) if run else None
    plan = migration.blueprint(run)
    synced = migration.dual_write(plan)
    writers = (
        f"{engine.title}: writers keep working during the migration"
        + (" (a sync trigger runs `up` / `down` while both shapes exist)" if synced else "")
        + "; every DDL waits at most lock_timeout."
        if engine.triggers
        else f"{engine.title} has no triggers: stop writes to the old columns between expand and switch; "
        "the switch itself is atomic."
    )
    lines = [
        f"# Migration plan: {spec.name}",
        "",
        f"{spec.description.strip()}" if spec.description else "",
        "",
        f"- table: `{migration.relation}` on target `{info.target}` ({info.adapter}), key ({', '.join(spec.key)})",
        f"- rows now: {rows:,}; batches of {spec.batch_size:,}: {batches:,}"
        + (
            f" (on {engine.title} steered towards ~{spec.batch_seconds:g} s each, so their number varies)"
            if spec.batch_seconds and engine.server_side_backfill
            else ""
        ),
        f"- generated: {utc_now()} UTC; latest run: {run.run_id + ' (' + run.state + ')' if run else 'none yet'}",
        "",
        "## Pattern: expand-contract",
        "",
        f"Creates `{spec.table}` ({', '.join(plan.new_names)}), empty, with every constraint declared: nothing "
        "exists before it, so there is no old shape, no backup and no versioned views; a rollback drops it while "
        "it holds no rows (with rows it is refused; `harness restore --from-backup` sets them aside)."
        if plan.creates_table
        else f"{len(spec.operations)} operation(s) (below): adds {', '.join(plan.added) or 'none'}, drops "
        f"{', '.join(plan.dropped) or 'none'}. The old and new shapes stay readable side by side "
        f"(`{spec.table}_v1`, `{spec.table}_v2`; `{spec.table}_current` chooses), the new column is "
        "backfilled in keyset batches without a long lock, and nothing is dropped until validation passes. " + writers,
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
        *plan_steps(migration, plan, batches),
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
    lines += [f"- {rule}" for rule in validation_rules(migration, plan)]
    lines += ["", "## Monitoring and rollback triggers", ""]
    lines += [f"- {trigger}" for trigger in TRIGGERS]
    lines += ["- progress: `harness migrate status <spec>` (journal of every step, lock wait and validation)", ""]
    lines += ["## Rollback procedure", ""]
    if plan.creates_table:
        lines += [
            f"- no backup: `{spec.table}` does not exist before this migration",
            "- `harness rollback <spec>` (any state): drops the table while it holds no rows (checked under "
            "its lock); with rows it is refused, with their count",
            "- `harness restore <spec> --from-backup`: copies its rows into the backup schema, then drops it",
            "",
        ]
        return "\n".join(lines)  # fmt: skip
    if run and run.backup_relation and verified:
        lines.append(f"- backup: `{run.backup_relation}`, verified at {verified['finished_at']} ({verified['detail']})")
    else:
        lines.append("- backup: taken and verified at the start of the run (none yet)")
    lines += [f"- run: {rollback.describe()}"]
    measured = run.figure(backup.BACKUP, "restore_seconds") if run else None
    lines.append("- before contract (undo): short DDL under lock_timeout, no copy: its time does not grow with the "
                 "table (measured in docs/benchmarks.md)")  # fmt: skip
    if reverse.reversible(plan):
        lines.append("- after contract (reverse migration): "
                     + (f"contract first archives {', '.join([*plan.dropped, *plan.rewritten])} (key and old values) "
                        "in the backup schema; rollback " if reverse.archives(plan) else "rollback ")
                     + "re-adds the old shape, refills it in keyset batches (time grows with the rows refilled, "
                     "not with a reload: measured in docs/benchmarks.md), switches back in one transaction; every "
                     "write since contract kept")  # fmt: skip
    restored = "- `--from-backup`" if reverse.reversible(plan) else "- after contract or `--from-backup`"
    lines.append(restored + " (restore): the backup's rows copied back, writes since the backup given up; "
                 + (f"measured {measured:.2f} s when the backup was verified" if measured is not None
                    else "measured when the backup is verified"))  # fmt: skip
    lines.append("")
    return "\n".join(lines)
