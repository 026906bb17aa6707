"""Finding, loading and checking persona and scenario files.

Every problem becomes a `Diagnostic` at the line and column a trainer can fix, written for someone
who is not a programmer: pydantic's validation errors are translated one by one (with "did you
mean" suggestions), then checks that need the whole file or the whole library run (stages, meters,
placeholders, duplicate ids, unknown personas). All problems of a file are reported together.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from collectsim.acts import ACTS
from collectsim.diagnostics import Diagnostic, LoadError, error, sort_key, warning
from collectsim.models import (
    DEBTOR_TAGS,
    EVENTS,
    OUTCOMES,
    Loaded,
    Persona,
    Scenario,
)
from collectsim.yamlio import MAX_FILE_BYTES, Marks, _too_big, load_yaml

Kind = Literal["persona", "scenario"]

#: Placeholders the engine fills in replies, besides ``trait.<name>``.
PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "debtor.name",
        "debtor.first_name",
        "debtor.company",
        "collector.name",
        "collector.company",
        "creditor.name",
        "invoice.number",
        "invoice.amount",
        "invoice.due",
        "invoice.issued",
        "invoice.description",
        "total",
        "balance",
        "currency",
        "last_payment.date",
        "last_payment.amount",
        "last_payment.reference",
        "offer.date",
        "offer.total",
        "offer.instalment",
        "offer.instalments",
    }
)
#: Traits the engine itself reads; scenarios may set them even if a persona does not list them.
ENGINE_TRAITS: frozenset[str] = frozenset({"monthly_budget", "lump_sum", "right_party"})

PLACEHOLDER_RE = re.compile(r"\{([^{}\n]*)\}")
#: The engine fills lower-case names and '_' only (see engine.fill).
_TRAIT_PLACEHOLDER = re.compile(r"trait\.([a-z_]+)")
_YAML_SUFFIXES = (".yaml", ".yml")


def placeholder_names(text: str) -> list[str]:
    """The text inside each ``{...}`` of a reply, in order, e.g. ``['debtor.name', 'total']``."""
    return PLACEHOLDER_RE.findall(text)


def is_placeholder(name: str) -> bool:
    """True for a placeholder the engine fills: a known name or ``trait.<name>``."""
    return name in PLACEHOLDERS or _TRAIT_PLACEHOLDER.fullmatch(name) is not None


def did_you_mean(word: Any, choices: Iterable[str]) -> str | None:
    """The closest of ``choices`` to ``word``, if it is close enough to be a likely typo.

    Jaro-Winkler favours a shared start ('greting' -> 'greet', 'paid' -> 'paid_in_full'); when the
    first letters differ, plain edit similarity is used so that a shared ending alone ('ending'
    vs 'opening') does not produce a misleading suggestion.
    """
    if not isinstance(word, str) or not word:
        return None
    from rapidfuzz import fuzz
    from rapidfuzz.distance import JaroWinkler

    w = word.strip().lower()
    best, best_score = None, 80.0
    for choice in choices:
        if not isinstance(choice, str):
            continue
        c = choice.lower()
        if c[:1] == w[:1]:
            score = JaroWinkler.normalized_similarity(w, c) * 100
        else:
            score = fuzz.ratio(w, c)
        if score > best_score:
            best, best_score = choice, score
    return best


def _suggest(word: Any, choices: Iterable[str]) -> str:
    best = did_you_mean(word, choices)
    return f" (did you mean '{best}'?)" if best else ""


# --- validation: pydantic errors to trainer-friendly diagnostics --------------------------------


@cache
def _adapter(kind: Kind) -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(Persona if kind == "persona" else Scenario)


_VOCABULARIES: tuple[tuple[str, frozenset[str], str], ...] = (
    ("act", frozenset(ACTS), " (the acts are listed in docs/acts.md)"),
    ("event", frozenset(EVENTS), " (the events are listed in docs/personas.md)"),
    ("tag", frozenset(DEBTOR_TAGS), " (the tags are listed in docs/personas.md)"),
    ("outcome", frozenset(OUTCOMES), " (the outcomes are listed in docs/scenarios.md)"),
)


def _got(v: Any) -> str:
    """A value as a trainer would recognise it from the file."""
    if v is None:
        return "nothing"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        s = v if len(v) <= 40 else v[:37] + "..."
        return f"'{s}'"
    if isinstance(v, int | float):
        return f"{v:g}" if isinstance(v, float) else str(v)
    if isinstance(v, list | tuple):
        return "a list"
    if isinstance(v, dict):
        return "a mapping"
    return f"'{v}'"


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[tuple[Any, ...], bool]:
    """Map a pydantic error location onto the data: returns the path and whether all of it
    exists. Parts that are not in the data (union member names, validator names) are skipped."""
    path: list[Any] = []
    cur = data
    complete = True
    for part in loc:
        if part == "[key]":
            continue
        if (isinstance(cur, dict) and part in cur) or (
            isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur)
        ):
            path.append(part)
            cur = cur[part]
        elif isinstance(part, str) and isinstance(cur, dict):
            complete = False  # a missing key, or a validator name
    return tuple(path), complete


def _fields_at(root: type, loc: tuple[Any, ...]) -> tuple[str, ...]:
    """Field names of the dataclass found by following ``loc`` from ``root``."""
    from typing import Annotated, Union, get_args, get_origin

    tp: Any = root
    for part in loc:
        tp = _unwrap(tp, get_origin, get_args, Annotated, Union)
        fields = getattr(tp, "__pydantic_fields__", None)
        if fields is not None:
            if part in fields:
                tp = fields[part].annotation
            continue
        origin = get_origin(tp)
        args = get_args(tp)
        if origin in (tuple, list) and args and isinstance(part, int):
            tp = args[0]
        elif origin is dict and len(args) == 2 and part != "[key]":
            tp = args[1]
    tp = _unwrap(tp, get_origin, get_args, Annotated, Union)
    return tuple(getattr(tp, "__pydantic_fields__", {}))


def _unwrap(tp: Any, get_origin: Any, get_args: Any, annotated: Any, union: Any) -> Any:
    import types

    while True:
        origin = get_origin(tp)
        if origin is annotated:
            tp = get_args(tp)[0]
        elif origin in (union, types.UnionType):
            members = [a for a in get_args(tp) if a is not type(None)]
            if len(members) != 1:
                return tp
            tp = members[0]
        else:
            return tp


def _subject(path: tuple[Any, ...]) -> str:
    """How to name the value at ``path`` in a message: 'patience', or item 2 of 'say'."""
    if not path:
        return "the file"
    last = path[-1]
    if isinstance(last, int):
        owner = next((p for p in reversed(path) if isinstance(p, str)), None)
        return f"item {last + 1} of '{owner}'" if owner else f"item {last + 1}"
    return f"'{last}'"


def _translate(
    err: dict[str, Any], root: type, data: Any, marks: Marks, filename: str
) -> Diagnostic:
    kind: str = err["type"]
    loc: tuple[Any, ...] = tuple(err["loc"])
    value = err.get("input")
    ctx = err.get("ctx") or {}
    path, _ = _data_path(loc, data)
    line, col = marks.nearest(path)
    what = _subject(path)
    code = kind

    def at(message: str, code: str = code, pos: tuple[int, int] | None = None) -> Diagnostic:
        ln, cl = pos or (line, col)
        return error(filename, ln, cl, message, code)

    if kind == "missing":
        name = loc[-1]
        return at(f"missing required key '{name}'", "missing-key", marks.key(path))
    if kind == "unexpected_keyword_argument":
        name = loc[-1]
        allowed = _fields_at(root, loc[:-1])
        hint = _suggest(name, allowed)
        if not hint and allowed:
            hint = f" (allowed here: {', '.join(allowed)})"
        return at(f"unknown key '{name}'{hint}", "unknown-key", marks.key(path))
    if kind == "literal_error":
        expected = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        on_key = bool(loc) and loc[-1] == "[key]"
        pos = marks.key((*path, value)) if on_key and isinstance(value, str) else None
        for noun, vocab, where in _VOCABULARIES:
            if set(expected) == vocab:
                hint = _suggest(value, expected) or where
                return at(f"unknown {noun} {_got(value)}{hint}", f"unknown-{noun}", pos)
        best = did_you_mean(value, expected)
        listing = f"expected one of: {', '.join(expected)}"
        hint = f" (did you mean '{best}'? {listing})" if best else f" ({listing})"
        where = f"key {_got(value)}" if on_key else _got(value)
        return at(f"unknown value {where} for {_subject(path)}{hint}", "unknown-value", pos)
    if kind in ("float_parsing", "float_type", "finite_number"):
        return at(f"{what} must be a number, got {_got(value)}", "wrong-type")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return at(f"{what} must be a whole number, got {_got(value)}", "wrong-type")
    if kind in ("bool_parsing", "bool_type"):
        return at(f"{what} must be true or false, got {_got(value)}", "wrong-type")
    if kind == "string_type":
        if value is None:
            return at(f"{what} has no value; expected text", "wrong-type")
        tip = "; put it in quotes" if isinstance(value, int | float) else ""
        return at(f"{what} must be text, got {_got(value)}{tip}", "wrong-type")
    if kind == "string_pattern_mismatch":
        return at(
            f"{what} may only use lower-case letters, digits, '-' and '_', starting with a "
            f"letter or digit; got {_got(value)}",
            "bad-id",
        )
    if kind in ("tuple_type", "list_type", "iterable_type", "sequence_str"):
        return at(f"{what} must be a list, got {_got(value)}", "wrong-type")
    if kind in ("dict_type", "mapping_type"):
        return at(f"{what} must be a mapping ('key: value' lines), got {_got(value)}", "wrong-type")
    if kind in ("dataclass_type", "model_type", "dataclass_exact_type"):
        if ctx.get("class_name") == "Meter":
            return at(
                f"{what} must be a number (its start value) or a mapping with start, min and "
                f"max; got {_got(value)}",
                "wrong-type",
            )
        return at(f"{what} must be a mapping ('key: value' lines), got {_got(value)}", "wrong-type")
    if kind.startswith(("date", "datetime")):
        return at(f"{what} must be a date like 2026-10-03, got {_got(value)}", "wrong-type")
    bounds = {
        "greater_than": ("greater than", "gt"),
        "greater_than_equal": ("at least", "ge"),
        "less_than": ("less than", "lt"),
        "less_than_equal": ("at most", "le"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        limit = ctx.get(key)
        shown = f"{limit:g}" if isinstance(limit, int | float) else str(limit)
        return at(f"{what} must be {words} {shown}, got {_got(value)}", "out-of-range")
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        items = "item" if n == 1 else "items"
        if path == ("success",):
            return at(
                "'success' is empty: list at least one outcome that counts as a success",
                "empty-list",
            )
        return at(f"{what} must have at least {n} {items}", "empty-list")
    if kind == "value_error":
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        if msg.startswith("expected "):
            return at(f"{what} must be {msg.removeprefix('expected ')}", "bad-value")
        return at(f"{what}: {msg}", "bad-value")
    return at(f"{what}: {err.get('msg', 'invalid value')}", kind)


def _validate(
    kind: Kind, data: dict[str, Any], marks: Marks, filename: str
) -> tuple[Persona | Scenario | None, list[Diagnostic]]:
    from pydantic import ValidationError

    root = Persona if kind == "persona" else Scenario
    try:
        return _adapter(kind).validate_python(data), []
    except ValidationError as e:
        errors = e.errors(include_url=False)
    except (ValueError, TypeError) as e:  # a validator that raised outside pydantic's wrapping
        return None, [error(filename, 1, 1, f"invalid {kind}: {e}", "invalid")]
    locs = [tuple(x["loc"]) for x in errors]
    out: list[Diagnostic] = []
    for err, loc in zip(errors, locs, strict=True):
        # "at least 1 item" after an item failed is noise: the item's own error says it all.
        if err["type"] == "too_short" and any(
            other[: len(loc)] == loc and len(other) > len(loc) for other in locs
        ):
            continue
        out.append(_translate(err, root, data, marks, filename))
    return None, out


# --- checks beyond the types --------------------------------------------------------------------


def _names(value: Any) -> list[tuple[tuple[Any, ...], str]]:
    """Names written as one name or a list: (sub-path, name) pairs."""
    if isinstance(value, str):
        return [((), value)]
    if isinstance(value, list):
        return [((i,), v) for i, v in enumerate(value) if isinstance(v, str)]
    return []


def _dict(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def _listing(names: Iterable[str]) -> str:
    return ", ".join(names) or "none"


class _Checker:
    """Collects diagnostics for one file, locating them through its marks."""

    def __init__(self, filename: str, marks: Marks) -> None:
        self.filename = filename
        self.marks = marks
        self.out: list[Diagnostic] = []

    def error(self, path: tuple[Any, ...], message: str, code: str, *, key: bool = False) -> None:
        line, col = self.marks.key(path) if key else self.marks.nearest(path)
        self.out.append(error(self.filename, line, col, message, code))

    def warn(self, path: tuple[Any, ...], message: str, code: str, *, key: bool = False) -> None:
        line, col = self.marks.key(path) if key else self.marks.nearest(path)
        self.out.append(warning(self.filename, line, col, message, code))

    def replies(self, value: Any, path: tuple[Any, ...], traits: set[str]) -> None:
        for sub, text in _names(value):
            for name in placeholder_names(text):
                self._placeholder(name, (*path, *sub), traits)

    def _placeholder(self, name: str, path: tuple[Any, ...], traits: set[str]) -> None:
        trait = _TRAIT_PLACEHOLDER.fullmatch(name)
        if trait:
            if trait.group(1) not in traits | ENGINE_TRAITS:
                hint = _suggest(trait.group(1), traits)
                msg = f"placeholder '{{{name}}}' names a trait not listed under 'traits'{hint}"
                self.warn(path, msg, "unknown-trait")
            return
        if name in PLACEHOLDERS:
            return
        bare = name.strip()
        if bare != name and (bare in PLACEHOLDERS or _TRAIT_PLACEHOLDER.fullmatch(bare)):
            msg = f"remove the spaces inside the braces: write '{{{bare}}}'"
            self.error(path, msg, "bad-placeholder")
            return
        best = did_you_mean(bare, PLACEHOLDERS)
        hint = (
            f" (did you mean '{{{best}}}'?)"
            if best
            else (" (the placeholders are listed in docs/personas.md)")
        )
        self.error(path, f"unknown placeholder '{{{name}}}'{hint}", "unknown-placeholder")


def _check_persona(data: dict[str, Any], marks: Marks, filename: str) -> list[Diagnostic]:
    c = _Checker(filename, marks)
    stages = [name for _, name in _names(data.get("stages"))]
    meters = {k for k in _dict(data.get("meters")) if isinstance(k, str)}
    traits = {k for k in _dict(data.get("traits")) if isinstance(k, str)}

    def stage_ref(path: tuple[Any, ...], value: Any) -> None:
        if not stages:
            return
        for sub, name in _names(value):
            if name not in stages:
                hint = _suggest(name, stages) or f" (the stages are: {_listing(stages)})"
                c.error((*path, *sub), f"unknown stage '{name}'{hint}", "unknown-stage")

    def meter_refs(path: tuple[Any, ...], value: Any) -> None:
        for name in _dict(value):
            if isinstance(name, str) and name not in meters:
                hint = _suggest(name, meters) or f" (the meters are: {_listing(sorted(meters))})"
                c.error((*path, name), f"unknown meter '{name}'{hint}", "unknown-meter", key=True)

    first_id: dict[str, int] = {}
    rules = data.get("rules")
    for i, rule in enumerate(rules if isinstance(rules, list) else []):
        if not isinstance(rule, dict):
            continue
        rp: tuple[Any, ...] = ("rules", i)
        rid = rule.get("id")
        if isinstance(rid, str):
            if rid in first_id:
                c.error(
                    (*rp, "id"),
                    f"duplicate rule id '{rid}' (already used on line {first_id[rid]})",
                    "duplicate-rule",
                )
            else:
                first_id[rid] = marks.nearest((*rp, "id"))[0]
        when, do = _dict(rule.get("when")), _dict(rule.get("do"))
        stage_ref((*rp, "when", "stage"), when.get("stage"))
        stage_ref((*rp, "when", "not_stage"), when.get("not_stage"))
        stage_ref((*rp, "do", "stage"), do.get("stage"))
        meter_refs((*rp, "when", "meters"), when.get("meters"))
        meter_refs((*rp, "do", "meters"), do.get("meters"))
        for name in _dict(when.get("traits")):
            if isinstance(name, str) and name not in traits | ENGINE_TRAITS:
                c.warn(
                    (*rp, "when", "traits", name),
                    f"trait '{name}' is not listed under 'traits'{_suggest(name, traits)}",
                    "unknown-trait",
                    key=True,
                )
        c.replies(rule.get("say"), (*rp, "say"), traits)
        if not rule.get("say") and not do:
            name = f"'{rid}'" if isinstance(rid, str) else f"{i + 1}"
            c.warn(
                rp,
                f"rule {name} has neither 'say' nor 'do', so it never changes anything",
                "empty-rule",
            )

    fallback = _dict(data.get("fallback"))
    for name, replies in fallback.items():
        if stages and name != "default" and name not in stages:
            hint = _suggest(name, stages) or " (use a stage name or 'default'; the stages are: "
            hint = hint if hint.endswith(")") else f"{hint}{_listing(stages)})"
            c.error(
                ("fallback", name),
                f"unknown stage '{name}' in 'fallback'{hint}",
                "unknown-stage",
                key=True,
            )
        c.replies(replies, ("fallback", name), traits)
    c.replies(data.get("opening"), ("opening",), traits)
    c.replies(data.get("hangup_line"), ("hangup_line",), traits)
    return c.out


def _check_scenario(data: dict[str, Any], marks: Marks, filename: str) -> list[Diagnostic]:
    c = _Checker(filename, marks)
    case = _dict(data.get("case"))
    seen: dict[str, int] = {}
    invoices = case.get("invoices")
    for i, inv in enumerate(invoices if isinstance(invoices, list) else []):
        number = _dict(inv).get("number")
        if number is None:
            continue
        number = str(number)
        if number in seen:
            c.error(
                ("case", "invoices", i, "number"),
                f"invoice '{number}' is listed twice (first on line {seen[number]})",
                "duplicate-invoice",
            )
        else:
            seen[number] = marks.nearest(("case", "invoices", i, "number"))[0]
    success = data.get("success")
    outcomes = [name for _, name in _names(success)]
    authority = _dict(data.get("authority"))
    if "payment_plan" in outcomes and not authority.get("plan"):
        c.warn(
            ("success",),
            "'payment_plan' counts as success but 'authority' gives no "
            "'plan': the trainee may not offer one",
            "no-authority",
        )
    if "settlement" in outcomes and not authority.get("settlement"):
        c.warn(
            ("success",),
            "'settlement' counts as success but 'authority' gives no "
            "'settlement': the trainee may not offer one",
            "no-authority",
        )
    return c.out


def _check_binding(
    data: dict[str, Any], marks: Marks, filename: str, persona: Persona
) -> list[Diagnostic]:
    """Checks of a scenario against its persona."""
    c = _Checker(filename, marks)
    overrides = _dict(data.get("persona_overrides"))
    for name in _dict(overrides.get("meters")):
        if name not in persona.meters:
            hint = _suggest(name, persona.meters) or (
                f" (persona '{persona.id}' has: {_listing(sorted(persona.meters))})"
            )
            c.error(
                ("persona_overrides", "meters", name),
                f"unknown meter '{name}'{hint}",
                "unknown-meter",
                key=True,
            )
    for name in _dict(overrides.get("traits")):
        if name not in persona.traits and name not in ENGINE_TRAITS:
            c.warn(
                ("persona_overrides", "traits", name),
                f"persona '{persona.id}' has no trait "
                f"'{name}'{_suggest(name, [*persona.traits, *ENGINE_TRAITS])}",
                "unknown-trait",
                key=True,
            )
    case = _dict(data.get("case"))
    if not case.get("payments") and not case.get("unposted_payments"):
        used = sorted(
            {
                name
                for text in _persona_texts(persona)
                for name in placeholder_names(text)
                if name.startswith("last_payment.")
            }
        )
        if used:
            c.warn(
                ("persona",),
                f"persona '{persona.id}' says {', '.join(f'{{{n}}}' for n in used)} but this "
                "case has no payments: it would be shown as written",
                "no-payments",
                key=True,
            )
    return c.out


def _persona_texts(persona: Persona) -> Iterable[str]:
    yield from persona.opening
    yield from persona.hangup_line
    for replies in persona.fallback.values():
        yield from replies
    for rule in persona.rules:
        yield from rule.say


# --- one file -----------------------------------------------------------------------------------


@dataclass
class _File:
    path: Path
    name: str
    kind: Kind | None = None
    data: dict[str, Any] | None = None
    marks: Marks | None = None
    obj: Persona | Scenario | None = None
    raw: bytes = b""
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.obj is not None and not any(d.severity == "error" for d in self.diagnostics)

    @property
    def declared_id(self) -> str | None:
        ident = (self.data or {}).get("id")
        return ident if isinstance(ident, str) else None


def _display(path: Path) -> str:
    if not path.is_absolute():
        return str(path)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _read(path: Path, name: str) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:  # say the real size without reading a byte of it
            raise LoadError.at(name, 1, 1, _too_big(size), "size")
        with path.open("rb") as fh:
            # One byte over the limit is enough for load_yaml to refuse the file by size.
            return fh.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise LoadError(
            Diagnostic(name, 0, 0, "error", f"cannot read the file: {e.strerror or e}", "io")
        ) from None


def _kind_of(data: dict[str, Any]) -> Kind | None:
    if "case" in data:
        return "scenario"
    if "stages" in data or "rules" in data:
        return "persona"
    if "persona" in data:
        return "scenario"
    return None


def _load(path: Path, hint: Kind | None) -> _File:
    f = _File(path=path, name=_display(path), kind=hint)
    try:
        f.raw = _read(path, f.name)
        data, marks = load_yaml(f.raw, f.name)
    except LoadError as e:
        f.diagnostics.extend(e.diagnostics)
        if e.partial is None:
            return f
        data, marks = e.partial
    f.data, f.marks = data, marks
    found = _kind_of(data)
    if hint is None:
        f.kind = found
        if found is None:
            f.diagnostics.append(
                error(
                    f.name,
                    *marks.nearest(()),
                    "cannot tell whether this is "
                    "a persona or a scenario: a scenario has a 'case' key, a "
                    "persona has 'stages'",
                    "unknown-kind",
                )
            )
            return f
    elif found is not None and found != hint and not ("case" in data and "stages" in data):
        other = "scenario" if hint == "persona" else "persona"
        f.diagnostics.append(
            error(
                f.name,
                *marks.nearest(()),
                f"this looks like a {other} but it is in a {hint}s folder; move it to {other}s/",
                "wrong-folder",
            )
        )
        return f
    assert f.kind is not None
    f.obj, problems = _validate(f.kind, data, marks, f.name)
    check = _check_persona if f.kind == "persona" else _check_scenario
    problems.extend(check(data, marks, f.name))
    # A value the YAML layer already reported (a bad date) must not be reported twice.
    reported = {(d.line, d.col) for d in f.diagnostics}
    f.diagnostics.extend(d for d in problems if (d.line, d.col) not in reported)
    # Problems of the YAML itself (a Python tag, an alias) explain the rest: they come first.
    f.diagnostics.sort(key=lambda d: (not d.code.startswith("yaml-"), *sort_key(d)))
    return f


def _load_as(path: Path, kind: Kind) -> _File:
    f = _load(Path(path), None)
    if f.kind is not None and f.kind != kind and f.data is not None:
        msg = f"this is a {f.kind} file, not a {kind}"
        f.diagnostics.insert(0, error(f.name, *f.marks.nearest(()), msg, "wrong-kind"))  # type: ignore[union-attr]
        f.obj = None
    if f.kind is None and f.data is not None:
        f.kind = kind
    return f


def _raise_unless_ok(f: _File) -> None:
    if not f.ok:
        raise LoadError(f.diagnostics or [Diagnostic(f.name, 0, 0, "error", "could not load")])


def load_persona_file(path: Path) -> Persona:
    """Load and check one persona file; `LoadError` carries every problem found in it."""
    f = _load_as(path, "persona")
    _raise_unless_ok(f)
    assert isinstance(f.obj, Persona)
    return f.obj


def load_scenario_file(path: Path) -> Scenario:
    """Load and check one scenario file on its own (its persona is not looked up)."""
    f = _load_as(path, "scenario")
    _raise_unless_ok(f)
    assert isinstance(f.obj, Scenario)
    return f.obj


# --- the library --------------------------------------------------------------------------------


@dataclass
class Library:
    """Everything found in the library folders, with every problem found on the way."""

    personas: dict[str, Persona] = field(default_factory=dict)
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    sources: dict[tuple[str, str], Path] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _raw: dict[Path, bytes] = field(default_factory=dict, repr=False)
    _broken: dict[tuple[str, str], list[Diagnostic]] = field(default_factory=dict, repr=False)
    _id_line: dict[Path, int] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        """True when no file has an error (warnings allowed)."""
        return not any(d.severity == "error" for d in self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    def raw(self, kind: str, ident: str) -> bytes:
        path = self.sources[(kind, ident)]
        if path not in self._raw:
            self._raw[path] = path.read_bytes()
        return self._raw[path]

    def bind(self, scenario_id: str) -> Loaded:
        """The scenario with its persona and the scenario's overrides applied."""
        scenario = self.scenarios.get(scenario_id)
        if scenario is None:
            if ("scenario", scenario_id) in self._broken:
                raise LoadError(self._broken[("scenario", scenario_id)])
            raise LoadError(
                _one_line(
                    f"unknown scenario '{scenario_id}'{_suggest(scenario_id, self.scenarios)}"
                )
            )
        persona = self.personas.get(scenario.persona)
        if persona is None:
            if ("persona", scenario.persona) in self._broken:
                raise LoadError(self._broken[("persona", scenario.persona)])
            raise LoadError(
                _one_line(
                    f"scenario '{scenario_id}' plays persona "
                    f"'{scenario.persona}', which is not in the library"
                )
            )
        return _bind(
            scenario,
            persona,
            self.raw("scenario", scenario_id),
            self.raw("persona", persona.id),
            self.sources[("scenario", scenario_id)],
        )

    def _add(self, f: _File, *, report: bool = True) -> None:
        """Register one loaded file; the first file to use an id keeps it."""
        if report:
            self.diagnostics.extend(f.diagnostics)
        ident = f.declared_id
        if f.kind is None or ident is None:
            return
        key = (f.kind, ident)
        if key in self.sources or (report and key in self._broken):
            if report:
                first = self.sources.get(key)
                where = _display(first) if first else "another file"
                line = ""
                if first is not None:
                    line = f":{self._id_line.get(first, 1)}"
                assert f.marks is not None
                self.diagnostics.append(
                    error(
                        f.name,
                        *f.marks.nearest(("id",)),
                        f"duplicate {f.kind} id '{ident}' (already defined in {where}{line})",
                        "duplicate-id",
                    )
                )
            return
        if not f.ok:
            self._broken[key] = [d for d in f.diagnostics if d.severity == "error"]
            return
        assert f.marks is not None
        self._id_line[f.path] = f.marks.nearest(("id",))[0]
        self.sources[key] = f.path
        self._raw[f.path] = f.raw
        if isinstance(f.obj, Persona):
            self.personas[ident] = f.obj
        elif isinstance(f.obj, Scenario):
            self.scenarios[ident] = f.obj


