"""Where the dbt project, its profile and the harness's artifacts are, and which target."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
# The package's own dbt project (its demo and tests): it installs the package from the checkout.
DEMO_PROJECT = REPO_ROOT / "integration_tests"
PROJECT_FILE = "dbt_project.yml"
PACKAGE_PROFILE = "expand_contract"


@dataclass(frozen=True)
class Settings:
    """Where the dbt project and profile are, which target, and the harness's own schemas."""

    project_dir: Path = DEMO_PROJECT
    profiles_dir: Path | None = None
    target: str | None = None
    target_dir: Path | None = None
    # Per-call overrides of the profile's EC_* variables (tests use one file/schema each).
    duckdb_path: Path | None = None
    schema: str | None = None
    pg_database: str | None = None
    pg_port: int | None = None
    meta_schema: str = "expand_contract_meta"
    backup_schema: str = "expand_contract_backup"

    @property
    def profiles_path(self) -> Path:
        """Where profiles.yml is, found as dbt finds it: `--profiles-dir`, `DBT_PROFILES_DIR`, the
        project's own folder, then `~/.dbt`."""
        if self.profiles_dir is not None:
            return self.profiles_dir
        if os.environ.get("DBT_PROFILES_DIR"):
            return Path(os.environ["DBT_PROFILES_DIR"])
        if (self.project_dir / "profiles.yml").is_file():
            return self.project_dir
        return Path.home() / ".dbt"

    @functools.cached_property
    def profile_name(self) -> str:
        """The profile the project's dbt_project.yml names (this package's own when it names none)."""
        try:
            project = yaml.safe_load((self.project_dir / PROJECT_FILE).read_text()) or {}
        except FileNotFoundError:
            return PACKAGE_PROFILE
        return str(project.get("profile") or PACKAGE_PROFILE)

    @functools.cached_property
    def target_name(self) -> str:
        """The target commands run on: `--target`, else the one the profile names as its default
        (read from profiles.yml without connecting; a templated one reads as `default`)."""
        if self.target:
            return self.target
        try:
            profiles = yaml.safe_load((self.profiles_path / "profiles.yml").read_text()) or {}
        except (OSError, yaml.YAMLError):
            return "default"
        named = str((profiles.get(self.profile_name) or {}).get("target") or "default")
        return "default" if "{" in named else named

    @property
    def output_dir(self) -> Path:
        return self.target_dir or self.project_dir / "target"

    def environment(self) -> dict[str, str]:
        env: dict[str, str] = {}
        if self.duckdb_path is not None:
            env["EC_DUCKDB_PATH"] = str(self.duckdb_path)
        if self.schema is not None:
            env["EC_SCHEMA"] = self.schema
        if self.pg_database is not None:
            env["PGDATABASE"] = self.pg_database
        if self.pg_port is not None:
            env["PGPORT"] = str(self.pg_port)
        return env

    def parse_identity(self) -> tuple[str, ...]:
        """What changes dbt's parse results: the project, the target and the names baked into nodes
        (one parsed manifest is reused for every call with the same identity)."""
        env = {**os.environ, **self.environment()}
        return (
            str(self.project_dir),
            str(self.profiles_path),
            self.target or "",
            env.get("EC_SCHEMA", ""),
            Path(env.get("EC_DUCKDB_PATH", "warehouse.duckdb")).name,
            env.get("PGDATABASE", ""),
            env.get("PGPORT", ""),
        )
