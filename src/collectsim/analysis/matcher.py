"""The act matcher: data-driven regex patterns plus one fuzzy phrase-bank pass per line.

All act knowledge is in ``data/acts.yaml`` (patterns, phrases, vetoes, negation) and
``data/textspeak.yaml``; this module only knows how to apply it.

Design (why):

* Lines are normalised first (see :mod:`.normalize`): text-speak expanded, typos corrected token by
  token against the vocabulary of acts.yaml. After that most acts are plain regexes over clean
  English, which is both the most precise tool and the cheapest (a few µs per act).
* Fixed expressions ("that sounds really hard", "thanks for your time") go in a phrase bank that is
  matched with **one** ``rapidfuzz.process.cdist`` call per line using ``fuzz.partial_ratio``:
  it asks "does something very close to this phrase occur *inside* the line?", which is what
  phrase spotting needs, and absorbs a dropped/extra letter or a small word change that regexes
  miss. ``ratio``/``token_set_ratio`` compare whole strings or bags of words and so either miss a
  phrase inside a long line or ignore word order. The cut-off (``phrase_cutoff``, 90) allows about
  one edit per ten characters; phrases are padded with spaces so a short phrase cannot match inside
  a longer word, and a phrase longer than the line is ignored (partial_ratio would otherwise match
  the line inside the phrase).
* Negation is data too: for acts marked ``negatable``, a match preceded within a few tokens by a
  negator ("i am not threatening", "i will not call your employer") does not count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import yaml
from rapidfuzz import fuzz, process

from collectsim.acts import ACT_SET, order_acts
from collectsim.analysis.normalize import MAX_CHARS, Normalizer, clean
from collectsim.analysis.result import Analysis
from collectsim.analysis.slots import SlotExtractor, is_shouting

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_REGEX_ESCAPE = re.compile(r"\\[a-zA-Z]|\(\?P?<[a-z_]+>")
_WORD = re.compile(r"[a-z]{2,}")


def regex_words(source: str) -> list[str]:
    """Literal words of a pattern (for the typo-correction vocabulary)."""
    return _WORD.findall(_REGEX_ESCAPE.sub(" ", source))


def load_yaml(name: str) -> Any:
    """A data file shipped in ``collectsim/data``."""
    text = resources.files("collectsim").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=_Loader)


def _union(patterns: Iterable[str]) -> re.Pattern[str] | None:
    parts = [f"(?:{p})" for p in patterns]
    return re.compile("|".join(parts)) if parts else None


@dataclass(frozen=True)
class ActRule:
    """One act's compiled knowledge from acts.yaml."""

    name: str
    pattern: re.Pattern[str] | None
    slot_pattern: re.Pattern[str] | None
    unless: re.Pattern[str] | None
    negatable: bool


class Analyser:
    """Analyses trainee lines into acts and slots; build once, reuse (it caches corrections)."""

    #: The fuzzy scorer of the phrase bank, exposed for benchmarks (see module docstring).
    scorer = staticmethod(fuzz.partial_ratio)

    def __init__(
        self, acts: Mapping[str, Any] | None = None, textspeak: Mapping[str, str] | None = None
    ) -> None:
        acts = acts if acts is not None else load_yaml("acts.yaml")
        textspeak = textspeak if textspeak is not None else load_yaml("textspeak.yaml")["map"]
        self.score_cutoff: float = float(acts.get("phrase_cutoff", 90))
        self.negation_window: int = int(acts.get("negation_window", 3))
        self._negators = frozenset(acts.get("negators", ()))
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
                    _union(patterns),
                    _union(slot_patterns),
                    _union(spec.get("unless", [])),
                    bool(spec.get("negatable", False)),
                )
            )
        self.normalizer = Normalizer(textspeak, vocabulary)
        self.slots = SlotExtractor(textspeak)
        #: The phrase bank as matched (space-padded), exposed for benchmarks.
        self.phrases: list[str] = [f" {p} " for p in phrases]
        self._phrase_owner = np.array(owners, dtype=np.int64)
        self._phrase_len = np.array([len(p) for p in self.phrases], dtype=np.int64)

    def _negated(self, tokens_before: str) -> bool:
        words = tokens_before.split()[-self.negation_window :]
        return any(w in self._negators for w in words)

    def _pattern_hit(self, pattern: re.Pattern[str], line: str, negatable: bool) -> bool:
        for m in pattern.finditer(line):
            if not negatable or not self._negated(line[: m.start()]):
                return True
        return False

    def _phrase_hits(self, line: str) -> set[int]:
        """Rule indices whose phrases occur (fuzzily) in the line: one cdist call."""
        if not self.phrases:
            return set()
        padded = f" {line} "
        scores = process.cdist(
            [padded], self.phrases, scorer=self.scorer, score_cutoff=self.score_cutoff
        )[0]
        hit = (scores > 0) & (self._phrase_len <= len(padded))
        hits: set[int] = set()
        for i in np.flatnonzero(hit):
            rule = int(self._phrase_owner[i])
            if rule in hits:
                continue
            if self.rules[rule].negatable:
                align = fuzz.partial_ratio_alignment(self.phrases[i], padded)
                if align is not None and self._negated(padded[: align.dest_start]):
                    continue
            hits.add(rule)
        return hits

    def analyse(self, text: str) -> Analysis:
        """Acts and slots of one trainee line; never raises on any input."""
        cleaned = clean(text)
        line = " ".join(self.normalizer.tokens(cleaned))
        amounts, invoices, dates, instalments = self.slots.extract(cleaned)
        has_slot = bool(amounts or invoices or dates)
        found: set[str] = set()
        phrase_hits = self._phrase_hits(line) if line else set()
        for index, rule in enumerate(self.rules):
            hit = index in phrase_hits
            if not hit and rule.pattern is not None:
                hit = self._pattern_hit(rule.pattern, line, rule.negatable)
            if not hit and has_slot and rule.slot_pattern is not None:
                hit = self._pattern_hit(rule.slot_pattern, line, rule.negatable)
            if hit and rule.unless is not None and rule.unless.search(line):
                hit = False
            if hit:
                found.add(rule.name)
        return Analysis(
            text=text if isinstance(text, str) else str(text),
            acts=order_acts(found),
            amounts=amounts,
            invoice_numbers=invoices,
            dates=dates,
            instalments=instalments,
            shouting=is_shouting(cleaned[:MAX_CHARS]),
        )
