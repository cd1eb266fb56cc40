"""Talks to dbt: parses the project once, then runs dbt commands and package macros with it.

Every SQL statement the harness needs lives in a macro of the `expand_contract` package; this
module only invokes them (`dbt run-operation`) and collects what they hand back.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from dbt.adapters.base import impl as base_adapter
from dbt.adapters.factory import FACTORY
from dbt.cli.main import dbtRunner, dbtRunnerResult
from dbt.contracts.graph.manifest import Manifest
from dbt_common.events.event_manager_client import get_event_manager
from dbt_common.tests import enable_test_caching

from harness.engines import release_embedded_connections
from harness.errors import ConnectionFailed, HarnessError, InputError, WarehouseError
from harness.settings import DEMO_PROJECT, PROJECT_FILE, Settings

RESULT_MARKER = "EXPAND_CONTRACT_RESULT "
# Set (to anything) to keep dbt's debug lines (`<target dir>/logs/dbt.log`: every statement) for
# every macro call; by default they are written for the parse and each project's first call, and
# later calls write their info lines only (the backfill's progress among them).
DEBUG_LOG = "EC_DBT_DEBUG_LOG"


class _InfoAndAbove:
    """One of dbt's loggers, passing on its info, warning and error lines only."""

    def __init__(self, logger: Any) -> None:
        self.logger = logger

    def filter(self, message: Any) -> bool:
        return bool(message.info.level != "debug" and self.logger.filter(message))

    def write_line(self, message: Any) -> None:
        self.logger.write_line(message)


PACKAGE = "expand_contract"

_CONNECTION_SIGNS = (
    "could not connect",
    "connection refused",
    "connection to server",
    "failedtoconnect",
    "could not translate host",
    "timeout expired",
    "no password supplied",
    "password authentication failed",
    "cannot open file",  # DuckDB: the database file cannot be opened
    BUSY_FILE := "could not set lock on file",  # DuckDB: another process has the file open (see operation_results)
)
# How long a macro call waits for a DuckDB file another process has open (a second harness command,
# a notebook): the file is held only while a call runs, so both get their turn.
BUSY_TIMEOUT = "EC_DUCKDB_BUSY_TIMEOUT"
_ERROR_EVENTS = {"RunningOperationCaughtError", "RunningOperationUncaughtError", "MainEncounteredError"}


@dataclass
class _Collected:
    results: list[Any] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __call__(self, event: Any) -> None:
        name = event.info.name
        if name in ("JinjaLogDebug", "JinjaLogInfo"):
            message = event.data.msg
            if message.startswith(RESULT_MARKER):
                self.results.append(json.loads(message[len(RESULT_MARKER) :]))
        elif name in _ERROR_EVENTS or event.info.level == "error":
            text = getattr(event.data, "exc", "") or getattr(event.data, "msg", "") or event.info.msg
            if text:
                self.errors.append(str(text))


_MANIFESTS: dict[tuple[str, ...], Manifest] = {}
_PARSED_AT: dict[tuple[str, ...], float] = {}  # when each manifest was parsed (time.time())
# The adapter dbt built for a project's first macro call, reused by its later calls (see
# DbtProject.operation_results), per project, target and environment.
_ADAPTERS: dict[tuple[str, ...], Any] = {}


@contextmanager
def _environment(overrides: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in overrides}
    os.environ.update(overrides)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# dbt-adapters 1.24 extends this module-level list in place each time an adapter is built, so a
# process that alternates adapters (the test suite) makes every later invocation slower.
_BASE_BEHAVIOR_FLAGS = list(base_adapter.DEFAULT_BASE_BEHAVIOR_FLAGS)
# The harness invokes dbt many times in one process: dbt's in-process caches (the plugin modules
# found on sys.path, macros' static parse keyed by their source text) then save ~15% of a call.
enable_test_caching()


def _reset_behavior_flags() -> None:
    base_adapter.DEFAULT_BASE_BEHAVIOR_FLAGS[:] = _BASE_BEHAVIOR_FLAGS


