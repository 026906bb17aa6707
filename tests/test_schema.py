"""The JSON Schema files: up to date with the models, and every built-in file validates.

Regenerate them with `collectsim new schemas --force` (or `collectsim schema persona >
schemas/persona.schema.json` for one kind) after changing the formats.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from collectsim import convtest
from collectsim.scaffold import schema_text
from collectsim.schema import json_schema

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"
KINDS = {
    "persona": sorted((ROOT / "personas").glob("*.yaml")),
    "scenario": sorted((ROOT / "scenarios").glob("*.yaml")),
    "test": sorted((ROOT / "scenarios" / "tests").glob("*.yaml")),
}


class _TextDates(yaml.SafeLoader):
    """Reads dates as text, as an editor's YAML language server does for the schema."""


_TextDates.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _schema(kind: str) -> dict[str, Any]:
    return convtest.json_schema() if kind == "test" else json_schema(kind)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", list(KINDS))
def test_schema_files_are_up_to_date(kind: str) -> None:
    path = SCHEMAS / f"{kind}.schema.json"
    assert path.read_text(encoding="utf-8") == schema_text(_schema(kind)), (
        f"{path} is out of date: run `collectsim new schemas --force` in the repository root"
    )


@pytest.mark.parametrize("kind", list(KINDS))
def test_schemas_are_valid_draft_2020_12(kind: str) -> None:
    schema = _schema(kind)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize(
    ("kind", "path"),
    [(k, p) for k, paths in KINDS.items() for p in paths],
    ids=lambda x: x.name if isinstance(x, Path) else x,
)
def test_every_builtin_file_validates(kind: str, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    depth = "../../" if kind == "test" else "../"
    assert text.startswith(f"# yaml-language-server: $schema={depth}schemas/{kind}.schema.json\n")
    data = yaml.load(text, Loader=_TextDates)
    # 'format' is an annotation in Draft 2020-12 (not asserted), as in editors.
    validator = jsonschema.Draft202012Validator(_schema(kind))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("test", {"scenario": "x", "script": ["hi"], "expct": []}),
        ("test", {"scenario": "x", "script": ["hi"], "end": {"outcome": "paid"}}),
        ("test", {"scenario": "x", "script": [{"expect": {"stage": 3}}]}),
        ("persona", {"id": "x", "type": "t", "stages": ["a"], "rules": [{"id": "r", "wen": {}}]}),
    ],
)
def test_schema_rejects_mistakes(kind: str, data: dict[str, Any]) -> None:
    assert list(jsonschema.Draft202012Validator(_schema(kind)).iter_errors(data))


def test_scaffolded_files_validate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from collectsim.scaffold import render

    for kind in ("persona", "scenario"):
        data = yaml.load(render(kind, "x", tmp_path), Loader=_TextDates)
        assert not list(jsonschema.Draft202012Validator(_schema(kind)).iter_errors(data))
