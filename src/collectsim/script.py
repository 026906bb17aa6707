"""Script files: a whole attempt written down, one trainee line or `/action` per line.

The TUI and `play` share this vocabulary, so anything a trainee does on screen can be replayed
from a file and scored identically.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from collectsim.diagnostics import Diagnostic, LoadError
from collectsim.engine import ACTIONS, CallSession
from collectsim.transcript import CallRecord

MAX_SCRIPT_BYTES = 1 << 20


@dataclass(frozen=True)
class Step:
    line: int
    text: str
    action: str | None = None  # "send-documents", "note", ... or None for a spoken line

    def __str__(self) -> str:
        if self.action is None:
            return self.text
        return f"/{self.action} {self.text}".rstrip()


def parse_script(text: str, filename: str = "<script>") -> list[Step]:
    """Steps of a script; every unknown action is reported at once as `file:line:col`."""
    steps: list[Step] = []
    problems: list[Diagnostic] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("/"):
            name, _, arg = line[1:].partition(" ")
            name = name.lower()
            if name not in ACTIONS:
                known = ", ".join(f"/{a}" for a in ACTIONS)
                problems.append(
                    Diagnostic(
                        filename, n, 1, "error", f"unknown action '/{name}' (known: {known})"
                    )
                )
                continue
            if name == "plan" and ":" not in arg:
                problems.append(
                    Diagnostic(
                        filename, n, 1, "error", "write a plan as '/plan OUTCOME: what you will do'"
                    )
                )
                continue
            steps.append(Step(n, arg.strip(), name))
        else:
            steps.append(Step(n, raw.rstrip("\r\n")))
    if problems:
        raise LoadError(problems)
    return steps


def read_script(path: Path) -> list[Step]:
    try:
        with path.open("rb") as fh:  # never read more than the limit, however big the file
            data = fh.read(MAX_SCRIPT_BYTES + 1)
    except OSError as exc:
        raise LoadError(
            [Diagnostic(str(path), 0, 0, "error", f"cannot read script: {exc.strerror}")]
        ) from None
    if len(data) > MAX_SCRIPT_BYTES:
        raise LoadError([Diagnostic(str(path), 0, 0, "error", "script is larger than 1 MiB")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LoadError(
            [Diagnostic(str(path), line, 1, "error", "script is not UTF-8 text")]
        ) from None
    return parse_script(text, str(path))


def run_steps(session: CallSession, steps: Iterable[Step]) -> list[Step]:
    """Plays steps until the script ends or the call does; returns the steps left unsaid."""
    pending = list(steps)
    for i, step in enumerate(pending):
        if session.ended:
            return pending[i:]
        if step.action is None:
            session.say(step.text)
        else:
            session.act(step.action, step.text)
    return []


def replay(session: CallSession, steps: Iterable[Step]) -> tuple[CallRecord, list[Step]]:
    """A whole attempt: the steps, then hanging up if neither side already did."""
    unsaid = run_steps(session, steps)
    session.hang_up()
    return session.record(), unsaid