def _classify(message: str, context: str) -> HarnessError:
    lowered = message.lower()
    if "permission denied" in lowered or "must be owner of" in lowered:
        return InputError(
            f"{context}: the warehouse user lacks a privilege: {_database_message(message).rstrip('.')}.",
            "connect as a user that has it (a migration alters the table: its owner, or a member of the owning "
            "role), or have it granted; the state tables need CREATE on the database (their own schema)",
        )
    if BUSY_FILE in lowered:
        return ConnectionFailed(
            f"the DuckDB file is in use by another process ({context}): {_database_message(message).rstrip('.')}.",
            f"wait for it to finish or stop it (a harness command waits up to {BUSY_TIMEOUT} seconds, default 30)",
        )
    if any(sign in lowered for sign in _CONNECTION_SIGNS):
        return ConnectionFailed(
            f"cannot reach the warehouse ({context}): {_database_message(message).rstrip('.')}.",
            "start the database or fix the connection settings (profiles.yml, PGHOST/PGPORT/...)",
        )
    if "found an approximate match" in message:  # PostgreSQL: the name differs from a table's in case only
        searched, found = re.search(r"Searched for: (\S+)", message), re.search(r"Found: (\S+)", message)
        return InputError(
            f"{context}: no table {searched.group(1) if searched else ''}, but there is "
            f"{found.group(1) if found else 'one whose name differs in case only'}: names are matched exactly "
            "(the harness quotes every identifier).",
            "write the name as the database has it (PostgreSQL folds unquoted names to lower case)",
        )
    if "EC_MISSING_TABLE" in message:
        detail = message.split("EC_MISSING_TABLE:", 1)[1].strip().splitlines()[0]
        return InputError(f"{detail}.", "check the table and schema names")
    if "Could not find profile" in message or "does not have a target named" in message:
        return InputError(_database_message(message).rstrip(".") + ".", "pass a target defined in profiles.yml")
    return WarehouseError(f"{context} failed: {_database_message(message)}")


