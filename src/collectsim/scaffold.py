"""`collectsim new`: commented starting files that pass `check` and play, and the schema files.

A trainer starts from a file that already works and changes it a piece at a time, running
`collectsim check` after each change; that is easier than starting from an empty page. Every file
starts with the yaml-language-server comment so an editor with the YAML extension completes keys
and underlines mistakes. `collectsim new schemas` (re)writes the schema files that comment names.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from collectsim.diagnostics import LoadError

KINDS = ("persona", "scenario", "test")
DEFAULT_DIRS = {
    "persona": "personas",
    "scenario": "scenarios",
    "test": "scenarios/tests",
    "schemas": "schemas",
}
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

PERSONA = """\
# yaml-language-server: $schema={schema}
#
# A debtor persona: how this debtor behaves on the phone. Change the texts and numbers to
# your own, one piece at a time, and run `collectsim check` after each change. Every key is
# described in docs/personas.md (and shown by your editor when you hover over it).
id: {name}
type: cooperative             # the kind of debtor, in a word or two
description: >
  Who this debtor is and how they behave, for other trainers: a cooperative customer
  who pays what they can once asked what that is.

traits:                       # numbers that shape behaviour; scenarios may override them
  monthly_budget: 300         # the most they can pay a month (the engine checks offers)
  lump_sum: 200               # the most they can pay at once

meters:                       # moods that change during the call
  patience: 60                # falls when pushed; at 0 the debtor hangs up

stages: [opening, talking, agreed]   # the call starts in the first one

opening:                      # what the debtor says on picking up (one is picked)
  - "Hello?"
  - "Hello, who's this?"

rules:
  # Reactions have no 'say': each one that matches changes meters or facts.
  - id: pushed
    when: {{any_acts: [pressure, threaten, insult]}}
    do: {{meters: {{patience: -30}}}}

  # Replies: of the rules that match a line, the highest priority answers.
  # 'example' is a trainee line the rule should answer; `check` verifies its acts.
  - id: hangs-up
    priority: 100
    when: {{meters: {{patience: "<= 0"}}}}
    do: {{tag: [hang_up], end: true}}
    say:
      - "I'm not listening to this. Goodbye."

  - id: confirms-identity
    priority: 50
    example: "Hi, this is Sam from Acme. Am I speaking with the account holder?"
    when: {{acts: [verify_identity], stage: opening}}
    do: {{stage: talking, tag: [answer]}}
    say:
      - "Yes, speaking. What's this about?"

  - id: explains
    priority: 30
    example: "Can you tell me why the invoice has not been paid?"
    when: {{acts: [ask_reason]}}
    do: {{tag: [give_reason], stage: talking}}
    say:
      - "Work has been slow since the spring. I want to pay, I just can't do it all at once."

  - id: names-budget
    priority: 25
    example: "What could you afford to pay each month?"
    when: {{acts: [ask_affordability]}}
    do: {{tag: [counter_offer]}}
    say:
      - "I could manage about {{trait.monthly_budget}} a month."

  - id: accepts-plan
    priority: 20
    example: "Could we split it into 3 monthly payments of $300?"
    when: {{acts: [offer_plan], events: [offer_affordable], not_facts: [agreement]}}
    do: {{outcome: payment_plan, tag: [agree], stage: agreed}}
    say:
      - "Yes, I can do that. Thank you."

  - id: too-much
    priority: 19
    example: "Could we do two monthly payments of $800?"
    when: {{acts: [offer_plan], events: [offer_unaffordable]}}
    do: {{tag: [refuse], meters: {{patience: -10}}}}
    say:
      - "That's more than I can pay a month."

  - id: goodbye
    priority: 10
    example: "Thanks for your time, goodbye."
    when: {{acts: [close_call]}}
    do: {{tag: [goodbye]}}
    say:
      - "Bye now."

fallback:                     # when no rule replies: by stage, or 'default'
  default:
    - "Okay."
    - "Sorry, what do you need from me?"
  agreed:
    - "Is there anything else?"
"""

SCENARIO = """\
# yaml-language-server: $schema={schema}
#
# A practice scenario: the case file the trainee prepares from, the persona the debtor plays,
# what the trainee may offer and which outcomes count as success. Keys: docs/scenarios.md.
id: {name}
title: "A first call about an overdue invoice"
difficulty: easy              # easy, medium or hard
order: 100                    # place in the suggested learning path
persona: {persona}
summary: "One line for the scenario list."
briefing: >
  What the trainee is told before preparing: who they are, who they call and why.
call_type: first_party        # agency calls also need the collector disclosure

case:
  creditor: {{name: Acme Supplies}}
  collector: {{name: Sam, company: Acme Supplies, role: accounts receivable}}
  debtor:
    name: Alex Morgan
    company: Morgan Repairs
    profile: "Customer for two years, usually pays within terms."
  invoices:
    - number: "1001"
      amount: 900.00
      currency: USD
      issued: 2026-09-01
      due: 2026-10-01
      description: "Spare parts"
  payments:                   # the ledger as the case file shows it
    - {{date: 2026-07-15, amount: 450.00, invoice: "0950", reference: "MR-0715"}}
  documents: [invoice]
  call_date: 2026-11-10

