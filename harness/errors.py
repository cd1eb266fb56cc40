"""One exception type per kind of failure a user can act on; the CLI catches them once."""

from __future__ import annotations


class HarnessError(Exception):
    """Base of every failure the harness reports to the user as one line plus a fix."""

    exit_code = 2

    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message} Fix: {self.fix}" if self.fix else self.message


class SpecError(HarnessError):
    """The migration spec file is wrong: names the file, the field and the fix."""


class InputError(HarnessError):
    """The spec does not fit the warehouse: missing table or column, unusable key, bad `up`."""


class ConnectionFailed(HarnessError):
    """The warehouse cannot be reached with the dbt profile's settings."""


class StateError(HarnessError):
    """The requested step does not fit the migration's recorded state (a refused step: exit 1,
    as documented; 2 is for bad input and no connection)."""

    exit_code = 1


class WarehouseError(HarnessError):
    """A SQL step failed in the warehouse; the message is the database's."""

    exit_code = 1

    @property
    def is_lock_timeout(self) -> bool:
        return "lock timeout" in self.message.lower()


class ValidationFailed(HarnessError):
    """Validation found differences: the migration may not proceed."""

    exit_code = 1


class RolledBack(HarnessError):
    """A step failed and the migration was rolled back automatically (data proven as before)."""

    exit_code = 1


class GuardRefused(HarnessError):
    """A destructive step was refused because its precondition (e.g. passed validation) is missing."""

    exit_code = 1
