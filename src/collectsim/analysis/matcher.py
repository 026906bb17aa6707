"""The act matcher: data-driven regex patterns plus one fuzzy phrase-bank pass per line.

All act knowledge is in ``data/acts.yaml`` (patterns, phrases, vetoes, negation) and
``data/textspeak.yaml``; this module only knows how to apply it.

Design (why):

* Lines are normalised first (see :mod:`.normalize`): text-speak expanded, typos corrected token by
  token against the vocabulary of acts.yaml. After that most acts are plain regexes over clean
  English, which is both the most precise tool and the cheapest. RE2's prefilter names the act
  regexes whose required literals are all in the line (:mod:`.patternset`); only those are run.
* Fixed expressions ("that sounds really hard", "thanks for your time") go in a phrase bank
  (:mod:`.phrases`) scored with ``fuzz.partial_ratio`` after a filter that skips the phrases that
  cannot reach the cut-off. It asks "does something very close to this phrase occur *inside* the
  line?", which is what phrase spotting needs, and absorbs a dropped/extra letter or a small word
  change that regexes miss. ``ratio``/``token_set_ratio`` compare whole strings or bags of words
  and so either miss a phrase inside a long line or ignore word order. The cut-off
  (``phrase_cutoff``, 90) allows about one edit per ten characters; phrases are padded with spaces
  so a short phrase cannot match inside a longer word, and a phrase longer than the line is
  ignored (partial_ratio would otherwise match the line inside the phrase).
* Negation is data too: for acts marked ``negatable``, a match preceded within a few tokens by a
  negator ("i am not threatening", "i will not call your employer") does not count. The look-back
  stops at a clause start (``negation_stops``: "if you do not pay **we** will send someone round"
  is not a negated threat).
* ``suppressed_by`` is the "NOT it" column in data: an act is dropped when one of the listed acts is
  also found (a recap of a plan is not a new offer; a threat is not a calm next step).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from collectsim.acts import ACT_SET, order_acts
from collectsim.analysis.normalize import MAX_CHARS, Normalizer, clean
from collectsim.analysis.patternset import PatternSet
from collectsim.analysis.phrases import PhraseBank
from collectsim.analysis.result import Analysis
from collectsim.analysis.slots import SlotExtractor, is_shouting

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_REGEX_ESCAPE = re.compile(r"\\[a-zA-Z]|\(\?P?<[a-z_]+>|\(\?<?[=!:]")
# A pattern word, maybe with one-letter options: "neighbou?rs", "instal+ments", "summari[sz]e".
_WORD = re.compile(r"(?:[a-z]|\[[a-z]+\])(?:[a-z]|\[[a-z]+\]|(?<=[a-z\]])[?+])*")
_UNIT = re.compile(r"([a-z])([?+]?)|\[([a-z]+)\]([?]?)")
_WORD_RUN = re.compile(r"\w+")


def _expand(chunk: str) -> list[str]:
    """All spellings of a pattern word: "neighbou?rs" -> neighbours, neighbors."""
    words = [""]
    for letter, quant, klass, kquant in _UNIT.findall(chunk):
        options = list(klass) if klass else [letter]
        if quant == "+":
            options = [letter, letter * 2]
        if quant == "?" or kquant == "?":
            options = [*options, ""]
        words = [w + o for w in words for o in options][:64]
    return words


def regex_words(source: str) -> list[str]:
    """Literal words of a pattern, all spellings (the typo-correction vocabulary)."""
    words = []
    for chunk in _WORD.findall(_REGEX_ESCAPE.sub(" ", source)):
        words.extend(w for w in _expand(chunk) if len(w) >= 2)
    return words


def load_yaml(name: str) -> Any:
    """A data file shipped in ``collectsim/data``."""
    text = resources.files("collectsim").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=_Loader)


def _anchor(source: str) -> str:
    """Rewrite a pattern for the space-padded line so that it starts with a literal space where
    it can: Python's ``re`` then jumps between spaces instead of trying every position.

    A word start (``\\b``) in the line is always right after a space, so a leading ``\\b``, also
    one behind leading lookbehinds (``(?<!say )\\bhi``), becomes that space, with the
    lookbehinds kept at the same position. ``^`` and ``$`` mean the start and end of a sentence:
    the line keeps ". " tokens for .?!; a sentence starts at the line's first space or at the
    space after " .".
    """
    if source.startswith("^"):
        source = " (?:(?<=^ )|(?<= \\. ))" + source[1:]
    if source.endswith("$") and not source.endswith("\\$"):
        source = source[:-1] + "(?= \\. | $)"
    if source.startswith("\\b"):
        return " " + source[2:]
    behind = _LEADING_LOOKBEHINDS.match(source)
    if behind and source.startswith("\\b", behind.end()):
        return " " + behind.group(0) + source[behind.end() + 2 :]
    return source


_LEADING_LOOKBEHINDS = re.compile(r"(?:\(\?<[!=][^()\\]*\))+")


def _union(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    """Alternations of an act's patterns, ready for the space-padded line.

    Speed, not semantics: the line is matched as " w1 w2 ... " and every pattern that starts at a
    word boundary is rewritten to start with a literal space. All branches of that alternation
    then share the literal prefix, which Python's re factors out and scans for quickly (about 2x
    faster than ``\\b`` branches). Other patterns (``^``, look-behinds) go in a second regex.
    """
    spaced = [_anchor(p) for p in patterns]
    fast = [p[1:] for p in spaced if p.startswith(" ")]
    other = [p for p in spaced if not p.startswith(" ")]
    out = []
    if fast:
        out.append(re.compile(" (?:" + "|".join(f"(?:{p})" for p in fast) + ")"))
    if other:
        out.append(re.compile("|".join(f"(?:{p})" for p in other)))
    return tuple(out)


def _compiled(patterns: Iterable[str], negatable: bool) -> list[re.Pattern[str]]:
    """The regexes actually run for one list of patterns (see :class:`_Unit`).

    A negatable list keeps its :func:`_union` alternations as they are: which match ``finditer``
    reports first decides whether a negator precedes it, so splitting them could change results.
    Otherwise each pattern is a regex of its own: "does any pattern match" is the same question,
    and the pattern set then tells which of them can match.
    """
    if negatable:
        return list(_union(patterns))
    return [re.compile(_anchor(p)) for p in patterns]


@dataclass(frozen=True)
class _Unit:
    """One regex of an act. ``slot`` is ``3 * act index + kind`` (0 patterns, 1 slot_patterns,
    2 unless)."""

    slot: int
    regex: re.Pattern[str]
    negatable: bool


def _words(acts: Mapping[str, Any], key: str) -> frozenset[str]:
    """A word list of acts.yaml; YAML 1.1 reads a bare ``no`` as False, so insist on strings."""
    words = acts.get(key, ())
    bad = [w for w in words if not isinstance(w, str)]
    if bad:
        raise ValueError(f"acts.yaml: {key} must be strings (quote them): {bad!r}")
    return frozenset(words)


@dataclass(frozen=True)
class ActRule:
    """One act's knowledge from acts.yaml beyond its regexes (those are :class:`_Unit` s)."""

    name: str
    negatable: bool
    suppressed_by: frozenset[str] = frozenset()