def _one_line(message: str, code: str = "unknown") -> Diagnostic:
    return Diagnostic("", 0, 0, "error", message, code)


def _bind(
    scenario: Scenario, persona: Persona, scenario_raw: bytes, persona_raw: bytes, source: Path
) -> Loaded:
    over = scenario.persona_overrides
    traits = {**persona.traits, **over.traits}
    meters = {name: m.start for name, m in persona.meters.items()}
    for name, start in over.meters.items():
        m = persona.meters.get(name)
        meters[name] = min(max(start, m.min), m.max) if m is not None else start
    digest = hashlib.sha256()
    for part in (scenario_raw, persona_raw):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return Loaded(
        scenario=scenario,
        persona=persona,
        traits=traits,
        meters=meters,
        source=str(source),
        content_hash=digest.hexdigest(),
    )


def library_dirs(extra: Sequence[Path] = ()) -> list[Path]:
    """Where library files are looked for: the built-in library, then COLLECTSIM_LIBRARY, then
    ``extra`` (``--library DIR``). Duplicates are dropped; folders need not exist."""
    here = Path(__file__).resolve().parent
    dirs: list[Path] = []
    for root in (here / "library", here.parents[1]):
        found = [root / sub for sub in ("personas", "scenarios") if (root / sub).is_dir()]
        if found:
            dirs.extend(found)
            break
    env = os.environ.get("COLLECTSIM_LIBRARY", "")
    dirs.extend(Path(p).expanduser() for p in env.split(os.pathsep) if p.strip())
    dirs.extend(Path(p) for p in extra)
    unique: list[Path] = []
    seen: set[Path] = set()
    for d in dirs:
        key = d.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(d)
    return unique


