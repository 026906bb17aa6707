"""JSON Schema of the persona and scenario file formats, for editors and `collectsim schema`.

The schema comes from the same pydantic dataclasses the loader validates with, so it cannot
drift from what `collectsim check` accepts. Shorthands the loader allows (one name where a list is
expected, a number for a meter, ``"< 20"`` for a threshold) are described as such, otherwise an
editor would flag valid files. Pydantic is imported lazily: the CLI imports this module on start.
"""

from __future__ import annotations

from typing import Any, Literal

DIALECT = "https://json-schema.org/draft/2020-12/schema"

_ABOUT = {
    "persona": (
        "collectsim persona",
        "A debtor persona: traits, meters, call stages and the rules that decide what the debtor "
        "says and does in reply to each trainee line. See docs/personas.md.",
    ),
    "scenario": (
        "collectsim scenario",
        "A practice scenario: the case file the trainee prepares from, the persona the debtor "
        "plays, the trainee's authority and the outcomes that count as success. See "
        "docs/scenarios.md.",
    ),
}

_COMPARISON = {
    "anyOf": [
        {"type": "number"},
        {"type": "string", "pattern": r"^\s*(<=|>=|==|!=|<|>|=)?\s*-?\d+(\.\d+)?\s*$"},
    ],
    "description": "A threshold such as '< 20' or '>= 3'; a bare number means equal to it.",
    "examples": ["< 20", ">= 0.5"],
}


def json_schema(kind: Literal["persona", "scenario"]) -> dict[str, Any]:
    """The Draft 2020-12 JSON Schema of a persona or scenario file."""
    from pydantic import TypeAdapter
    from pydantic.json_schema import GenerateJsonSchema

    from collectsim import models

    class _Generator(GenerateJsonSchema):
        def function_before_schema(self, schema: Any) -> dict[str, Any]:
            func = schema.get("function", {}).get("function")
            inner = self.generate_inner(schema["schema"])
            if func is models._as_tuple:
                item = inner.get("items", {}) if isinstance(inner, dict) else {}
                return {"anyOf": [item, inner]} if item else inner
            if func is models._parse_comparison:
                return dict(_COMPARISON)
            if func is models._clock_time:
                return {
                    "type": "string",
                    "pattern": r"^([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?$",
                    "description": "A clock time in quotes, e.g. '07:45'.",
                }
            if func is models._meter:
                return {"anyOf": [{"type": "number", "description": "The start value."}, inner]}
            return inner

    if kind not in _ABOUT:
        raise ValueError(f"unknown file kind {kind!r}: expected 'persona' or 'scenario'")
    cls = models.Persona if kind == "persona" else models.Scenario
    body = TypeAdapter(cls).json_schema(schema_generator=_Generator, mode="validation")
    # Invoice numbers may be written unquoted (4471); the models turn them into text.
    for name, prop in (("Invoice", "number"), ("Payment", "invoice")):
        field = body.get("$defs", {}).get(name, {}).get("properties", {}).get(prop)
        if field is not None:
            _allow_integer(field)
    title, description = _ABOUT[kind]
    body.pop("title", None)
    body.pop("description", None)
    return {"$schema": DIALECT, "title": title, "description": description, **body}


def _allow_integer(field: dict[str, Any]) -> None:
    if "anyOf" in field:
        field["anyOf"].insert(0, {"type": "integer"})
    elif field.get("type") == "string":
        field.pop("type")
        field["anyOf"] = [{"type": "string"}, {"type": "integer"}]
