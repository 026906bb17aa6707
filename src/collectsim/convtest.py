"""Conversation tests: a scripted call with expectations, checked along the way and at the end.

A test file sits beside the scenarios (``scenarios/tests/<scenario>-<what>.yaml``) and plays one
call with the same steps as ``collectsim play``. Expectations follow the step they check, written
inline in the script (``- expect: {stage: agreed}``) or in ``expect:`` with ``after: N``; ``end:``
checks the outcome, flags and score ranges. Like a Yarn Spinner testplan it pins what a persona
does, so a trainer who edits a rule learns at once which calls now go differently. The format is
described in docs/testing.md; `json_schema()` gives editors its schema.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field
from pydantic.dataclasses import dataclass as pyd_dataclass

from collectsim.diagnostics import Diagnostic, LoadError, error
from collectsim.models import (
    ActNames,
    Comparison,
    Loaded,
    Names,
    Outcome,
    TagNames,
    Threshold,
    _as_tuple,
)
from collectsim.transcript import CallRecord, Turn
from collectsim.yamlio import Marks, load_yaml

_CONFIG = ConfigDict(extra="forbid", str_strip_whitespace=True)
SCORES = ("preparation", "professionalism", "empathy", "close", "overall")


def _dc(cls: type) -> type:
    return pyd_dataclass(frozen=True, kw_only=True, config=_CONFIG)(cls)


def _line(v: Any) -> Any:
    """A script line must be text; YAML reads a bare yes/no or 400 as something else."""
    if isinstance(v, bool):
        raise ValueError("is read as true/false, not as a line; put the line in quotes")
    if isinstance(v, int | float):
        return str(v)
    return v


def _ranges(v: Any) -> Any:
    return [v] if isinstance(v, str | int | float) and not isinstance(v, bool) else v


Outcomes = Annotated[tuple[Outcome, ...], BeforeValidator(_as_tuple)]
Ranges = Annotated[tuple[Threshold, ...], BeforeValidator(_ranges)]
ScriptLine = Annotated[str, BeforeValidator(_line)]


@_dc
class Expect:
    """What must hold right after a step (the trainee line or /action and the debtor's reply)."""

    after: int | None = Field(
        default=None,
        ge=1,
        description="The step checked: 1 is the first line or /action of the script (only in "
        "the top-level 'expect' list; inline expectations check the step before them).",
    )
    stage: Names = Field(default=(), description="The call is in one of these stages.")
    meters: dict[str, Ranges] = Field(
        default_factory=dict, description="Meter ranges, e.g. {patience: '>= 40'}."
    )
    reply: str | None = Field(
        default=None,
        description="A regular expression the debtor's reply must match (case-insensitive).",
    )
    no_reply: str | None = Field(
        default=None, description="A regular expression the debtor's reply must NOT match."
    )
    rule: str | None = Field(default=None, description="The persona rule that replied.")
    tags: TagNames = Field(default=(), description="The reply carries each of these tags.")
    acts: ActNames = Field(default=(), description="The trainee line does each of these acts.")
    no_acts: ActNames = Field(default=(), description="The trainee line does none of these.")
    facts: Names = Field(default=(), description="Each of these facts is true.")
    outcome: Outcomes = Field(default=(), description="The outcome so far is one of these.")
    ended: bool | None = Field(default=None, description="Whether the call is over.")


@_dc
class InlineExpect:
    expect: Expect = Field(description="Checked after the step just above.")


@_dc
class End:
    """What must hold once the call is over (the script ran out or someone hung up)."""

    outcome: Outcomes = Field(default=(), description="The call ends in one of these outcomes.")
    flags: Names = Field(default=(), description="The scorecard raises each of these flags.")
    no_flags: Names = Field(default=(), description="The scorecard raises none of these flags.")
    scores: dict[Literal[SCORES], Ranges] = Field(  # type: ignore[valid-type]
        default_factory=dict,
        description="Score ranges, e.g. {overall: '>= 75', empathy: ['>= 40', '<= 80']}.",
    )
    stage: Names = Field(default=(), description="The call ends in one of these stages.")
    meters: dict[str, Ranges] = Field(default_factory=dict, description="Final meter ranges.")
    ended_by: Literal["trainee", "debtor"] | None = Field(
        default=None, description="Who ended the call."
    )
    unsaid: int | None = Field(
        default=None, ge=0, description="How many script steps were left when the call ended."
    )


@_dc
class ConversationTest:
    scenario: str = Field(
        description="The scenario id, or a path to a scenario file relative to this test."
    )
    name: str = Field(default="", description="What this test shows, for the report.")
    seed: int = Field(default=0, description="The dice seed (replies and chances).")
    script: tuple[ScriptLine | InlineExpect, ...] | str = Field(
        description="The steps, as in a script file: trainee lines and /actions, with "
        "'- expect: {...}' items after the steps they check; or the path of a script file "
        "relative to this test."
    )
    expect: tuple[Expect, ...] = Field(
        default=(), description="Expectations after step N ('after: N'), e.g. for a script file."
    )
    end: End = Field(default_factory=End, description="Expectations at the end of the call.")


def json_schema() -> dict[str, Any]:
    """The Draft 2020-12 JSON Schema of a conversation test file."""
    from pydantic import TypeAdapter
    from pydantic.json_schema import GenerateJsonSchema

    from collectsim import models
    from collectsim.schema import _COMPARISON, DIALECT

    class _Generator(GenerateJsonSchema):
        def function_before_schema(self, schema: Any) -> dict[str, Any]:
            func = schema.get("function", {}).get("function")
            inner = self.generate_inner(schema["schema"])
            if func in (models._as_tuple, _ranges):
                item = inner.get("items", {}) if isinstance(inner, dict) else {}
                return {"anyOf": [item, inner]} if item else inner
            if func is models._parse_comparison:
                return dict(_COMPARISON)
            if func is _line:
                return {"anyOf": [{"type": "string"}, {"type": "number"}]}
            return inner

    body = TypeAdapter(ConversationTest).json_schema(
        schema_generator=_Generator, mode="validation"
    )
    body.pop("title", None)
    body.pop("description", None)
    return {
        "$schema": DIALECT,
        "title": "collectsim conversation test",
        "description": "A scripted call with expectations along the way and at the end. "
        "See docs/testing.md.",
        **body,
    }


# --- loading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One expectation, where it is written, and the step it follows (0: at the end)."""

    step: int
    expect: Expect | End
    path: tuple[Any, ...]


@dataclass(frozen=True)
class LoadedTest:
    path: Path
    name: str
    test: ConversationTest
    steps: tuple[Any, ...]  # script.Step
    checks: tuple[Check, ...]
    marks: Marks

    def where(self, path: tuple[Any, ...], *, key: bool = True) -> tuple[int, int]:
        return self.marks.key(path) if key else self.marks.nearest(path)


def _validate(data: Any, marks: Marks, filename: str) -> ConversationTest:
    from pydantic import TypeAdapter, ValidationError

    try:
        return TypeAdapter(ConversationTest).validate_python(data)
    except ValidationError as e:
        problems = [_problem(err, data, marks, filename) for err in e.errors(include_url=False)]
    raise LoadError(problems)


def _problem(err: dict[str, Any], data: Any, marks: Marks, filename: str) -> Diagnostic:
    """A pydantic error in the loader's words (its translator knows the vocabularies)."""
    loc = tuple(err["loc"])
    # Union member names (str, InlineExpect) are not in the data: drop them from the location.
    clean = tuple(p for p in loc if not (isinstance(p, str) and p[:1].isupper()))
    clean = tuple(p for p in clean if p not in ("str", "function-before[_line(), str]"))
    try:
        from collectsim.loading import _translate

        return _translate({**err, "loc": clean}, ConversationTest, data, marks, filename)
    except ImportError:  # pragma: no cover - the loader is part of the package
        line, col = marks.nearest(clean)
        return error(filename, line, col, str(err.get("msg")), err["type"])


def load_test(path: Path) -> LoadedTest:
    """Read and validate one test file; `LoadError` carries every problem with its position."""
    from collectsim.checker import display
    from collectsim.script import Step, parse_script, read_script

    name = display(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise LoadError(error(name, 0, 0, f"cannot read the test: {e.strerror}", "io")) from None
    data, marks = load_yaml(raw, name)
    test = _validate(data, marks, name)
    steps: list[Step] = []
    checks: list[Check] = []
    problems: list[Diagnostic] = []
    if isinstance(test.script, str):
        script = (path.parent / test.script).resolve()
        if not script.is_file():
            line, col = marks.nearest(("script",))
            msg = f"no such script file: {test.script}"
            raise LoadError(error(name, line, col, msg, "no-file"))
        steps = list(read_script(script))
    else:
        for i, item in enumerate(test.script):
            if isinstance(item, InlineExpect):
                if item.expect.after is not None:
                    line, col = marks.key(("script", i, "expect", "after"))
                    problems.append(error(name, line, col, "'after' is only for the top-level "
                                          "'expect' list; an inline expect checks the step "
                                          "above it", "bad-after"))
                if not steps:
                    line, col = marks.nearest(("script", i))
                    problems.append(error(name, line, col, "an expect before the first step "
                                          "has nothing to check", "bad-after"))
                checks.append(Check(len(steps), item.expect, ("script", i, "expect")))
                continue
            line = marks.nearest(("script", i))[0]
            try:
                parsed = parse_script(item, name)
            except LoadError as e:
                problems += [Diagnostic(d.file, line, d.col, d.severity, d.message, d.code)
                             for d in e.diagnostics]
                continue
            steps += [Step(line, s.text, s.action) for s in parsed]
    for i, exp in enumerate(test.expect):
        if exp.after is None or exp.after > len(steps):
            line, col = marks.key(("expect", i, "after")) if exp.after else marks.nearest(
                ("expect", i))
            what = (f"'after: {exp.after}' is past the last step ({len(steps)})" if exp.after
                    else "an item of 'expect' needs 'after: N' (the step it checks)")
            problems.append(error(name, line, col, what, "bad-after"))
            continue
        checks.append(Check(exp.after, exp, ("expect", i)))
    checks.append(Check(0, test.end, ("end",)))
    if problems:
        raise LoadError(problems)
    return LoadedTest(path, test.name or path.stem, test, tuple(steps), tuple(checks), marks)


# --- running --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """A failed expectation: where it is written, what went wrong, and which turn to mark."""

    diagnostic: Diagnostic
    turn: int | None  # the transcript turn to mark; None: the end of the call
    detail: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {**self.diagnostic.to_json(), "turn": self.turn, "detail": list(self.detail)}


@dataclass(frozen=True)
class Result:
    path: Path
    name: str
    scenario: str
    failures: tuple[Failure, ...] = ()
    errors: tuple[Diagnostic, ...] = ()  # the test could not run
    record: CallRecord | None = None
    scores: tuple[tuple[str, int], ...] = ()

    @property
    def passed(self) -> bool:
        return not self.failures and not self.errors

    @property
    def status(self) -> str:
        return "error" if self.errors else "failed" if self.failures else "passed"

    def to_json(self) -> dict[str, Any]:
        return {
            "file": _display(self.path),
            "name": self.name,
            "scenario": self.scenario,
            "status": self.status,
            "failures": [f.to_json() for f in self.failures],
            "errors": [d.to_json() for d in self.errors],
            "outcome": self.record.outcome if self.record else None,
            "scores": dict(self.scores),
        }


def _display(path: Path) -> str:
    from collectsim.checker import display

    return display(path)


def _names(items: Iterable[str]) -> str:
    return ", ".join(f"'{x}'" for x in items)


def _ranges_text(ranges: Sequence[Comparison]) -> str:
    return " and ".join(str(r) for r in ranges)


def _meter_fails(
    meters: dict[str, Sequence[Comparison]], values: dict[str, float]
) -> list[tuple[str, str]]:
    out = []
    for name, ranges in meters.items():
        value = values.get(name)
        if value is None:
            out.append((name, f"expected meter '{name}' {_ranges_text(ranges)}, but there is "
                        f"no such meter (meters: {', '.join(values) or 'none'})"))
        elif not all(r.test(value) for r in ranges):
            out.append((name, f"expected {name} {_ranges_text(ranges)}, got {value:g}"))
    return out


def _step_fails(e: Expect, session: Any, trainee: Turn | None, reply: Turn | None) -> list[
    tuple[str, str]
]:
    """(key, message) for each part of an expectation that does not hold after a step."""
    st = session.state
    out: list[tuple[str, str]] = []
    if e.stage and st.stage not in e.stage:
        out.append(("stage", f"expected stage {_names(e.stage)}, got '{st.stage}'"))
    out += [(("meters", n), m) for n, m in _meter_fails(e.meters, st.meters)]  # type: ignore[misc]
    text = reply.text if reply is not None else None
    if e.reply is not None:
        if text is None:
            out.append(("reply", f"expected a reply matching /{e.reply}/, but the debtor "
                        "did not reply"))
        elif not re.search(e.reply, text, re.IGNORECASE):
            out.append(("reply", f"expected a reply matching /{e.reply}/, got \"{text}\""))
    if e.no_reply is not None and text is not None and re.search(e.no_reply, text, re.I):
        out.append(("no_reply", f"expected a reply not matching /{e.no_reply}/, got \"{text}\""))
    if e.rule is not None:
        got = reply.rule if reply is not None else None
        if got != e.rule:
            out.append(("rule", f"expected rule '{e.rule}' to reply, got "
                        + (f"'{got}'" if got else "no rule (a fallback reply)")))
    if e.tags:
        tags = reply.tags if reply is not None else ()
        missing = [t for t in e.tags if t not in tags]
        if missing:
            out.append(("tags", f"expected the reply to be tagged {_names(missing)}, got "
                        f"[{', '.join(tags)}]"))
    acts = trainee.acts if trainee is not None else ()
    missing = [a for a in e.acts if a not in acts]
    if missing:
        out.append(("acts", f"expected the line to do {_names(missing)}, it was analysed as "
                    f"[{', '.join(acts)}]"))
    extra = [a for a in e.no_acts if a in acts]
    if extra:
        out.append(("no_acts", f"expected the line not to do {_names(extra)}, it was analysed "
                    f"as [{', '.join(acts)}]"))
    missing = [f for f in e.facts if f not in st.facts]
    if missing:
        out.append(("facts", f"expected fact(s) {_names(missing)} to be true; true: "
                    f"[{', '.join(sorted(st.facts))}]"))
    if e.outcome and session.outcome not in e.outcome:
        out.append(("outcome", f"expected outcome {_names(e.outcome)}, got '{session.outcome}'"))
    if e.ended is not None and session.ended != e.ended:
        out.append(("ended", "expected the call to be over" if e.ended
                    else "expected the call to go on, but it had ended"))
    return out


def _end_fails(
    e: End, record: CallRecord, card: Any, unsaid: int
) -> list[tuple[Any, str, tuple[str, ...]]]:
    out: list[tuple[Any, str, tuple[str, ...]]] = []
    if e.outcome and record.outcome not in e.outcome:
        out.append(("outcome", f"expected outcome {_names(e.outcome)}, got '{record.outcome}'", ()))
    kinds = [f.kind for f in card.flags] if card is not None else []
    missing = [f for f in e.flags if f not in kinds]
    if missing:
        out.append(("flags", f"expected flag(s) {_names(missing)}; raised: "
                    f"[{', '.join(dict.fromkeys(kinds))}]", ()))
    raised = [f for f in e.no_flags if f in kinds]
    if raised:
        turns = [f"turn {f.turn}: {f.kind}" for f in card.flags if f.kind in raised]
        out.append(("no_flags", f"expected no flag {_names(raised)}, but it was raised "
                    f"({'; '.join(turns)})", ()))
    scores = dict(card.scores) if card is not None else {}
    for dim, ranges in e.scores.items():
        value = scores.get(dim)
        if value is None or not all(r.test(value) for r in ranges):
            detail = tuple(
                f"{f.points:+d} {f.criterion}" + (f" (turn {f.turn})" if f.turn else "")
                for f in (card.findings if card is not None else ())
                if (dim == "overall" or f.dimension == dim) and f.points < 0
            )
            out.append((("scores", dim), f"expected {dim} {_ranges_text(ranges)}, got {value}",
                        detail[:6]))
    if e.stage and record.final_stage not in e.stage:
        out.append(("stage", f"expected the call to end in stage {_names(e.stage)}, got "
                    f"'{record.final_stage}'", ()))
    out += [(("meters", n), m, ()) for n, m in _meter_fails(e.meters, dict(record.final_meters))]
    if e.ended_by is not None and record.ended_by != e.ended_by:
        out.append(("ended_by", f"expected the {e.ended_by} to end the call, got "
                    f"{record.ended_by or 'nobody'}", ()))
    if e.unsaid is not None and unsaid != e.unsaid:
        out.append(("unsaid", f"expected {e.unsaid} script step(s) left unplayed, got {unsaid}",
                    ()))
    return out


def _key_path(base: tuple[Any, ...], key: Any) -> tuple[Any, ...]:
    return (*base, *key) if isinstance(key, tuple) else (*base, key)


def run_test(t: LoadedTest, loaded: Loaded) -> Result:
    """Play the test's script, checking each expectation as soon as its step has been played."""
    from collectsim.engine import CallOver, CallSession

    session = CallSession(loaded, seed=t.test.seed)
    by_step: dict[int, list[Check]] = {}
    for c in t.checks:
        by_step.setdefault(c.step, []).append(c)
    failures: list[Failure] = []
    name = _display(t.path)
    ended_at: int | None = None
    for n, step in enumerate(t.steps, start=1):
        if session.ended:
            ended_at = ended_at or n - 1
            for c in by_step.get(n, []):
                line, col = t.where(c.path)
                msg = (f"after step {n} (\"{step}\"): never played, the call had already ended "
                       f"after step {ended_at}")
                failures.append(Failure(error(name, line, col, msg, "not-played"), None))
            continue
        try:
            turns = (session.say(step.text) if step.action is None
                     else session.act(step.action, step.text))
        except (ValueError, CallOver) as e:
            line = step.line
            return Result(t.path, t.name, loaded.scenario.id,
                          errors=(error(name, line, 1, f"step {n}: {e}", "bad-step"),))
        trainee = next((x for x in turns if x.speaker == "trainee"), None)
        reply = next((x for x in reversed(turns) if x.speaker == "debtor"), None)
        mark = (reply or trainee or (turns[-1] if turns else None))
        for c in by_step.get(n, []):
            assert isinstance(c.expect, Expect)
            for key, msg in _step_fails(c.expect, session, trainee, reply):
                line, col = t.where(_key_path(c.path, key))
                failures.append(Failure(
                    error(name, line, col, f"after step {n} (\"{_clip(str(step))}\"): {msg}",
                          "expectation"),
                    mark.n if mark is not None else None,
                ))
    unsaid = sum(1 for _ in t.steps) - (ended_at if ended_at is not None else len(t.steps))
    session.hang_up()
    record = session.record()
    card = _score(record, loaded)
    for c in by_step.get(0, []):
        assert isinstance(c.expect, End)
        for key, msg, detail in _end_fails(c.expect, record, card, unsaid):
            line, col = t.where(_key_path(c.path, key))
            failures.append(Failure(error(name, line, col, f"at the end: {msg}", "expectation"),
                                    None, detail))
    scores = tuple(card.scores.items()) if card is not None else ()
    return Result(t.path, t.name, loaded.scenario.id, tuple(failures), (), record, scores)


def _score(record: CallRecord, loaded: Loaded) -> Any:
    from collectsim.scoring import score

    return score(record, loaded)


def _clip(text: str, n: int = 50) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


# --- finding and running many ---------------------------------------------------------------------


def discover(paths: Sequence[Path]) -> list[Path]:
    """Test files: files as given; in folders, the YAML files inside a ``tests`` folder."""
    found: dict[Path, None] = {}
    for p in paths:
        if p.is_file():
            found[p] = None
        elif p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p).parts
                inside = "tests" in (p.resolve().name, *rel[:-1])
                if f.suffix in (".yaml", ".yml") and inside and f.is_file() and not any(
                    x.startswith(".") for x in rel
                ):
                    found[f] = None
    return list(found)


def default_paths(extra: Sequence[Path] = ()) -> list[Path]:
    """Where `collectsim test` looks with no PATH: the tests of every library folder."""
    from collectsim.loading import library_dirs

    return [d for d in library_dirs(extra) if d.is_dir()]


def _library_root(test_path: Path) -> Path | None:
    """The library folder a test belongs to: .../scenarios/tests/x.yaml -> ...; None if unsure."""
    parent = test_path.resolve().parent
    if parent.name != "tests":
        return None
    up = parent.parent
    return up.parent if up.name == "scenarios" else up


def run_tests(paths: Sequence[Path], extra: Sequence[Path] = ()) -> list[Result]:
    """Load the library once (plus each test's own library folder) and run every test."""
    from collectsim.loading import load_library, resolve_scenario

    libraries: dict[tuple[Path, ...], Any] = {}

    def library(roots: tuple[Path, ...]) -> Any:
        if roots not in libraries:
            libraries[roots] = load_library(extra=[*extra, *roots])
        return libraries[roots]

    results: list[Result] = []
    for path in paths:
        try:
            t = load_test(path)
        except LoadError as e:
            results.append(Result(path, path.stem, "", errors=e.diagnostics))
            continue
        ref = t.test.scenario
        lib = library(())
        root = _library_root(path)
        if ref not in lib.scenarios and root is not None:
            lib = library((root,))
        if ref.endswith((".yaml", ".yml")):
            ref = str((path.parent / ref).resolve())
        try:
            loaded = resolve_scenario(ref, lib)
        except LoadError as e:
            line, col = t.where(("scenario",), key=False)
            ds = [Diagnostic(_display(path), line, col, "error", f"scenario: {d.message}", d.code)
                  if not d.file else d for d in e.diagnostics]
            results.append(Result(path, t.name, t.test.scenario, errors=tuple(ds)))
            continue
        results.append(run_test(t, loaded))
    return results


# --- the report -----------------------------------------------------------------------------------


def _turn_line(t: Turn, marked: bool) -> str:
    mark = ">" if marked else " "
    if t.speaker == "system":
        return f"  {mark} {t.n:>3}  ---      {t.text}"
    who = "you" if t.speaker == "trainee" else "debtor"
    extra = ""
    if t.speaker == "trainee" and t.acts:
        extra = f"  [{', '.join(t.acts)}]"
    elif t.speaker == "debtor":
        bits = [f"rule {t.rule}" if t.rule else "fallback", f"stage {t.stage}"]
        bits += [f"{k} {v:g}" for k, v in t.meters]
        extra = f"  ({', '.join(bits)})"
    return f"  {mark} {t.n:>3}  {who:<7}  {_clip(t.text, 70)}{extra}"


def transcript_around(
    record: CallRecord, turn: int | None, before: int = 3, after: int = 2
) -> list[str]:
    """A few turns either side of ``turn`` (the last turns when None), the turn marked '>'."""
    turns = list(record.turns)
    if not turns:
        return ["    (no turns)"]
    if turn is None:
        idx = len(turns) - 1
        lo, hi = max(0, idx - before - after), idx + 1
    else:
        idx = next((i for i, t in enumerate(turns) if t.n == turn), len(turns) - 1)
        lo, hi = max(0, idx - before), min(len(turns), idx + after + 1)
    return [_turn_line(t, t.n == turn) for t in turns[lo:hi]]


def render_report(results: Sequence[Result], *, verbose: bool = False) -> str:
    out = [f"collected {len(results)} test{'s' if len(results) != 1 else ''}", ""]
    if verbose:
        for r in results:
            out.append(f"{_display(r.path)}  {r.status.upper()}  {r.name}")
    else:
        marks = "".join("." if r.passed else "E" if r.errors else "F" for r in results)
        out += [marks[i : i + 80] for i in range(0, len(marks), 80)] or [""]
    bad = [r for r in results if not r.passed]
    if bad:
        out += ["", " FAILURES ".center(100, "=")]
        for r in bad:
            title = f" {r.name} ({_display(r.path)}) "
            out += [title.center(100, "_"), ""]
            for d in r.errors:
                out.append(str(d))
            for f in r.failures:
                out.append(str(f.diagnostic))
                out += [f"      {x}" for x in f.detail]
                if r.record is not None:
                    out += transcript_around(r.record, f.turn)
                out.append("")
    passed = sum(r.passed for r in results)
    failed = sum(bool(r.failures) and not r.errors for r in results)
    errors = sum(bool(r.errors) for r in results)
    summary = f"{passed} passed, {failed} failed" + (f", {errors} errors" if errors else "")
    out += ["", f" {summary} ".center(100, "=")]
    return "\n".join(out)


def report_json(results: Sequence[Result]) -> str:
    passed = sum(r.passed for r in results)
    return json.dumps(
        {
            "passed": passed,
            "failed": len(results) - passed,
            "tests": [r.to_json() for r in results],
        },
        ensure_ascii=False,
    )


__all__ = [
    "ConversationTest",
    "End",
    "Expect",
    "Result",
    "discover",
    "json_schema",
    "load_test",
    "render_report",
    "report_json",
    "run_test",
    "run_tests",
]