def _kind_from_folders(parts: Iterable[str]) -> Kind | None:
    for part in reversed(list(parts)):
        if part == "personas":
            return "persona"
        if part == "scenarios":
            return "scenario"
    return None


def _discover(paths: Iterable[Path]) -> list[tuple[Path, Kind | None]]:
    """YAML files under ``paths`` with the kind their folder gives them. A folder holding
    personas/ or scenarios/ is searched there only; scenarios/tests/ holds conversation tests."""
    found: list[tuple[Path, Kind | None]] = []
    seen: set[Path] = set()

    def add(path: Path, kind: Kind | None) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            found.append((path, kind))

    for p in paths:
        p = Path(p)
        if p.is_file():
            add(p, _kind_from_folders(p.resolve().parent.parts[-2:]))
            continue
        if not p.is_dir():
            continue
        subs = [p / s for s in ("personas", "scenarios") if (p / s).is_dir()]
        for root in subs or [p]:
            base = _kind_from_folders([root.resolve().name])
            if root.name == "tests" and root.resolve().parent.name == "scenarios":
                continue
            for f in sorted(root.rglob("*")):
                rel = f.relative_to(root).parts
                if f.suffix not in _YAML_SUFFIXES or any(x.startswith(".") for x in rel):
                    continue
                if "tests" in rel[:-1] and base != "persona":
                    continue
                if f.is_file():
                    add(f, _kind_from_folders(rel[:-1]) or base)
    return found


