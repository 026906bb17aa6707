"""Keyword pre-filters for regexes: skip a pattern that cannot match before running it.

Speed only, never semantics. :func:`required_words` reads a compiled regex's syntax tree and
returns a set of whole words at least one of which occurs, as a *maximal run of word characters*
(``\\w+`` with non-word characters or the string edge on both sides), in any string the regex
can be found in; or ``None`` when it cannot tell. A line whose ``set(re.findall(r"\\w+", line))``
shares no word with that set cannot match, so the regex need not run.

Why whole words: the act patterns are written over a space-joined token stream and are full of
``\\b`` and literal spaces, so most of them contain a word that is bounded on both sides
("i understand" -> ``understand`` is followed by ``\\b``). Checking for whole words is one C-level
set intersection per line instead of one ``in`` test per literal.

How (sound by construction): a regex is a sequence of items. Runs of *finite* items (literals,
small character classes, alternations and short repeats of those, zero-width assertions) are
expanded into the finite set of strings they can match, with ``\\b``/``^``/``$`` kept as a marker
that stands for "a non-word character or the edge is next to this word character". A word run
inside such a string that has a non-word character or marker on both sides is a whole word of any
string the regex matches. Lookarounds consume nothing, so literals on either side of them are
adjacent; they are otherwise ignored (that only weakens the filter). Anything else (``.``,
``[a-z]+``, ``\\w``, optional or unbounded repeats) ends the current run of items; a required
group or alternation is analysed recursively (an alternation needs a word from every branch).
Among the candidate word sets of a sequence the least common one is kept. Patterns with inline
flags (``(?i)``...) are not filtered.
"""

from __future__ import annotations

import re
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as P  # type: ignore[attr-defined]

#: Stand-ins in expanded strings, both "no word character on this side of a neighbouring word
#: character": a zero-width \b, ^ or $ (_MARK), and one consumed non-word character such as \s
#: (_NW). Both end a word run; they differ in what precedes the next item (see _edge_after).
_MARK = "\x00"
_NW = "\x01"
#: At most this many strings are expanded for one run of finite items.
_LIMIT = 1024
_WORD_RUN = re.compile(r"\w+")

#: Words too common to be worth filtering on (a filter on them is still sound, just useless).
_COMMON = frozenset(
    """a an the i you we he she they it me us him her them my your our their this that these
    those is are was were be been am do does did not no to of in on at for with from by and or
    but if so as about can could will would shall should may might must have has had get got
    just really very what why how when where who which there here then now please ok okay
    going go know want need like let""".split()
)


class _Opaque(Exception):
    """The regex uses a construct the filter does not model (inline flags...)."""


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _whole_words(s: str) -> list[str]:
    """Word runs of an expanded string with a non-word character or a stand-in on both sides."""
    out = []
    i, n = 0, len(s)
    while i < n:
        if _is_word_char(s[i]):
            j = i
            while j < n and _is_word_char(s[j]):
                j += 1
            if i > 0 and j < n:  # bounded inside s by a non-word char or a marker
                out.append(s[i:j])
            i = j
        else:
            i += 1
    return out


def _cost(words: frozenset[str]) -> float:
    return sum(50.0 if w in _COMMON else 1.0 + 4.0 / len(w) for w in words)


def _pick(strings: set[str]) -> frozenset[str] | None:
    """One whole word per expanded string (the least common), or None if one has none."""
    picks = set()
    for s in strings:
        words = _whole_words(s)
        if not words:
            return None
        picks.add(min(words, key=lambda w: (_cost(frozenset([w])), w)))
    return frozenset(picks)


#: Character-class members that never match a word character.
_NON_WORD_CATEGORIES = {C.CATEGORY_SPACE, C.CATEGORY_NOT_WORD}


