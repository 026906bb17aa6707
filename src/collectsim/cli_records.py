"""`history`, `report` and `resume`, and recording every `play` in the attempt store.

Plugged into `collectsim.cli` through `register()`, so the records feature lives in its own
files: the shared parser only learns `--no-record`, `--db` and `--trainee` on `play`.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

from collectsim import cli
from collectsim.cli import UsageError

ENV_TRAINEE = "COLLECTSIM_TRAINEE"


def default_trainee() -> str:
    """`COLLECTSIM_TRAINEE`, else the OS user name."""
    name = os.environ.get(ENV_TRAINEE, "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in some containers
        return "trainee"


def _add_once(parser: argparse.ArgumentParser, *flags: str, **kwargs: Any) -> None:
    """Add an option unless another module already gave the parser one of these flags."""
    if any(f in parser._option_string_actions for f in flags):
        return
    parser.add_argument(*flags, **kwargs)


def _db_option(parser: argparse.ArgumentParser) -> None:
    _add_once(
        parser,
        "--db",
        metavar="PATH|URL",
        help="the records database: a file, sqlite:///PATH or postgresql://... "
        "(default: $COLLECTSIM_DB, else the user data folder)",
    )


def _open(args: argparse.Namespace):
    from collectsim.store import Store, StoreError

    try:
        return Store.open(getattr(args, "db", None))
    except StoreError as exc:
        raise UsageError(str(exc)) from None


# --- play ---


def record_play(args: argparse.Namespace, loaded: Any, record: Any, card: dict[str, Any]) -> None:
    """A `PLAY_HOOKS` hook: store the played attempt; `play --json` then shows its id."""
    from collectsim.store import StoreError, db

    if getattr(args, "no_record", False):
        return
    location = getattr(args, "db", None)
    try:
        url = db.resolve(location)
    except StoreError as exc:
        if not location and os.environ.get("PYTEST_CURRENT_TEST"):
            # A test suite without COLLECTSIM_DB: never touch the real data folder.
            print(f"collectsim: not recorded ({exc})", file=sys.stderr)
            return
        raise UsageError(str(exc)) from None
    from collectsim.store import Store

    try:
        with Store(url) as store:
            attempt_id = store.start_attempt(
                trainee=getattr(args, "trainee", None) or default_trainee(),
                scenario=loaded.scenario.id,
                content_hash=loaded.content_hash,
                seed=record.seed,
                mode=_mode(args),
                source=loaded.source,
            )
            store.finish(attempt_id, record, card)
    except StoreError as exc:
        raise UsageError(f"the attempt was not recorded: {exc}") from None
    card["attempt"] = attempt_id
    if not getattr(args, "json", False):
        print(f"Recorded as attempt {attempt_id} (collectsim report {attempt_id}).",
              file=sys.stderr)


def _mode(args: argparse.Namespace) -> str:
    """`practice`, unless a `--mode` option (assessments, issue 9) says otherwise."""
    from collectsim.store import MODES

    mode = getattr(args, "mode", None)
    return mode if mode in MODES else "practice"


# --- history ---


def cmd_history(args: argparse.Namespace) -> int:
    from collectsim.reports import history_json, history_text

    trainee = None if args.all else (args.trainee or default_trainee())
    with _open(args) as store:
        h = store.history(trainee, mode=args.mode)
    if args.json:
        cli._print_json(history_json(h))
    else:
        sys.stdout.write(history_text(h))
    return 0


# --- report ---


def cmd_report(args: argparse.Namespace) -> int:
    from collectsim.reports import render_attempt, summary_csv, summary_json, summary_text
    from collectsim.store import StoreError

    if args.summary == bool(args.attempt):
        raise UsageError("give an ATTEMPT (a number or 'last'), or --summary")
    if args.csv and not args.summary:
        raise UsageError("--csv is for --summary")
    with _open(args) as store:
        try:
            if args.summary:
                t = store.summary(trainee=args.trainee, scenario=args.scenario, mode=args.mode)
                if args.csv:
                    text = summary_csv(t)
                elif args.format == "json":
                    text = json.dumps(summary_json(t), ensure_ascii=False, indent=2) + "\n"
                else:
                    text = summary_text(t)
            else:
                attempt = store.attempt(store.resolve(args.attempt, trainee=args.trainee))
                text = render_attempt(attempt, args.format or "md")
        except StoreError as exc:
            raise UsageError(str(exc)) from None
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


# --- resume ---


def cmd_resume(args: argparse.Namespace) -> int:
    """Continue a cut-off attempt with a script, or (no script) score it as it stands."""
    from collectsim.loading import resolve_scenario
    from collectsim.script import read_script
    from collectsim.store import Recorder, StoreError

    steps = read_script(Path(args.script)) if args.script else []
    with _open(args) as store:
        try:
            attempt = store.attempt(store.resolve(args.attempt, trainee=args.trainee))
            lib = cli._library(args)
            if attempt.scenario in lib.scenarios or not attempt.source:
                loaded = resolve_scenario(attempt.scenario, lib)
            else:
                loaded = resolve_scenario(attempt.source, lib)
            rec = Recorder.resume(store, attempt.id, loaded)
            unsaid = []
            for i, step in enumerate(steps):
                if rec.ended:
                    unsaid = steps[i:]
                    break
                if step.action is None:
                    rec.say(step.text)
                else:
                    rec.act(step.action, step.text)
            if steps:
                rec.hang_up()
            record = rec.session.record()
            card = cli._score(record, loaded)
            store.finish(attempt.id, record, card)
        except StoreError as exc:
            raise UsageError(str(exc)) from None
    if args.json:
        out = {"attempt": attempt.id, "scenario": loaded.scenario.id, "seed": attempt.seed,
               "outcome": record.outcome}
        out.update({k: v for k, v in record.to_json().items() if k not in out})
        out.update({k: v for k, v in card.items() if not k.startswith("_")})
        out["unsaid"] = [s.line for s in unsaid]
        cli._print_json(out)
        return 0
    print(cli.render_transcript(record))
    if not record.finished:
        print("\n(scored as it stands: the call was cut off)")
    print()
    print(card.get("_text", ""))
    return 0


# --- forget ---


def cmd_forget(args: argparse.Namespace) -> int:
    """Delete every attempt of one trainee: records are kept only as long as training needs."""
    if not args.yes:
        raise UsageError(f"this deletes every attempt of '{args.trainee}'; add --yes to confirm")
    with _open(args) as store:
        n = store.delete_trainee(args.trainee)
    print(f"Deleted {n} attempt(s) of {args.trainee}.")
    return 0


# --- wiring ---


def register(sub: Any, play_parser: argparse.ArgumentParser) -> None:
    _add_once(play_parser, "--no-record", action="store_true",
              help="do not store this attempt in the records")
    _db_option(play_parser)
    _add_once(play_parser, "--trainee", metavar="NAME",
              help=f"who is playing (default: ${ENV_TRAINEE}, else the OS user name)")
    if record_play not in cli.PLAY_HOOKS:
        cli.PLAY_HOOKS.append(record_play)

    s = sub.add_parser("history", help="your attempts per scenario: best, last and trend")
    s.add_argument("--trainee", metavar="NAME",
                   help=f"whose history (default: ${ENV_TRAINEE}, else the OS user name)")
    s.add_argument("--all", action="store_true", help="everybody's attempts together")
    s.add_argument("--mode", choices=["practice", "assessment"], help="only attempts in this mode")
    s.add_argument("--json", action="store_true")
    _db_option(s)
    s.set_defaults(func=cmd_history)

    s = sub.add_parser("report", help="an attempt's scorecard document, or the team summary")
    s.add_argument("attempt", nargs="?", metavar="ATTEMPT", help="attempt number, or 'last'")
    s.add_argument("--format", choices=["md", "html", "json"],
                   help="document format (default md; with --summary: text, or json)")
    s.add_argument("--summary", action="store_true",
                   help="team view: per trainee and scenario, average and best per dimension")
    s.add_argument("--csv", action="store_true", help="the summary as CSV")
    s.add_argument("--trainee", metavar="NAME",
                   help="only this trainee (for 'last': their last attempt)")
    s.add_argument("--scenario", metavar="ID", help="summary: only this scenario")
    s.add_argument("--mode", choices=["practice", "assessment"], help="summary: only this mode")
    s.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    _db_option(s)
    s.set_defaults(func=cmd_report)

    s = sub.add_parser("resume", help="continue an unfinished attempt, or score it as it stands")
    s.add_argument("attempt", metavar="ATTEMPT", help="attempt number, or 'last'")
    s.add_argument("--script", help="lines to continue the call with; without it, the call is "
                   "scored as it stands")
    s.add_argument("--trainee", metavar="NAME", help="for 'last': this trainee's last attempt")
    s.add_argument("--json", action="store_true")
    _db_option(s)
    s.set_defaults(func=cmd_resume)

    s = sub.add_parser("forget", help="delete every recorded attempt of one trainee")
    s.add_argument("--trainee", metavar="NAME", required=True)
    s.add_argument("--yes", action="store_true", help="really delete")
    _db_option(s)
    s.set_defaults(func=cmd_forget)
