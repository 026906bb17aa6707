"""Contact rules: may this call be made now? A pure function of the scenario's case file.

US consumer collections (FDCPA 15 U.S.C. §1692, Regulation F 12 CFR 1006), as the compliance
section of the guidance summarises them. The trainee answers the question in preparation
(`/decide call|no-call`); scoring compares the answer and the call with `contact_check()`.

What is checked, at the moment of the call (`case.call_date` + `case.call_time`):
- time of day: before 08:00 or from 21:00 at the debtor's location (§1692c(a)(1); 1006.6(b)(1)).
  20:59 is fine, 21:00 is not; 07:59 is not, 08:00 is.
- frequency: this call would be the 8th or later outbound phone call in 7 consecutive days (the
  call day and the 6 before it); calls the debtor made (`direction: inbound`) do not count
  (1006.14(b)(2)(i)).
- after a conversation: a phone conversation with the debtor on the call day or the 6 days
  before it; the conversation day is day 1 of the 7 (1006.14(b)(2)(ii)).
- attorney: the file says an attorney represents the debtor for this debt (§1692c(a)(2)).
- cease request: the debtor asked in writing, on or before the call day, to stop (§1692c(c)).

Not modelled: the debtor's prior consent, the attorney not answering in reasonable time, and the
exceptions to a cease request (notices that collection stops, specific remedies). A rule whose
data the file does not give is simply not checked.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from collectsim.models import Scenario

EARLIEST = dt.time(8, 0)
LATEST = dt.time(21, 0)  # calls from 21:00 on are outside the window
MAX_CALLS_IN_7_DAYS = 7
WINDOW_DAYS = 7

#: Rule ids, in the order findings are reported.
RULES: tuple[str, ...] = (
    "attorney",
    "cease_request",
    "time_of_day",
    "frequency",
    "after_conversation",
)
#: Rules the law states as prohibitions (a QA reviewer fails the call); the Regulation F
#: frequency limits are presumptions of harassment, serious but rebuttable.
CRITICAL: frozenset[str] = frozenset({"attorney", "cease_request", "time_of_day"})


@dataclass(frozen=True)
class ContactFinding:
    """One reason this call may not be made now."""

    rule: str  # one of RULES
    message: str  # what the trainee should have seen, in one sentence
    citation: str
    critical: bool

    def to_json(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "message": self.message,
            "citation": self.citation,
            "critical": self.critical,
        }


@dataclass(frozen=True)
class ContactFacts:
    """What the case file says about contacting the debtor now: the briefing shows these."""

    local_time: dt.time | None  # at the debtor's location, if the file gives a call time
    local_timezone: str | None
    given_time: dt.time | None  # the call time as written, in given_timezone
    given_timezone: str | None
    calls_in_window: int  # outbound phone calls on the call day and the 6 days before
    last_conversation: dt.date | None
    attorney: str | None
    cease_request: dt.date | None

    def to_json(self) -> dict[str, object]:
        return {
            "local_time": _hm(self.local_time),
            "local_timezone": self.local_timezone,
            "given_time": _hm(self.given_time),
            "given_timezone": self.given_timezone,
            "calls_in_last_7_days": self.calls_in_window,
            "last_conversation": self.last_conversation.isoformat()
            if self.last_conversation
            else None,
            "attorney": self.attorney,
            "cease_request": self.cease_request.isoformat() if self.cease_request else None,
        }


def _hm(t: dt.time | None) -> str | None:
    return t.strftime("%H:%M") if t else None


def asks_contact_question(scenario: Scenario) -> bool:
    """Whether the scenario makes the trainee decide if the call may be made now.

    Only scenarios that give a call time, an attorney or a cease request ask: the older library
    has no such data, and its calls stay scored exactly as before.
    """
    case = scenario.case
    return case.call_time is not None or case.attorney is not None or (
        case.cease_request is not None
    )


def local_call_time(scenario: Scenario) -> dt.time | None:
    """The call time at the debtor's location, converting from `call_timezone` if given."""
    case = scenario.case
    if case.call_time is None:
        return None
    there = case.debtor.local_timezone
    given = case.call_timezone or there
    if not there or not given or given == there:
        return case.call_time.replace(tzinfo=None)
    day = case.call_date or dt.date.today()
    at = dt.datetime.combine(day, case.call_time.replace(tzinfo=None))
    moved = at.replace(tzinfo=zoneinfo.ZoneInfo(given)).astimezone(zoneinfo.ZoneInfo(there))
    return moved.time().replace(tzinfo=None)


