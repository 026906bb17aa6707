"""The typo corrector's word list, with a filter that finds the close words without scoring all.

A trainee's word that is not in the vocabulary is corrected to the closest vocabulary word with
``fuzz.ratio >= cutoff`` (see :mod:`.normalize`). Scoring it against every word (~2,200) costs
about 125 µs, and a line of new words pays that per word: a pasted paragraph of unfamiliar words
took 34 ms. Most vocabulary words cannot reach the cut-off, and a character-pair count proves it
cheaply, for all words at once; only the words left are scored, in the original order, so the
answer is exactly what ``process.extractOne`` over the whole list gives (a property test checks
it).

Why the filter is sound. ``fuzz.ratio`` is ``100 * (1 - d / (L + l))`` with ``d`` the Indel
distance (insertions plus deletions) between the token (``L`` characters) and a word (``l``).
Reaching the cut-off ``c`` needs ``d <= D = (1 - c/100) * (L + l)``, and so ``|L - l| <= D``. Pad
both with a space; the word has ``l + 1`` character pairs. Take an optimal alignment: ``b`` word
characters are deleted and ``a`` token characters inserted, with ``a + b = d`` and
``a - b = L - l``. A deleted character breaks at most the two pairs it is in, and an inserted
one at most the one pair it splits, so at least ``l + 1 - 2b - a`` of the word's pairs appear,
at distinct places, among the token's pairs. Since ``2b + a = (3d - (L - l)) / 2``, a word of
which fewer than ``(L + l + 2 - 3D) / 2`` pairs occur in the token (counted with the word's
multiplicity) cannot reach the cut-off.

The counting is the same trick as in :mod:`.phrases`: one big integer per character pair with a
byte per word holding how often the pair occurs in it; adding up the integers of the token's
pairs counts every word at once. Each byte starts at ``128 - need`` (0 for a word whose length
rules it out), so its top bit is set exactly when the word passes. Bytes rather than tighter
fields, so that the integers are built with ``int.from_bytes`` and read back with ``bytes.find``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from operator import add

from rapidfuzz import fuzz, process

_CARRY = 0x80  # one byte per word; its top bit says "may reach the cut-off"
_TOP = bytes([_CARRY])


def _pairs(word: str) -> list[str]:
    padded = f" {word} "
    return list(map(add, padded[:-1], padded[1:]))


class WordIndex:
    """``closest(token)``: the best vocabulary word by ``fuzz.ratio`` at or above the cut-off."""

    scorer = staticmethod(fuzz.ratio)

    def __init__(self, words: Sequence[str], cutoff: float) -> None:
        self.words: list[str] = list(words)
        self.cutoff = float(cutoff)
        n = len(self.words)
        columns: dict[str, bytearray] = {}
        for col, word in enumerate(self.words):
            if len(word) + 1 >= _CARRY:
                continue  # too long to count in a byte: always scored (see _start)
            for pair, k in Counter(_pairs(word)).items():
                if pair not in columns:
                    columns[pair] = bytearray(n)
                columns[pair][col] = k
        self._rows = {pair: int.from_bytes(col, "little") for pair, col in columns.items()}
        self._size = n
        self._carry = int.from_bytes(_TOP * n, "little")
        # Each word's length as a byte (longer ones are never counted anyway): a token length's
        # starting counts are then one bytes.translate away.
        self._lengths = bytes(min(len(w), 255) for w in self.words)
        self._distinct = sorted(set(self._lengths))
        self._starts: dict[int, int] = {}

    def max_distance(self, a: int, b: int) -> int:
        """The largest Indel distance between strings of lengths ``a`` and ``b`` that still
        reaches the cut-off (rounded up a hair, so float rounding can only loosen the filter)."""
        return math.floor((100.0 - self.cutoff) * (a + b) / 100.0 + 1e-9)

    def _start(self, length: int) -> int:
        """Every word's starting count for tokens of ``length`` characters, packed."""
        by_len = bytearray(256)
        for l in self._distinct:  # noqa: E741 - the l of the docstring
            d = self.max_distance(length, l)
            if l + 1 >= _CARRY:
                by_len[l] = _CARRY  # not counted: passes
            elif abs(length - l) > d:
                by_len[l] = 0  # the lengths alone rule it out: never reaches the top bit
            else:
                need = math.ceil((length + l + 2 - 3 * d) / 2)
                by_len[l] = _CARRY - min(max(need, 0), _CARRY)
        start = int.from_bytes(self._lengths.translate(by_len), "little")
        if len(self._starts) > 256:  # token lengths are few; bound it anyway
            self._starts.clear()
        self._starts[length] = start
        return start

    def candidates(self, token: str) -> list[str]:
        """The words that may reach the cut-off, in their original order."""
        packed = self._starts.get(len(token))
        if packed is None:
            packed = self._start(len(token))
        rows = self._rows
        for pair in set(_pairs(token)):
            row = rows.get(pair)
            if row is not None:
                packed += row
        packed &= self._carry
        if not packed:
            return []
        flags = packed.to_bytes(self._size, "little")  # byte i is 0x80 when word i passes
        words = self.words
        out = []
        at = flags.find(_TOP)
        while at >= 0:
            out.append(words[at])
            at = flags.find(_TOP, at + 1)
        return out

    def closest(self, token: str) -> str | None:
        """What ``process.extractOne(token, words, scorer=fuzz.ratio, score_cutoff=cutoff)``
        would answer, found by scoring only the candidates."""
        found = self.candidates(token)
        if not found:
            return None
        best = process.extractOne(token, found, scorer=self.scorer, score_cutoff=self.cutoff)
        return best[0] if best else None
