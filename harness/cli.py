"""`harness`: a thin Typer layer over the library. Parses options, calls one core function,
renders the result; every HarnessError becomes one line and an exit code (2 input/connection,
1 failed validation or refused step)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer
from rich.console import Console

from harness import live, report
from harness.demo import run_demo
from harness.diff import DiffResult, diff_across, diff_relations
from harness.documents.plan import as_docs_block, build_plan
from harness.documents.restore_script import build_restore_script
from harness.errors import HarnessError, InputError
from harness.lifecycle.migration import Migration
from harness.lifecycle.step import StepResult
from harness.move import MoveOptions, MoveResult, parse_endpoint, run_move
from harness.move_report import RichMoveReporter, move_table, write_move_junit
from harness.settings import Settings
from harness.snapshot import Snapshot
from harness.spec import load_spec
from harness.spec_fields import check_identifier
from harness.validation.compare import ValidationReport, compare_snapshots
from harness.warehouse import Warehouse

app = typer.Typer(
    help="Zero-downtime migrations with the expand_contract dbt package: plan, run, validate, roll back.\n\n"
    "Example: harness --target postgres migrate start migrations/customers_full_name.yml",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
migrate_app = typer.Typer(help="Run a migration's lifecycle: start, complete, status.", no_args_is_help=True)
app.add_typer(migrate_app, name="migrate")

console = Console()
errors = Console(stderr=True)
T = TypeVar("T")

SpecPath = Annotated[Path, typer.Argument(help="Migration spec (YAML), e.g. migrations/customers_full_name.yml")]
ShowValues = Annotated[
    bool,
    typer.Option(
        "--show-values",
        help="Show values from table rows (sampled keys, min/max, differing values) in the output and reports; "
        "without it they are <redacted>, so CI logs do not carry them.",
    ),
]


def _settings(ctx: typer.Context) -> Settings:
    settings: Settings = ctx.obj
    return settings


def _migration(ctx: typer.Context, spec: Path) -> Migration:
    return Migration(Warehouse(_settings(ctx)), load_spec(spec), report.RichReporter(console))


def _as_harness_error(exc: Exception) -> HarnessError:
    """A HarnessError as it is; anything else is a bug of ours: one line and exit 2, not a traceback
    (details: <target>/logs)."""
    if isinstance(exc, HarnessError):
        return exc
    return HarnessError(f"unexpected {type(exc).__name__}: {exc}", "report it with the command that failed")


def _migration_name(spec: Path | None) -> str:
    """The spec's `name` (JUnit's classname, run to run), or its file's stem when it does not load."""
    if spec is None:
        return ""
    try:
        return load_spec(spec).name
    except HarnessError:
        return spec.stem


def _guarded(action: Callable[[], T]) -> T:
    try:
        return action()
    except Exception as exc:
        _refuse(_as_harness_error(exc))


def _refuse(error: HarnessError) -> NoReturn:
    report.print_error(errors, str(error))
    raise typer.Exit(error.exit_code) from error


@app.callback()
def main(
    ctx: typer.Context,
    target: Annotated[str | None, typer.Option(help="dbt target from profiles.yml (duckdb, postgres).")] = None,
    project_dir: Annotated[
        Path | None,
        typer.Option(envvar="DBT_PROJECT_DIR", help="The dbt project (default: the current directory)."),
    ] = None,
    profiles_dir: Annotated[
        Path | None,
        typer.Option(help="Folder of profiles.yml (default: DBT_PROFILES_DIR, the project, ~/.dbt)."),
    ] = None,
    meta_schema: Annotated[
        str, typer.Option(envvar="EC_META_SCHEMA", help="Schema of the state tables.")
    ] = Settings.meta_schema,
    backup_schema: Annotated[
        str, typer.Option(envvar="EC_BACKUP_SCHEMA", help="Schema of the verified backups.")
    ] = Settings.backup_schema,
    target_dir: Annotated[
        Path | None,
        typer.Option(envvar="EC_TARGET_DIR", help="Where artifacts and dbt's log go (default: <project>/target)."),
    ] = None,
) -> None:
    for option, value in (("--meta-schema / EC_META_SCHEMA", meta_schema), ("--backup-schema / EC_BACKUP_SCHEMA",
                                                                             backup_schema)):  # fmt: skip
        try:
            check_identifier(value)
        except ValueError as error:  # the same rules as the spec's names: never SQL
            _refuse(InputError(f"{option}: {error}.", "name a schema with letters, digits and underscores"))
    # Files holding data (snapshots, reports, plans, restore scripts, dumps, logs) are the
    # operator's alone: 0600 files in 0700 folders.
    os.umask(0o077)
    ctx.obj = Settings(
        project_dir=(project_dir or Path.cwd()).resolve(), profiles_dir=profiles_dir, target=target,
        meta_schema=meta_schema, backup_schema=backup_schema, target_dir=target_dir,
    )  # fmt: skip


