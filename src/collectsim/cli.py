"""The `collectsim` command: a thin shell over the engine for people, scripts and CI.

Exit status: 0 success, 1 a check or test failed, 2 bad usage or bad input (one line on stderr,
never a traceback). Names and JSON keys are a stable contract (docs/cli.md).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from collectsim import __version__
from collectsim.textsafe import visible

#: Called after every `play` with (args, loaded, record, scorecard JSON); the records module
#: registers one to store the attempt.
PLAY_HOOKS: list = []


class UsageError(Exception):
    """Bad usage or bad input: exit 2 with this one-line reason."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _say(text: str) -> None:
    """Human-readable output: trainee and YAML text can hold terminal control characters."""
    print(visible(text))


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _library(args: argparse.Namespace):
    from collectsim.loading import load_library

    return load_library(extra=[Path(p) for p in args.library or ()])


def _resolve(args: argparse.Namespace):
    from collectsim.loading import resolve_scenario

    return resolve_scenario(args.scenario, _library(args))


# --- commands ---


def cmd_acts(args: argparse.Namespace) -> int:
    from collectsim.analysis import analyse

    if args.text:
        _print_json(analyse(" ".join(args.text)).to_json())
        return 0
    for line in sys.stdin:
        _print_json(analyse(line.rstrip("\r\n")).to_json())
        sys.stdout.flush()
    return 0


def cmd_play(args: argparse.Namespace) -> int:
    from collectsim.engine import CallSession
    from collectsim.script import read_script, replay

    loaded = _resolve(args)
    steps = read_script(Path(args.script))
    session = CallSession(loaded, seed=args.seed)
    record, unsaid = replay(session, steps)
    card = _score(record, loaded)
    for hook in PLAY_HOOKS:
        hook(args, loaded, record, card)
    if args.json:
        out = {"scenario": loaded.scenario.id, "seed": args.seed, "outcome": record.outcome}
        out.update({k: v for k, v in record.to_json().items() if k not in out})
        out.update({k: v for k, v in card.items() if not k.startswith("_")})
        out["unsaid"] = [s.line for s in unsaid]
        _print_json(out)
        return 0
    _say(render_transcript(record))
    if unsaid:
        _say(f"\n({len(unsaid)} script line(s) not played: the call had ended)")
    _say("")
    _say(card.get("_text", ""))
    return 0


def _score(record, loaded) -> dict[str, Any]:
    """The scorecard as JSON keys; `_text` holds the human table."""
    try:
        from collectsim.scoring import render_scorecard, score
    except ImportError:  # scoring not built yet in this checkout
        return {"scores": {}, "flags": [], "findings": []}
    card = score(record, loaded)
    out = card.to_json()
    out["_text"] = render_scorecard(card)
    return out


def render_transcript(record) -> str:
    from collectsim.transcript import CallRecord

    assert isinstance(record, CallRecord)
    lines = []
    for t in record.turns:
        if t.speaker == "system":
            lines.append(f"{t.n:>3}  ---      {t.text}")
        else:
            who = "you" if t.speaker == "trainee" else "debtor"
            extra = f"  [{', '.join(t.acts)}]" if t.acts else ""
            lines.append(f"{t.n:>3}  {who:<7}  {t.text}{extra}")
    lines.append(f"\nOutcome: {record.outcome}")
    return "\n".join(lines)


def cmd_show(args: argparse.Namespace) -> int:
    from collectsim.briefing import briefing_json, briefing_text

    loaded = _resolve(args)
    if args.json:
        _print_json(briefing_json(loaded))
    else:
        _say(briefing_text(loaded))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    lib = _library(args)
    rows = sorted(lib.scenarios.values(), key=lambda s: (s.order, s.id))
    if args.json:
        _print_json(
            [
                {
                    "id": s.id,
                    "title": s.title,
                    "persona": s.persona,
                    "type": lib.personas[s.persona].type if s.persona in lib.personas else None,
                    "difficulty": s.difficulty,
                    "order": s.order,
                }
                for s in rows
            ]
        )
        return 0
    width = max((len(s.id) for s in rows), default=2)
    _say(f"{'#':>2}  {'id':<{width}}  {'difficulty':<10}  {'persona':<20}  title")
    for i, s in enumerate(rows, start=1):
        _say(f"{i:>2}  {s.id:<{width}}  {s.difficulty:<10}  {s.persona:<20}  {s.title}")
    for d in lib.diagnostics:
        print(visible(str(d)), file=sys.stderr)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    if args.kind == "test":
        from collectsim.convtest import json_schema as test_schema

        schema = test_schema()
    else:
        from collectsim.schema import json_schema

        schema = json_schema(args.kind)
    print(json.dumps(schema, indent=2, ensure_ascii=False))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from collectsim.tui.serve import serve
    except ImportError as exc:
        raise UsageError(
            f"serving needs textual-serve: pip install textual-serve ({exc})"
        ) from None
    return serve(host=args.host, port=args.port, library=args.library or [])


def cmd_tui(args: argparse.Namespace) -> int:
    try:
        from collectsim.tui.app import run
    except ImportError as exc:  # pragma: no cover - only in a broken install
        raise UsageError(f"the TUI is not available: {exc}") from None
    return run(library=[Path(p) for p in args.library or ()], db=getattr(args, "db", None))


# --- wiring ---


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="collectsim", description="Practise debt-collection calls.")
    p.add_argument("--version", action="version", version=f"collectsim {__version__}")
    p.add_argument(
        "--library", action="append", metavar="DIR", help="extra folder of personas/scenarios"
    )
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    s = play = sub.add_parser("play", help="replay a scripted attempt headlessly")
    s.add_argument("scenario", help="scenario id or path to a scenario file")
    s.add_argument("--script", required=True, help="script file: one line or /action per line")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_play)

    s = sub.add_parser("acts", help="analyse trainee lines into acts")
    s.add_argument("text", nargs="*", help="a line; without it, one line per stdin line")
    s.set_defaults(func=cmd_acts)

    s = sub.add_parser("show", help="print a scenario's briefing")
    s.add_argument("scenario")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_show)

    s = sub.add_parser("list", help="list the scenarios")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("schema", help="print the JSON Schema of a file kind")
    s.add_argument("kind", choices=["persona", "scenario", "test"])
    s.set_defaults(func=cmd_schema)

    s = sub.add_parser("tui", help="open the simulator (the default with no command)")
    s.add_argument("--db", help="records database: a path or a postgresql:// URL")
    s.set_defaults(func=cmd_tui)

    s = sub.add_parser("serve", help="serve the simulator in a web browser (textual-serve)")
    s.add_argument("--host", default="localhost")
    s.add_argument("--port", type=int, default=8000)
    s.set_defaults(func=cmd_serve)

    # Command groups that live in their own modules register themselves here.
    for module in ("collectsim.cli_trainer", "collectsim.cli_records", "collectsim.cli_assess"):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        mod.register(sub, play)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    from collectsim.diagnostics import LoadError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            return cmd_tui(args)
        return int(args.func(args))
    except BrokenPipeError:  # `collectsim ... | head`: the reader left; not an error
        sys.stderr.close()
        return 0
    except (UsageError, LoadError, ValueError, OSError) as exc:
        reason = " ".join(str(exc).split())  # one line, whatever the message held
        print(visible(f"collectsim: {reason}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
