"""Checks a trainee line against the case file: the facts it quotes and the offer it makes.

This is where preparation meets the call: a wrong amount, an invoice that does not exist, or a
demand for money the ledger shows as paid become *events* that personas react to and scoring
reads. The thresholds here are about arithmetic, not behaviour; behaviour stays in YAML.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from collectsim.analysis import Analysis
from collectsim.models import Authority, CaseFile

# Words that turn a lower amount into a settlement offer rather than a partial payment.
_SETTLEMENT = re.compile(
    r"\b(settle|settlement|full and final|discount|write off|reduce|reduced|knock off|less)\b",
    re.IGNORECASE,
)
_DUE = re.compile(r"\b(due|overdue|since|was payable)\b", re.IGNORECASE)
_FACT_ACTS = frozenset({"state_facts", "state_purpose"})
_NOT_FACT_ACTS = frozenset({"offer_plan", "ask_affordability", "summarize_agreement"})
_PRESSING = frozenset({"request_payment", "pressure", "threaten"})
_DISCLOSING = frozenset({"state_purpose", "state_facts", "request_payment", "offer_plan"})
_OFFERING = frozenset({"offer_plan", "request_payment"})
# Without a figure, a payment request only names terms when it asks for all of it now; "how would
# you like to pay, card or transfer?" is not a demand for the full balance.
_WHOLE = re.compile(
    r"\b(full|whole|all of it|entire|everything|balance|in full|today|now|right away|"
    r"immediately|outstanding|owed?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Offer:
    """Terms the trainee put on the table in one line."""

    kind: str  # "plan", "lump" or "settlement"
    total: float
    instalment: float
    instalments: int


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(0.5, 0.005 * b)


def _norm_invoice(s: str) -> str:
    return re.sub(r"[^0-9a-z]", "", s.lower())


def known_amounts(case: CaseFile) -> list[float]:
    """Figures a trainee may legitimately quote as facts of the debt."""
    out = [i.amount for i in case.invoices]
    out += [case.total, case.outstanding(), case.outstanding(include_unposted=False)]
    out += [p.amount for p in case.all_payments()]
    out += list(case.other_amounts)
    return out


def invoice_matches(mentioned: str, case: CaseFile) -> bool:
    return _invoice_known(mentioned, tuple(_norm_invoice(i.number) for i in case.invoices))


def _invoice_known(mentioned: str, numbers: tuple[str, ...]) -> bool:
    """`mentioned` names one of the (normalised) invoice numbers, in full or by its tail."""
    m = _norm_invoice(mentioned)
    if not m:
        return True
    return any(m == n or (len(m) >= 3 and (n.endswith(m) or m.endswith(n))) for n in numbers)


@dataclass(frozen=True)
class _Ledger:
    """What the line checks read from a case file, worked out once per case, not per line."""

    balance: float
    amounts: tuple[float, ...]  # known_amounts
    invoices: tuple[str, ...]  # normalised invoice numbers
    dues: frozenset[tuple[int, int]]  # (month, day) of each due date
    names: frozenset[str]  # lower-cased words of every name in the case file


_LEDGERS: dict[int, tuple[CaseFile, _Ledger]] = {}


#: Where a trainee names the person they want or are talking to: "is this X", "am I speaking with
#: X", "can I speak to X", "I'm looking for X", or "Hi X" opening the line. X is one or two
#: capitalised words, after an optional title.
_CUES = (
    r"\b(?:is (?:this|that|it)|am i (?:speaking|talking) (?:with|to)"
    r"|(?:can|could|may) i (?:please )?(?:speak|talk) (?:with|to)|speaking with"
    r"|(?:i am|i'm|im) (?:looking for|trying to reach|after)|looking for)"
    r"|^\s*(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening))"
)
_TITLE = r"(?:(?:mr|mrs|ms|miss|mx|dr)\.?\s+)?"
_ADDRESSED = re.compile(
    rf"(?i:{_CUES}),?\s+(?i:{_TITLE})(?P<name>[A-Z][a-z'\u2019-]+(?:\s+[A-Z][a-z'\u2019-]+)?)"
)
#: The same on lower-cased ASCII text, several times faster than matching case-insensitively;
#: the name's capitals are then read from the original text at the same place.
_ADDRESSED_LOWER = re.compile(
    rf"(?:{_CUES}),?\s+{_TITLE}(?P<name>[a-z][a-z'-]+(?:\s+[a-z][a-z'-]+)?)"
)
_CAPITALISED = re.compile(r"[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?")
#: Capitalised words after those openings that are not names ("Is this Friday?", "Hi there").
_NOT_NAMES = frozenset(
    """sir madam mam there all everyone again team accounts billing reception mate folks guys
    friend yes no ok okay thanks thank sorry just good morning afternoon evening the this that it
    i is am a an me you your my our how what who when monday tuesday wednesday thursday friday
    saturday sunday january february march april may june july august september october
    november december today tomorrow now still about regarding""".split()  # noqa: SIM905
)


def _name_words(case: CaseFile) -> frozenset[str]:
    parts = [
        case.debtor.name,
        case.debtor.company,
        case.collector.name,
        case.collector.company,
        case.creditor.name,
        case.creditor.company,
    ]
    return frozenset(w.lower() for p in parts if p for w in re.findall(r"[\w'\u2019-]+", p))


def _addressed(text: str) -> Iterator[str]:
    """The capitalised names a line addresses, in order."""
    if not text.isascii():  # lower() may change lengths outside ASCII
        yield from (m.group("name") for m in _ADDRESSED.finditer(text))
        return
    lowered, pos = text.lower(), 0
    while (m := _ADDRESSED_LOWER.search(lowered, pos)) is not None:
        cap = _CAPITALISED.match(text, m.start("name"), m.end("name"))
        if cap is not None:
            yield cap.group(0)
            pos = m.end()
        else:  # "Hi, is this Dana": the words after "Hi" may hold the next cue
            pos = m.start("name")


def wrong_name(text: str, known: frozenset[str]) -> str | None:
    """The name a line asks for or greets that is nobody in the case file, else None.

    Only the first name the line addresses is judged, and only a capitalised one, so "is this a
    good time" or a lower-cased name never counts. A near spelling ("Jordon") is not wrong.
    """
    for name in _addressed(text):
        words = [w for w in name.split() if w.lower() not in _NOT_NAMES]
        if not words:
            continue  # "Hi there, is this Dana?": judge the name that comes next
        for word in words:
            w = re.sub(r"['\u2019]s$", "", word.lower())
            if w in known or process.extractOne(w, known, scorer=fuzz.ratio, score_cutoff=80):
                return None
        return " ".join(words)
    return None


def _ledger(case: CaseFile) -> _Ledger:
    """The case's `_Ledger`, kept per case file (they are frozen, like everything they hold)."""
    hit = _LEDGERS.get(id(case))
    if hit is None or hit[0] is not case:
        ledger = _Ledger(
            balance=case.outstanding(),
            amounts=tuple(known_amounts(case)),
            invoices=tuple(_norm_invoice(i.number) for i in case.invoices),
            dues=frozenset((i.due.month, i.due.day) for i in case.invoices if i.due),
            names=_name_words(case),
        )
        if len(_LEDGERS) >= 256:  # a long TUI session reloading edited files: keep it bounded
            _LEDGERS.clear()
        hit = _LEDGERS[id(case)] = (case, ledger)
    return hit[1]