@app.command()
def demo(ctx: typer.Context) -> None:
    """Load jaffle_shop, migrate customers to full_name (expand, backfill, validate, contract),
    then drill a rollback and prove the exact before-checksum.

    Example: harness demo            (DuckDB, no server)
             harness --target postgres demo
    """
    result = _guarded(lambda: run_demo(_settings(ctx), report.RichReporter(console)))
    console.print(report.steps_table(f"Demo on {result.target} ({result.adapter})", result.steps))
    console.print(f"columns after contract: {', '.join(result.columns_after_contract)}; rollback proven exact.")


@app.command()
def snapshot(
    ctx: typer.Context,
    relation: Annotated[str, typer.Argument(help="Table as schema.table (or table in the target schema).")],
    output: Annotated[Path | None, typer.Option(help="Write the snapshot as JSON here.")] = None,
    profile: Annotated[bool, typer.Option(help="Also min, max and approximate distinct per column.")] = True,
    portable: Annotated[
        bool, typer.Option(help="Checksums equal on DuckDB and PostgreSQL for the same data (slower).")
    ] = False,
) -> None:
    """Row count, order-independent checksums (whole table and each column) and NULL counts, plus
    (unless --no-profile) min, max and approximate distinct counts, all in one scan.

    Example: harness snapshot main.customers --output target/customers.before.json
    """

    def take() -> Snapshot:
        warehouse = Warehouse(_settings(ctx))
        return warehouse.snapshot(*_relation(relation, warehouse), profile=profile, portable=portable)

    taken = _guarded(take)
    if output:
        taken.save(output)
    console.print_json(json.dumps(taken.to_dict()))


