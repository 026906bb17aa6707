"""Loading trainers' files: exact messages for broken files, limits, discovery, binding, schema.

The corpus in tests/data/broken/ holds one problem (or a handful) per file; each file lists the
diagnostics it must produce in trailing ``# expect: line:col: severity: message`` comments.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import collectsim.loading as loading
from collectsim.diagnostics import Diagnostic, LoadError
from collectsim.loading import (
    PLACEHOLDERS,
    Library,
    library_dirs,
    load_library,
    load_persona_file,
    load_scenario_file,
    placeholder_names,
    resolve_scenario,
)
from collectsim.models import Loaded, Persona, Scenario
from collectsim.yamlio import MAX_FILE_BYTES, Marks, load_yaml

BROKEN = Path(__file__).parent / "data" / "broken"
EXPECT = re.compile(rb"^# expect: (.*?)\r?$", re.MULTILINE)

PERSONA = """\
id: calm
type: legitimate-excuse
description: Pays when heard.
traits: {monthly_budget: 300, lump_sum: 500}
meters:
  patience: 60
  trust: {start: 40, min: 0, max: 80}
stages: [opening, talk, close]
opening: "{debtor.name} speaking."
rules:
  - id: hello
    when: {acts: greet, stage: opening}
    do: {stage: talk, tag: answer}
    say: Hi. What is this about?
  - id: heard
    when: {acts: [empathize]}
    do: {meters: {trust: 10}}
  - id: bye
    when: {acts: close_call}
    do: {end: true, tag: goodbye}
    say: ["Bye, {collector.name}.", "I can do {trait.monthly_budget} a month."]
fallback:
  default: Sorry?
"""

SCENARIO = """\
id: first-call
title: First call
persona: calm
persona_overrides:
  traits: {monthly_budget: 200}
  meters: {trust: 95}
case:
  creditor: {name: Northwind Supplies}
  collector: {name: Sam}
  debtor: {name: Jordan Reyes, date_of_birth: 1985-04-12}
  invoices:
    - {number: 4471, amount: 2350, due: 2026-10-03}
success: [payment_plan]
authority:
  plan: {max_months: 6}
"""


def write_library(root: Path, persona: str = PERSONA, scenario: str = SCENARIO) -> Path:
    (root / "personas").mkdir(parents=True, exist_ok=True)
    (root / "scenarios" / "tests").mkdir(parents=True, exist_ok=True)
    (root / "personas" / "calm.yaml").write_text(persona)
    (root / "scenarios" / "first-call.yaml").write_text(scenario)
    # Conversation tests live here; they are not scenarios and must be skipped.
    (root / "scenarios" / "tests" / "first-call.yaml").write_text("scenario: first-call\n")
    return root


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the real built-in library (being written by others) out of these tests."""
    monkeypatch.setattr(loading, "library_dirs", lambda extra=(): [Path(p) for p in extra])


# --- the broken corpus --------------------------------------------------------------------------


def corpus() -> list[Path]:
    return sorted(BROKEN.glob("*.yaml"))


def expected(path: Path) -> list[str]:
    return [f"{path.name}:{m.decode()}" for m in EXPECT.findall(path.read_bytes())]


@pytest.fixture
def corpus_library(isolated: None, monkeypatch: pytest.MonkeyPatch) -> Library:
    monkeypatch.chdir(BROKEN)
    return load_library(paths=[Path(".")])


def test_corpus_is_broad() -> None:
    files = corpus()
    assert len(files) >= 15
    assert sum(1 for f in files if expected(f)) >= 20


@pytest.mark.parametrize("path", corpus(), ids=lambda p: p.stem)
def test_broken_file_messages(corpus_library: Library, path: Path) -> None:
    got = [str(d) for d in corpus_library.diagnostics if d.file == path.name]
    assert got == expected(path)


def test_corpus_has_nothing_unexpected(corpus_library: Library) -> None:
    names = {p.name for p in corpus()}
    assert {d.file for d in corpus_library.diagnostics} <= names
    assert not corpus_library.ok
    assert "base-persona" in corpus_library.personas


# Files whose problems only show against other files (a duplicate id, an unknown persona).
CROSS_FILE = {"dup_id_b.yaml", "unknown_persona.yaml"}