def load_library(extra: Sequence[Path] = (), paths: Sequence[Path] | None = None) -> Library:
    """Load the library; with ``paths``, load and report exactly those files and folders, using
    the library (and a scenario's sibling ../personas/ folder) only to find personas."""
    lib = Library()
    primary = _discover(library_dirs(extra) if paths is None else paths)
    files = [_load(path, kind) for path, kind in primary]
    for f in files:
        lib._add(f)
    if paths is not None:
        context = list(library_dirs(extra))
        for f in files:
            if f.kind == "scenario":
                context.append(f.path.resolve().parent.parent / "personas")
        done = {p.resolve() for p, _ in primary}
        for path, kind in _discover(context):
            if kind != "scenario" and path.resolve() not in done:
                done.add(path.resolve())
                lib._add(_load(path, kind), report=False)
    persona_ids = sorted({*lib.personas, *(i for k, i in lib._broken if k == "persona")})
    for f in files:
        # Raw data, so that a scenario with other errors still gets these checks.
        ref = (f.data or {}).get("persona")
        if f.kind != "scenario" or not isinstance(ref, str) or f.marks is None:
            continue
        assert f.data is not None
        persona = lib.personas.get(ref)
        if persona is not None:
            lib.diagnostics.extend(_check_binding(f.data, f.marks, f.name, persona))
        elif ref not in persona_ids:
            hint = _suggest(ref, persona_ids) or (
                f" (the personas are: {_listing(persona_ids)})"
                if persona_ids
                else " (no persona files were found)"
            )
            lib.diagnostics.append(
                error(
                    f.name,
                    *f.marks.nearest(("persona",)),
                    f"unknown persona '{ref}'{hint}",
                    "unknown-persona",
                )
            )
    lib.diagnostics.sort(key=sort_key)
    return lib