@app.command()
def validate(
    ctx: typer.Context,
    spec: Annotated[Path | None, typer.Argument(help="Migration spec to validate against its before-snapshot.")] = None,
    before: Annotated[Path | None, typer.Option(help="Compare two snapshot files instead: the old one.")] = None,
    after: Annotated[Path | None, typer.Option(help="... and the new one.")] = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the report as JSON here (- for stdout, the table to stderr).")
    ] = None,
    junit_xml: Annotated[Path | None, typer.Option(help="Write JUnit XML here (one test case per check).")] = None,
    html: Annotated[
        Path | None, typer.Option(help="Write the report as one self-contained HTML page here (reads offline).")
    ] = None,
    show_values: ShowValues = False,
) -> None:
    """Validate a migration (counts, checksums, recomputed `up`, required columns, key) or two
    snapshots. Exit 0 pass, 1 fail, 2 bad input or no connection. A failed validation is
    recorded and blocks the contract step. Values from table rows are <redacted> in every
    output unless --show-values.

    Example: harness validate migrations/customers_full_name.yml --junit-xml target/validate.xml
             harness validate migrations/customers_full_name.yml --json - --show-values
             harness validate migrations/customers_full_name.yml --html target/validation.html
    """

    def run() -> ValidationReport:
        if before and after:
            old, new = Snapshot.load(before), Snapshot.load(after)
            result = ValidationReport(subject=f"{old.relation} → {new.relation}")
            result.extend(compare_snapshots(old, new))
            return result
        if spec is None:
            raise HarnessError("nothing to validate.", "pass a spec file, or --before and --after snapshot files")
        return Migration(Warehouse(_settings(ctx)), load_spec(spec)).validate()

    def write(result: ValidationReport) -> None:
        if json_path:
            report.write_json(result.to_dict(show_values), json_path)
        if junit_xml:
            report.write_junit(result, junit_xml, show_values)
        if html:
            report.write_html(result, html, show_values)

    try:
        result = run()
    except Exception as exc:  # the reports are written on every exit, so CI sees why (then exit 2 or 1)
        failed = _as_harness_error(exc)
        write(ValidationReport(subject=str(spec or before), suite=_migration_name(spec), error=str(failed)))
        _refuse(failed)
    out = _human(json_path)
    out.print(report.validation_table(result, show_values))
    if result.data_docs:
        out.print(f"Great Expectations Data Docs: {result.data_docs} (GX's pages load their styles and scripts "
                  f"from CDNs: without a network they show nothing; this validation on one page that reads "
                  f"offline: {html or result.page})", highlight=False, soft_wrap=True)  # fmt: skip
    write(result)
    if not result.passed:
        report.print_error(errors, f"validation failed: {result.summary()}")
        raise typer.Exit(1)


def _human(json_path: Path | None) -> Console:
    """Where the tables for people go: stdout, unless the JSON goes there (`--json -`)."""
    return errors if json_path is not None and str(json_path) == "-" else console


def _relation(text: str, warehouse: Warehouse) -> tuple[str, str]:
    schema, _, table = text.rpartition(".")
    return schema or warehouse.info().schema, table


@app.command()
def diff(
    ctx: typer.Context,
    relation_a: Annotated[str, typer.Argument(help="First table, schema.table (e.g. the live table).")],
    relation_b: Annotated[str, typer.Argument(help="Second table (e.g. a shadow build or a copy).")],
    key: Annotated[str, typer.Option(help="Integer key column present in both.")],
    segments: Annotated[int, typer.Option(min=2, max=4096, help="Segments per bisection level.")] = 256,
    leaf_rows: Annotated[int | None, typer.Option(min=1, help="Compare rows below this segment size.")] = None,
    target_b: Annotated[
        str | None, typer.Option(help="Read B from this other target (e.g. a copy in postgres); portable checksums.")
    ] = None,
    json_path: Annotated[
        Path | None,
        typer.Option("--json", help="Write every difference as JSON here (- for stdout, the table to stderr)."),
    ] = None,
    show_values: ShowValues = False,
) -> None:
    """Locate the rows that differ between two tables: segment checksums by key range, narrowed
    to the differing keys. Prints how many rows differ, by kind and column; with --show-values,
    each differing key with its old and new values (otherwise <redacted>, in the JSON too).
    Exit 0 identical, 1 different.

    Example: harness diff main.orders main.orders_copy --key o_orderkey --json target/diff.json
             harness diff main.customers public.customers --key id --target-b postgres --show-values
    """

    def run() -> DiffResult:
        settings = _settings(ctx)
        warehouse = Warehouse(settings)
        if target_b is None:
            return diff_relations(
                warehouse, _relation(relation_a, warehouse), _relation(relation_b, warehouse), key,
                segments=segments, leaf_rows=leaf_rows or 50_000,
            )  # fmt: skip
        other = Warehouse(replace(settings, target=target_b))
        return diff_across(
            warehouse, _relation(relation_a, warehouse), other, _relation(relation_b, other), key,
            segments=segments, leaf_rows=leaf_rows or 2_000,
        )  # fmt: skip

    result = _guarded(run)
    _human(json_path).print(report.diff_table(result, show_values=show_values))
    if json_path:
        report.write_json(result.to_dict(show_values), json_path)
    if not result.identical:
        raise typer.Exit(1)