authority:                    # what the trainee may agree
  full_payment: true
  plan: {{max_months: 6, min_instalment: 100}}

success: [payment_plan]       # outcomes that count as a successful call
"""

TEST = """\
# yaml-language-server: $schema={schema}
#
# A conversation test: a scripted call and what must happen. Run it with `collectsim test`.
# The format is described in docs/testing.md.
scenario: {scenario}
name: "{title}"
seed: 0
script:
{script}
end:
{end}
"""

STARTER_SCRIPT = (
    "/send-documents",
    "/check-payments",
    "Hi, this is Sam from Acme Supplies. Am I speaking with the account holder?",
    "I'm calling about invoice 1001, which was due on October 1st.",
    "Can you tell me why the invoice has not been paid?",
    "What could you afford to pay each month?",
    "Thanks for your time, goodbye.",
)


def schema_comment_path(target_dir: Path, kind: str) -> tuple[str, bool]:
    """Relative path from ``target_dir`` to ``schemas/<kind>.schema.json`` (found upwards), and
    whether that file exists; ``../schemas/...`` when there is none yet."""
    name = f"{kind}.schema.json"
    here = target_dir.resolve()
    for base in (here, *list(here.parents)[:3]):
        candidate = base / "schemas" / name
        if candidate.is_file():
            return os.path.relpath(candidate, here).replace(os.sep, "/"), True
    return f"../schemas/{name}", False


def schemas() -> dict[str, dict]:
    from collectsim.convtest import json_schema as test_schema
    from collectsim.schema import json_schema

    return {
        "persona": json_schema("persona"),
        "scenario": json_schema("scenario"),
        "test": test_schema(),
    }


def schema_text(schema: dict) -> str:
    """The exact text of a schema file, so regenerated files only change when the schema does."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _write(path: Path, text: str, force: bool) -> Path:
    if path.exists() and not force:
        raise ValueError(f"{path} already exists (use --force to overwrite it)")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def render(kind: str, name: str, target: Path, *, persona: str | None = None,
           scenario: str | None = None, script: Sequence[str] = STARTER_SCRIPT) -> str:
    comment, exists = schema_comment_path(target, kind)
    if not exists:
        print(f"note: no {comment} yet; `collectsim new schemas` writes the schema files your "
              "editor reads", file=sys.stderr)
    if kind == "persona":
        return PERSONA.format(schema=comment, name=name)
    if kind == "scenario":
        return SCENARIO.format(schema=comment, name=name, persona=persona or name)
    return record_test(scenario or name, name, script, comment)


def record_test(scenario: str, title: str, script: Sequence[str], comment: str) -> str:
    """A test that plays ``script`` and expects what it does today, with some room on scores:
    a starting point to edit (tighten what matters, delete what does not)."""
    from collectsim.convtest import _score
    from collectsim.engine import CallSession
    from collectsim.loading import load_library, resolve_scenario
    from collectsim.script import parse_script, replay

    here = Path.cwd()  # a trainer's own library folder, when run from its root
    extra = [here] if (here / "scenarios").is_dir() or (here / "personas").is_dir() else []
    loaded = resolve_scenario(scenario, load_library(extra=extra))
    steps = parse_script("\n".join(script), "<script>")
    record, unsaid = replay(CallSession(loaded, seed=0), steps)
    card = _score(record, loaded)
    lines = [f"  - {json.dumps(str(s), ensure_ascii=False)}" for s in steps]
    end = [f"  outcome: {record.outcome}"]
    kinds = sorted({f.kind for f in card.flags})
    if kinds:
        end.append(f"  flags: [{', '.join(kinds)}]")
    else:
        end.append("  no_flags: [threaten, insult, pressure]")
    end.append("  scores:")
    for dim, value in card.scores.items():
        lo, hi = max(0, value - 10), min(100, value + 10)
        end.append(f"    {dim}: [\">= {lo}\", \"<= {hi}\"]")
    if unsaid:
        end.append(f"  unsaid: {len(unsaid)}")
    return TEST.format(schema=comment, scenario=scenario, title=title, script="\n".join(lines),
                       end="\n".join(end))


def write_new(kind: str, name: str, directory: Path | None = None, *, persona: str | None = None,
              scenario: str | None = None, script: Path | None = None,
              force: bool = False) -> list[Path]:
    """Write the file(s) for `collectsim new KIND NAME`; returns what was written."""
    target = Path(directory) if directory is not None else Path(DEFAULT_DIRS[kind])
    if kind == "schemas":
        return [_write(target / f"{k}.schema.json", schema_text(s), force)
                for k, s in schemas().items()]
    if not _ID.match(name or ""):
        raise ValueError(f"'{name}' is not a usable id: use lower-case letters, digits, '-' and "
                         "'_', starting with a letter or digit")
    lines: Sequence[str] = STARTER_SCRIPT
    if script is not None:
        from collectsim.script import read_script

        lines = [str(s) for s in read_script(script)]
    try:
        text = render(kind, name, target, persona=persona, scenario=scenario, script=lines)
    except LoadError as e:
        raise ValueError(str(e)) from None
    return [_write(target / f"{name}.yaml", text, force)]


__all__ = ["DEFAULT_DIRS", "KINDS", "record_test", "render", "schema_text", "schemas",
           "write_new"]