def contact_facts(scenario: Scenario) -> ContactFacts:
    case = scenario.case
    day = case.call_date
    calls = 0
    last_talk: dt.date | None = None
    for c in case.contacts:
        if c.channel != "phone":
            continue
        if day is not None and c.date > day:
            continue  # after the call day: not history yet
        if c.direction == "outbound" and day is not None and _in_window(c.date, day):
            calls += 1
        if c.conversation and (last_talk is None or c.date > last_talk):
            last_talk = c.date
    return ContactFacts(
        local_time=local_call_time(scenario),
        local_timezone=case.debtor.local_timezone,
        given_time=case.call_time.replace(tzinfo=None) if case.call_time else None,
        given_timezone=case.call_timezone or case.debtor.local_timezone,
        calls_in_window=calls,
        last_conversation=last_talk,
        attorney=case.attorney.name if case.attorney else None,
        cease_request=case.cease_request,
    )


def _in_window(date: dt.date, day: dt.date) -> bool:
    """`date` is the call day or one of the 6 days before it."""
    return 0 <= (day - date).days < WINDOW_DAYS


def contact_check(scenario: Scenario) -> list[ContactFinding]:
    """Every rule the call would break if placed at the file's call date and time; [] = may call."""
    case = scenario.case
    facts = contact_facts(scenario)
    day = case.call_date
    out: list[ContactFinding] = []
    if case.attorney is not None:
        out.append(
            ContactFinding(
                "attorney",
                f"The debtor is represented by an attorney ({case.attorney.name}): contact the "
                "attorney, not the debtor.",
                "FDCPA §1692c(a)(2)",
                True,
            )
        )
    if case.cease_request is not None and (day is None or case.cease_request <= day):
        out.append(
            ContactFinding(
                "cease_request",
                f"The debtor asked in writing on {case.cease_request.isoformat()} to stop "
                "communication: no more calls.",
                "FDCPA §1692c(c)",
                True,
            )
        )
    t = facts.local_time
    if t is not None and not (EARLIEST <= t < LATEST):
        where = f" ({facts.local_timezone})" if facts.local_timezone else ""
        out.append(
            ContactFinding(
                "time_of_day",
                f"It is {_hm(t)} at the debtor's location{where}: calls are allowed only from "
                "08:00 to before 21:00 local time.",
                "FDCPA §1692c(a)(1); 12 CFR 1006.6(b)(1)",
                True,
            )
        )
    if facts.calls_in_window >= MAX_CALLS_IN_7_DAYS:
        out.append(
            ContactFinding(
                "frequency",
                f"{facts.calls_in_window} calls were already placed in the last 7 days: this "
                f"would be call {facts.calls_in_window + 1}, over the limit of 7 in 7 days.",
                "12 CFR 1006.14(b)(2)(i)",
                False,
            )
        )
    talk = facts.last_conversation
    if talk is not None and day is not None and _in_window(talk, day):
        free = talk + dt.timedelta(days=WINDOW_DAYS)
        out.append(
            ContactFinding(
                "after_conversation",
                f"You spoke with the debtor on {talk.isoformat()}: no call until "
                f"{free.isoformat()}, 7 days after the conversation.",
                "12 CFR 1006.14(b)(2)(ii)",
                False,
            )
        )
    return out


def may_call(scenario: Scenario) -> bool:
    return not contact_check(scenario)


__all__ = [
    "CRITICAL",
    "RULES",
    "ContactFacts",
    "ContactFinding",
    "asks_contact_question",
    "contact_check",
    "contact_facts",
    "local_call_time",
    "may_call",
]