def _database_message(message: str) -> str:
    """The database's own words, without dbt's wrapping lines."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    useful = [line for line in lines if not line.startswith(("Runtime Error", "Database Error", "in macro"))]
    return " ".join(useful or lines)


class DbtProject:
    """One dbt project + profile + target; parses once and reuses the manifest for every call."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.busy_waits = 0  # calls that found the DuckDB file held by another process, and waited

    def _common_args(self) -> list[str]:
        args = [
            "--project-dir", str(self.settings.project_dir),
            "--profiles-dir", str(self.settings.profiles_path),
            "--target-path", str(self.settings.output_dir),
            "--log-path", str(self.settings.output_dir / "logs"),
            # The harness renders results and errors itself; dbt's full log stays in the file.
            "--log-level", "none", "--log-level-file", "debug",
        ]  # fmt: skip
        if self.settings.target:
            args += ["--target", self.settings.target]
        return args

    def install_packages(self) -> None:
        """`dbt deps` for a project whose packages are all local (the demo project's is this
        checkout: no network), unless dbt_packages/ already links each of them."""
        packages = self.settings.project_dir / "packages.yml"
        wanted = yaml.safe_load(packages.read_text()).get("packages", []) if packages.is_file() else []
        local = [self.settings.project_dir / package["local"] for package in wanted if "local" in package]
        if len(local) != len(wanted):
            raise InputError(f"{packages}: install_packages links local packages only.", "run `dbt deps` yourself")
        installed = self.settings.project_dir / "dbt_packages"
        linked = {entry.resolve() for entry in installed.iterdir()} if installed.is_dir() else set()
        if {source.resolve() for source in local} <= linked:  # each one there, and this very checkout
            return
        collected = _Collected()
        args = ["deps", "--project-dir", str(self.settings.project_dir), "--profiles-dir",
                str(self.settings.profiles_path), "--log-path", str(self.settings.output_dir / "logs")]  # fmt: skip
        result = dbtRunner(callbacks=[collected]).invoke(args)
        if not result.success:
            raise _classify("\n".join(collected.errors) or str(result.exception), "dbt deps")

    @property
    def manifest(self) -> Manifest:
        if not (self.settings.project_dir / PROJECT_FILE).is_file():
            raise InputError(f"{self.settings.project_dir} has no {PROJECT_FILE}: harness works on a dbt project.",
                             "run it inside your dbt project, or pass --project-dir (or DBT_PROJECT_DIR)")  # fmt: skip
        key = self.settings.parse_identity()
        if key not in _MANIFESTS:
            started = time.time()
            if self.settings.project_dir == DEMO_PROJECT:  # (its package is this checkout: linked, no network)
                self.install_packages()
            collected = _Collected()
            with _environment(self.settings.environment()):
                result = dbtRunner(callbacks=[collected]).invoke(["parse", *self._common_args()])
            if not result.success or not isinstance(result.result, Manifest):
                raise _classify("\n".join(collected.errors) or str(result.exception), "parsing the dbt project")
            _MANIFESTS[key], _PARSED_AT[key] = result.result, started
        return _MANIFESTS[key]

    def edited_since_parse(self, path: Path) -> bool:
        """Whether `path` (a project file) may have changed since this process parsed the project."""
        parsed = _PARSED_AT.get(self.settings.parse_identity())
        return parsed is None or not path.is_file() or path.stat().st_mtime >= parsed - 1.0

    def _run(self, args: list[str], context: str, fresh: bool = False) -> tuple[dbtRunnerResult, _Collected]:
        """One dbt invocation with the shared manifest (`fresh`: dbt parses the project again);
        raises the classified error on failure."""
        collected = _Collected()
        manifest = None if fresh else self.manifest
        with _environment(self.settings.environment()):
            try:
                result = dbtRunner(manifest=manifest, callbacks=[collected]).invoke([*args, *self._common_args()])
            finally:
                release_embedded_connections()
                _reset_behavior_flags()
        if not result.success or collected.errors:
            raise _classify("\n".join(collected.errors) or str(result.exception), context)
        return result, collected

    def invoke_fresh(self, args: list[str], context: str) -> dbtRunnerResult:
        """Runs one dbt command on the project as its files are now (parsed again, not the shared
        manifest): for what must see an edit made since this process parsed it (a model's SQL)."""
        return self._run(args, context, fresh=True)[0]

    def invoke(self, args: list[str], context: str) -> dbtRunnerResult:
        """Runs one dbt command (seed, run, docs generate, ...) with the parsed manifest."""
        return self._run(args, context)[0]

    def credentials(self) -> Any:
        """The target's rendered dbt credentials (for tools that need their own connection, such
        as Great Expectations). Never logged or printed: they may hold a password."""
        from dbt.config.profile import Profile, read_profile
        from dbt.config.renderer import ProfileRenderer
        from dbt_common.context import set_invocation_context

        self.manifest  # noqa: B018  (parsing sets dbt's global flags, which profile rendering reads)
        with _environment(self.settings.environment()):
            set_invocation_context(os.environ)
            raw = read_profile(str(self.settings.profiles_path))
            name = self.settings.profile_name  # whatever the project's dbt_project.yml names
            if name not in raw:
                raise InputError(
                    f"{self.settings.profiles_path / 'profiles.yml'} has no profile {name!r} (the one "
                    f"{self.settings.project_dir / 'dbt_project.yml'} names).",
                    "add it, or point --profiles-dir / DBT_PROFILES_DIR at the profiles.yml that has it",
                )
            profile = Profile.from_raw_profile_info(
                raw[name], name, ProfileRenderer({}), target_override=self.settings.target
            )
        return profile.credentials

    def operation(self, macro: str, **kwargs: Any) -> Any:
        """Runs a package macro; returns the last value it emitted with `emit_result` (or None)."""
        results = self.operation_results(macro, **kwargs)
        return results[-1] if results else None

    def operation_results(self, macro: str, **kwargs: Any) -> list[Any]:
        """Runs a package macro; returns every value it emitted with `emit_result`, in order. A
        DuckDB file another process holds (one writer per file; the harness holds it only while a
        call runs) is waited for, backing off, up to EC_DUCKDB_BUSY_TIMEOUT seconds (default 30):
        the lock is taken when the call connects, before any statement, so trying again is safe."""
        deadline = time.monotonic() + float(os.environ.get(BUSY_TIMEOUT, "30"))
        delay = 0.05
        while True:
            try:
                return self._operation_results(macro, **kwargs)
            except ConnectionFailed as exc:
                if BUSY_FILE not in exc.message.lower() or time.monotonic() + delay > deadline:
                    raise
            self.busy_waits += 1
            time.sleep(delay)
            delay = min(delay * 2, 1.0)

    def _operation_results(self, macro: str, **kwargs: Any) -> list[Any]:
        """One macro call (see operation_results).

        The first call is a `dbt run-operation`, which builds the adapter (profile, flags, macro
        context); later calls of the same project and target run the macro on that adapter
        directly, as run-operation itself does (a connection of its own, released after), without
        rebuilding it: ~40 ms less per call, which a lifecycle makes ~40 of."""
        key = (repr(self.settings), repr(sorted({**os.environ, **self.settings.environment()}.items())))
        adapter = _ADAPTERS.get(key)
        if adapter is None:
            built = {id(existing) for existing in FACTORY.adapters.values()}
            args = ["run-operation", f"{PACKAGE}.{macro}", "--args", json.dumps(kwargs), "--no-write-json"]
            results = self._run(args, macro)[1].results
            fresh = [found for found in FACTORY.adapters.values() if id(found) not in built]
            if len(fresh) == 1:
                _ADAPTERS[key] = fresh[0]
            return results
        return self._on_adapter(adapter, key, macro, kwargs)

    def _on_adapter(self, adapter: Any, key: tuple[str, ...], macro: str, kwargs: dict[str, Any]) -> list[Any]:
        """One macro on a kept adapter, in the state a fresh run-operation would find it: the
        adapter is the one dbt's macro context looks up (a process may hold several, e.g. a diff
        across two targets), its relation cache is empty (stale entries would hide tables made
        since), and its connections are closed afterwards (none left for another call to reuse
        after a server restart, or to hold a DuckDB file). dbt's file log takes its info lines
        only, unless EC_DBT_DEBUG_LOG is set (errors reach the harness through the callbacks)."""
        collected = _Collected()
        manager = get_event_manager()
        saved_callbacks, saved_loggers = list(manager.callbacks), list(manager.loggers)
        kind = adapter.type()
        displaced = FACTORY.adapters.get(kind)
        FACTORY.adapters[kind] = adapter
        manager.callbacks[:] = [collected]
        if not os.environ.get(DEBUG_LOG):  # dbt's debug lines cost ~8 ms of a ~50 ms call
            manager.loggers[:] = [_InfoAndAbove(logger) for logger in saved_loggers]
        adapter.cache.clear()
        try:
            with _environment(self.settings.environment()), adapter.connection_named(f"macro_{macro}"):
                adapter.clear_transaction()
                adapter.execute_macro(macro, project=PACKAGE, kwargs=kwargs, macro_resolver=self.manifest)
        except Exception as error:  # classified: the database's words, or a connection failure
            _ADAPTERS.pop(key, None)  # the next call builds the adapter afresh
            raise _classify("\n".join([*collected.errors, str(error)]), macro) from error
        finally:
            manager.callbacks[:], manager.loggers[:] = saved_callbacks, saved_loggers
            adapter.cleanup_connections()
            release_embedded_connections()
            if displaced is not None:
                FACTORY.adapters[kind] = displaced
        if collected.errors:
            raise _classify("\n".join(collected.errors), macro)
        return collected.results
