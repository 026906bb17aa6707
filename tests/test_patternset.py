"""The speed-ups of the analyser must never change what it finds.

The RE2 pattern set only decides which regexes are worth running, and the phrase bank's q-gram
filter only decides which phrases are worth scoring; an analysis with every regex run and every
phrase scored must come out the same, for any line a trainee could type.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import process

from collectsim.analysis import Analyser
from collectsim.analysis.patternset import PatternSet, same_in_both, strip_lookarounds
from collectsim.analysis.phrases import PhraseBank


@pytest.fixture(scope="module")
def analyser() -> Analyser:
    return Analyser()


def _full_analyser() -> Analyser:
    """An analyser that runs every regex and scores every phrase: the slow reference."""
    a = Analyser()
    everything = tuple(range(a._unit_set.size))
    a._unit_set.candidates = lambda text: everything  # type: ignore[method-assign]
    slot_all = frozenset(range(a.slots._set.size))
    a.slots.live = lambda text: slot_all  # type: ignore[method-assign]
    bank = a._bank
    bank.hits = lambda line, words=None: sorted(  # type: ignore[method-assign]
        i
        for i, p in enumerate(bank.phrases)
        if len(p) <= len(line) and bank.scorer(p, line, score_cutoff=bank.cutoff)
    )
    return a


@pytest.fixture(scope="module")
def reference() -> Analyser:
    return _full_analyser()


COLLECTION_WORDS = [
    "i",
    "understand",
    "that",
    "sounds",
    "really",
    "hard",
    "can",
    "you",
    "pay",
    "$460",
    "by",
    "friday",
    "invoice",
    "INV-4471",
    "on",
    "the",
    "3rd",
    "of",
    "november",
    "tomorrow",
    "at",
    "10am",
    "we",
    "will",
    "not",
    "send",
    "bailiffs",
    "sorry",
    "to",
    "hear",
    "thanks",
    "for",
    "your",
    "time",
    "over",
    "4",
    "payments",
    "half",
    "past",
    "two",
    "next",
    "week",
    "€200",
    "£50",
    "12/3",
    "2026-11-30",
    "quid",
    "grand",
    "[bold]",
    "é",
    "ça",
    "٣",
    "K",
    "!!!",
    "?",
]

lines = st.one_of(
    st.text(max_size=120),
    st.lists(st.sampled_from(COLLECTION_WORDS), max_size=14).map(" ".join),
)


@settings(max_examples=300, deadline=None)
@given(lines)
def test_the_filters_never_change_an_analysis(analyser: Analyser, reference: Analyser, line: str):
    assert analyser.analyse(line) == reference.analyse(line)


def test_library_lines_analyse_the_same_with_and_without_filters(
    analyser: Analyser, reference: Analyser
):
    from pathlib import Path

    from collectsim.analysis.evaluate import load_labelled

    labelled = load_labelled(Path(__file__).parent / "data" / "labelled_lines.yaml")
    texts = [text for split in labelled.values() for text, _ in split]
    assert len(texts) > 1000
    for text in texts:
        assert analyser.analyse(text) == reference.analyse(text), text


def _mutated(phrase: str, edits: list[tuple[int, int, str]]) -> str:
    chars = list(phrase)
    for kind, where, letter in edits:
        if not chars:
            break
        i = where % len(chars)
        if kind == 0:
            del chars[i]
        elif kind == 1:
            chars.insert(i, letter)
        else:
            chars[i] = letter
    return "".join(chars)


def _scored_one_by_one(bank: PhraseBank, line: str) -> list[int]:
    """The phrases found by scoring every phrase that fits the line: the filter's reference."""
    fit = [i for i, p in enumerate(bank.phrases) if len(p) <= len(line)]
    bank_fit = [bank.phrases[i] for i in fit]
    scores = process.cdist([line], bank_fit, scorer=bank.scorer, score_cutoff=bank.cutoff)[0]
    return [i for i, s in zip(fit, scores, strict=True) if s]


