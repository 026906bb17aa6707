"""Which of many regexes can match a line, found with Google's RE2 instead of trying each one.

Speed only, never semantics: Python's ``re`` still decides every match. The analyser has a few
hundred act and slot regexes, and most of them cannot match a given line. Two RE2 tools say which
ones can, depending on the size of the set:

* ``re2.Set`` (``engine="set"``) runs one DFA built from all the patterns and reports the ones
  found, in 1-4 µs a line once warm. Its states are built lazily as text is read; for the ~40 slot
  regexes they are soon all built. For the 460-540 act regexes they never are: each new line keeps
  creating states (measured: 300-500 µs a line, not falling after 1,600 different lines), which
  would make every line a trainee has not typed before slow.
* ``re2.Filter`` (``engine="filter"``, RE2's FilteredRE2) takes the literal strings each regex
  needs ("atoms"), finds which atoms occur in the line and reports the regexes whose atoms are
  all there ("potential" matches; a regex without atoms is always reported). Atoms are plain
  strings, so its matcher stays small: 6-20 µs a line on new text, with about 8 candidates left.

A pattern is added as an *over-approximation*: lookarounds, which RE2 does not support, are
removed (dropping a zero-width assertion can only let more lines match). So either tool may report
a pattern that Python then rejects, never miss one Python would find. Three cases fall back to
"run every pattern", which is exact and just slower:

* a pattern RE2 cannot parse even without lookarounds (back-references...);
* a line where ``\\w``, ``\\d``, ``\\b`` or case folding could differ between the engines: Python
  applies Unicode rules to letters, digits and spaces outside ASCII, RE2 ASCII ones. Symbols such
  as ``€`` and ``£`` are the same in both, so they do not force the fallback;
* the DFA running out of memory, detected by a pattern that matches every line (the sentinel) not
  being reported (``engine="set"``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

import re2

#: The DFA's memory budget (RE2's default is 8 MiB; a set of a few hundred patterns needs more).
MAX_MEM = 64 << 20

_LOOKAROUND_OPENERS = ("(?<=", "(?<!", "(?=", "(?!")


def strip_lookarounds(source: str) -> str:
    """``source`` without its lookaround groups (escapes and character classes respected)."""
    out: list[str] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch == "\\":
            out.append(source[i : i + 2])
            i += 2
        elif ch == "[":
            end = _class_end(source, i)
            out.append(source[i:end])
            i = end
        elif ch == "(" and source.startswith(_LOOKAROUND_OPENERS, i):
            i = _group_end(source, i)
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _group_end(source: str, start: int) -> int:
    """The index just past the group opened at ``start``."""
    depth = 0
    i, n = start, len(source)
    while i < n:
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            i = _class_end(source, i)
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


def _class_end(source: str, start: int) -> int:
    """The index just past the character class opened at ``start`` (``[]...]`` and ``[^]...]``
    start with a literal ``]``)."""
    j = start + 1
    n = len(source)
    if j < n and source[j] == "^":
        j += 1
    if j < n and source[j] == "]":
        j += 1
    while j < n and source[j] != "]":
        j += 2 if source[j] == "\\" else 1
    return j + 1


def same_in_both(text: str) -> bool:
    """Whether RE2 (ASCII rules) and Python's ``re`` (Unicode rules) read ``text`` alike: true
    when no character outside ASCII is a letter, digit, underscore or space."""
    if text.isascii():
        return True
    return not any(ord(ch) > 127 and (ch.isalnum() or ch.isspace() or ch == "_") for ch in text)


def _re2_source(pattern: re.Pattern[str]) -> str:
    if pattern.flags & (re.VERBOSE | re.MULTILINE | re.DOTALL | re.LOCALE):
        raise re2.error("flags RE2 would read differently")
    flags = "i" if pattern.flags & re.IGNORECASE else ""
    source = strip_lookarounds(pattern.pattern)
    return f"(?{flags}:{source})" if flags else source


class PatternSet:
    """The indices of ``patterns`` that may match a text (a superset of those that do)."""

    def __init__(
        self, patterns: Sequence[re.Pattern[str]], engine: Literal["set", "filter"] = "set"
    ) -> None:
        self.size = len(patterns)
        self.engine = engine
        options = re2.Options()
        options.max_mem = MAX_MEM
        options.log_errors = False
        self._set: re2.Set | re2.Filter
        if engine == "set":
            self._set = re2.Set.SearchSet(options)
            self._sentinel = self._set.Add("")  # matches every text: its absence means failure
        else:
            self._set = re2.Filter()
            self._sentinel = -1
        self._ids: dict[int, int] = {}  # RE2's index -> pattern index
        always: list[int] = []
        for k, pattern in enumerate(patterns):
            try:
                source = _re2_source(pattern)
                if engine == "set":
                    self._ids[self._set.Add(source)] = k
                else:
                    self._ids[self._set.Add(source, options)] = k
            except re2.error:
                always.append(k)
        if self._ids:
            self._set.Compile()
        #: Patterns RE2 cannot read; they are reported for every text.
        self.always: tuple[int, ...] = tuple(always)
        self._everything = tuple(range(self.size))
        # The filter numbers patterns as added and reports them in ascending order: with every
        # pattern accepted, its answer needs no translation.
        self._direct = engine == "filter" and not always and len(self._ids) == self.size

    def candidates(self, text: str) -> Sequence[int]:
        """Indices (ascending) of the patterns worth running on ``text``."""
        if not same_in_both(text) or not self._ids:
            return self._everything
        if self.engine == "filter":
            found = self._set.Match(text, True) or []
        else:
            found = self._set.Match(text)
            if not found or self._sentinel not in found:
                return self._everything  # the DFA gave up: run everything, never guess
        if self._direct:
            return found  # RE2 numbered the patterns as we do (and sorts what it reports)
        ids = self._ids
        hits = [ids[i] for i in found if i != self._sentinel]
        if self.always:
            return tuple(sorted({*hits, *self.always}))
        return tuple(sorted(hits))