class Analyser:
    """Analyses trainee lines into acts and slots; build once, reuse (it caches corrections)."""

    #: The fuzzy scorer of the phrase bank, exposed for benchmarks (see module docstring).
    scorer = staticmethod(PhraseBank.scorer)

    def __init__(
        self, acts: Mapping[str, Any] | None = None, textspeak: Mapping[str, str] | None = None
    ) -> None:
        acts = acts if acts is not None else load_yaml("acts.yaml")
        textspeak = textspeak if textspeak is not None else load_yaml("textspeak.yaml")["map"]
        self.score_cutoff: float = float(acts.get("phrase_cutoff", 90))
        self.negation_window: int = int(acts.get("negation_window", 3))
        self._negators = _words(acts, "negators")
        self._negation_stops = _words(acts, "negation_stops")
        self._not_negations = _words(acts, "not_negations")
        self.rules: list[ActRule] = []
        phrases: list[str] = []
        owners: list[int] = []
        vocabulary: set[str] = set(acts.get("vocabulary", ()))
        for name, spec in acts["acts"].items():
            if name not in ACT_SET:
                raise ValueError(f"acts.yaml: unknown act {name!r}")
            spec = spec or {}
            patterns = spec.get("patterns", [])
            slot_patterns = spec.get("slot_patterns", [])
            for source in [*patterns, *slot_patterns]:
                vocabulary.update(regex_words(source))
            for phrase in spec.get("phrases", []):
                vocabulary.update(phrase.split())
                phrases.append(phrase)
                owners.append(len(self.rules))
            self.rules.append(
                ActRule(
                    name,
                    bool(spec.get("negatable", False)),
                    frozenset(spec.get("suppressed_by", ())),
                )
            )
        self._build_units(acts)
        self.normalizer = Normalizer(textspeak, vocabulary)
        self.slots = SlotExtractor(textspeak)
        #: The phrase bank as matched (space-padded), exposed for benchmarks.
        self.phrases: list[str] = [f" {p} " for p in phrases]
        self._bank = PhraseBank(self.phrases, self.score_cutoff)
        self._phrase_owner = owners

    def _build_units(self, acts: Mapping[str, Any]) -> None:
        """The regex units, and the pattern set that tells which of them can match a line."""
        self._units: list[_Unit] = []
        for a, (_name, spec) in enumerate(acts["acts"].items()):
            spec = spec or {}
            negatable = bool(spec.get("negatable", False))
            for kind, key in enumerate(("patterns", "slot_patterns", "unless")):
                for regex in _compiled(spec.get(key, []), negatable and kind < 2):
                    self._units.append(_Unit(3 * a + kind, regex, negatable and kind < 2))
        # A filter, not a set: a DFA of ~540 regexes never stops growing on new lines.
        self._unit_set = PatternSet([u.regex for u in self._units], engine="filter")

    def _live_units(self, line: str) -> dict[int, list[_Unit]]:
        """The units that may match the line, by slot (a unit left out cannot match)."""
        out: dict[int, list[_Unit]] = {}
        units = self._units
        for uid in self._unit_set.candidates(line):
            unit = units[uid]
            if unit.slot in out:
                out[unit.slot].append(unit)
            else:
                out[unit.slot] = [unit]
        return out

    def _units_hit(self, units: list[_Unit], line: str) -> bool:
        """Whether one of the units matches (a negatable one: with no negator before it)."""
        for unit in units:
            if not unit.negatable:
                if unit.regex.search(line):
                    return True
                continue
            for m in unit.regex.finditer(line):
                if not self._negated(line[: m.start()]):
                    return True
        return False

    def _negated(self, tokens_before: str) -> bool:
        """A negator among the last few tokens of the same sentence and clause."""
        words = tokens_before.rsplit(" . ", 1)[-1].split()
        start = max(len(words) - self.negation_window, 0)
        for i in range(len(words) - 1, start - 1, -1):
            word = words[i]
            if word in self._negators:
                # "oh no, i am so sorry", "no worries, take your time": set phrases, not negation
                if " ".join(words[i - 1 : i + 1]) in self._not_negations:
                    continue
                if " ".join(words[i : i + 2]) in self._not_negations:
                    continue
                return True
            if word in self._negation_stops:
                return False
        return False

    def _phrase_hits(self, line: str, words: list[str] | None = None) -> set[int]:
        """Rule indices whose phrases occur (fuzzily) in the line (made of ``words``)."""
        hits: set[int] = set()
        for i in self._bank.hits(line, words):
            rule = self._phrase_owner[i]
            if rule in hits:
                continue
            if self.rules[rule].negatable:
                align = self._bank.alignment(i, line)
                if align is not None and self._negated(line[: align.dest_start]):
                    continue
            hits.add(rule)
        return hits

    def analyse(self, text: str, known: Collection[str] = ()) -> Analysis:
        """Acts and slots of one trainee line; never raises on any input. ``known``: the
        lower-cased words of the case file's names, never typo-corrected."""
        cleaned = clean(text)
        words = self.normalizer.tokens(cleaned, known)
        line = " " + " ".join(words) + " "
        amounts, invoices, dates, instalments = self.slots.extract(cleaned)
        has_slot = bool(amounts or invoices or dates)
        found: set[str] = set()
        phrase_hits = self._phrase_hits(line, words) if words else set()
        live = self._live_units(line)
        # Only acts with a phrase found or a unit that may match can be in the line.
        maybe = phrase_hits | {slot // 3 for slot in live if slot % 3 == 0 or has_slot}
        units_hit = self._units_hit
        rules = self.rules
        for index in maybe:
            slot = 3 * index
            hit = index in phrase_hits
            if not hit:
                units = live.get(slot)
                hit = units is not None and units_hit(units, line)
            if not hit and has_slot:
                units = live.get(slot + 1)
                hit = units is not None and units_hit(units, line)
            if hit:
                units = live.get(slot + 2)
                if units is None or not units_hit(units, line):
                    found.add(rules[index].name)
        if found:
            found = {r.name for r in rules if r.name in found and not (r.suppressed_by & found)}
        return Analysis(
            text=text if isinstance(text, str) else str(text),
            acts=order_acts(found),
            amounts=amounts,
            invoice_numbers=invoices,
            dates=dates,
            instalments=instalments,
            shouting=is_shouting(cleaned[:MAX_CHARS]),
        )
