"""Checks as data: comparing snapshots, and the result of a validation."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from harness.snapshot import ColumnStats, Snapshot

REDACTED = "<redacted>"
# A text that may hold values from table rows: built by a function given `mark`, which it calls on
# each such value to put it in the text (`REDACTED`, or the value itself when asked for).
Text = str | Callable[[Callable[[Any], str]], str]


def _hidden(_value: Any) -> str:
    return REDACTED


def labelled(label: str, value: Any) -> Text:
    """`label` followed by a value from table rows (a list of them: a sample)."""
    return lambda mark: label + mark(value)


@dataclass(frozen=True)
class CheckResult:
    """One check. `expected`, `actual` and `detail` never hold a value from a table row (a min or
    max, a key, a sampled value): where one would be they say `<redacted>`. The same texts with the
    values in are carried aside in `with_values`, shown only when asked for (`shown`, `--show-values`).
    Counts, column names, types, check names and checksums are not values: always in the texts."""

    name: str
    expected: str
    actual: str
    passed: bool
    detail: str = ""
    skipped: bool = False  # a rule of the spec that could not be asked (`detail` says why): reported, never dropped
    # ("expected" | "actual" | "detail", that text with the values); not in repr(), which may reach a log
    with_values: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    @classmethod
    def holding_values(cls, name: str, expected: Text, actual: Text, passed: bool, detail: Text = "") -> CheckResult:
        """A check whose texts may take values from table rows: each text is a str (no values) or a
        function that builds it, calling the `mark` it is given on every value it puts in."""
        texts = {"expected": expected, "actual": actual, "detail": detail}
        redacted = {key: text if isinstance(text, str) else text(_hidden) for key, text in texts.items()}
        whole = tuple((key, text(str)) for key, text in texts.items() if not isinstance(text, str))
        return cls(name, redacted["expected"], redacted["actual"], passed, redacted["detail"], with_values=whole)

    @property
    def redacts(self) -> bool:
        """Whether a text of this check leaves out values from table rows."""
        return any(text != getattr(self, key) for key, text in self.with_values)

    def shown(self, show_values: bool = False) -> CheckResult:
        """This check as it is rendered: its texts with the row values in them if `show_values`."""
        if not show_values or not self.with_values:
            return self
        texts = {"expected": self.expected, "actual": self.actual, "detail": self.detail, **dict(self.with_values)}
        return replace(self, expected=texts["expected"], actual=texts["actual"], detail=texts["detail"], with_values=())

    def to_dict(self, show_values: bool = False) -> dict[str, Any]:
        check = self.shown(show_values)
        return {"name": check.name, "expected": check.expected, "actual": check.actual, "passed": check.passed,
                "detail": check.detail, "skipped": check.skipped}  # fmt: skip


def skipped(name: str, reason: str) -> CheckResult:
    """A rule the validation could not ask, with the reason: it does not block, and it is said."""
    return CheckResult(name, "asked", "skipped", True, reason, skipped=True)


@dataclass
class ValidationReport:
    subject: str
    checks: list[CheckResult] = field(default_factory=list)
    seconds: float = 0.0
    data_docs: str | None = None  # Great Expectations HTML Data Docs of this validation, if any
    page: str | None = None  # this validation as one self-contained HTML page (written beside the Data Docs)
    suite: str = ""  # what the checks belong to, the same from run to run (the migration's name): JUnit's classname
    error: str | None = None  # why the validation could not run at all (the report is still written)

    @property
    def passed(self) -> bool:
        return self.error is None and all(check.passed for check in self.checks)

    @property
    def failures(self) -> list[CheckResult]:
        return [check for check in self.checks if not check.passed]

    def extend(self, checks: Iterable[CheckResult]) -> None:
        self.checks.extend(checks)

    def to_dict(self, show_values: bool = False) -> dict[str, Any]:
        """The report as JSON data; values from table rows `<redacted>` unless `show_values`."""
        return {
            "subject": self.subject,
            "passed": self.passed,
            "seconds": round(self.seconds, 3),
            "data_docs": self.data_docs,
            "page": self.page,
            "error": self.error,
            "values_shown": show_values,
            "checks": [check.to_dict(show_values) for check in self.checks],
        }

    @property
    def skipped(self) -> list[CheckResult]:
        return [check for check in self.checks if check.skipped]

    def summary(self) -> str:
        """`N checks passed` or `F of N checks failed: names`, then the rules skipped, with why: check
        names and reasons only, never a value from a table row (it goes into errors and the journal)."""
        asked = len(self.checks) - len(self.skipped)
        reasons = "; ".join(dict.fromkeys(check.detail for check in self.skipped))  # (each reason once)
        skipped = f", {len(self.skipped)} skipped ({reasons})" if self.skipped \
            else ""  # fmt: skip
        if self.passed:
            return f"{asked} checks passed{skipped}"
        names = ", ".join(check.name for check in self.failures)
        return f"{len(self.failures)} of {asked} checks failed: {names}{skipped}"


def _count_check(before: int, after: int, tolerance: float) -> CheckResult:
    allowed = int(before * tolerance)
    expected = f"{before}" if allowed == 0 else f"{before} ± {allowed}"
    return CheckResult("row count", expected, str(after), abs(after - before) <= allowed)


def _column_summary(stats: ColumnStats) -> Text:
    """`checksum (type, N NULL, min .. max)`: the min and max are values from the table's rows."""

    def build(mark: Callable[[Any], str]) -> str:
        summary = f"{stats.checksum} ({stats.data_type}, {stats.null_count} NULL"
        if stats.min is not None:
            summary += f", {mark(stats.min)} .. {mark(stats.max)}"
        return summary + ")"

    return build


