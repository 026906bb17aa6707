"""Problems found in trainers' files, each tied to a file, line and column.

Trainers are not programmers: every problem the loader finds becomes a `Diagnostic` with a plain
message and a position an editor can jump to, never a traceback. `LoadError` carries all problems
of a load at once so a trainer can fix a file in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    """One problem at ``file:line:col`` (1-based), in the compiler-style format editors parse.

    A problem that is not inside a file (an unknown scenario id on the command line) has an empty
    ``file``; one about a whole file has ``line`` 0. Both print without the missing parts.
    """

    file: str
    line: int
    col: int
    severity: Severity
    message: str
    code: str = ""

    def __str__(self) -> str:
        if not self.file:
            return f"{self.severity}: {self.message}"
        if self.line <= 0:
            return f"{self.file}: {self.severity}: {self.message}"
        return f"{self.file}:{self.line}:{self.col}: {self.severity}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "message": self.message,
            "code": self.code,
        }


def error(file: str, line: int, col: int, message: str, code: str = "") -> Diagnostic:
    return Diagnostic(file, line, col, "error", message, code)


def warning(file: str, line: int, col: int, message: str, code: str = "") -> Diagnostic:
    return Diagnostic(file, line, col, "warning", message, code)


def sort_key(d: Diagnostic) -> tuple[str, int, int, int]:
    """File order, then position; errors before warnings at the same place."""
    return (d.file, d.line, d.col, d.severity != "error")


class LoadError(Exception):
    """A file (or a reference to one) could not be loaded; carries every problem found.

    ``str()`` is the first error plus how many more there are: a one-line reason for a CLI.
    """

    diagnostics: tuple[Diagnostic, ...]
    #: For problems that did not stop parsing (duplicate keys, bad tags or dates), the data and
    #: marks that were still built, so the loader can go on and report every other problem too.
    partial: tuple[Any, Any] | None = None

    def __init__(self, diagnostics: Iterable[Diagnostic] | Diagnostic) -> None:
        if isinstance(diagnostics, Diagnostic):
            diagnostics = (diagnostics,)
        ds = tuple(diagnostics)
        # Errors first so that str() names the problem that stopped the load.
        self.diagnostics = tuple(d for d in ds if d.severity == "error") + tuple(
            d for d in ds if d.severity != "error"
        )
        super().__init__(self._summary())

    @classmethod
    def at(cls, file: str, line: int, col: int, message: str, code: str = "") -> LoadError:
        return cls((error(file, line, col, message, code),))

    def _summary(self) -> str:
        if not self.diagnostics:
            return "could not load"
        more = len(self.diagnostics) - 1
        first = str(self.diagnostics[0])
        return f"{first} (and {more} more)" if more else first

    def __str__(self) -> str:
        return self._summary()
