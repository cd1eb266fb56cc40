"""Injection attempts through every user SQL field, on both adapters: each is refused with exit
2 before anything evaluates it (at load, or by the engine's own grammar in preflight), the canary
table is never created, and the data is unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.errors import HarnessError
from harness.lifecycle.migration import Migration
from harness.spec import load_spec
from harness.warehouse import Warehouse
from tests.fixtures.warehouse import Db

CANARY = "create table {s}.pwned as select 1 as x"
PAYLOADS = {
    "dollar quotes": "$$'$$) as text)) from {s}.customers; " + CANARY + "; select count(cast((1 --'\n+0",
    "E-string": "E'\\'' || 1); " + CANARY + "; select (1",
    "nested comments": "1 /* /* */ ; " + CANARY + "; /* */",
    "semicolon outside quotes": "first_name || ';'; " + CANARY,
    "unicode escapes": "U&'\\0027' || 1) as y; " + CANARY + "; select (1",
    "a second part": "1) union all select (2",
    "a clause": "1) from {s}.customers where (1",
    "pg_sleep": "pg_sleep(0) is null",
    "lo_import": "lo_import('/etc/hostname') > 0",
    "dblink": "dblink_exec('dbname=test', '" + CANARY.replace("'", "''") + "') is null",
    "read_csv": "(select count(*) from read_csv('/etc/hostname')) > 0",
}
FIELDS = {  # each user SQL field, in an operation that takes it
    "up": {"type": "add_column", "column": "probe", "data_type": "text", "up": None},
    "down": {"type": "change_type", "column": "first_name", "data_type": "varchar(100)", "down": None},
    "default": {"type": "set_default", "column": "last_name", "default": None},
    "check": {"type": "add_check", "name": "probe_check", "check": None},
}


def canaries(db: Db) -> list[Any]:
    return db.query("select table_schema from information_schema.tables where table_name = 'pwned'")


@pytest.mark.parametrize("field", list(FIELDS))
def test_every_injection_is_refused_before_anything_runs(loaded: Warehouse, db: Db, tmp_path: Path, field: str) -> None:
    rows, columns = db.rows("customers"), db.columns("customers")
    refused = {}
    for index, (name, payload) in enumerate(PAYLOADS.items()):
        operation = {**FIELDS[field], field: payload.replace("{s}", db.schema)}
        spec = {"name": f"probe_{index}", "table": "customers", "key": ["id"], "operations": [operation]}
        path = tmp_path / f"{field}_{index}.yml"
        path.write_text(yaml.safe_dump(spec))
        with pytest.raises(HarnessError) as raised:
            migration = Migration(loaded, load_spec(path))  # refused here (at load) or by preflight
            migration.start()
        refused[name] = (raised.value.exit_code, str(raised.value)[:300])
        assert canaries(db) == [], name
        assert db.rows("customers") == rows and db.columns("customers") == columns, name
        if raised.traceback[-1].name != "load_spec":  # loaded: preflight refused it, nothing journaled
            assert migration.current_run() is None, name
    assert {name: code for name, (code, _) in refused.items()} == dict.fromkeys(PAYLOADS, 2), refused