@app.command()
def backup(
    ctx: typer.Context,
    spec: SpecPath,
    pg_dump: Annotated[
        Path | None, typer.Option(help="PostgreSQL: also write a pg_dump -Fc archive here, verified by pg_restore.")
    ] = None,
) -> None:
    """Preflight, before-snapshot and a verified backup (restored into a scratch schema and
    checksummed, restore time measured); `migrate start` continues after re-checking it.

    Example: harness --target postgres backup migrations/customers_full_name.yml --pg-dump target/customers.dump
    """
    steps = _guarded(lambda: _migration(ctx, spec).backup(pg_dump))
    console.print(report.steps_table("backup", steps))


@migrate_app.command("start")
def migrate_start(
    ctx: typer.Context,
    spec: SpecPath,
    auto_rollback: Annotated[
        bool, typer.Option(help="Roll back by itself if a step or the validation fails (exit 1).")
    ] = False,
) -> None:
    """Preflight, before-snapshot, verified backup, expand, backfill, validate; resumes a run
    that stopped half-way (from the last backfill checkpoint).

    Example: harness migrate start migrations/customers_full_name.yml --auto-rollback
    """
    steps = _guarded(lambda: _migration(ctx, spec).start(auto_rollback))
    console.print(report.steps_table("migrate start", steps))


@migrate_app.command("complete")
def migrate_complete(
    ctx: typer.Context,
    spec: SpecPath,
    model_later: Annotated[
        bool,
        typer.Option(
            "--model-later",
            help="Contract although the dbt model of the table still builds the old "
            "shape (update it before its next dbt run).",
        ),
    ] = False,
) -> None:
    """Validate again, switch readers to the new shape, contract (drop the old). Refused unless
    validation passes, and unless the dbt model that builds the table (if one does) now builds the
    new shape: its next `dbt run` would otherwise rebuild the old one.

    Example: harness migrate complete migrations/customers_full_name.yml
    """
    steps = _guarded(lambda: _migration(ctx, spec).complete(model_later))
    console.print(report.steps_table("migrate complete", steps))


@migrate_app.command("status")
def migrate_status(
    ctx: typer.Context,
    spec: SpecPath,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write the run as JSON here (- for stdout).")] = None,
) -> None:
    """Show the latest run's state, its backfill's progress (rows done of the total, rows/s, time
    left) and its journal of steps. While a harness command runs the migration, what that process
    publishes (harness/live.py): the warehouse is not opened, so a running migration on a DuckDB
    file is never held up; otherwise the state tables.

    Example: harness migrate status migrations/customers_full_name.yml --json -
    """
    settings = _settings(ctx)
    name = _guarded(lambda: load_spec(spec).name)
    current = _guarded(lambda: live.current(settings, name))
    if json_path is None:
        _print_status(current)
    else:
        report.write_json(current.to_dict(), json_path)


def _print_status(current: live.Status) -> None:
    if current.running is not None:
        command, pid, target, at = (current.running.get(key) for key in live.RUNNING)
        console.print(f"running: harness {command} (pid {pid}, target {target}), as it reported at {at}",
                      highlight=False)  # fmt: skip
    run = current.run
    if run is None:
        console.print("no run recorded for this migration" if current.running is None else "no run recorded yet")
        return
    console.print(f"run {run['run_id']}: [bold]{run['state']}[/bold] {run.get('note') or ''}", highlight=False)
    if current.progress:
        console.print(report.progress_line(current.progress, live=current.running is not None), highlight=False)
    steps = [
        StepResult(s["step"], s.get("rows_affected"), float(s["seconds"] or 0), f"{s['status']}: {s['detail'] or ''}")
        for s in run["steps"]
    ]
    console.print(report.steps_table(f"{run['migration']} journal", steps))


