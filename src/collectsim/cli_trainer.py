"""The trainer's commands: `check`, `test` and `new` (cli.py registers them through `register`).

Exit status follows the CLI contract: 0 all good, 1 a check or test failed, 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def _usage(message: str) -> Exception:
    from collectsim.cli import UsageError

    return UsageError(message)


def _paths(args: argparse.Namespace) -> list[Path] | None:
    if not args.paths:
        return None
    paths = [Path(p) for p in args.paths]
    for p in paths:
        if not p.exists():
            raise _usage(f"no such file or folder: {p}")
    return paths


def _extra(args: argparse.Namespace) -> list[Path]:
    return [Path(p) for p in args.library or ()]


def cmd_check(args: argparse.Namespace) -> int:
    from collectsim.checker import check

    diagnostics = check(_paths(args), _extra(args))
    if args.format == "json":
        sys.stdout.write(json.dumps([d.to_json() for d in diagnostics], ensure_ascii=False) + "\n")
    else:
        for d in diagnostics:
            print(d)
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    if args.format == "text":
        print(f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}",
              file=sys.stderr)
    return 1 if errors or (args.strict and warnings) else 0


def cmd_test(args: argparse.Namespace) -> int:
    from collectsim.convtest import default_paths, discover, render_report, report_json, run_tests

    given = _paths(args)
    files = discover(given if given is not None else default_paths(_extra(args)))
    if not files:
        raise _usage("no conversation tests found (they live in a 'tests' folder, e.g. "
                     "scenarios/tests/)")
    results = run_tests(files, _extra(args))
    print(report_json(results) if args.format == "json" else render_report(
        results, verbose=args.verbose))
    return 0 if all(r.passed for r in results) else 1


def cmd_new(args: argparse.Namespace) -> int:
    from collectsim.scaffold import write_new

    if args.kind != "schemas" and not args.name:
        raise _usage(f"collectsim new {args.kind} needs a NAME (the id of the new file)")
    written = write_new(
        args.kind,
        args.name,
        Path(args.dir) if args.dir else None,
        persona=args.persona,
        scenario=args.scenario,
        script=Path(args.script) if args.script else None,
        force=args.force,
    )
    for path in written:
        print(path)
    return 0


def register(sub: Any, play_parser: argparse.ArgumentParser) -> None:
    """Add `check`, `test` and `new` to the `collectsim` command."""
    s = sub.add_parser("check", help="validate personas and scenarios, and find dead rules, "
                       "unreachable stages and unwinnable scenarios")
    s.add_argument("paths", nargs="*", metavar="PATH",
                   help="files or folders (default: the library)")
    s.add_argument("--format", choices=["text", "json"], default="text")
    s.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    s.set_defaults(func=cmd_check)

    s = sub.add_parser("test", help="run conversation tests (scenarios/tests/*.yaml)")
    s.add_argument("paths", nargs="*", metavar="PATH",
                   help="test files or folders (default: every library's tests)")
    s.add_argument("--format", choices=["text", "json"], default="text")
    s.add_argument("-v", "--verbose", action="store_true", help="one line per test")
    s.set_defaults(func=cmd_test)

    s = sub.add_parser("new", help="write a commented starting file that passes check")
    s.add_argument("kind", choices=["persona", "scenario", "test", "schemas"])
    s.add_argument("name", nargs="?", default="", help="the id of the new persona/scenario/test")
    s.add_argument("--dir", help="folder to write into (default: personas/, scenarios/, "
                   "scenarios/tests/ or schemas/)")
    s.add_argument("--persona", help="new scenario: the persona it plays (default: NAME)")
    s.add_argument("--scenario", help="new test: the scenario it plays (default: NAME)")
    s.add_argument("--script", help="new test: play this script file and expect what it does")
    s.add_argument("--force", action="store_true", help="overwrite an existing file")
    s.set_defaults(func=cmd_new)
