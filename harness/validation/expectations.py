"""Great Expectations (GX Core 1.x) suites on DuckDB and PostgreSQL, with HTML Data Docs.

The connection comes from the dbt profile (one source of truth); the engine's capabilities
(`harness.engines`) build the GX data source for it.
"""

from __future__ import annotations

import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.engines import engine_for
from harness.errors import InputError
from harness.runner import DbtProject
from harness.validation.compare import CheckResult, Text, labelled

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # no network here, and none wanted


@dataclass(frozen=True)
class SuiteResult:
    checks: list[CheckResult]
    data_docs: Path | None


def expectation_class(name: str) -> Any:
    """`expect_column_values_to_not_be_null` -> gx.expectations.ExpectColumnValuesToNotBeNull."""
    import great_expectations.expectations as gxe

    found = getattr(gxe, "".join(part.capitalize() for part in name.split("_")), None)
    if found is None:
        raise InputError(
            f"expectations: {name!r} is not a Great Expectations expectation.",
            "use a snake_case name from the GX gallery, e.g. expect_column_values_to_not_be_null",
        )
    return found


def _describe(name: str, kwargs: dict[str, Any]) -> str:
    arguments = ", ".join(f"{key}={value!r}" for key, value in sorted(kwargs.items()))
    return f"gx {name}({arguments})"


def run_suite(
    project: DbtProject,
    schema: str,
    table: str,
    expectations: list[tuple[str, dict[str, Any]]],
    docs_dir: Path | None = None,
    suite_name: str = "expand_contract",
) -> SuiteResult:
    """Runs (expectation name, kwargs) pairs against schema.table; each becomes one check.

    An expectation that raises (a bad column, a failed metric) fails: an error never passes.
    """
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # GX pins some module loggers at INFO (e.g. one that announces a temporary docs folder).
    for name in [n for n in logging.root.manager.loggerDict if n.startswith("great_expectations")]:
        logging.getLogger(name).setLevel(logging.WARNING)
    credentials = project.credentials()
    make_source = engine_for(credentials.type).gx_source
    if make_source is None:
        raise InputError(
            f"Great Expectations is not wired for adapter {credentials.type}.", "use an engine of harness/engines.py"
        )
    built = [expectation_class(name)(**kwargs) for name, kwargs in expectations]
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # ours is the only output
    if docs_dir is not None:
        context.add_data_docs_site(
            site_name="expand_contract",
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    opened: list[Any] = []
    source = make_source(context, credentials, opened)
    try:
        with warnings.catch_warnings():
            # GX 1.24 prefers the schema in the connection; one data source serves any schema here.
            warnings.filterwarnings("ignore", message=".*schema_name.*deprecated", category=DeprecationWarning)
            asset = source.add_table_asset(name=table, table_name=table, schema_name=schema)
        batch_definition = asset.add_batch_definition_whole_table("whole table")
        suite = context.suites.add(gx.ExpectationSuite(name=suite_name, expectations=built))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{suite_name} on {schema}.{table}", data=batch_definition, suite=suite)
        )
        outcome = definition.run()
        docs = None
        if docs_dir is not None:
            context.build_data_docs(site_names=["expand_contract"])
            docs = docs_dir / "index.html"
    finally:
        source.get_engine().dispose()
        for connection in opened:  # release the DuckDB file for the next step and other processes
            connection.close()
    # GX groups results by metric, not in suite order: match each result to its expectation by id.
    position = {expectation.id: index for index, expectation in enumerate(suite.expectations)}
    ordered = sorted(outcome.results, key=lambda result: position[getattr(result.expectation_config, "id", None)])
    checks = []
    for (name, kwargs), result in zip(expectations, ordered, strict=True):
        raised = result.exception_info.get("raised_exception") or any(
            isinstance(info, dict) and info.get("raised_exception") for info in result.exception_info.values()
        )
        details = result.result or {}
        observed = details.get("observed_value", details.get("unexpected_count"))
        if raised:
            message = result.exception_info.get("exception_message") or next(
                (info.get("exception_message") for info in result.exception_info.values() if isinstance(info, dict)),
                "raised",
            )
            checks.append(CheckResult(_describe(name, kwargs), "success", f"error: {message}", False))
            continue
        actual: Text = f"{observed} unexpected"
        if "observed_value" in details:  # a table's counts or columns; of a column, a value (its max, its set)
            actual = f"observed {observed}" if name.startswith("expect_table_") else labelled("observed ", observed)
        sample = (details.get("partial_unexpected_list") or [])[:10]
        detail = labelled(f"unexpected sample ({len(sample)}): ", sample) if sample else ""
        checks.append(CheckResult.holding_values(_describe(name, kwargs), "success", actual, bool(result.success),
                                                 detail))  # fmt: skip
    return SuiteResult(checks, docs)