@migrate_app.command("watch")
def migrate_watch(
    ctx: typer.Context,
    spec: SpecPath,
    interval: Annotated[float, typer.Option(help="Seconds between looks.", min=0.1, max=60)] = 1.0,
) -> None:
    """Follow a migration a harness command is running, from a second shell: its state, last
    step and backfill progress (rows done, rows/s, time left) as that process publishes them, never
    opening the warehouse meanwhile (a DuckDB migration is never held up); when the command ends,
    the final state from the state tables. With nothing running, the state once.

    Example: harness migrate watch migrations/customers_full_name.yml --interval 0.5
    """
    settings = _settings(ctx)
    name = _guarded(lambda: load_spec(spec).name)
    followed = False
    for published in live.follow(settings, name, interval):  # one line a change (the process publishes)
        followed = True
        console.print(report.watch_line(published), highlight=False, soft_wrap=True)
    final = _guarded(lambda: live.current(settings, name))
    if followed:
        console.print("the command ended; the migration now:", highlight=False)
    _print_status(final)


def _write_document(
    ctx: typer.Context, spec: Path, output: Path | None, name: str, build: Callable[[Migration], str]
) -> None:
    """Builds a document for a migration and writes it to `output` or target/expand_contract/<migration>/."""

    def write() -> Path:
        settings = _settings(ctx)
        migration = Migration(Warehouse(settings), load_spec(spec))
        target = output or settings.output_dir / "expand_contract" / migration.spec.name / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(build(migration))
        return target

    console.print(f"written to {_guarded(write)}", highlight=False)


@app.command()
def plan(
    ctx: typer.Context,
    spec: SpecPath,
    output: Annotated[Path | None, typer.Option(help="Where to write the Markdown (default under target/).")] = None,
    docs_block: Annotated[
        Path | None,
        typer.Option(help="Also write it as the dbt docs block plan_<migration> into this folder (e.g. models/plans)."),
    ] = None,
) -> None:
    """Write the migration plan as Markdown: pattern and why, steps, timeline from row counts and
    measured throughput, downtime, validation rules, rollback triggers and procedure. With
    --docs-block the dbt docs site shows it too, on the page of the model whose description calls
    doc('plan_<migration>') (a folder under models/ is in dbt's default docs-paths).

    Example: harness plan migrations/customers_full_name.yml --docs-block models/plans
    """

    def plan_and_block(migration: Migration) -> str:
        markdown = build_plan(migration)
        if docs_block is not None:
            docs_block.mkdir(parents=True, exist_ok=True)
            (docs_block / f"plan_{migration.spec.name}.md").write_text(as_docs_block(migration, markdown))
        return markdown

    _write_document(ctx, spec, output, "plan.md", plan_and_block)


@app.command("restore-script")
def restore_script(
    ctx: typer.Context,
    spec: SpecPath,
    output: Annotated[Path | None, typer.Option(help="Where to write the SQL (default under target/).")] = None,
) -> None:
    """Write a self-contained, idempotent SQL restore script (rollback plan in its header) that
    psql or the DuckDB CLI runs without the harness.

    Example: harness --target postgres restore-script migrations/customers_full_name.yml
    """

    _write_document(ctx, spec, output, "restore.sql", build_restore_script)


@app.command()
def rollback(ctx: typer.Context, spec: SpecPath) -> None:
    """Take the migration back, saying which path and why. Before contract: undo what start added
    (every write kept, no copy). After contract: restore from the verified backup, keeping the
    table itself; refused if the table was written since the backup (see `restore`). Then prove
    the old shape (and the before-checksums where nobody wrote).

    Example: harness rollback migrations/customers_full_name.yml
    """
    steps = _guarded(lambda: _migration(ctx, spec).rollback())
    console.print(report.steps_table("rollback", steps))


FROM_BACKUP_HELP = "Required: restore from the verified backup, giving up the writes made since it."