@settings(max_examples=300, deadline=None)
@given(
    st.data(),
    st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 200), st.sampled_from("abcdeorst ")),
        max_size=5,
    ),
    st.sampled_from(["", " ok ", " well i think ", " "]),
    st.sampled_from(["", " today ", " "]),
)
def test_the_phrase_filter_finds_what_scoring_every_phrase_finds(
    analyser: Analyser, data: st.DataObject, edits: list, before: str, after: str
):
    phrase = data.draw(st.sampled_from(analyser.phrases))
    line = before + _mutated(phrase, edits) + after
    bank = PhraseBank(analyser.phrases, analyser.score_cutoff)
    expected = _scored_one_by_one(bank, line)
    assert bank.hits(line) == expected


@settings(max_examples=200, deadline=None)
@given(
    st.data(),
    st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 200), st.sampled_from("abcdeorst ")),
        max_size=5,
    ),
    st.lists(st.sampled_from(COLLECTION_WORDS), min_size=4, max_size=40),
    st.lists(st.sampled_from(COLLECTION_WORDS), min_size=4, max_size=40),
)
def test_on_long_lines_the_chunked_filter_finds_what_scoring_every_phrase_finds(
    analyser: Analyser, data: st.DataObject, edits: list, before: list, after: list
):
    """Lines longer than two phrases are counted chunk by chunk; a phrase anywhere in them,
    also across a chunk border, must still be found."""
    phrase = data.draw(st.sampled_from(analyser.phrases))
    line = " " + " ".join(before) + _mutated(phrase, edits) + " ".join(after) + " "
    bank = PhraseBank(analyser.phrases, analyser.score_cutoff)
    expected = _scored_one_by_one(bank, line)
    assert bank.hits(line) == expected
    assert bank.hits(line, line.split()) == expected


def test_a_phrase_with_a_typo_is_still_found_and_a_different_one_is_not():
    bank = PhraseBank([" that sounds really hard ", " thanks for your time "], 90)
    assert bank.hits(" oh that sound realy hard for you ") == [0]
    assert bank.hits(" that is a hard one ") == []
    assert bank.hits(" thanks for your time ") == [1]


@pytest.mark.parametrize(
    ("source", "stripped"),
    [
        (r"(?<= \.) so what(?= \. | $)", " so what"),
        (r"(?<!did you )have a (?:good|nice) day", "have a (?:good|nice) day"),
        (r"\(?<=x\) [(?=]a", r"\(?<=x\) [(?=]a"),  # escaped parens and a class are literals
        (r"a(?=(b|c)d)e", "ae"),  # nested groups inside a lookahead go with it
        (r"[]()]x(?!y)", "[]()]x"),  # a class starting with ] keeps its parentheses
    ],
)
def test_lookarounds_are_stripped_without_touching_literals(source: str, stripped: str):
    assert strip_lookarounds(source) == stripped


def test_a_pattern_re2_cannot_read_is_always_run():
    patterns = [re.compile(r"(a)\1"), re.compile("xyz")]
    ps = PatternSet(patterns)
    assert ps.always == (0,)
    assert ps.candidates("no match here") == (0,)
    assert ps.candidates("xyz") == (0, 1)


def test_unicode_letters_send_a_line_to_the_exact_path():
    assert same_in_both("pay €200 or £50 now")
    assert not same_in_both("café")
    assert not same_in_both("pay ٣ now")  # a digit to Python, not to RE2
    ps = PatternSet([re.compile(r"\bcaf\b")])
    assert ps.candidates("café") == (0,)  # \b differs between the engines here: run it


def test_a_filter_reports_potential_matches_only():
    ps = PatternSet([re.compile("abc"), re.compile(r"\d+"), re.compile("(?<= )xyz")], "filter")
    found = ps.candidates("no letters in order here")
    assert 1 in found and 0 not in found and 2 not in found  # \d+ has no literal: always run
    assert {0, 1} <= set(ps.candidates("zabc 12")) and 2 not in ps.candidates("zabc 12")
    assert 2 in ps.candidates("a xyz")
