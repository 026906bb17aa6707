"""A call session: preparation, then trainee line -> acts -> persona rules -> reply.

Everything a persona does comes from its YAML rules; this module only plays them (`rules` finds
the ones that match), in a fixed order with one seeded random generator, so the same scenario,
seed and lines give the same call.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from collectsim.acts import DISCLOSING
from collectsim.analysis import Analysis, DateMention, analyse
from collectsim.factcheck import (
    Offer,
    asked_dates,
    case_names,
    line_events,
    speaker_names,
    verifies,
)
from collectsim.models import (
    AGREEMENTS,
    EVENTS,
    Effect,
    Loaded,
    Persona,
    Rule,
    outcome_label,
)
from collectsim.rules import Matcher, RuleSet
from collectsim.transcript import Agreement, CallRecord, Turn

#: Preparation and call actions, as named in scripts (`/send-documents`) and offered in the TUI.
ACTIONS: dict[str, str] = {
    "send-documents": "send the invoice/statement to the debtor",
    "check-payments": "check the ledger for recent payments",
    "plan": "plan what you will do for an outcome: /plan OUTCOME: WHAT YOU WILL DO",
    "note": "add a line to the call notes: /note TEXT",
    "interrupt": "say a line over the debtor (what sending while they speak does): /interrupt TEXT",
    "wait": "stay silent and let the debtor talk",
    "hold": "put the debtor on hold for a moment",
    "end": "hang up",
    "decide": "before the call: decide whether it may be made now: /decide call or /decide no-call",
    "call": "dial: the debtor picks up (the first spoken line does this too)",
    "say": "say TEXT exactly, even if it starts with '/' or '#': /say TEXT",
}

#: `/decide` answers, as written in scripts; system turns say "Decision: call" / "... no-call".
DECISIONS: tuple[str, ...] = ("call", "no-call")

_PLACEHOLDER = re.compile(r"\{([a-z_]+(?:\.[a-z_]+)?)\}")
_CONDUCT = ("threaten", "insult", "pressure", "dismiss")
_UNBOUNDED = (0.0, 100.0)  # the default range of a meter the persona does not declare
_CURRENCY = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$"}
#: What `{offer.*}` says before the trainee has named terms (or a day): neutral words, so a reply
#: still reads as a sentence and never shows the raw placeholder. They read in the places these
#: go mid-sentence: "by {offer.date}", "{offer.instalments} payments of {offer.instalment}".
OFFER_FALLBACKS: dict[str, str] = {
    "offer.date": "the day you said",
    "offer.total": "that amount",
    "offer.instalment": "that amount",
    "offer.instalments": "a few",
}
_MONTH_NAMES = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)
_RELATIVE_WORDS = {
    "today": "today",
    "tomorrow": "tomorrow",
    "day_after_tomorrow": "the day after tomorrow",
    "yesterday": "yesterday",
    "this_week": "this week",
    "next_week": "next week",
    "end_of_week": "the end of the week",
    "this_month": "this month",
    "next_month": "next month",
    "end_of_month": "the end of the month",
    "in_1_week": "a week from now",
    "in_2_weeks": "two weeks from now",
}


class CallOver(RuntimeError):
    """Raised when a line is said after the call has ended."""


def money(amount: float, currency: str) -> str:
    symbol = _CURRENCY.get(currency)
    text = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def spoken_date(dates: tuple[DateMention, ...]) -> str | None:
    """The first day in a line, written one way whatever the trainee typed ("by thu nov 26",
    "Thursday, November 26th" -> "Thursday, November 26"), so a persona repeating it reads
    like the other dates it says (`{invoice.due}` is "October 15"); None when there is none.

    The analyser keeps "Thursday, November 26th" as two mentions (a weekday, then a date): a
    weekday mention right before a date with a day of the month is folded into it.
    """
    if not dates:
        return None
    i = next((k for k, d in enumerate(dates) if d.day is not None), 0)
    d = dates[i]
    weekday = d.weekday
    if weekday is None and i > 0 and dates[i - 1].day is None and dates[i - 1].relative is None:
        weekday = dates[i - 1].weekday
    if d.day is not None and d.month is not None:
        text = f"{_MONTH_NAMES[d.month - 1]} {d.day}" + (f", {d.year}" if d.year else "")
        text = f"{weekday.capitalize()}, {text}" if weekday else text
    elif d.day is not None:
        text = f"the {_ordinal(d.day)}"
        text = f"{weekday.capitalize()} {text}" if weekday else text
    elif weekday:
        text = ("next " if d.relative == "next_week" else "") + weekday.capitalize()
    elif d.relative in _RELATIVE_WORDS:
        text = _RELATIVE_WORDS[d.relative]
    elif d.hour is None:
        return None
    else:
        text = ""
    if d.hour is not None:
        at = f"{d.hour}:{d.minute or 0:02d}"
        text = f"{text} at {at}" if text else at
    return text


def offer_values(offer: Offer | None, date: str | None, currency: str) -> dict[str, str]:
    """The `{offer.*}` values for the trainee's latest terms and day; the neutral
    `OFFER_FALLBACKS` for whatever they have not named yet."""
    values = dict(OFFER_FALLBACKS)
    if offer is not None:
        values["offer.total"] = money(offer.total, currency)
        values["offer.instalment"] = money(offer.instalment, currency)
        values["offer.instalments"] = str(offer.instalments)
    if date:
        values["offer.date"] = date
    return values


def placeholder_values(loaded: Loaded) -> dict[str, str]:
    """The values `{...}` placeholders in replies are filled with (`{offer.*}` with the neutral
    words said before any offer; a call replaces them as the trainee names terms)."""
    case = loaded.scenario.case
    inv = case.invoices[0]
    cur = case.currency
    values = {
        "debtor.name": case.debtor.name,
        "debtor.first_name": case.debtor.name.split()[0],
        "debtor.company": case.debtor.company or case.debtor.name,
        "collector.name": case.collector.name,
        "collector.company": case.collector.company or case.creditor.name,
        "creditor.name": case.creditor.name,
        "invoice.number": inv.number,
        "invoice.amount": money(inv.amount, cur),
        "invoice.due": inv.due.strftime("%B %-d") if inv.due else "the due date",
        "invoice.issued": inv.issued.strftime("%B %-d") if inv.issued else "",
        "invoice.description": inv.description or "the order",
        "total": money(case.total, cur),
        "balance": money(case.outstanding(), cur),
        "currency": cur,
    }
    ledger = sorted(case.all_payments(), key=lambda p: p.date)
    if ledger:
        last = ledger[-1]
        values.update(
            {
                "last_payment.date": last.date.strftime("%B %-d"),
                "last_payment.amount": money(last.amount, cur),
                "last_payment.reference": last.reference or "the remittance",
            }
        )
    for name, value in loaded.traits.items():
        values[f"trait.{name}"] = (
            money(value, cur) if name in {"monthly_budget", "lump_sum"} else f"{value:g}"
        )
    values.update(OFFER_FALLBACKS)
    return values


_VALUES: dict[int, tuple[Loaded, dict[str, str]]] = {}


def _values_of(loaded: Loaded) -> dict[str, str]:
    """`placeholder_values`, worked out once per loaded scenario (it is frozen) rather than per
    call; the dict is only read."""
    hit = _VALUES.get(id(loaded))
    if hit is None or hit[0] is not loaded:
        if len(_VALUES) >= 64:  # reloading edited files in a long session: keep it bounded
            _VALUES.clear()
        hit = _VALUES[id(loaded)] = (loaded, placeholder_values(loaded))
    return hit[1]


def fill(text: str, values: dict[str, str]) -> str:
    if "{" not in text:  # most replies have no placeholder: skip the regex
        return text
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


@dataclass
class CallState:
    """The mutable part of a call; rules read it through `Condition`s."""

    stage: str
    meters: dict[str, float]
    bounds: dict[str, tuple[float, float]]
    facts: set[str] = field(default_factory=set)
    said: set[str] = field(default_factory=set)
    told: set[str] = field(default_factory=set)
    flags: set[str] = field(default_factory=set)
    fired: set[str] = field(default_factory=set)
    trainee_turns: int = 0
    outcome: str | None = None
    connected: bool = False
    ended: bool = False
    ended_by: str | None = None

    def apply(self, effect: Effect) -> None:
        # Run once per fired rule, hundreds of times a line in a large persona: the clamp is
        # spelled out (exactly min(hi, max(lo, v)), NaN and signed zeros included) and empty
        # parts are skipped.
        meters = self.meters
        for name, delta in effect.meters.items():
            lo, hi = self.bounds.get(name, _UNBOUNDED)
            v = meters.get(name, 0.0) + delta
            v = v if v > lo else lo
            meters[name] = v if v < hi else hi
        if effect.stage:
            self.stage = effect.stage
        if effect.remember:
            self.facts.update(effect.remember)
        if effect.forget:
            self.facts.difference_update(effect.forget)
        if effect.tag:
            self.told.update(effect.tag)
        if effect.outcome:
            self.outcome = effect.outcome


class CallSession:
    """One attempt at one scenario. Drive it with `act()`/`say()`; read `turns` and `record()`."""

    def __init__(
        self,
        loaded: Loaded,
        seed: int = 0,
        analyser: Callable[[str], Analysis] = analyse,
    ) -> None:
        self.loaded = loaded
        self.scenario = loaded.scenario
        self.persona = loaded.persona
        self.seed = seed
        self._rng = random.Random(seed)
        self._values = _values_of(loaded)
        self._other_names = speaker_names(self.persona.speaker)
        if analyser is analyse:  # the case file's names are kept as typed, never "corrected"
            known = case_names(self.scenario.case) | self._other_names
            analyser = partial(analyse, known=known)
        self._analyse = analyser
        meters = {name: float(m.start) for name, m in self.persona.meters.items()}
        meters.update({k: float(v) for k, v in loaded.meters.items()})
        self.state = CallState(
            stage=self.persona.stages[0],
            meters=meters,
            bounds={n: (m.min, m.max) for n, m in self.persona.meters.items()},
        )
        case = self.scenario.case
        if case.outstanding() <= 0:
            self.state.facts.add("debt_paid")
        self.turns: list[Turn] = []
        self.notes: list[str] = []
        self.plans: dict[str, str] = {}
        self.agreement: Agreement | None = None
        self._last_offer: Offer | None = None
        # The days asked for (see factcheck.asked_dates): the agreement's dates and, spoken,
        # `{offer.date}`.
        self._asked_dates: tuple[DateMention, ...] = ()
        self._used_variants: dict[str, set[int]] = {}
        self._matcher = Matcher(_rule_set(self.persona), self.state, loaded.traits)

    # --- reading ---

    @property
    def ended(self) -> bool:
        return self.state.ended

    @property
    def outcome(self) -> str:
        if self.state.outcome:
            return self.state.outcome
        if self.state.ended_by == "debtor":
            return "hung_up"
        return "no_agreement"

    def record(self) -> CallRecord:
        return CallRecord(
            scenario=self.scenario.id,
            seed=self.seed,
            outcome=self.outcome,
            turns=tuple(self.turns),
            notes=tuple(self.notes),
            plans=tuple(self.plans.items()),
            agreement=self.agreement,
            ended_by=self.state.ended_by,  # type: ignore[arg-type]
            finished=self.state.ended,
            facts=frozenset(self.state.facts),
            final_stage=self.state.stage,
            final_meters=tuple(self.state.meters.items()),
        )

    # --- driving ---

    def act(self, action: str, arg: str = "") -> list[Turn]:
        """Run a `/action` from a script or the TUI; returns the turns it added."""
        action = action.lstrip("/").strip().lower()
        if action == "note":
            text = arg.strip()
            if not text:
                return []
            self.notes.append(text)
            return [self._system("note", text)]
        if action == "end":
            return self.hang_up()
        if action == "interrupt":
            return self.say(arg, interrupted=True)
        if action == "say":
            return self.say(arg)
        if action == "call":
            if self.state.ended:
                raise CallOver("the call has ended")
            return self.connect()
        if action in {"wait", "hold"}:
            return self._silent_turn(action)
        if action == "send-documents":
            self.state.facts.add("documents_sent")
            docs = ", ".join(self.scenario.case.documents) or "invoice"
            when = "during the call" if self.state.connected else "before the call"
            return [self._system("send_documents", f"Sent {docs} to the debtor {when}.")]
        if action == "check-payments":
            self.state.facts.add("payments_checked")
            return [self._system("check_payments", self._ledger_report())]
        if action == "decide":
            choice = arg.strip().lower().replace("_", "-").replace(" ", "-")
            if choice not in DECISIONS:
                raise ValueError("a decision is written '/decide call' or '/decide no-call'")
            return [self._system("decide", f"Decision: {choice}")]
        if action == "plan":
            outcome, _, text = arg.partition(":")
            outcome = outcome.strip().replace(" ", "_").replace("-", "_")
            if not outcome or not text.strip():
                raise ValueError("a plan is written '/plan OUTCOME: what you will do'")
            self.plans[outcome] = text.strip()
            self.state.facts.add("plan_made")
            return [self._system("plan", f"Plan if {outcome_label(outcome)}: {text.strip()}")]
        raise ValueError(f"unknown action '/{action}' (known: {', '.join(ACTIONS)})")

    def connect(self) -> list[Turn]:
        """The debtor picks up."""
        if self.state.connected:
            return []
        self.state.connected = True
        out = [self._system("call_start", f"Calling {self.scenario.case.debtor.name}...")]
        out.append(self._debtor(self._pick("__opening__", self.persona.opening), None, ()))
        return out

    def say(self, text: str, *, interrupted: bool = False) -> list[Turn]:
        """The trainee says a line; returns the new turns (the line, the reply, call events)."""
        if self.state.ended:
            raise CallOver("the call has ended")
        out = self.connect()
        a = self._analyse(text)
        st = self.state
        st.trainee_turns += 1
        acts = set(a.acts)
        events, offer = line_events(
            a,
            self.scenario.case,
            verified="identity_verified" in st.facts,
            debt_paid="debt_paid" in st.facts,
            traits=self.loaded.traits,
            authority=self.scenario.authority,
            other_names=self._other_names,
        )
        if interrupted:
            events.add("interruption")
        if offer is not None:
            self._last_offer = offer
        dates = asked_dates(a, offer)
        if dates is not None:
            self._asked_dates = dates
        for kind in _CONDUCT:
            if kind in acts:
                st.flags.add(kind)
        if a.shouting:
            st.flags.add("shouting")
        if self.loaded.traits.get("right_party", 1) < 1 and acts & DISCLOSING:
            st.flags.add("third_party_disclosure")
        out.append(
            self._add(
                Turn(
                    n=len(self.turns) + 1,
                    speaker="trainee",
                    text=text,
                    acts=a.acts,
                    events=tuple(_ordered_events(events)),
                    slots=a.slots(),
                )
            )
        )
        out += self._respond(acts, events, _mentions(a))
        st.said |= acts
        if verifies(acts, events):
            st.facts.add("identity_verified")
        return out

    def hang_up(self) -> list[Turn]:
        """The trainee ends the call."""
        if self.state.ended:
            return []
        self.state.ended = True
        self.state.ended_by = "trainee"
        if not self.state.connected:
            return [self._system("call_end", "No call was made.")]
        return [self._system("call_end", f"Call ended. Outcome: {outcome_label(self.outcome)}.")]

    # --- internals ---

    def _silent_turn(self, kind: str) -> list[Turn]:
        if self.state.ended:
            raise CallOver("the call has ended")
        out = self.connect()
        self.state.trainee_turns += 1
        out.append(self._system(kind, "(silence)" if kind == "wait" else "(on hold)"))
        out += self._respond(set(), {"silence" if kind == "wait" else "hold"})
        return out

    def _respond(
        self, acts: set[str], events: set[str], mentions: frozenset[str] = frozenset()
    ) -> list[Turn]:
        st = self.state
        chosen = self._choose(acts, events, mentions)
        if chosen is not None:
            text = self._pick(chosen.id, chosen.say)
            tags = chosen.do.tag
            end = chosen.do.end
            rule_id: str | None = chosen.id
        else:
            pool = self.persona.fallback.get(st.stage) or self.persona.fallback.get("default")
            text = self._pick(f"__fallback__{st.stage}", pool or ("Mm-hm.",))
            tags, end, rule_id = (), False, None
        out = [self._debtor(text, rule_id, tags)]
        agreed_now = chosen is not None and chosen.do.outcome in AGREEMENTS
        if st.outcome in AGREEMENTS and (self.agreement is None or agreed_now):
            # A later agreement replaces an earlier one: a vague "sure, Friday" that the
            # trainee then pins down to real terms is recorded with those terms.
            self._agree(st.outcome)
            st.facts.add("agreement")
        if "hang_up" in tags and chosen is not None and chosen.do.outcome is None:
            # Slamming the phone down voids whatever was said before it, unless the rule
            # itself names the outcome (e.g. hanging up after a promise it means to keep).
            st.outcome = "hung_up"
        if end or "hang_up" in tags:
            st.ended = True
            st.ended_by = "debtor"
            said = outcome_label(self.outcome)
            out.append(self._system("call_end", f"The debtor ended the call. Outcome: {said}."))
        return out

    def _agree(self, outcome: str) -> None:
        turn = len(self.turns)
        dates = tuple(d.text for d in self._asked_dates)
        if self._last_offer is None:
            self.agreement = Agreement(outcome=outcome, turn=turn, dates=dates)
            return
        offer = self._last_offer
        self.agreement = Agreement(
            outcome=outcome,
            turn=turn,
            total=offer.total,
            instalment=offer.instalment if offer.kind == "plan" else None,
            instalments=offer.instalments if offer.kind == "plan" else None,
            dates=dates,
        )

    def _choose(self, acts: set[str], events: set[str], mentions: frozenset[str]) -> Rule | None:
        """Fire the matching reactions in file order, then the reply to give; return that.

        Each reaction sees the state the ones before it left; replies are tried highest
        priority first (file order breaking ties) and the first match wins. The dice are rolled
        last, and only for otherwise matching rules in that order, so adding an unrelated rule
        elsewhere does not change which replies a seed produces.
        """
        return self._matcher.choose(acts, events, mentions, self._rng.random, self.state.apply)

    def _pick(self, key: str, variants: tuple[str, ...]) -> str:
        """A seeded choice that avoids repeating a variant until all have been used."""
        used = self._used_variants.setdefault(key, set())
        if len(used) >= len(variants):
            used.clear()
        free = [i for i in range(len(variants)) if i not in used]
        i = free[self._rng.randrange(len(free))]
        used.add(i)
        text = variants[i]
        if "{offer." in text:  # the trainee's terms change during the call: filled per reply
            date = spoken_date(self._asked_dates)
            cur = self.scenario.case.currency
            values = offer_values(self._last_offer, date, cur)
            return fill(text, {**self._values, **values})
        return fill(text, self._values)

    def _ledger_report(self) -> str:
        case = self.scenario.case
        cur = case.currency
        lines = []
        for p in sorted(case.all_payments(), key=lambda p: p.date):
            what = f"for invoice {p.invoice}" if p.invoice else "unallocated"
            ref = f", ref {p.reference}" if p.reference else ""
            new = " (new: not yet in the case file)" if p in case.unposted_payments else ""
            lines.append(f"{p.date.isoformat()}: {money(p.amount, cur)} {what}{ref}{new}")
        balance = money(case.outstanding(), cur)
        if not lines:
            return f"Ledger checked: no payments received. Outstanding: {balance}."
        return "Ledger checked: " + "; ".join(lines) + f". Outstanding: {balance}."

    def _system(self, kind: str, text: str) -> Turn:
        return self._add(
            Turn(
                n=len(self.turns) + 1,
                speaker="system",
                text=text,
                kind=kind,
                in_call=self.state.connected and not self.state.ended,
            )
        )

    def _debtor(self, text: str, rule: str | None, tags: tuple[str, ...]) -> Turn:
        return self._add(
            Turn(
                n=len(self.turns) + 1,
                speaker="debtor",
                text=text,
                tags=tuple(tags),
                rule=rule,
                stage=self.state.stage,
                meters=tuple((k, round(v, 2)) for k, v in self.state.meters.items()),
            )
        )

    def _add(self, turn: Turn) -> Turn:
        self.turns.append(turn)
        return turn


_RULE_SETS: dict[int, tuple[Persona, RuleSet]] = {}


def _rule_set(persona: Persona) -> RuleSet:
    """A persona's compiled rules, built once per loaded persona rather than per call."""
    hit = _RULE_SETS.get(id(persona))
    if hit is None or hit[0] is not persona:
        if len(_RULE_SETS) >= 64:  # a long TUI session reloading edited files: keep it bounded
            _RULE_SETS.clear()
        hit = _RULE_SETS[id(persona)] = (persona, RuleSet.of(persona.rules))
    return hit[1]


def _mentions(a: Analysis) -> frozenset[str]:
    found = {
        "amount": bool(a.amounts),
        "invoice": bool(a.invoice_numbers),
        "date": bool(a.dates),
        "instalments": a.instalments is not None,
    }
    return frozenset(k for k, v in found.items() if v)


def _ordered_events(events: set[str]) -> list[str]:
    return [e for e in EVENTS if e in events]


__all__ = [
    "ACTIONS",
    "DECISIONS",
    "OFFER_FALLBACKS",
    "CallOver",
    "CallSession",
    "fill",
    "money",
    "offer_values",
    "spoken_date",
]