@app.command()
def restore(
    ctx: typer.Context,
    spec: SpecPath,
    from_backup: Annotated[bool, typer.Option("--from-backup", help=FROM_BACKUP_HELP)] = False,
) -> None:
    """The disaster path: put the verified backup's rows back into the table itself (its identity,
    sequences, views, foreign keys and grants kept), from any state, giving up the writes made
    since the backup (counted on PostgreSQL and reported); then prove the before-checksums.
    Refused when rows of other tables point at keys the backup lacks.

    Example: harness restore migrations/customers_full_name.yml --from-backup
    """
    if not from_backup:
        _refuse(InputError(
            "restore replaces the table's rows with the backup's and gives up every write since it.",
            "say so with --from-backup; to take a migration back without losing writes: harness rollback <spec>",
        ))  # fmt: skip
    steps = _guarded(lambda: _migration(ctx, spec).restore_from_backup())
    console.print(report.steps_table("restore", steps))


@app.command("move")
def move_command(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="schema.table on --source-target, or a folder of Parquet files.")],
    dest: Annotated[str, typer.Argument(help="schema.table on --dest-target, or a folder for Parquet files.")],
    source_target: Annotated[str | None, typer.Option(help="dbt target of the source (default: --target).")] = None,
    dest_target: Annotated[str | None, typer.Option(help="dbt target of the destination (default: --target).")] = None,
    key: Annotated[
        str | None,
        typer.Option(help="Key columns, comma-separated, the first an integer (default: the source's primary key)."),
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Rows per batch (key range).")] = 10_000,
    workers: Annotated[int, typer.Option(min=1, max=32, help="Batches loaded in parallel.")] = 4,
    transform: Annotated[
        list[str] | None,
        typer.Option(
            help="column=expression: DuckDB SQL over the source's row (repeatable; a new name adds a column)."
        ),
    ] = None,
    resume: Annotated[bool, typer.Option(help="Continue a move that stopped (its unfinished ranges only).")] = False,
    append: Annotated[bool, typer.Option(help="Add the rows to a destination that has rows.")] = False,
    replace_dest: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Replace the destination, after a verified backup of it (backup schema; Parquet: files set aside).",
        ),
    ] = False,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the result as JSON here (- for stdout, the table to stderr).")
    ] = None,
    junit_xml: Annotated[
        Path | None, typer.Option(help="Write JUnit XML here (a case per step and per bad range).")
    ] = None,
    show_values: ShowValues = False,
) -> None:
    """Move a table: DuckDB, PostgreSQL (another database: a target of its own) or Parquet, in
    key-range batches by parallel workers, each batch committed with its checkpoint in the
    destination (--resume continues after a crash), the key built after the load, then verified:
    row count and portable checksum per range, source (transformed) against destination. Exit 0
    verified, 1 a range differs (named, then its keys), 2 bad input or no connection.

    Example: harness move main.orders public.orders --source-target duckdb --dest-target postgres
             harness move public.orders target/orders_parquet --source-target postgres --transform "note=upper(note)"
    """
    settings = _settings(ctx)

    def run() -> MoveResult:
        options = MoveOptions.from_flags(key=key, batch_size=batch_size, workers=workers, transforms=transform or [],
                                         resume=resume, append=append, replace=replace_dest)  # fmt: skip
        return run_move(
            parse_endpoint(source, replace(settings, target=source_target or settings.target)),
            parse_endpoint(dest, replace(settings, target=dest_target or settings.target)),
            options, RichMoveReporter(_human(json_path)),
        )  # fmt: skip

    try:
        result = run()
    except Exception as exc:
        failed = _as_harness_error(exc)
        if json_path:
            report.write_json({"source": source, "destination": dest, "error": str(failed)}, json_path)
        if junit_xml:
            write_move_junit(MoveResult(source, dest, [], []), junit_xml, error=str(failed))
        _refuse(failed)
    _human(json_path).print(move_table(result, show_values))
    if json_path:
        report.write_json(result.to_dict(show_values), json_path)
    if junit_xml:
        write_move_junit(result, junit_xml, show_values)
    if not result.verified:
        report.print_error(errors, f"move verification failed: {result.summary(show_values)}")
        raise typer.Exit(1)


if __name__ == "__main__":  # pragma: no cover
    app()
