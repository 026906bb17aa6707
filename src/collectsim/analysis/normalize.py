"""Turn whatever a trainee typed into clean text and a canonical token stream.

Two stages, kept apart on purpose:

* :func:`clean` makes any Unicode safe (NFKC, no control/format characters, no ``[bold]`` markup,
  bounded length) while keeping case and punctuation, because slots (``$2,350``, ``INV-4471``,
  ``10/3``) and shouting need them.
* :class:`Normalizer` lowers, expands contractions and text-speak (``textspeak.yaml``) and corrects
  typos token by token against the phrase-bank vocabulary, so that act patterns can be written once
  in plain English and still match ``cn u pay 2day`` or ``i undrstand``. A capitalised word inside
  a sentence is taken for a name and never corrected ("is this Greta?" must not become "is this
  great"); see :data:`_CAPITALISED`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from functools import lru_cache

from collectsim.analysis.vocabulary import WordIndex

#: Acts are read from the start of a line only: a 100 KB paste must cost no more than a long line.
MAX_CHARS = 2000

#: Typo correction: fuzz.ratio (normalised Indel) is the cheapest scorer (~0.1 µs a pair) and
#: treats a swapped or dropped letter as a small edit: "recieved"→"received" 87.5,
#: "undrstand"→"understand" 94.7. At 85 a 7+ letter word may carry one substitution, while
#: different short words stay apart ("bill"/"will" 75, "sorry"/"worry" 80).
TYPO_CUTOFF = 85.0
#: Shorter tokens are too ambiguous to correct (text-speak handles "u", "cn", "pls").
TYPO_MIN_LEN = 5


def _transpositions(word: str) -> list[str]:
    """The word with one pair of neighbouring letters swapped ("reason" -> "raeson", "resaon")."""
    return [
        word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        for i in range(len(word) - 1)
        if word[i] != word[i + 1]
    ]

_MARKUP = re.compile(r"\[/?[a-zA-Z@][\w .#=@:-]{0,40}\]")
_CONTROL_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
_ASCII_CONTROLS = {c: " " for c in [*range(32), 127]}
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
# Irregular contractions first, then the regular suffixes (grammar, not act knowledge).
_IRREGULAR = {"won't": "will not", "can't": "can not", "shan't": "shall not", "ain't": "is not"}
_IRREGULAR_RE = re.compile(r"\b(" + "|".join(map(re.escape, _IRREGULAR)) + r")\b")
# Each with a substring it needs, so a line pays only for the contractions it has.
_SUFFIXES = (
    ("n't", re.compile(r"n't\b"), " not"),
    ("'ll", re.compile(r"'ll\b"), " will"),
    ("'re", re.compile(r"'re\b"), " are"),
    ("'ve", re.compile(r"'ve\b"), " have"),
    ("'m", re.compile(r"'m\b"), " am"),
    ("'d", re.compile(r"'d\b"), " would"),
    ("'s", re.compile(r"\blet's\b"), "let us"),
    ("'s", re.compile(r"\b(it|that|what|there|here|he|she|who|where|how)'s\b"), r"\1 is"),
    ("'", re.compile(r"'s?\b"), ""),
)
#: Distinct raw tokens whose canonical form is remembered (cleared when full).
_TOKEN_CACHE = 65536
#: A word written with a capital and then lower case (Greta, McBride, Zoë) after a word that does
#: not end a sentence: there the capital is deliberate, so the word is a name (or a company) and
#: is not typo-corrected ("is this Greta" / "Mr Morton" / "Severn Water"). Where a capital says
#: nothing it is left to the corrector: the first word of a sentence ("Recieved it", "Undrstand")
#: and words in capitals (shouting "IS THIS GRETA", acronyms). Starts with its first letter, so
#: the scan skips from capital to capital; only words long enough to be corrected are found.
_CAPITALISED = re.compile(
    rf"[A-ZÀ-ÖØ-Þ](?<=[^\s.?!;:] .)[a-zß-öø-ÿ][^\W\d_]{{{TYPO_MIN_LEN - 2},}}"
)
#: Capitalised by convention, so a capital is no sign of a name: "on Wensday" is still a typo.
_CALENDAR = frozenset(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
     "february", "march", "april", "june", "july", "august", "september", "october", "november",
     "december")
)
_NO_NAMES: frozenset[str] = frozenset()
_TOKEN = re.compile(r"[^\W_]+(?:[.,]\d+[^\W_]*)*|[.?!;]+")


def clean(text: object) -> str:
    """Safe, bounded, case-preserving text: never raises, whatever it is given."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = text[: MAX_CHARS * 2]  # NFKC may shrink ligatures; trim again after it
    if text.isascii():
        # the common case, same result: NFKC leaves ASCII alone, and the only ASCII characters
        # of the control categories are C0 controls and DEL (Cc), which split() or translate
        # turns into spaces
        if "[" in text:
            text = _MARKUP.sub(" ", text)
        if not text.isprintable():
            text = text.translate(_ASCII_CONTROLS)
        return " ".join(text.split())[:MAX_CHARS]
    text = unicodedata.normalize("NFKC", text)
    text = _MARKUP.sub(" ", text)
    text = "".join(
        " " if unicodedata.category(ch) in _CONTROL_CATEGORIES else ch for ch in text
    )
    return " ".join(text.split())[:MAX_CHARS]


