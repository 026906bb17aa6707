"""The typo corrector's index must answer exactly what scoring the whole vocabulary answers."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from collectsim.analysis import default_analyser
from collectsim.analysis.normalize import TYPO_CUTOFF
from collectsim.analysis.vocabulary import WordIndex

WORDS = default_analyser().normalizer._targets
INDEX = WordIndex(WORDS, TYPO_CUTOFF)


def _reference(token: str, words: list[str] = WORDS, cutoff: float = TYPO_CUTOFF) -> str | None:
    best = process.extractOne(token, words, scorer=fuzz.ratio, score_cutoff=cutoff)
    return best[0] if best else None


@st.composite
def _typo(draw: st.DrawFn) -> str:
    """A vocabulary word with one to three random edits: the tokens correction exists for."""
    word = list(draw(st.sampled_from(WORDS)))
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(word)))
        kind = draw(st.sampled_from("sdit"))
        letter = draw(st.sampled_from(string.ascii_lowercase))
        if kind == "s" and i < len(word):
            word[i] = letter
        elif kind == "d" and i < len(word) and len(word) > 1:
            del word[i]
        elif kind == "t" and i + 1 < len(word):
            word[i], word[i + 1] = word[i + 1], word[i]
        else:
            word.insert(i, letter)
    return "".join(word)


@settings(max_examples=300, deadline=None)
@given(_typo())
def test_a_misspelt_word_gets_the_same_correction_as_scoring_every_word(token: str) -> None:
    assert INDEX.closest(token) == _reference(token)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=string.ascii_lowercase + "éß'", min_size=1, max_size=40))
def test_any_token_gets_the_same_answer_as_scoring_every_word(token: str) -> None:
    assert INDEX.closest(token) == _reference(token)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.text(string.ascii_lowercase, min_size=1, max_size=12), min_size=1, max_size=30),
    st.text(string.ascii_lowercase, min_size=1, max_size=12),
    st.sampled_from([60.0, 75.0, 85.0, 95.0]),
)
def test_ties_and_other_cutoffs_resolve_like_extract_one(
    words: list[str], token: str, cutoff: float
) -> None:
    """Equal scores go to the earlier word, as with extractOne, at any cut-off."""
    index = WordIndex(words, cutoff)
    assert index.closest(token) == _reference(token, words, cutoff)


def test_common_slips_are_corrected_and_unrelated_words_left_alone() -> None:
    assert INDEX.closest("undrstand") == "understand"
    assert INDEX.closest("recieved") == "received"
    assert INDEX.closest("xylophone") is None


def test_words_too_long_for_a_counter_field_are_still_found() -> None:
    long_word = "a" * 70 + "b"
    index = WordIndex(["short", long_word], 85.0)
    assert index.closest("a" * 70 + "c") == long_word