def compare_snapshots(
    before: Snapshot,
    after: Snapshot,
    *,
    row_count_tolerance: float = 0.0,
    expect_added: Iterable[str] = (),
    expect_dropped: Iterable[str] = (),
    renamed: dict[str, str] | None = None,
    rewritten: Iterable[str] = (),
    compare_values: bool = True,
) -> list[CheckResult]:
    """Counts, column set and per-column checksums; the whole-table checksum when shapes match.

    Columns present in both must be identical (values, NULLs and type); columns named in
    `expect_added` / `expect_dropped` must be exactly the ones that appeared / disappeared; a
    column in `renamed` (old -> new) must hold identical values under its new name; columns in
    `rewritten` (under either name) changed values or type by design (validated against `up` elsewhere). Without
    `compare_values` (a table taking writes during the migration) only counts and shape are compared.
    """
    renamed = renamed or {}
    checks = [_count_check(before.row_count, after.row_count, row_count_tolerance)]
    if before.portable != after.portable:
        kinds = {True: "portable", False: f"native {before.adapter}"}
        checks.append(CheckResult("checksum kind", kinds[before.portable], kinds[after.portable], False,
                                  "take both snapshots with --portable, or both without"))  # fmt: skip
        return checks
    # Between engines (portable), type spellings and native min/max texts differ: compare values only.
    across_engines = before.portable and before.adapter != after.adapter
    added = sorted(set(after.columns) - set(before.columns) - set(renamed.values()))
    dropped = sorted(set(before.columns) - set(after.columns) - set(renamed))
    checks.append(CheckResult("columns added", ", ".join(sorted(expect_added)) or "none",
                              ", ".join(added) or "none", added == sorted(expect_added)))  # fmt: skip
    checks.append(CheckResult("columns dropped", ", ".join(sorted(expect_dropped)) or "none",
                              ", ".join(dropped) or "none", dropped == sorted(expect_dropped)))  # fmt: skip
    if not compare_values:
        return checks
    pairs = [(name, name) for name in sorted(set(before.columns) & set(after.columns)) if name not in rewritten]
    pairs += [(old_name, new_name) for old_name, new_name in sorted(renamed.items())
              if new_name in after.columns and old_name not in rewritten]  # fmt: skip
    for name, new_name in pairs:
        old, new = before.columns[name], after.columns[new_name]
        # Edge cases (NULLs, min, max) ride along: readable when the checksum differs.
        edges = ""
        if across_engines:
            same = (old.checksum, old.null_count) == (new.checksum, new.null_count)
        else:
            profiled = old.min is not None and new.min is not None
            same = old.identity == new.identity and (not profiled or (old.min, old.max) == (new.min, new.max))
            edges = "" if same or old.identity != new.identity else "the min or max differ"
        label = f"column {name} unchanged" if name == new_name else f"column {name} renamed to {new_name}, unchanged"
        checks.append(CheckResult.holding_values(label, _column_summary(old), _column_summary(new), same, edges))
    if not added and not dropped and not renamed and not set(rewritten):
        checks.append(
            CheckResult(
                "table checksum",
                before.table_checksum,
                after.table_checksum,
                before.table_checksum == after.table_checksum,
            )
        )
    return checks