def resolve_scenario(ref: str, library: Library) -> Loaded:
    """A scenario id from the library, or a path to a scenario file, bound to its persona."""
    if ref in library.scenarios:
        return library.bind(ref)
    if ("scenario", ref) in library._broken:
        raise LoadError(library._broken[("scenario", ref)])
    path = Path(ref).expanduser()
    looks_like_path = path.suffix in _YAML_SUFFIXES or "/" in ref or os.sep in ref
    if not path.is_file():
        if looks_like_path:
            raise LoadError(_one_line(f"no such scenario file: {ref}", "no-file"))
        raise LoadError(_one_line(f"unknown scenario '{ref}'{_suggest(ref, library.scenarios)}"))
    f = _load_as(path, "scenario")
    _raise_unless_ok(f)
    assert isinstance(f.obj, Scenario) and f.data is not None and f.marks is not None
    scenario = f.obj
    persona, persona_raw = _find_persona(scenario.persona, library, path)
    if persona is None:
        known = sorted(library.personas)
        raise LoadError(
            error(
                f.name,
                *f.marks.nearest(("persona",)),
                f"unknown persona '{scenario.persona}'{_suggest(scenario.persona, known)}",
                "unknown-persona",
            )
        )
    problems = [
        d for d in _check_binding(f.data, f.marks, f.name, persona) if d.severity == "error"
    ]
    if problems:
        raise LoadError(problems)
    return _bind(scenario, persona, f.raw, persona_raw, path)


def _find_persona(
    ident: str, library: Library, scenario_path: Path
) -> tuple[Persona | None, bytes]:
    if ident in library.personas:
        return library.personas[ident], library.raw("persona", ident)
    if ("persona", ident) in library._broken:
        raise LoadError(library._broken[("persona", ident)])
    sibling = scenario_path.resolve().parent.parent / "personas"
    for path, _ in _discover([sibling]):
        f = _load(path, "persona")
        if f.declared_id == ident:
            _raise_unless_ok(f)
            assert isinstance(f.obj, Persona)
            return f.obj, f.raw
    return None, b""
