"""Turn and Finding write their own __init__ (filling the instance dict at once is half the cost
of the generated frozen one): it must take exactly the fields, in order, with their defaults,
and the objects must behave as the frozen dataclasses they are."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle

import pytest

from collectsim.scoring import Finding
from collectsim.transcript import Turn

FAST_INIT = [Turn, Finding]


@pytest.mark.parametrize("cls", FAST_INIT, ids=lambda c: c.__name__)
def test_init_takes_exactly_the_fields_with_their_defaults(cls: type) -> None:
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    fields = dataclasses.fields(cls)
    assert [p.name for p in params] == [f.name for f in fields]
    for p, f in zip(params, fields, strict=True):
        assert p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        want = inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default
        assert p.default == want, f.name
        assert f.default_factory is dataclasses.MISSING, f.name  # would need the generated init


def test_turn_behaves_as_a_frozen_dataclass() -> None:
    t = Turn(3, "trainee", "Hello", acts=("greet",), slots=(("amounts", [1.0]),))
    assert (t.n, t.speaker, t.text, t.acts, t.events, t.kind, t.in_call) == (
        3, "trainee", "Hello", ("greet",), (), None, True)
    assert t == Turn(n=3, speaker="trainee", text="Hello", acts=("greet",),
                     slots=(("amounts", [1.0]),))
    assert t != Turn(3, "trainee", "Hello")
    d = Turn(4, "debtor", "Hi", tags=("angry",), rule="r", stage="s", meters=(("patience", 5.0),))
    assert hash(d) == hash(Turn(4, "debtor", "Hi", tags=("angry",), rule="r", stage="s",
                                meters=(("patience", 5.0),)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.n = 5  # type: ignore[misc]
    moved = dataclasses.replace(d, n=9, in_call=False)
    assert (moved.n, moved.in_call, moved.tags, moved.rule) == (9, False, ("angry",), "r")
    assert pickle.loads(pickle.dumps(d)) == d
    assert copy.deepcopy(d) == d
    assert dataclasses.asdict(d)["meters"] == (("patience", 5.0),)
    assert repr(d).startswith("Turn(n=4, speaker='debtor', text='Hi', acts=(), events=(), tags=(")


def test_finding_behaves_as_a_frozen_dataclass() -> None:
    f = Finding("close", "Polite end", "polite_end", -5, None, None, "Say goodbye.")
    assert f == Finding(dimension="close", criterion="Polite end", id="polite_end", points=-5,
                        turn=None, evidence=None, tip="Say goodbye.")
    assert hash(f) == hash(dataclasses.replace(f))
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.points = 3  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(f)) == f
    assert f.to_json()["points"] == -5


def test_a_scored_transcript_agrees_to_the_day_asked_for_last_as_a_played_call_does() -> None:
    from collectsim.loading import load_library
    from collectsim.transcripts import parse_text, to_record

    text = """Collector: Hi, this is Jamie from Coastal Linen Services. Is this Marco Bellini?
Debtor: Yes, it's Marco.
Collector: Can you pay the $1,260 for invoice L-2207 by Friday November 27?
Debtor: Friday? No, not this week.
Collector: Could you pay it by monday nov 30th instead?
Debtor: Okay, fine, I promise. Monday.
"""
    record = to_record(parse_text(text), load_library().bind("call-me-later"))
    assert record.agreement is not None and record.agreement.total == 1260
    assert any("30" in d for d in record.agreement.dates)
    assert not any("27" in d for d in record.agreement.dates)
