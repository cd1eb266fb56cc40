"""The dbt package itself: documented, parseable, docs site builds, no shadowed dbt macros."""

from __future__ import annotations

import json
import re

import pytest
from dbt.contracts.graph.nodes import Macro

from harness.runner import DbtProject
from harness.settings import Settings

PACKAGE = "expand_contract"
DEMO = "expand_contract_integration_tests"  # the package's own test project, which installs it
# Adapter implementations (`default__x`, `postgres__x`, ...) are documented once, by their shim `x`.
ADAPTER_VARIANT = re.compile(r"^(default|postgres|duckdb)__")


def _public_macros(project: DbtProject) -> list[Macro]:
    """The package's macros a user calls: neither private (`_x`) nor an adapter variant."""
    return [
        m
        for m in project.manifest.macros.values()
        if m.package_name == PACKAGE and not m.name.startswith("_") and not ADAPTER_VARIANT.match(m.name)
    ]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    tmp = tmp_path_factory.mktemp("package")
    return DbtProject(Settings(target="duckdb", target_dir=tmp / "target", duckdb_path=tmp / "warehouse.duckdb"))


def test_every_macro_and_argument_is_documented(project: DbtProject) -> None:
    macros = _public_macros(project)
    assert len(macros) > 20
    undocumented = [m.name for m in macros if not m.description.strip()]
    assert undocumented == []
    for macro in macros:
        documented = {argument.name for argument in macro.arguments if argument.description.strip()}
        assert documented == {argument.name for argument in macro.arguments}, macro.name


def test_macro_yaml_names_every_signature_argument(project: DbtProject) -> None:
    """The YAML's argument list matches each macro's real signature (catches doc drift)."""
    for macro in _public_macros(project):
        header = macro.macro_sql.split("%}", 1)[0]
        inside = header[header.index("(") + 1 : header.rindex(")")]
        names = [part.split("=")[0].strip() for part in inside.split(",") if part.strip()]
        assert [a.name for a in macro.arguments] == names, macro.name


def test_the_package_is_macros_only(project: DbtProject) -> None:
    """Installed into a project, the package adds no model, seed, test or page of its own that
    could collide with the project's (its docs page is `__expand_contract__`, not the overview)."""
    nodes = [n.resource_type for n in project.manifest.nodes.values() if n.package_name == PACKAGE]
    assert nodes == ["operation", "operation"]  # its two hooks (guard_migrations, keep_version_views), nothing else
    docs = {doc.name for doc in project.manifest.docs.values() if doc.package_name == PACKAGE}
    assert docs == {"__expand_contract__"}


def test_every_model_and_seed_of_the_demo_project_is_documented(project: DbtProject) -> None:
    nodes = [
        n for n in project.manifest.nodes.values() if n.package_name == DEMO and n.resource_type in ("model", "seed")
    ]
    assert {n.name for n in nodes} >= {"customers", "raw_customers"}
    assert [n.name for n in nodes if not n.description.strip()] == []


def test_docs_site_shows_the_demo_plan_on_the_migrated_model(project: DbtProject) -> None:
    docs = {(doc.package_name, doc.name): doc for doc in project.manifest.docs.values()}
    assert "harness plan" in docs[PACKAGE, "__expand_contract__"].block_contents
    overviews = {package for package, name in docs if name == "__overview__"}
    assert overviews == {"dbt", DEMO}  # the project's home page is the project's own (dbt's is the fallback)
    plan = docs[DEMO, "plan_customers_full_name"].block_contents
    assert plan.lstrip().startswith("# Migration plan: customers_full_name")
    customers = next(n for n in project.manifest.nodes.values() if n.name == "customers")
    assert "# Migration plan: customers_full_name" in customers.description  # rendered into the page


def test_no_macro_shadows_a_dbt_builtin(project: DbtProject) -> None:
    ours = {m.name for m in project.manifest.macros.values() if m.package_name == PACKAGE}
    builtin = {m.name for m in project.manifest.macros.values() if m.package_name != PACKAGE}
    assert ours & builtin == set()


def test_docs_generate_builds_the_site(project: DbtProject) -> None:
    project.invoke(["docs", "generate"], "dbt docs generate")
    target = project.settings.output_dir
    assert (target / "index.html").is_file()
    assert (target / "catalog.json").is_file()
    manifest = json.loads((target / "manifest.json").read_text())
    backfill = manifest["macros"]["macro.expand_contract.backfill_batches"]
    assert "keyset backfill" in backfill["description"].lower()
    assert backfill["arguments"][0]["description"]
