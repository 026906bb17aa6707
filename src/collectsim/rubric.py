"""The rubric as data: criteria, the named checks they may use, loading and scenario overrides.

This module owns the *language* a trainer writes in ``rubric.yaml`` and in a scenario's
``rubric:`` block: which checks exist, which arguments each takes, and what a valid criterion
looks like. What a check *means* lives in :mod:`collectsim.scoring`. Keeping the vocabulary here
lets a rubric be validated (with errors that name the criterion) without evaluating anything.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml

from collectsim.acts import ACTS
from collectsim.models import DEBTOR_TAGS, EVENTS, OUTCOMES, Comparison, RubricOverrides

DIMENSIONS: tuple[str, ...] = ("preparation", "professionalism", "empathy", "close")

#: Kinds of system turn a trainee produces with a preparation action (`/send-documents`...).
PREP_ACTIONS: tuple[str, ...] = ("send_documents", "check_payments", "plan")

ArgType = Literal[
    "act", "acts", "tags", "events", "outcomes", "facts", "action", "int", "bool", "pattern", "str"
]
#: What may be capped: a dimension or the overall score.
CAP_KEYS: tuple[str, ...] = (*DIMENSIONS, "overall")
CheckKind = Literal["verdict", "occurrences"]


class RubricError(ValueError):
    """A rubric (or a scenario's rubric block) that cannot be used; the message says where."""


@dataclass(frozen=True)
class ArgSpec:
    type: ArgType
    required: bool = False
    default: Any = None
    doc: str = ""


@dataclass(frozen=True)
class CheckSpec:
    """What a named check takes and returns.

    ``verdict`` checks judge something the trainee should do (met, missed, not applicable, or
    not decided yet); ``occurrences`` checks list every line where something happened.
    """

    kind: CheckKind
    doc: str
    args: Mapping[str, ArgSpec] = field(default_factory=dict)


def _a(type_: ArgType, doc: str, *, required: bool = False, default: Any = None) -> ArgSpec:
    return ArgSpec(type_, required, default, doc)


#: The check library. docs/rubric.md describes each one for trainers; scoring.py implements them.
CHECKS: dict[str, CheckSpec] = {
    "prep_action": CheckSpec(
        "verdict",
        "A preparation action was taken before the call connected.",
        {
            "action": _a("action", "send_documents, check_payments or plan", required=True),
            "min": _a("int", "How many times (plans: how many outcomes) at least", default=1),
        },
    ),
    "act_before": CheckSpec(
        "verdict",
        "ACT was done (or ACTION taken) before the first line doing any BEFORE act.",
        {
            "act": _a("acts", "The act(s) that count as doing it"),
            "action": _a("action", "A preparation action that also counts"),
            "before": _a("acts", "The acts it must come before", required=True),
            "unless_tag": _a("tags", "Not applicable if the debtor did this first"),
            "if_never": _a("str", "missed (default) or na when neither ever happened"),
            "not_with_event": _a("events", "A line that also raised one of these does not count"),
        },
    ),
    "act_within": CheckSpec(
        "verdict",
        "ACT appears in one of the first LINES trainee lines.",
        {
            "act": _a("acts", "The act(s)", required=True),
            "lines": _a("int", "How many opening lines", default=2),
            "extend_for": _a(
                "acts",
                "Opening acts (e.g. the collector disclosure) whose lines do not use up the window",
                default=(),
            ),
            "miss_at": _a(
                "acts",
                "When missed, cite the first line doing one of these acts before ACT was done "
                "(e.g. the first line about the debt); default: the last line of the window",
                default=(),
            ),
        },
    ),
    "act_present": CheckSpec(
        "verdict",
        "ACT appears anywhere in the call (credited once).",
        {"act": _a("acts", "The act(s)", required=True)},
    ),
    "answered_tag": CheckSpec(
        "verdict",
        "After the debtor did TAG, the trainee did ACT within the next WITHIN lines.",
        {
            "tag": _a("tags", "Debtor tag(s) that call for an answer", required=True),
            "act": _a("acts", "The act(s) that answer it", required=True),
            "within": _a("int", "Trainee lines allowed for the answer", default=1),
            "every": _a("bool", "Split the points over each time", default=False),
        },
    ),
    "event_present": CheckSpec(
        "verdict",
        "A trainee line raised EVENT (credited once, on the first).",
        {"event": _a("events", "The event(s)", required=True)},
    ),
    "phrase": CheckSpec(
        "verdict",
        "A trainee line matches PATTERN (a regular expression, case-insensitive).",
        {
            "pattern": _a("pattern", "Regular expression", required=True),
            "act": _a("acts", "Only lines that also do one of these acts"),
        },
    ),
    "summary_matches_agreement": CheckSpec(
        "verdict",
        "After an agreement, a summarize_agreement line whose amounts (and dates) match it.",
        {},
    ),
    "next_steps_stated": CheckSpec(
        "verdict",
        "A calm next_steps line: after the agreement if there is one, anywhere otherwise.",
        {"not_with": _a("acts", "Acts that make the line not calm",
                        default=("threaten", "insult", "pressure"))},
    ),
    "notes_record_outcome": CheckSpec(
        "verdict",
        "A call note mentions the call's outcome (or, for a wrong party, who answered and the "
        "next try) or the agreed amount (fuzzy match).",
        {"cutoff": _a("int", "rapidfuzz partial_ratio cut-off, 0-100", default=80)},
    ),
    "polite_end": CheckSpec(
        "verdict",
        "ACT in the last LINES trainee lines; not assessed if the debtor ended the call first.",
        {
            "act": _a("acts", "The closing act(s)", default=("close_call",)),
            "lines": _a("int", "How many closing lines", default=2),
        },
    ),
    "no_act": CheckSpec(
        "occurrences",
        "Every trainee line that does ACT (or raises EVENT, if given).",
        {
            "act": _a("acts", "The act(s)", required=True),
            "event": _a("events", "Event(s) that count too"),
        },
    ),
    "no_event": CheckSpec(
        "occurrences",
        "Every trainee line that raises EVENT.",
        {"event": _a("events", "The event(s)", required=True)},
    ),
    "act_repeated": CheckSpec(
        "occurrences",
        "Every trainee line doing ACT beyond the first ALLOWED ones.",
        {
            "act": _a("acts", "The act(s)", required=True),
            "allowed": _a("int", "How many are fine", default=1),
        },
    ),
    "after_tag": CheckSpec(
        "occurrences",
        "Trainee lines doing ACT or raising EVENT once the debtor has done TAG.",
        {
            "tag": _a("tags", "Debtor tag(s)", required=True),
            "act": _a("acts", "Act(s) that count"),
            "event": _a("events", "Event(s) that count"),
        },
    ),
    "outcome_in": CheckSpec(
        "verdict",
        "The call ended with one of OUTCOMES (or, with success: true, one the scenario counts "
        "as success). Judged only once the call has ended.",
        {
            "outcomes": _a("outcomes", "The outcome(s) that earn it"),
            "success": _a("bool", "true: the scenario's own success list"),
            "unless_fact": _a("facts", "Not met if the persona holds one of these facts "
                              "(e.g. forced_promise: a promise given under pressure)"),
        },
    ),
    "fact_present": CheckSpec(
        "verdict",
        "The persona (or engine) holds FACT, e.g. pinned or boundary_set (any of a list).",
        {"fact": _a("facts", "The fact(s); one is enough", required=True)},
    ),
    "fact_absent": CheckSpec(
        "verdict",
        "The persona never came to hold FACT (none of a list); missed once it does. With "
        "negative points this penalises the fact, e.g. vague_promise.",
        {"fact": _a("facts", "The fact(s)", required=True)},
    ),
    "third_party": CheckSpec(
        "occurrences",
        "Lines revealing the debt to someone who is not the debtor (persona trait right_party "
        "below 1, or after the debtor said they are the wrong person).",
        {},
    ),
    "contact_decision": CheckSpec(
        "verdict",
        "Before the call, the trainee decided correctly whether it may be made now (/decide, or "
        "by calling); only in scenarios that ask (a call time, an attorney or a cease request).",
        {},
    ),
    "contact_rules": CheckSpec(
        "occurrences",
        "The call was made although a contact rule forbids it (collectsim.contact): one "
        "failure per rule broken.",
        {"critical": _a("bool", "Only the prohibitions (true) or only the frequency "
                        "presumptions (false)", required=True)},
    ),
}

ONLY_IF_KEYS = ("call_type", "plan_required", "first_contact", "traits")


@dataclass(frozen=True)
class Criterion:
    """One line of the rubric: a check, the points it is worth, and how it is explained."""

    id: str
    dimension: str
    points: int
    label: str
    tip: str
    check: str
    args: Mapping[str, Any] = field(default_factory=dict)
    limit: int = 1  # deductions: how many occurrences are charged at most
    flag: str | None = None  # each failure also raises a flag of this kind
    critical: bool = False  # ...which caps the score (by `cap`, else by the rubric's caps)
    cap: Mapping[str, int] = field(default_factory=dict)  # this criterion's own cap on failure
    only_if: Mapping[str, Any] = field(default_factory=dict)

    @property
    def deduction(self) -> bool:
        """Negative points: charged per failure, never part of what can be earned."""
        return self.points < 0


_ADJUSTED: dict[tuple[int, int], tuple[Rubric, RubricOverrides, Rubric]] = {}


@dataclass(frozen=True)
class Rubric:
    criteria: tuple[Criterion, ...]
    weights: Mapping[str, float] = field(default_factory=lambda: dict.fromkeys(DIMENSIONS, 1.0))
    # applied when a critical criterion without its own `cap` fails (the QA auto-fail)
    caps: Mapping[str, int] = field(default_factory=dict)

    @cached_property
    def positions(self) -> dict[str, int]:
        """Where each criterion id stands in `criteria` (the last place, were one used twice)."""
        return {c.id: i for i, c in enumerate(self.criteria)}

    def criterion(self, cid: str) -> Criterion:
        for c in self.criteria:
            if c.id == cid:
                return c
        raise KeyError(cid)

    def with_overrides(self, overrides: RubricOverrides | None) -> Rubric:
        """This rubric as a scenario adjusts it: weights, criteria switched off, criteria added.

        Both are frozen, so the result is kept per (rubric, overrides) pair: replays and the live
        coach view score the same scenario many times.
        """
        if overrides is None:
            return self
        key = (id(self), id(overrides))
        hit = _ADJUSTED.get(key)
        if hit is not None and hit[0] is self and hit[1] is overrides:
            return hit[2]
        adjusted = self._adjust(overrides)
        if len(_ADJUSTED) >= 256:
            _ADJUSTED.clear()
        _ADJUSTED[key] = (self, overrides, adjusted)
        return adjusted

    def _adjust(self, overrides: RubricOverrides) -> Rubric:
        ids = {c.id for c in self.criteria}
        unknown = [d for d in overrides.disable if d not in ids]
        if unknown:
            raise RubricError(
                f"rubric.disable: no criterion {unknown[0]!r}{_suggest(unknown[0], ids)}"
            )
        kept = [c for c in self.criteria if c.id not in set(overrides.disable)]
        added = [parse_criterion(raw, where="rubric.criteria") for raw in overrides.criteria]
        taken = {c.id for c in kept}
        for c in added:
            if c.id in taken:
                raise RubricError(
                    f"rubric.criteria: criterion {c.id!r} already exists; pick another id "
                    "(to change a default criterion, disable it and add your own)"
                )
            taken.add(c.id)
        weights = dict(self.weights)
        for dim, w in overrides.weights.items():
            weights[dim] = float(w)
        _check_weights(weights, "rubric.weights")
        return Rubric(criteria=(*kept, *added), weights=weights, caps=dict(self.caps))


def _suggest(word: str, options: Any) -> str:
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_weights(weights: Mapping[str, float], where: str) -> None:
    for dim, w in weights.items():
        if dim not in DIMENSIONS:
            raise RubricError(f"{where}: unknown dimension {dim!r}{_suggest(dim, DIMENSIONS)}")
        if not isinstance(w, int | float) or isinstance(w, bool) or w < 0:
            raise RubricError(f"{where}.{dim}: a weight is a number >= 0, got {w!r}")
    if not any(weights.get(d, 1.0) > 0 for d in DIMENSIONS):
        raise RubricError(f"{where}: at least one dimension needs a weight above 0")


def _names(value: Any, vocabulary: tuple[str, ...], what: str, where: str) -> tuple[str, ...]:
    items = (value,) if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not items:
        raise RubricError(f"{where}: expected one {what} or a list of them, got {value!r}")
    for item in items:
        if item not in vocabulary:
            hint = _suggest(item, vocabulary)
            raise RubricError(f"{where}: {item!r} is not a known {what}{hint}")
    return tuple(items)


def _arg(value: Any, spec: ArgSpec, where: str) -> Any:
    t = spec.type
    if t in ("act", "acts"):
        return _names(value, ACTS, "act", where)
    if t == "tags":
        return _names(value, DEBTOR_TAGS, "debtor tag", where)
    if t == "events":
        return _names(value, EVENTS, "event", where)
    if t == "outcomes":
        return _names(value, OUTCOMES, "outcome", where)
    if t == "facts":
        items = (value,) if isinstance(value, str) else value
        if not isinstance(items, list | tuple) or not items or not all(
            isinstance(x, str) and _FACT.match(x) for x in items
        ):
            raise RubricError(f"{where}: expected a fact name (such as pinned) or a list of them, "
                              f"got {value!r}")
        return tuple(items)
    if t == "action":
        value = str(value).replace("-", "_")
        return _names(value, PREP_ACTIONS, "preparation action", where)[0]
    if t == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise RubricError(f"{where}: expected a whole number >= 0, got {value!r}")
        return value
    if t == "bool":
        if not isinstance(value, bool):
            raise RubricError(f"{where}: expected true or false, got {value!r}")
        return value
    if t == "pattern":
        try:
            return re.compile(str(value), re.IGNORECASE)
        except re.error as e:
            raise RubricError(f"{where}: not a valid regular expression ({e})") from None
    return str(value)


def _only_if(raw: Any, where: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise RubricError(f"{where}: expected a mapping such as {{call_type: agency}}")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in ONLY_IF_KEYS:
            raise RubricError(f"{where}: unknown condition {key!r}{_suggest(key, ONLY_IF_KEYS)}")
        if key == "call_type":
            if value not in ("first_party", "agency"):
                raise RubricError(f"{where}.call_type: first_party or agency, got {value!r}")
            out[key] = value
        elif key == "traits":
            if not isinstance(value, dict):
                raise RubricError(f"{where}.traits: expected {{trait: '>= 1'}}")
            out[key] = {str(k): _comparison(v, f"{where}.traits.{k}") for k, v in value.items()}
        else:
            if not isinstance(value, bool):
                raise RubricError(f"{where}.{key}: expected true or false, got {value!r}")
            out[key] = value
    return out


def _comparison(value: Any, where: str) -> Comparison:
    from collectsim.models import _parse_comparison  # the persona files' threshold syntax

    try:
        parsed = _parse_comparison(value)
    except ValueError as e:
        raise RubricError(f"{where}: {e}") from None
    if not isinstance(parsed, Comparison):
        raise RubricError(f"{where}: expected a comparison such as '>= 1'")
    return parsed


_FIELDS = ("id", "dimension", "points", "label", "tip", "check", "args", "limit", "flag",
           "critical", "cap", "only_if")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_FACT = re.compile(r"^[a-z][a-z0-9_]*$")


def _caps(raw: Any, where: str) -> dict[str, int]:
    """A `{dimension or overall: maximum}` mapping, as in `caps:` and a criterion's `cap:`."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise RubricError(f"{where}: expected {{dimension or overall: maximum}}")
    for key, value in raw.items():
        if key not in CAP_KEYS:
            raise RubricError(f"{where}: unknown score {key!r}{_suggest(key, CAP_KEYS)}")
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise RubricError(f"{where}.{key}: a whole number 0-100, got {value!r}")
    return dict(raw)


def parse_criterion(raw: Any, where: str = "rubric") -> Criterion:
    """Validate one criterion mapping (from rubric.yaml or a scenario) into a `Criterion`."""
    if not isinstance(raw, dict):
        raise RubricError(f"{where}: each criterion is a mapping with id, dimension, points...")
    cid = raw.get("id")
    if not isinstance(cid, str) or not _ID.match(cid):
        raise RubricError(f"{where}: criterion id must be lower-case letters, digits, - or _, "
                          f"got {cid!r}")
    here = f"{where}: criterion {cid!r}"
    for key in raw:
        if key not in _FIELDS:
            raise RubricError(f"{here}: unknown field {key!r}{_suggest(key, _FIELDS)}")
    for key in ("dimension", "points", "label", "check"):
        if key not in raw:
            raise RubricError(f"{here}: missing field {key!r}")
    dim = raw["dimension"]
    if dim not in DIMENSIONS:
        raise RubricError(f"{here}: unknown dimension {dim!r}{_suggest(dim, DIMENSIONS)}")
    points = raw["points"]
    if isinstance(points, bool) or not isinstance(points, int) or points == 0:
        raise RubricError(f"{here}: points must be a whole number other than 0, got {points!r}")
    name = raw["check"]
    if name not in CHECKS:
        raise RubricError(f"{here}: unknown check {name!r}{_suggest(name, CHECKS)}")
    spec = CHECKS[name]
    given = raw.get("args") or {}
    if not isinstance(given, dict):
        raise RubricError(f"{here}: args must be a mapping")
    args: dict[str, Any] = {}
    for key, value in given.items():
        if key not in spec.args:
            known = ", ".join(spec.args) or "none"
            raise RubricError(f"{here}: check {name!r} has no argument {key!r} (it takes: {known})")
        args[key] = _arg(value, spec.args[key], f"{here}: args.{key}")
    for key, a in spec.args.items():
        if key not in args:
            if a.required:
                raise RubricError(f"{here}: check {name!r} needs args.{key} ({a.doc})")
            if a.default is not None:
                args[key] = a.default
    if name == "act_before" and "act" not in args and "action" not in args:
        raise RubricError(f"{here}: check 'act_before' needs args.act or args.action")
    if name == "act_before" and args.get("if_never", "missed") not in ("missed", "na"):
        raise RubricError(f"{here}: args.if_never is 'missed' or 'na'")
    if name == "after_tag" and "act" not in args and "event" not in args:
        raise RubricError(f"{here}: check 'after_tag' needs args.act or args.event")
    if name == "outcome_in" and ("outcomes" in args) == bool(args.get("success")):
        raise RubricError(f"{here}: check 'outcome_in' needs args.outcomes or args.success: true "
                          "(not both)")
    limit = raw.get("limit", 1)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise RubricError(f"{here}: limit must be a whole number >= 1, got {limit!r}")
    flag = raw.get("flag")
    if flag is not None and (not isinstance(flag, str) or not flag):
        raise RubricError(f"{here}: flag must be a name such as 'threaten'")
    critical = raw.get("critical", False)
    if not isinstance(critical, bool):
        raise RubricError(f"{here}: critical must be true or false")
    if critical and flag is None:
        raise RubricError(f"{here}: critical needs a flag (the name shown on the scorecard)")
    cap = _caps(raw.get("cap"), f"{here}: cap")
    label, tip = raw["label"], raw.get("tip", "")
    if not isinstance(label, str) or not label.strip():
        raise RubricError(f"{here}: label must be a short text")
    if not isinstance(tip, str):
        raise RubricError(f"{here}: tip must be a text")
    return Criterion(
        id=cid,
        dimension=dim,
        points=points,
        label=label.strip(),
        tip=" ".join(tip.split()),
        check=name,
        args=args,
        limit=limit,
        flag=flag,
        critical=critical,
        cap=cap,
        only_if=_only_if(raw.get("only_if"), f"{here}: only_if"),
    )


def parse_rubric(data: Any, where: str = "rubric") -> Rubric:
    """Validate a whole rubric document: ``weights``, ``caps`` and ``criteria``."""
    if not isinstance(data, dict):
        raise RubricError(f"{where}: expected a mapping with 'criteria'")
    for key in data:
        if key not in ("weights", "caps", "criteria"):
            raise RubricError(f"{where}: unknown section {key!r} (weights, caps, criteria)")
    weights = dict.fromkeys(DIMENSIONS, 1.0)
    raw_w = data.get("weights") or {}
    if not isinstance(raw_w, dict):
        raise RubricError(f"{where}.weights: expected {{dimension: weight}}")
    weights.update(raw_w)
    _check_weights(weights, f"{where}.weights")
    caps = _caps(data.get("caps"), f"{where}.caps")
    raw_c = data.get("criteria")
    if not isinstance(raw_c, list) or not raw_c:
        raise RubricError(f"{where}.criteria: expected a list of criteria")
    criteria = [parse_criterion(c, f"{where}.criteria[{i}]") for i, c in enumerate(raw_c)]
    seen: set[str] = set()
    for c in criteria:
        if c.id in seen:
            raise RubricError(f"{where}: criterion id {c.id!r} is used twice")
        seen.add(c.id)
    return Rubric(criteria=tuple(criteria), weights=weights, caps=dict(caps))


# --- what a criterion needs to be assessed -------------------------------------------------------

#: What a call record may lack. A played call has everything; a scored transcript has no
#: preparation actions, notes or persona state, and no case file unless a scenario is given; a
#: call rightly not made has no call. Criteria that need something missing are *not assessed*,
#: not failed.
CAPABILITIES: tuple[str, ...] = ("call", "case_file", "preparation", "notes", "persona")

#: Events that compare a line with the case file, the authority or the persona's means.
CASE_EVENTS: frozenset[str] = frozenset({
    "correct_amount", "wrong_amount", "correct_invoice", "wrong_invoice", "wrong_date",
    "wrong_name", "wrong_company", "correct_company", "pressed_paid_debt", "offer_affordable",
    "offer_unaffordable", "offer_outside_authority", "settlement_offer", "below_floor",
})

NEEDS_REASONS: Mapping[str, str] = {
    "call": "no call was made",
    "case_file": "needs the case file (score with --scenario)",
    "preparation": "preparation actions are not in a transcript",
    "notes": "call notes are not in a transcript",
    "persona": "needs the simulated debtor's state (outcome, facts), which a transcript lacks",
}


def needs(c: Criterion) -> frozenset[str]:
    """What must be on record for this criterion to be judged (see CAPABILITIES)."""
    out: set[str] = set()
    if c.check in ("prep_action", "contact_decision"):
        out.add("preparation")
    elif c.check == "contact_rules":
        out.add("case_file")
    else:
        out.add("call")
    if c.check in ("contact_decision", "summary_matches_agreement"):
        out.add("case_file")
    if c.check == "act_before" and "action" in c.args:
        out.add("preparation")
    if c.check == "notes_record_outcome":
        out.add("notes")
    if CASE_EVENTS & set(c.args.get("event", ())):
        out.add("case_file")
    if "traits" in c.only_if:  # persona traits come with the scenario
        out.add("case_file")
    if c.check in ("outcome_in", "fact_present", "fact_absent"):
        out.add("persona")  # what the simulated debtor concluded: not in a real call's text
    return frozenset(out)


DEFAULT_RUBRIC = Path(__file__).parent / "data" / "rubric.yaml"


def load_rubric(path: Path | None = None) -> Rubric:
    """Read and validate a rubric file; the packaged default when no path is given."""
    path = Path(path) if path is not None else DEFAULT_RUBRIC
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise RubricError(f"{path}: cannot read the rubric ({e.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise RubricError(f"{path}: not valid YAML ({e})") from None
    return parse_rubric(data, where=path.name)


def validate_overrides(overrides: RubricOverrides, rubric: Rubric | None = None) -> Rubric:
    """The rubric a scenario's `rubric:` block produces; raises `RubricError` if it is wrong.

    For `collectsim check`: a bad scenario rubric is then reported before anyone plays it.
    """
    return (rubric if rubric is not None else load_rubric()).with_overrides(overrides)


__all__ = [
    "CAP_KEYS",
    "CHECKS",
    "DEFAULT_RUBRIC",
    "DIMENSIONS",
    "PREP_ACTIONS",
    "ArgSpec",
    "CheckSpec",
    "Criterion",
    "Rubric",
    "RubricError",
    "load_rubric",
    "parse_criterion",
    "parse_rubric",
    "validate_overrides",
]