def read_offer(a: Analysis, balance: float) -> Offer | None:
    """The terms in a line that offers a plan or asks for payment, if it names any."""
    acts = a.acts
    if _OFFERING.isdisjoint(acts) or balance <= 0:
        return None
    amounts = [x for x in a.amounts if x > 0]
    n = a.instalments
    if n and n > 0:
        if amounts:
            big = max(amounts)
            instalment = big / n if big >= 0.9 * balance else big
        else:
            instalment = balance / n
        return Offer("plan", round(instalment * n, 2), round(instalment, 2), n)
    if not amounts:
        if "offer_plan" in acts or not _WHOLE.search(a.text):
            return None  # "we could set up a plan" / "card or transfer?" name no terms yet
        return Offer("lump", balance, balance, 1)
    amount = max(x for x in amounts)
    if "offer_plan" in acts and amount < 0.98 * balance and _SETTLEMENT.search(a.text):
        return Offer("settlement", amount, amount, 1)
    if "offer_plan" in acts and amount < 0.9 * balance:
        count = max(1, math.ceil(balance / amount - 1e-9))
        return Offer("plan", balance, amount, count)
    return Offer("lump", min(amount, balance), min(amount, balance), 1)


def offer_events(
    offer: Offer, traits: dict[str, float], authority: Authority, balance: float
) -> set[str]:
    events: set[str] = set()
    budget = traits.get("monthly_budget")
    lump = traits.get("lump_sum")
    if offer.kind == "plan":
        if budget is not None:
            events.add(
                "offer_affordable" if offer.instalment <= budget + 0.5 else "offer_unaffordable"
            )
        plan = authority.plan
        if (
            plan is None
            or offer.instalments > plan.max_months
            or (offer.instalment + 0.5 < plan.min_instalment)
        ):
            events.add("offer_outside_authority")
    else:
        if lump is not None:
            events.add("offer_affordable" if offer.total <= lump + 0.5 else "offer_unaffordable")
        if offer.kind == "settlement":
            events.add("settlement_offer")
            s = authority.settlement
            if s is None or offer.total + 0.5 < balance * s.floor_percent / 100:
                events.add("below_floor")
                events.add("offer_outside_authority")
    return events