class Normalizer:
    """Lower-cased, expanded, typo-corrected tokens; one instance per loaded vocabulary."""

    def __init__(self, textspeak: Mapping[str, str], vocabulary: Iterable[str]) -> None:
        self.textspeak = {k.lower(): v.lower() for k, v in textspeak.items()}
        self.vocabulary = frozenset(vocabulary) | frozenset(
            w for v in self.textspeak.values() for w in v.split()
        )
        # Candidates for correction: the longer words only (see TYPO_MIN_LEN).
        self._targets = sorted(w for w in self.vocabulary if len(w) >= TYPO_MIN_LEN - 1)
        self._index = WordIndex(self._targets, TYPO_CUTOFF)
        # Swapped neighbours are the commonest fast-typing slip, but fuzz.ratio counts a swap as
        # two edits, so a 5-6 letter word ("resaon") misses the cut-off: look those up exactly.
        self._swapped: dict[str, str] = {}
        for word in sorted(self._targets):
            if len(word) >= TYPO_MIN_LEN:
                for typo in _transpositions(word):
                    if typo not in self.vocabulary:
                        self._swapped.setdefault(typo, word)
        self.correct = lru_cache(maxsize=65536)(self._correct)
        self._canonical: dict[str, tuple[str, ...]] = {}

    def _correct(self, token: str) -> str:
        """The closest vocabulary word by fuzz.ratio above TYPO_CUTOFF, else the token itself
        (:class:`WordIndex` scores only the words that can reach it: 10 µs, not 125)."""
        if token in self._swapped:
            return self._swapped[token]
        return self._index.closest(token) or token

    def tokens(self, cleaned: str, known: Collection[str] = ()) -> list[str]:
        """Canonical tokens of a cleaned line (see module docstring).

        ``known``: lower-cased words of the names in the case file. They are kept as typed
        wherever they stand, also first in a sentence ("Detailing" is not "dealing", "Morton,
        can you pay?" is no insult), which the capital alone cannot tell.
        """
        text = cleaned.lower().translate(_APOSTROPHES)
        if "'" in text:
            if "n't" in text:
                text = _IRREGULAR_RE.sub(lambda m: _IRREGULAR[m.group(1)], text)
            for needs, pattern, repl in _SUFFIXES:
                if needs in text:
                    text = pattern.sub(repl, text)
        out: list[str] = []
        canonical = self._canonical
        names = self._names(cleaned)
        for tok in _TOKEN.findall(text):
            if tok[0] in ".?!;":
                if out and out[-1] != ".":
                    out.append(".")  # sentence boundary: patterns use it as ^ and $
                continue
            if (names and tok in names) or (known and tok in known):
                out.append(tok)
                continue
            words = canonical.get(tok)
            if words is None:
                words = self._canonical_of(tok)
            out += words
        return out

    def _names(self, cleaned: str) -> frozenset[str]:
        """Lower-cased capitalised words inside a sentence that the corrector would change, and
        so must be kept as typed; usually none. Text-speak still applies ("Hi Sam, Recieved it"
        has a known misspelling, not a name), and so do corrections to weekdays and months."""
        found = _CAPITALISED.findall(cleaned)
        if not found:
            return _NO_NAMES
        names = set()
        for word in map(str.lower, found):
            words = self._canonical.get(word) or self._canonical_of(word)
            if words != (word,) and word not in self.textspeak and words[0] not in _CALENDAR:
                names.add(word)
        return frozenset(names) if names else _NO_NAMES

    def _canonical_of(self, tok: str) -> tuple[str, ...]:
        """The canonical words of one raw token: text-speak expanded, else typo-corrected."""
        speak = self.textspeak
        if tok in speak:
            words = tuple(speak[tok].split())
        elif tok in self.vocabulary or len(tok) < TYPO_MIN_LEN or not tok.isalpha():
            words = (tok,)
        else:
            fixed = self.correct(tok)
            words = tuple(speak.get(fixed, fixed).split())
        if len(self._canonical) >= _TOKEN_CACHE:
            self._canonical.clear()
        self._canonical[tok] = words
        return words