def _non_word(op, av) -> bool:  # noqa: ANN001
    """One character that is never a word character (``\\s``, ``[.,]``, ``[\\s-]``)."""
    if op is C.LITERAL:
        return not _is_word_char(chr(av))
    if op is C.CATEGORY:
        return av in _NON_WORD_CATEGORIES
    if op is C.IN:
        for sub_op, sub_av in av:
            if sub_op is C.LITERAL:
                if _is_word_char(chr(sub_av)):
                    return False
            elif sub_op is C.CATEGORY:
                if sub_av not in _NON_WORD_CATEGORIES:
                    return False
            else:
                return False  # NEGATE, RANGE
        return bool(av)
    return False


def _finite_seq(items: list) -> set[str] | None:
    out = {""}
    for op, av in items:
        f = _finite_item(op, av)
        if f is None or len(out) * len(f) > _LIMIT:
            return None
        out = {a + b for a in out for b in f}
    return out


def _finite_item(op, av) -> set[str] | None:  # noqa: ANN001
    """The strings one item can match (zero-width items as "" or the marker), or None."""
    if op is C.LITERAL:
        return {chr(av)}
    if _non_word(op, av):
        return {_NW}  # one character that cannot be part of a word
    if op is C.IN:
        chars = set()
        for sub_op, sub_av in av:
            if sub_op is not C.LITERAL:
                return None  # NEGATE, ranges, categories
            chars.add(chr(sub_av))
        return chars if len(chars) <= 8 else None
    if op is C.SUBPATTERN:
        _group, add_flags, del_flags, p = av
        if add_flags or del_flags:
            raise _Opaque
        return _finite_seq(list(p))
    if op is C.BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            f = _finite_seq(list(alt))
            if f is None:
                return None
            out |= f
        return out if len(out) <= _LIMIT else None
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        lo, hi, p = av
        body_items = list(p)
        if len(body_items) == 1 and _non_word(*body_items[0]):
            return {_NW} if lo >= 1 else {"", _NW}  # \s+, [\s-]*: non-word characters
        if hi is C.MAXREPEAT or hi > 3:
            return None
        body = _finite_seq(list(p))
        if body is None:
            return None
        out, power = set(), {""}
        for k in range(hi + 1):
            if k >= lo:
                out |= power
            power = {a + b for a in power for b in body}
            if len(out) + len(power) > _LIMIT:
                return None
        return out
    if op is C.AT:
        return {""} if av is C.AT_NON_BOUNDARY else {_MARK}  # \B: no claim at all
    if op in (C.ASSERT, C.ASSERT_NOT):
        return {""}
    return None


_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)
_ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT)


def _empty(op, av) -> bool:  # noqa: ANN001
    """Whether the item may match the empty string (True when unsure)."""
    if op in (C.LITERAL, C.NOT_LITERAL, C.IN, C.CATEGORY, C.ANY):
        return False
    if op is C.SUBPATTERN:
        return all(_empty(*it) for it in av[3])
    if op is C.BRANCH:
        return any(all(_empty(*it) for it in alt) for alt in av[1])
    if op in _REPEATS:
        return av[0] == 0 or all(_empty(*it) for it in av[2])
    return True


def _ends_non_word(items: list, first: bool) -> bool:
    """Whether every non-empty match of the sequence starts (first) / ends with a non-word
    character (False when unsure)."""
    seq = items if first else items[::-1]
    for op, av in seq:
        if op in _ZERO_WIDTH:
            continue
        if not _edge_non_word(op, av, first):
            return False
        if not _empty(op, av):
            return True
    return True  # only empty matches


def _edge_non_word(op, av, first: bool) -> bool:  # noqa: ANN001
    if op in (C.LITERAL, C.IN, C.CATEGORY):
        return _non_word(op, av)
    if op is C.SUBPATTERN:
        return _ends_non_word(list(av[3]), first)
    if op is C.BRANCH:
        return all(_ends_non_word(list(alt), first) for alt in av[1])
    if op in _REPEATS:
        return _ends_non_word(list(av[2]), first)
    return op in _ZERO_WIDTH