def conduct_events(a: Analysis, *, verified: bool) -> set[str]:
    """The events a line raises that need no case file: shouting, and talking about the debt
    before checking who answered."""
    events = set()
    if not verified and not _DISCLOSING.isdisjoint(a.acts):
        events.add("disclosed_unverified")
    if a.shouting:
        events.add("shouting")
    return events


def speaker_names(speaker: str | None) -> frozenset[str]:
    """The names a persona's `speaker` (who answers instead of the debtor) may be called."""
    return frozenset(w.lower() for w in (speaker or "").split())


def line_events(
    a: Analysis,
    case: CaseFile,
    *,
    verified: bool,
    debt_paid: bool,
    traits: dict[str, float],
    authority: Authority,
    other_names: frozenset[str] = frozenset(),
) -> tuple[set[str], Offer | None]:
    """Every event one trainee line raises, and the offer it makes (if any).

    ``other_names``: lower-cased names that are right to use besides the case file's (the
    person who answers, when it is not the debtor).
    """
    acts = a.acts
    ledger = _ledger(case)
    events: set[str] = set()
    if wrong_name(a.text, ledger.names | other_names if other_names else ledger.names):
        events.add("wrong_name")
    quoting = not _FACT_ACTS.isdisjoint(acts) and _NOT_FACT_ACTS.isdisjoint(acts)
    if quoting and a.amounts:
        known = ledger.amounts
        if any(_close(x, k) for x in a.amounts for k in known):
            events.add("correct_amount")
        else:
            events.add("wrong_amount")
    if a.invoice_numbers:
        if all(_invoice_known(n, ledger.invoices) for n in a.invoice_numbers):
            events.add("correct_invoice")
        else:
            events.add("wrong_invoice")
    if quoting and a.dates and _DUE.search(a.text):
        dues = ledger.dues
        said = {(d.month, d.day) for d in a.dates if d.month and d.day}
        if dues and said and not said & dues:
            events.add("wrong_date")
    if debt_paid and not _PRESSING.isdisjoint(acts):
        events.add("pressed_paid_debt")
    events |= conduct_events(a, verified=verified)
    offer = read_offer(a, ledger.balance)
    if offer is not None:
        events |= offer_events(offer, traits, authority, ledger.balance)
    return events, offer