@pytest.mark.parametrize(
    "path",
    [p for p in corpus() if expected(p) and p.name not in CROSS_FILE],
    ids=lambda p: p.stem,
)
def test_single_file_load_raises_everything(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BROKEN)
    raw = path.read_bytes()
    load = load_scenario_file if b"\ncase:" in raw else load_persona_file
    with pytest.raises(LoadError) as info:
        load(Path(path.name))
    want = expected(path)
    scenario_binding = [w for w in want if "unknown meter 'patiense'" in w and "many" in w]
    want = [w for w in want if w not in scenario_binding]  # needs the persona: library only
    assert sorted(map(str, info.value.diagnostics)) == sorted(want)
    errors = [str(d) for d in info.value.diagnostics if d.severity == "error"]
    more = len(want) - 1
    assert str(info.value) == errors[0] + (f" (and {more} more)" if more else "")


def test_all_problems_of_a_file_at_once(tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_text(
        "id: Bad Id\ntype: x\nstagez: [a]\nmeters: {patience: high}\n"
        "rules:\n  - id: r\n    when: {acts: greeting}\n    do: {tag: angri}\n"
    )
    with pytest.raises(LoadError) as info:
        load_persona_file(f)
    messages = [d.message for d in info.value.diagnostics]
    assert len(messages) == 6
    assert "unknown key 'stagez' (did you mean 'stages'?)" in messages
    assert "missing required key 'stages'" in messages
    assert "unknown act 'greeting' (did you mean 'greet'?)" in messages
    assert "unknown tag 'angri' (did you mean 'angry'?)" in messages
    assert str(info.value).endswith("(and 5 more)")


# --- limits and refusals ------------------------------------------------------------------------


def test_alias_bomb_is_refused_fast() -> None:
    start = time.perf_counter()
    with pytest.raises(LoadError) as info:
        load_yaml((BROKEN / "alias_bomb.yaml").read_bytes(), "bomb.yaml")
    assert time.perf_counter() - start < 1.0
    assert "alias bomb" in str(info.value)


def test_extreme_nesting_is_refused_without_crashing() -> None:
    # libyaml's composer recurses in C: ~30k levels would crash the interpreter outright.
    text = "a: " + "[" * 300_000 + "]" * 300_000
    start = time.perf_counter()
    with pytest.raises(LoadError) as info:
        load_yaml(text, "deep.yaml")
    assert time.perf_counter() - start < 1.0
    assert str(info.value) == (
        "deep.yaml:1:67: error: lists and mappings are nested too deeply (more than 64 levels)"
    )


def test_oversize_file_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "big.yaml"
    f.write_bytes(b"description: " + b"x" * MAX_FILE_BYTES + b"\n")
    start = time.perf_counter()
    with pytest.raises(LoadError) as info:
        load_persona_file(f)
    assert time.perf_counter() - start < 0.5
    (d,) = info.value.diagnostics
    assert (d.line, d.col, d.code) == (1, 1, "size")
    size = f.stat().st_size  # the real size, not just the part read before refusing
    assert d.message == f"the file is too large ({size:,} bytes; the limit is 1,048,576 bytes)"


def test_alias_loop_is_refused() -> None:
    with pytest.raises(LoadError, match="alias refers to the list or mapping containing it"):
        load_yaml("a: &x [1, *x]\n", "loop.yaml")


def test_python_tags_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "owned"
    text = f"id: x\ntype: !!python/object/apply:os.system ['touch {marker}']\nstages: [a]\n"
    with pytest.raises(LoadError, match="Python tags"):
        load_yaml(text, "evil.yaml")
    assert not marker.exists()


# --- the YAML layer -----------------------------------------------------------------------------


def test_marks_point_at_values_and_keys() -> None:
    data, marks = load_yaml(PERSONA, "calm.yaml")
    assert isinstance(marks, Marks)
    assert marks[("rules", 0, "when", "acts")] == (12, 18)
    assert marks.key_at[("rules", 0, "when")] == (12, 5)
    assert marks[("meters", "trust", "max")] == (7, 35)
    assert marks.nearest(("rules", 0, "when", "missing")) == (12, 11)
    assert data["rules"][2]["say"][1].startswith("I can do")


def test_dates_stay_dates_and_merges_work() -> None:
    data, marks = load_yaml(
        "base: &b {due: 2026-10-03, amount: 5}\ninv:\n  <<: *b\n  amount: 7\n", "m.yaml"
    )
    assert data["inv"] == {"due": dt.date(2026, 10, 3), "amount": 7}
    assert marks[("inv", "amount")] == (4, 11)


def test_yaml_errors_with_position() -> None:
    cases = {
        "a: b: c\n": "x.yaml:1:5: error: unexpected ':' here: text containing ': ' must be put "
        "in quotes, or the indentation is wrong",
        "a: 'open\n": "x.yaml:2:1: error: a quoted text is not closed (the quote opens on line 1)",
        "a: *nope\n": "x.yaml:1:4: error: unknown alias '*nope': no anchor '&nope' is defined "
        "before it",
        "a: @x\n": "x.yaml:1:4: error: '@' cannot start a value here; put the text in quotes",
        'a: "bell\x07"\n': "x.yaml:1:9: error: the control character U+0007 is not allowed in a "
        "YAML file; remove it",
        "\ufeffa: 1\nb: 2\nb: 3\n": "x.yaml:3:1: error: duplicate key 'b' (already given on "
        "line 2); remove one of them",
    }
    for text, message in cases.items():
        with pytest.raises(LoadError) as info:
            load_yaml(text, "x.yaml")
        assert str(info.value) == message


def test_utf16_is_named() -> None:
    with pytest.raises(LoadError, match="saved as UTF-16"):
        load_yaml("id: x\n".encode("utf-16"), "u.yaml")


yamlish = st.text(alphabet="ab1: -[]{}&*!<>|#,'\"\n\t%@`?=\\\x00\x85é", max_size=80)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=200), yamlish, yamlish.map(lambda s: PERSONA[:120] + s)))
def test_any_input_loads_or_fails_cleanly(data: bytes | str) -> None:
    try:
        value, marks = load_yaml(data, "fuzz.yaml")
    except LoadError as e:
        assert e.diagnostics
        for d in e.diagnostics:
            assert d.file == "fuzz.yaml" and d.line >= 1 and d.col >= 1
            assert re.match(r"fuzz\.yaml:\d+:\d+: error: ", str(d))
    else:
        assert isinstance(value, dict) and isinstance(marks, Marks)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_files_never_raise_anything_else(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    source = data.draw(st.sampled_from([PERSONA, SCENARIO]))
    cut = data.draw(st.integers(0, len(source)))
    junk = data.draw(st.text(alphabet="ab1: -[]{}#'\"\n\t", max_size=6))
    drop = data.draw(st.integers(0, 6))
    f = tmp_path_factory.mktemp("fuzz") / "file.yaml"
    f.write_text(source[:cut] + junk + source[cut + drop :])
    loader = load_persona_file if source is PERSONA else load_scenario_file
    try:
        assert isinstance(loader(f), Persona | Scenario)
    except LoadError as e:
        assert e.diagnostics
        assert all(isinstance(d, Diagnostic) and d.line >= 1 for d in e.diagnostics)


# --- library, binding, resolving ----------------------------------------------------------------


def test_minimal_library_loads_and_binds(tmp_path: Path, isolated: None) -> None:
    root = write_library(tmp_path / "lib")
    lib = load_library(extra=[root])
    assert lib.ok, [str(d) for d in lib.diagnostics]
    assert list(lib.personas) == ["calm"] and list(lib.scenarios) == ["first-call"]
    assert lib.sources[("scenario", "first-call")] == root / "scenarios" / "first-call.yaml"
    loaded = lib.bind("first-call")
    assert isinstance(loaded, Loaded)
    assert loaded.traits == {"monthly_budget": 200, "lump_sum": 500}
    # trust is overridden to 95 and clamped to the persona's max of 80.
    assert loaded.meters == {"patience": 60, "trust": 80}
    assert loaded.scenario.case.invoices[0].number == "4471"
    assert loaded.scenario.case.debtor.date_of_birth == dt.date(1985, 4, 12)
    assert re.fullmatch(r"[0-9a-f]{64}", loaded.content_hash)
    assert loaded.source == str(root / "scenarios" / "first-call.yaml")
    # The hash follows the bytes of both files.
    (root / "personas" / "calm.yaml").write_text(PERSONA + "# edited\n")
    assert load_library(extra=[root]).bind("first-call").content_hash != loaded.content_hash


def test_content_hash_is_reproducible(tmp_path: Path, isolated: None) -> None:
    a = load_library(extra=[write_library(tmp_path / "a")]).bind("first-call")
    b = load_library(extra=[write_library(tmp_path / "b")]).bind("first-call")
    assert a.content_hash == b.content_hash


def test_kind_by_content_in_a_flat_folder(tmp_path: Path, isolated: None) -> None:
    (tmp_path / "one.yaml").write_text(PERSONA)
    (tmp_path / "two.yml").write_text(SCENARIO)
    lib = load_library(paths=[tmp_path])
    assert lib.ok and set(lib.personas) == {"calm"} and set(lib.scenarios) == {"first-call"}


def test_wrong_folder_is_explained(tmp_path: Path, isolated: None) -> None:
    root = write_library(tmp_path)
    (root / "personas" / "oops.yaml").write_text(SCENARIO.replace("first-call", "oops"))
    lib = load_library(paths=[root])
    (d,) = lib.errors
    assert d.message == (
        "this looks like a scenario but it is in a personas folder; move it to scenarios/"
    )


def test_duplicate_ids_name_the_first_file(tmp_path: Path, isolated: None) -> None:
    root = write_library(tmp_path)
    (root / "personas" / "copy.yaml").write_text("# copy\n" + PERSONA)
    lib = load_library(paths=[root])
    (d,) = lib.errors
    assert str(d).endswith(
        f"copy.yaml:2:5: error: duplicate persona id 'calm' (already defined in "
        f"{root / 'personas' / 'calm.yaml'}:1)"
    )
    assert lib.sources[("persona", "calm")].name == "calm.yaml"


def test_unknown_persona_suggests(tmp_path: Path, isolated: None) -> None:
    root = write_library(tmp_path, scenario=SCENARIO.replace("persona: calm", "persona: clam"))
    lib = load_library(paths=[root])
    assert [d.message for d in lib.errors] == ["unknown persona 'clam' (did you mean 'calm'?)"]


def test_overrides_are_checked_against_the_persona(tmp_path: Path, isolated: None) -> None:
    root = write_library(tmp_path, scenario=SCENARIO.replace("trust: 95", "trusst: 95"))
    lib = load_library(paths=[root])
    assert [d.message for d in lib.errors] == ["unknown meter 'trusst' (did you mean 'trust'?)"]


def test_library_dirs_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b, c = (tmp_path / n for n in "abc")
    monkeypatch.setenv("COLLECTSIM_LIBRARY", f"{a}{__import__('os').pathsep}{b}")
    dirs = library_dirs([c, a])
    assert dirs[-3:] == [a, b, c]
    builtin = dirs[:-3]
    assert all(d.name in ("personas", "scenarios") for d in builtin)


def test_resolve_by_id_and_by_path(tmp_path: Path, isolated: None) -> None:
    root = write_library(tmp_path / "lib")
    lib = load_library(extra=[root])
    assert resolve_scenario("first-call", lib).traits["monthly_budget"] == 200
    # A path to a file outside the library: its persona comes from the sibling ../personas/.
    loaded = resolve_scenario(str(root / "scenarios" / "first-call.yaml"), Library())
    assert loaded.persona.id == "calm" and loaded.meters["trust"] == 80
    assert loaded.content_hash == lib.bind("first-call").content_hash


def test_resolve_failures_are_one_line(tmp_path: Path, isolated: None) -> None:
    lib = load_library(extra=[write_library(tmp_path)])
    with pytest.raises(LoadError) as info:
        resolve_scenario("frist-call", lib)
    assert str(info.value) == "error: unknown scenario 'frist-call' (did you mean 'first-call'?)"
    with pytest.raises(LoadError) as info:
        resolve_scenario("nowhere/x.yaml", lib)
    assert str(info.value) == "error: no such scenario file: nowhere/x.yaml"
    with pytest.raises(LoadError, match=r"unknown scenario 'zzz'$"):
        lib.bind("zzz")


def test_resolve_reports_a_broken_scenario(tmp_path: Path, isolated: None) -> None:
    root = write_library(tmp_path, scenario=SCENARIO.replace("max_months: 6", "max_months: six"))
    lib = load_library(paths=[root])
    with pytest.raises(LoadError) as info:
        resolve_scenario("first-call", lib)
    assert str(info.value).endswith("error: 'max_months' must be a whole number, got 'six'")


# --- helpers and schema -------------------------------------------------------------------------


def test_placeholders() -> None:
    assert placeholder_names("Hi {debtor.name}, {total} by { invoice.due }.") == [
        "debtor.name",
        "total",
        " invoice.due ",
    ]
    assert {"debtor.name", "last_payment.reference", "balance"} <= PLACEHOLDERS


def test_offer_placeholders_load_and_a_typo_suggests_the_right_one(tmp_path: Path) -> None:
    # {offer.*} need no load-time guard: the engine says neutral words before any offer.
    f = tmp_path / "calm.yaml"
    f.write_text(
        PERSONA.replace("Sorry?", "'{offer.instalments} of {offer.instalment} by {offer.date}'")
    )
    load_persona_file(f)
    f.write_text(PERSONA.replace("Sorry?", "'By {offer.day}'"))
    with pytest.raises(LoadError) as info:
        load_persona_file(f)
    assert "unknown placeholder '{offer.day}' (did you mean '{offer.date}'?)" in str(info.value)


def test_load_speed(tmp_path: Path, isolated: None) -> None:
    root = write_library(tmp_path)
    path = root / "scenarios" / "first-call.yaml"
    load_scenario_file(path)  # warm the validator cache
    start = time.perf_counter()
    for _ in range(50):
        load_scenario_file(path)
    assert (time.perf_counter() - start) / 50 < 0.01


def test_json_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import json

    import yaml

    from collectsim.schema import json_schema

    for kind, text in (("persona", PERSONA), ("scenario", SCENARIO)):
        schema = json_schema(kind)  # type: ignore[arg-type]
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["title"] == f"collectsim {kind}" and schema["description"]
        jsonschema.Draft202012Validator.check_schema(schema)
        # Shorthands (one name for a list, unquoted invoice numbers) must not be flagged.
        data = json.loads(json.dumps(yaml.safe_load(text), default=str))
        assert list(jsonschema.Draft202012Validator(schema).iter_errors(data)) == []
    persona = json_schema("persona")
    assert "first is the start" in persona["properties"]["stages"]["description"]
    bad = json.loads(json.dumps(yaml.safe_load(PERSONA.replace("stages:", "stagez:"))))
    assert list(jsonschema.Draft202012Validator(persona).iter_errors(bad))


def test_sha256_matches_the_documented_recipe(tmp_path: Path, isolated: None) -> None:
    root = write_library(tmp_path)
    loaded = load_library(extra=[root]).bind("first-call")
    digest = hashlib.sha256()
    for name in ("scenarios/first-call.yaml", "personas/calm.yaml"):
        raw = (root / name).read_bytes()
        digest.update(len(raw).to_bytes(8, "big") + raw)
    assert loaded.content_hash == digest.hexdigest()


def test_last_payment_without_payments_warns(tmp_path: Path, isolated: None) -> None:
    persona = PERSONA.replace("say: Hi. What is this about?", "say: I paid on {last_payment.date}.")
    lib = load_library(paths=[write_library(tmp_path, persona=persona)])
    assert lib.ok
    (d,) = lib.diagnostics
    assert (d.severity, d.line, d.col) == ("warning", 3, 1)
    assert d.message == (
        "persona 'calm' says {last_payment.date} but this case has no payments: "
        "it would be shown as written"
    )


def test_documented_examples_load(tmp_path: Path, isolated: None) -> None:
    docs = Path(__file__).parents[1] / "docs"
    for doc, kind in (("personas.md", "personas"), ("scenarios.md", "scenarios")):
        block = re.search(r"```yaml\n(.*?)```", (docs / doc).read_text(), re.DOTALL)
        assert block is not None
        (tmp_path / kind).mkdir()
        (tmp_path / kind / "example.yaml").write_text(block.group(1))
    lib = load_library(paths=[tmp_path])
    assert lib.diagnostics == []
    assert lib.bind("first-late-payment").persona.id == "polite-but-broke"