def _edge_after(strings: set[str], edge: bool) -> bool:
    """Is the character before the position after a finite item non-word (or the start)?"""
    for x in strings:
        x = x.rstrip(_MARK)  # zero-width: say nothing about the character before
        if x:
            if _is_word_char(x[-1]):
                return False
        elif not edge:
            return False
    return True


def _item_words(op, av, left: bool, right: bool) -> frozenset[str] | None:  # noqa: ANN001
    """Required words of an item that is not finite but must match (groups, alternations);
    ``left``/``right``: a non-word character (or the edge) is known to precede/follow it."""
    if op is C.SUBPATTERN:
        _group, add_flags, del_flags, p = av
        if add_flags or del_flags:
            raise _Opaque
        return _seq_words(list(p), left, right)
    if op is C.BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            words = _seq_words(list(alt), left, right)
            if words is None:
                return None
            out |= words
        return frozenset(out)
    if op in _REPEATS and av[0] >= 1:
        lo, hi, p = av
        body = list(p)
        # the first repetition: followed by what follows the repeat, or by another repetition
        after = right and (
            hi == 1 or (_ends_non_word(body, True) and not all(_empty(*it) for it in body))
        )
        return _seq_words(body, left, after)
    return None


def _seq_candidates(items: list, left: bool = False, right: bool = False) -> list[frozenset[str]]:
    """Word sets of a sequence, each of which is required (a conjunction), least common first.

    ``left``/``right``: the sequence is known to be preceded/followed by a non-word character
    (or the edge of the string) wherever it matches.
    """
    n = len(items)
    # follows[i]: a word character just before items[i:] is the end of a word run
    follows = [False] * (n + 1)
    follows[n] = right
    for i in range(n - 1, -1, -1):
        op, av = items[i]
        if op is C.AT:
            follows[i] = av is not C.AT_NON_BOUNDARY
        elif op in (C.ASSERT, C.ASSERT_NOT):
            follows[i] = follows[i + 1]
        else:
            follows[i] = _edge_non_word(op, av, True) and (
                not _empty(op, av) or follows[i + 1]
            )
    candidates: list[frozenset[str]] = []
    edge = left
    seg: set[str] = {_MARK if edge else ""}

    def flush(right_edge: bool) -> None:
        strings = {x + _MARK for x in seg} if right_edge else seg
        words = _pick(strings)
        if words:
            candidates.append(words)

    for i, (op, av) in enumerate(items):
        f = _finite_item(op, av)
        if f is not None:
            if len(seg) * len(f) <= _LIMIT:
                seg = {a + b for a in seg for b in f}
            else:
                flush(follows[i])
                seg = {(_MARK if edge else "") + b for b in f}
            edge = _edge_after(f, edge)
            continue
        flush(follows[i])
        words = _item_words(op, av, edge, follows[i + 1])
        if words:
            candidates.append(words)
        edge = _edge_non_word(op, av, False) and (edge or not _empty(op, av))
        seg = {_MARK if edge else ""}
    flush(follows[n])
    return sorted(set(candidates), key=lambda ws: (_cost(ws), sorted(ws)))


def _seq_words(items: list, left: bool = False, right: bool = False) -> frozenset[str] | None:
    candidates = _seq_candidates(items, left, right)
    return candidates[0] if candidates else None


def required_words(
    pattern: re.Pattern[str] | str, *, lowered: bool = False
) -> list[frozenset[str]]:
    """Word sets such that a string must contain (as a whole \\w+ run) a word of *each* set for
    ``pattern`` to be found in it, least common first; [] when none is known (module docstring).

    A case-insensitive pattern gets lower-case words only with ``lowered=True``, and the caller
    must then compare them with the words of the *lower-cased ASCII* text: on non-ASCII text
    ``re.IGNORECASE`` has folds that ``str.lower`` has not (``ı`` matches ``i``).
    """
    source = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
    flags = pattern.flags if isinstance(pattern, re.Pattern) else 0
    bad = re.ASCII | re.LOCALE | re.VERBOSE | re.MULTILINE | re.DOTALL
    if not isinstance(source, str) or flags & bad:
        return []
    if flags & re.IGNORECASE:
        if not lowered:
            return []
        flags &= ~re.IGNORECASE
    try:
        tree = P.parse(source, flags)
        if tree.state.flags & (bad | re.IGNORECASE):
            return []
        sets = _seq_candidates(list(tree))
    except (_Opaque, re.error, RecursionError):
        return []
    if lowered:
        sets = [frozenset(w.lower() for w in ws) for ws in sets]
    return sets


