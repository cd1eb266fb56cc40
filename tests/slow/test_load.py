"""PostgreSQL under load: a writer inserts and updates through the old shape and through the
new one for the whole lifecycle (backup, expand, backfill, validate, switch, contract). Every
acknowledged write must be present with the right values in both shapes, and none may fail."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from harness.lifecycle.migration import Migration
from harness.lifecycle.step import NullReporter, StepResult
from harness.settings import Settings
from harness.spec import load_spec
from harness.warehouse import Warehouse
from tests.fixtures.accounts import SPLIT_AND_RETYPE
from tests.fixtures.catalog import catalog, relations
from tests.fixtures.warehouse import PG, Db, write_spec

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ROWS = 3000
WRITES_PER_PHASE = 25
LOAD_SPEC = SPLIT_AND_RETYPE.replace("batch_size: 9", "batch_size: 200").replace(
    "row_count_tolerance: 0.5", "row_count_tolerance: 1.0"
)


def create_people(db: Db) -> None:
    db.execute(f"create schema if not exists {db.schema}")
    db.execute(
        f"create table {db.schema}.accounts (id integer primary key, email varchar(100), score integer, "
        "status varchar(20) default 'new', nickname varchar(50) not null, full_name varchar(100), signup date)"
    )
    db.execute(
        f"insert into {db.schema}.accounts select i, 'user' || i || '@example.com', i % 50, 'active', 'nick' || i, "
        f"'First' || i || ' Last' || i, date '2024-01-01' + i from generate_series(1, {ROWS}) as t(i)"
    )


@dataclass
class Writer:
    """One connection writing as fast as it can; `phase` says which shapes the application uses."""

    schema: str
    phase: str = "old"  # old → both (after expand) → new (after switch, before contract) → stop
    # (or `common`: the table itself, only the columns both shapes have: inserts, updates, deletes)
    expected: dict[int, tuple[str, str, Decimal]] = field(default_factory=dict)  # id -> first, last, score
    nicknames: dict[int, str | None] = field(default_factory=dict)  # common writes: id -> nickname (None: deleted)
    errors: list[str] = field(default_factory=list)
    writes: int = 0
    by_shape: dict[str, int] = field(default_factory=dict)  # "phase:shape" -> acknowledged writes
    latencies: list[float] = field(default_factory=list)
    paused: threading.Event = field(default_factory=threading.Event)
    idle: threading.Event = field(default_factory=threading.Event)
    counted: threading.Condition = field(default_factory=threading.Condition)

    def run(self) -> None:
        connection = psycopg2.connect(**PG)
        connection.autocommit = True
        cursor = connection.cursor()
        rng = random.Random(7)
        next_id = ROWS + 1
        s = self.schema
        while self.phase != "stop":
            if self.paused.is_set():
                self.idle.set()
                time.sleep(0.005)
                continue
            self.idle.clear()
            if self.phase == "common":
                next_id = self._common(cursor, rng, next_id)
                continue
            shape = "old" if self.phase == "old" else "new" if self.phase == "new" else rng.choice(["old", "new"])
            first, last = f"F{rng.randrange(10**6)}", f"L{rng.randrange(10**6)}"
            score = rng.randrange(0, 200)  # old shape: integer; new shape: score / 2.0
            new_score = Decimal(score) / 2
            insert = rng.random() < 0.4 or not self.expected
            target = next_id if insert else rng.choice(list(self.expected) + list(range(1, ROWS + 1)))
            if shape == "old":
                sql = (
                    f"insert into {s}.accounts (id, email, score, nickname, full_name) values (%s, 'w@x', %s, 'w', %s)"
                    if insert
                    else f"update {s}.accounts set score = %s, full_name = %s where id = %s"
                )
                args = (target, score, f"{first} {last}") if insert else (score, f"{first} {last}", target)
            else:
                sql = (
                    f"insert into {s}.accounts_v2 (id, email_address, score, nickname, first_name, last_name) "
                    "values (%s, 'w@x', %s, 'w', %s, %s)"
                    if insert
                    else f"update {s}.accounts_v2 set score = %s, first_name = %s, last_name = %s where id = %s"
                )
                args = (target, new_score, first, last) if insert else (new_score, first, last, target)
            clock = time.perf_counter()
            try:
                cursor.execute(sql, args)
            except psycopg2.Error as exc:
                self.errors.append(f"{shape} {sql[:30]}: {exc}")
                continue
            self.latencies.append(time.perf_counter() - clock)
            self.writes += 1
            with self.counted:
                self.by_shape[f"{self.phase}:{shape}"] = self.by_shape.get(f"{self.phase}:{shape}", 0) + 1
                self.counted.notify_all()
            self.expected[target] = (first, last, new_score)  # acknowledged: it must be there
            next_id += insert
            time.sleep(0.001)
        connection.close()

    def _common(self, cursor: Any, rng: random.Random, next_id: int) -> int:
        """One write through the columns both shapes have: an insert, an update or a delete."""
        s, roll, nickname = self.schema, rng.random(), f"c{rng.randrange(10**6)}"
        mine = [key for key, value in self.nicknames.items() if value is not None]
        if roll < 0.4 or not mine:
            sql, args, target, value = f"insert into {s}.accounts (id, nickname) values (%s, %s)", \
                (next_id, nickname), next_id, nickname  # fmt: skip
        elif roll < 0.8:
            target = rng.choice(mine + list(range(1, ROWS + 1)))
            sql, args, value = f"update {s}.accounts set nickname = %s where id = %s", (nickname, target), nickname
        else:
            target = rng.choice(mine)
            sql, args, value = f"delete from {s}.accounts where id = %s", (target,), None
        try:
            cursor.execute(sql, args)
        except psycopg2.Error as exc:
            self.errors.append(f"common {sql[:30]}: {exc}")
            return next_id
        self.writes += 1
        self.nicknames[target] = value  # acknowledged
        if value is None:
            self.expected.pop(target, None)
        with self.counted:
            self.by_shape["common"] = self.by_shape.get("common", 0) + 1
            self.counted.notify_all()
        time.sleep(0.001)
        return next_id + (target == next_id)

    def pause(self) -> None:
        self.paused.set()
        assert self.idle.wait(10)

    def resume(self) -> None:
        self.paused.clear()

    def wait_for(self, *phase_shapes: str, more: int = WRITES_PER_PHASE) -> None:
        """Blocks until the writer acknowledged `more` further writes through each phase:shape
        (an observed fact, not a sleep: on a busy machine it only takes longer)."""
        with self.counted:
            goal = {name: self.by_shape.get(name, 0) + more for name in phase_shapes}
            done = self.counted.wait_for(
                lambda: all(self.by_shape.get(name, 0) >= count for name, count in goal.items()) or bool(self.errors),
                timeout=120,  # a deadlock guard only
            )
        assert done and not self.errors, (self.by_shape, self.errors)


@contextmanager
def writing(db: Db) -> Iterator[Writer]:
    """A writer running in its own thread for the block, stopped after it."""
    writer = Writer(db.schema)
    thread = threading.Thread(target=writer.run, daemon=True)
    thread.start()
    try:
        yield writer
    finally:
        writer.phase = "stop"
        thread.join(10)


class Phases(NullReporter):
    """The application starts using the new shape as soon as it exists: after expand in place,
    after the backfill for a rewrite (its new table is complete only then)."""

    def __init__(self, writer: Writer, new_shape_after: str = "expand") -> None:
        self.writer = writer
        self.new_shape_after = new_shape_after

    def step_finished(self, step: StepResult) -> None:
        if step.step == self.new_shape_after:
            self.writer.phase = "both"
            # The migration goes on only once the application wrote through both shapes.
            self.writer.wait_for("both:old", "both:new")


def check_shapes(db: Db, writer: Writer, *, both: bool) -> None:
    s = db.schema
    new = {row[0]: row[1:] for row in db.query(f"select id, first_name, last_name, score from {s}.accounts_v2")}
    old = {row[0]: row[1:] for row in db.query(f"select id, full_name, score from {s}.accounts_v1")} if both else {}
    for key, (first, last, score) in writer.expected.items():
        assert new[key] == (first, last, score), f"id {key} (new shape)"
        if both:
            assert old[key] == (f"{first} {last}", int(score * 2)), f"id {key} (old shape)"


@pytest.mark.parametrize("strategy", ["in place", "rewrite_table"])
def test_concurrent_writer_through_both_shapes_loses_nothing(
    postgres_settings: Settings, tmp_path: Path, strategy: str
) -> None:
    rewrite = strategy == "rewrite_table"
    spec = LOAD_SPEC + ("  - {type: rewrite_table}\n" if rewrite else "")
    db = Db(postgres_settings)
    create_people(db)
    with writing(db) as writer:
        phases = Phases(writer, "backfill" if rewrite else "expand")
        writer.wait_for("old:old")  # the application is already writing when the migration starts
        migration = Migration(Warehouse(postgres_settings), load_spec(write_spec(tmp_path, spec)), phases)
        migration.start()
        writer.pause()
        check_shapes(db, writer, both=True)
        writer.phase = "new"  # the application is switched to the new shape; then contract
        writer.resume()
        writer.wait_for("new:new")
        migration.complete()
        writer.wait_for("new:new")  # and keeps writing after contract
    assert writer.errors == []
    assert writer.writes >= 5 * WRITES_PER_PHASE, writer.writes
    for phase_shape in ("old:old", "both:old", "both:new", "new:new"):  # every combination was exercised
        assert writer.by_shape.get(phase_shape, 0) >= WRITES_PER_PHASE, writer.by_shape
    assert migration.current_run().state == "contracted"  # type: ignore[union-attr]
    check_shapes(db, writer, both=False)
    assert db.query(f"select count(*) from {db.schema}.accounts") == [(ROWS + sum(k > ROWS for k in writer.expected),)]
    assert db.query(
        f"select count(*) from {db.schema}.accounts where first_name || ' ' || last_name is null or score is null"
    ) == [(0,)]


@pytest.mark.parametrize("strategy", ["in place", "rewrite_table"])
def test_rollback_before_contract_under_a_writer_keeps_every_write(
    postgres_settings: Settings, tmp_path: Path, strategy: str
) -> None:
    """The writer uses both shapes until validation, then goes back to the old one and keeps
    writing while the rollback runs: every acknowledged write, through either shape, is in the
    table afterwards with the value the old shape should show, none failed, and the catalog is
    the one before the migration."""
    rewrite = strategy == "rewrite_table"
    spec = LOAD_SPEC + ("  - {type: rewrite_table}\n" if rewrite else "")
    db = Db(postgres_settings)
    create_people(db)
    schema_before = catalog(db, "accounts")
    with writing(db) as writer:
        writer.wait_for("old:old")
        migration = Migration(Warehouse(postgres_settings), load_spec(write_spec(tmp_path, spec)),
                              Phases(writer, "backfill" if rewrite else "expand"))  # fmt: skip
        migration.start()
        writer.pause()
        writer.phase = "old"  # the application goes back to the old shape, then the rollback runs under it
        writer.resume()
        writer.wait_for("old:old")
        steps = migration.rollback()
        writer.wait_for("old:old")  # and keeps writing after it
    assert writer.errors == []
    assert min(writer.by_shape.get(name, 0) for name in ("both:new", "old:old")) >= WRITES_PER_PHASE, writer.by_shape
    assert steps[0].step == "undo" and "every write since start kept" in steps[0].result
    old = {row[0]: row[1:] for row in db.query(f"select id, full_name, score from {db.schema}.accounts")}
    for key, (first, last, score) in writer.expected.items():
        assert old[key] == (f"{first} {last}", int(score * 2)), f"id {key}"
    assert len(old) == ROWS + sum(k > ROWS for k in writer.expected)
    assert catalog(db, "accounts") == schema_before
    assert not [name for name in relations(db) if name != "accounts"]


def test_rollback_after_contract_under_a_writer_keeps_every_write(postgres_settings: Settings, tmp_path: Path) -> None:
    """The writer uses both shapes until validation and the new one through contract; then it
    writes the columns both shapes have (inserts, updates, deletes) while the rollback after
    contract runs the migration backwards: none failed, every acknowledged write is in the table
    with the value the old shape should show (a row written through the new shape after contract:
    its old columns from `down`), and the catalog is the one before the migration."""
    db = Db(postgres_settings)
    create_people(db)
    schema_before = catalog(db, "accounts")
    with writing(db) as writer:
        writer.wait_for("old:old")
        migration = Migration(Warehouse(postgres_settings), load_spec(write_spec(tmp_path, LOAD_SPEC)),
                              Phases(writer))  # fmt: skip
        migration.start()
        writer.phase = "new"
        writer.wait_for("new:new")
        migration.complete()
        writer.wait_for("new:new")  # writes through the new shape after contract: none archived
        writer.pause()
        writer.phase = "common"  # the application goes back to what both shapes have; the rollback runs
        writer.resume()
        writer.wait_for("common")
        steps = migration.rollback()
        writer.wait_for("common")  # and keeps writing after it
    assert writer.errors == []
    assert steps[0].step == "reverse migration" and "every write since contract kept" in steps[0].result, steps[0]
    assert sum(value is None for value in writer.nicknames.values()) >= 1  # deletes were among them
    rows = {row[0]: row[1:] for row in db.query(f"select id, full_name, score, nickname from {db.schema}.accounts")}
    for key, (first, last, score) in writer.expected.items():
        assert rows[key][:2] == (f"{first} {last}", int(score * 2)), f"id {key}"
    for key, nickname in writer.nicknames.items():
        assert (rows[key][2] if key in rows else None) == nickname, f"id {key}"
    schema_after = catalog(db, "accounts")  # (a column put back comes last: PostgreSQL cannot move one)
    assert sorted(schema_after.pop("columns")) == sorted(schema_before.pop("columns"))
    assert schema_after == schema_before
    assert not [name for name in relations(db) if name != "accounts"]
