"""Slot spans: a claimed span is never read twice, however many mentions a line has."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from collectsim.analysis import default_analyser
from collectsim.analysis.slots import Taken

_SPAN = st.tuples(st.integers(0, 30), st.integers(0, 8)).map(lambda t: (t[0], t[0] + t[1]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_SPAN, st.booleans()), max_size=25))
def test_taken_answers_like_checking_every_claim(steps: list[tuple[tuple[int, int], bool]]) -> None:
    """The interval set must say "free" exactly when no claim so far overlaps, whatever the
    order and overlap of the claims (empty ones included)."""
    taken, claims = Taken(), []
    for span, claim in steps:
        expected = all(span[1] <= s or span[0] >= e for s, e in claims)
        assert taken.free(span) is expected
        if claim:
            taken.add(span)
            claims.append(span)


def test_a_pasted_line_of_many_dates_keeps_every_date_and_no_amount() -> None:
    line = " and ".join(f"on {d}/3 at {d % 12 + 1}pm" for d in list(range(1, 29)) * 3)
    a = default_analyser().analyse(line)
    assert len(a.dates) == 84
    assert a.amounts == ()