class Gate:
    """A regex's keyword pre-filter: ``allows(words)`` is False only if it cannot match."""

    __slots__ = ("sets",)

    def __init__(self, pattern: re.Pattern[str], *, lowered: bool = False, most: int = 3) -> None:
        self.sets = tuple(required_words(pattern, lowered=lowered)[:most])

    def allows(self, words: frozenset[str] | None) -> bool:
        """``words``: :func:`line_words` of the (lower-cased, for ``lowered``) text; None = any."""
        if words is None:
            return True
        for ws in self.sets:
            if ws.isdisjoint(words):
                return False
        return True


#: Splits literal chunks in :func:`required_substrings` expansions (an unknown stretch of text).
_GAP = "\x02"


def _lit_item(op, av) -> set[str] | None:  # noqa: ANN001
    """Like :func:`_finite_item`, for :func:`required_substrings`: characters are themselves,
    zero-width items are "", and ``c+`` is ``c`` then a gap."""
    if op is C.LITERAL:
        return {chr(av)}
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return {""}
    if op is C.SUBPATTERN:
        if av[1] or av[2]:
            raise _Opaque
        return _lit_seq(list(av[3]))
    if op is C.BRANCH:
        alts = [_lit_seq(list(alt)) for alt in av[1]]
        out: set[str] = set().union(*alts)
        if len(out) > _LIMIT:
            # too many spellings: keep only each one's longest chunk, as text of its own
            out = {_GAP + max(x.split(_GAP), key=len) + _GAP for x in out}
        return out if len(out) <= _LIMIT else None
    if op in _REPEATS:
        lo, hi, p = av
        body = _lit_seq(list(p))
        if hi is C.MAXREPEAT or hi > 3:
            if lo == 0:
                return {_GAP}
            return {b + _GAP for b in body} if len(body) <= _LIMIT else None
        out, power = set(), {""}
        for k in range(hi + 1):
            if k >= lo:
                out |= power
            power = {a + b for a in power for b in body}
            if len(out) + len(power) > _LIMIT:
                return None
        return out
    return None  # any character class: an unknown character


def _lit_seq(items: list) -> set[str]:
    """The strings of a sequence, with gaps; an item that cannot be expanded is a gap."""
    out = {""}
    for op, av in items:
        f = _lit_item(op, av)
        if f is None or len(out) * len(f) > _LIMIT:
            f = {_GAP}
        out = {a + b for a in out for b in f}
    return out


def required_substrings(pattern: re.Pattern[str], least: int = 3) -> frozenset[str] | None:
    """Strings one of which occurs in any string ``pattern`` is found in (a fallback for patterns
    without :func:`required_words`: one ``in`` test each); None when not known.

    The pattern is expanded into strings with gaps for what is not a literal; each needs its
    longest literal chunk of at least ``least`` characters.
    """
    if pattern.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    try:
        tree = P.parse(pattern.pattern, pattern.flags)
        if tree.state.flags & (re.IGNORECASE | re.VERBOSE):
            return None
        strings = _lit_seq(list(tree))
    except (_Opaque, re.error, RecursionError):
        return None
    if not strings:
        return None
    out = set()
    for x in strings:
        chunk = max(x.split(_GAP), key=len)
        if len(chunk) < least:
            return None
        out.add(chunk)
    return frozenset(out)


def line_words(line: str) -> frozenset[str]:
    """The whole words of a line, as :func:`required_words` expects them."""
    return frozenset(_WORD_RUN.findall(line))
