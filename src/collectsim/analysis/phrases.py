"""The phrase bank: fixed expressions spotted fuzzily inside a line with ``fuzz.partial_ratio``.

``partial_ratio(phrase, line) >= cutoff`` asks whether something very close to the phrase occurs
inside the line (see :mod:`.matcher` for why this scorer). Scoring every phrase of the bank on
every line is the obvious way, and the costly one: most lines contain none of the phrases.

So each line first goes through a q-gram filter that can only rule a phrase *out* when no
alignment could reach the cut-off; the phrases left are scored with the same scorer and cut-off,
and the result is exactly what scoring the whole bank would give (a property test checks it).

Why the filter is sound: ``partial_ratio`` compares the phrase (m characters) with windows of the
line of at most m characters and keeps the best normalised Indel similarity. Reaching the cut-off
``c`` needs a window within ``d = (1 - c/100) * 2m`` insertions and deletions of the phrase. In such
an alignment each unmatched phrase character breaks at most two of the phrase's m-1 character
pairs and each unmatched window character at most one, so at least ``m - 1 - 2d`` of the phrase's
pairs occur in the line. A phrase fewer of whose pairs occur in the line cannot match.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from operator import add

from rapidfuzz import fuzz
from rapidfuzz.distance import ScoreAlignment

#: Bits per phrase in the packed counters (see PhraseBank.hits); phrases up to 255 characters.
_FIELD = 9
_CARRY = 1 << (_FIELD - 1)
#: Words whose character pairs are remembered (cleared when full: any input stays bounded).
_WORD_CACHE = 50_000


class PhraseBank:
    """Phrases (matched as given: the analyser pads them with spaces) and their q-gram filter."""

    #: The scorer and cut-off, exposed for benchmarks against a bare ``process.cdist``.
    scorer = staticmethod(fuzz.partial_ratio)

    def __init__(self, phrases: Sequence[str], cutoff: float) -> None:
        self.phrases: list[str] = list(phrases)
        self.cutoff = float(cutoff)
        # By length (stable), so the phrases longer than a line are skipped with one bisect:
        # partial_ratio would otherwise find the line inside the phrase.
        self._order = sorted(range(len(self.phrases)), key=lambda i: len(self.phrases[i]))
        self._lengths = [len(self.phrases[i]) for i in self._order]
        # The filter counts, for every phrase at once, how many of its character pairs occur in
        # the line: one packed integer per pair, with a 9-bit field per phrase holding how often
        # the pair occurs in that phrase, so adding up the integers of the pairs present adds up
        # every phrase's count in one go. Each field starts at 256 - needed, so its top bit is
        # set exactly when the phrase has enough pairs in the line.
        rows: dict[str, int] = {}
        offset = carry = 0
        for col, i in enumerate(self._order):
            phrase, shift = self.phrases[i], _FIELD * col
            need = len(phrase) - 1 - 2 * self.max_indel(len(phrase))
            if len(phrase) >= _CARRY:  # too long to count in a field: always score it
                need = 0
            for pair, k in Counter(map(add, phrase[:-1], phrase[1:])).items():
                if len(phrase) < _CARRY:
                    rows[pair] = rows.get(pair, 0) + (k << shift)
            offset += (_CARRY - max(need, 0)) << shift
            carry |= _CARRY << shift
        self._rows = rows
        self._pair_set = frozenset(rows)
        self._offset = offset
        self._by_word: dict[str, frozenset[str]] = {}
        #: The longest phrase the filter counts (longer ones always pass it): a chunk's step.
        self._window = max((n for n in self._lengths if n < _CARRY), default=1)
        #: the top bits of the first k phrases, for k = 0..len
        self._fit = [carry & ((1 << (_FIELD * k)) - 1) for k in range(len(self._order) + 1)]

    def max_indel(self, length: int) -> int:
        """The most insertions and deletions a phrase of ``length`` may be off by and still
        reach the cut-off (against a window of the same length, the most lenient case)."""
        return math.floor((100.0 - self.cutoff) * 2 * length / 100.0 + 1e-9)

    def _word_pairs(self, word: str) -> frozenset[str]:
        """The bank's character pairs in `` word `` (cached: a line's words mostly recur)."""
        found = self._by_word.get(word)
        if found is None:
            if len(self._by_word) >= _WORD_CACHE:
                self._by_word.clear()
            padded = f" {word} "
            found = self._by_word[word] = self._pair_set.intersection(
                map(add, padded[:-1], padded[1:])
            )
        return found

    def hits(self, line: str, words: Iterable[str] | None = None) -> list[int]:
        """Indices (into ``phrases``) of the phrases found in ``line``, ascending.

        ``words``: the line is ``" " + " ".join(words) + " "``, so its character pairs are
        those of each `` word `` (neighbouring words share the space), which are cached.
        """
        fit = bisect.bisect_right(self._lengths, len(line))
        if not fit:
            return []
        if len(line) > 2 * self._window:
            packed = self._by_chunks(line) & self._fit[fit]
        else:
            if words is None:
                present = self._pair_set.intersection(map(add, line[:-1], line[1:]))
            else:
                present = frozenset().union(*map(self._word_pairs, words))
            packed = sum(map(self._rows.__getitem__, present), self._offset) & self._fit[fit]
        # A phrase as long as the line is also compared the other way round by partial_ratio,
        # which the filter does not model: always score those.
        same = bisect.bisect_left(self._lengths, len(line), hi=fit)
        packed |= self._fit[fit] ^ self._fit[same]
        scorer, cutoff, phrases, order = self.scorer, self.cutoff, self.phrases, self._order
        found = []
        while packed:
            low = packed & -packed
            packed ^= low
            i = order[(low.bit_length() - 1) // _FIELD]
            if scorer(phrases[i], line, score_cutoff=cutoff):
                found.append(i)
        return sorted(found)

    def _by_chunks(self, line: str) -> int:
        """The filter's verdict on a long line, counted per chunk instead of over the line.

        Over a long line nearly every character pair is present somewhere, so the count lets
        most phrases through (33 of 39 at 250 characters) and each is then scored. But the
        window a phrase is compared with is at most as long as the phrase, so it lies whole
        within one of the chunks ``line[k*w : k*w + 2*w]`` (``w`` the longest phrase): a phrase
        that fails the count in every chunk cannot match. Far fewer pass.
        """
        w = self._window
        rows, pairs, offset, fit = self._rows, self._pair_set, self._offset, self._fit[-1]
        passed = 0
        for start in range(0, len(line) - w, w):
            chunk = line[start : start + 2 * w]
            present = pairs.intersection(map(add, chunk[:-1], chunk[1:]))
            passed |= sum(map(rows.__getitem__, present), offset) & fit
        return passed

    def alignment(self, index: int, line: str) -> ScoreAlignment | None:
        """Where phrase ``index`` sits in ``line`` (for the negation check)."""
        return fuzz.partial_ratio_alignment(self.phrases[index], line)
