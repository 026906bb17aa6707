"""The domain: case files, scenarios, personas and their rules, as frozen dataclasses.

These classes are also the file formats: the loader validates YAML straight into them (pydantic
dataclasses, so validation, error locations and the JSON Schema come from one definition), and
`collectsim schema` prints what they describe. Field descriptions double as schema documentation.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable
from dataclasses import field
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, model_validator
from pydantic.dataclasses import dataclass

from collectsim.acts import ACTS

FILE_CONFIG = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _dc(cls: type) -> type:
    return dataclass(frozen=True, kw_only=True, config=FILE_CONFIG)(cls)


# --- vocabularies ---

OUTCOMES: tuple[str, ...] = (
    "paid_in_full",
    "payment_plan",
    "settlement",
    "promise_to_pay",
    "callback",
    "dispute",
    "already_paid",
    "wrong_party",
    "no_agreement",
    "hung_up",
)
Outcome = Literal[OUTCOMES]  # type: ignore[valid-type]
#: The words a trainee sees for each outcome (system lines, the scorecard), never the raw id.
OUTCOME_LABELS: dict[str, str] = {
    "paid_in_full": "paid in full",
    "payment_plan": "payment plan",
    "settlement": "settlement",
    "promise_to_pay": "promise to pay",
    "callback": "callback",
    "dispute": "dispute",
    "already_paid": "already paid",
    "wrong_party": "wrong party",
    "no_agreement": "no agreement",
    "hung_up": "hung up",
}


def outcome_label(outcome: str) -> str:
    """`OUTCOME_LABELS` for a known outcome; any other id (a plan's own outcome, "refuses")
    with its underscores as spaces."""
    return OUTCOME_LABELS.get(outcome) or outcome.replace("_", " ")


def outcome_id(label: str) -> str:
    """The outcome id an `outcome_label` (or an id) stands for: "paid in full" -> "paid_in_full",
    so a plan line read back from its text names the outcome as the trainee's `/plan` did."""
    return label.strip().replace(" ", "_")

#: Outcomes in which the debtor agreed to pay something: these call for a summary at the close.
AGREEMENTS: frozenset[str] = frozenset(
    {"paid_in_full", "payment_plan", "settlement", "promise_to_pay"}
)

#: What the debtor did with a reply. Personas mark their replies with these so that scoring can
#: tell, for instance, whether the trainee's empathy answered a reason the debtor gave.
DEBTOR_TAGS: tuple[str, ...] = (
    "answer",  # picked up / confirmed identity
    "give_reason",  # explained why it is unpaid
    "drift",  # went off-topic
    "ask_documents",  # wants to see the invoice first
    "claim_paid",  # says it was paid
    "dispute",  # disputes the debt
    "push_back",  # corrects a wrong fact
    "stall",  # avoids committing
    "angry",  # gets heated
    "calm_down",  # settles after being acknowledged
    "agree",  # accepts an arrangement
    "refuse",  # refuses an offer or demand
    "counter_offer",  # proposes other terms
    "promise",  # promises to pay
    "wrong_person",  # not the debtor
    "hang_up",  # ends the call
    "goodbye",  # polite end
)
DebtorTag = Literal[DEBTOR_TAGS]  # type: ignore[valid-type]

#: Things the engine notices about a trainee line by comparing it with the case file and state.
EVENTS: tuple[str, ...] = (
    "correct_amount",
    "wrong_amount",
    "correct_invoice",
    "wrong_invoice",
    "wrong_date",
    "wrong_name",
    "wrong_company",
    "correct_company",
    "pressed_paid_debt",
    "disclosed_unverified",
    "shouting",
    "interruption",
    "offer_affordable",
    "offer_unaffordable",
    "offer_outside_authority",
    "settlement_offer",
    "below_floor",
    "silence",
    "hold",
)
Event = Literal[EVENTS]  # type: ignore[valid-type]

#: Facts the engine records on its own; personas may `remember` any other name too.
BUILTIN_FACTS: tuple[str, ...] = (
    "documents_sent",  # /send-documents before or during the call
    "payments_checked",  # /check-payments
    "plan_made",  # /plan for at least one outcome
    "identity_verified",  # the trainee checked they speak to the right person
    "debt_paid",  # the ledger shows every invoice paid (true whether or not checked)
    "agreement",  # an arrangement was agreed
)

Difficulty = Literal["easy", "medium", "hard"]

#: What a trainee line can be checked to mention (the analyser's slots).
MENTIONS: tuple[str, ...] = ("amount", "invoice", "date", "instalments")
Mention = Literal[MENTIONS]  # type: ignore[valid-type]


# --- small value types ---

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "=": operator.eq,
    "!=": operator.ne,
}
_COMPARISON = re.compile(r"^\s*(<=|>=|==|!=|<|>|=)?\s*(-?\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Comparison:
    """A threshold such as ``"< 20"`` or ``">= 3"``; a bare number means equality."""

    op: str
    value: float

    def test(self, x: float) -> bool:
        return _OPS[self.op](x, self.value)

    def __str__(self) -> str:
        return f"{self.op} {self.value:g}"


def _parse_comparison(v: Any) -> Any:
    if isinstance(v, Comparison):
        return v
    if isinstance(v, bool):
        raise ValueError("expected a comparison such as '< 20' or '>= 3', got true/false")
    if isinstance(v, int | float):
        return Comparison("==", float(v))
    if isinstance(v, str):
        m = _COMPARISON.match(v)
        if m:
            return Comparison(m.group(1) or "==", float(m.group(2)))
        raise ValueError(f"expected a comparison such as '< 20' or '>= 3', got {v!r}")
    if isinstance(v, dict):
        return v
    raise ValueError(f"expected a comparison such as '< 20' or '>= 3', got {type(v).__name__}")


Threshold = Annotated[Comparison, BeforeValidator(_parse_comparison)]


def _as_tuple(v: Any) -> Any:
    """Lets a trainer write a single name where a list is expected: ``stage: opening``."""
    if v is None:
        return ()
    if isinstance(v, str):
        return (v,)
    return v


Names = Annotated[tuple[str, ...], BeforeValidator(_as_tuple)]


def _time_zone(v: Any) -> Any:
    """An IANA zone name the contact rules can convert with; a typo would silently be UTC."""
    if v is None:
        return v
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(str(v))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {v!r} (an IANA name, e.g. America/Chicago)") from None
    return v


TimeZoneName = Annotated[str, AfterValidator(_time_zone)]
Act = Literal[ACTS]  # type: ignore[valid-type]
ActNames = Annotated[tuple[Act, ...], BeforeValidator(_as_tuple)]
EventNames = Annotated[tuple[Event, ...], BeforeValidator(_as_tuple)]
TagNames = Annotated[tuple[DebtorTag, ...], BeforeValidator(_as_tuple)]
Replies = Annotated[tuple[str, ...], BeforeValidator(_as_tuple)]


def _clock_time(v: Any) -> Any:
    """YAML reads an unquoted 10:45 as the number 645 (base 60); refuse it instead of guessing."""
    if isinstance(v, int) and not isinstance(v, bool):
        raise ValueError(
            "write the time in quotes, like '10:45' (unquoted, YAML reads it as a number)"
        )
    return v


ClockTime = Annotated[dt.time, BeforeValidator(_clock_time)]


# --- the case file ---


@_dc
class Party:
    name: str = Field(description="Person or company name as the trainee would say it.")
    company: str | None = Field(default=None, description="Company the person works for.")
    role: str | None = Field(default=None, description="Job title, e.g. 'accounts payable'.")
    phone: str | None = None
    email: str | None = None


@_dc
class Debtor:
    name: str = Field(description="The debtor's name; the trainee must verify it.")
    company: str | None = Field(default=None, description="For a business debt: the company.")
    role: str | None = Field(default=None, description="Who this person is at the company.")
    phone: str | None = None
    date_of_birth: dt.date | None = Field(default=None, description="For identity checks.")
    address: str | None = Field(default=None, description="For identity checks.")
    account_digits: str | None = Field(default=None, description="Last digits of the account.")
    customer_since: dt.date | None = None
    local_timezone: TimeZoneName | None = Field(
        default=None, description="IANA zone, e.g. America/Chicago."
    )
    profile: str = Field(default="", description="What the collector knows about this customer.")


@_dc
class Invoice:
    number: str = Field(description="Invoice number as printed, e.g. '4471'.")
    amount: float = Field(gt=0, description="Amount invoiced.")
    currency: str = Field(default="USD", description="ISO currency code.")
    issued: dt.date | None = Field(default=None, description="Invoice date.")
    due: dt.date | None = Field(default=None, description="Due date.")
    description: str = Field(default="", description="What was delivered.")

    @model_validator(mode="before")
    @classmethod
    def _number_as_text(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("number"), int):
            data = {**data, "number": str(data["number"])}
        return data


@_dc
class Payment:
    date: dt.date = Field(description="Date the payment was received.")
    amount: float = Field(gt=0)
    invoice: str | None = Field(default=None, description="Invoice number it paid, if known.")
    reference: str | None = Field(default=None, description="Remittance reference.")
    method: str | None = Field(default=None, description="bank transfer, card, cheque...")
    note: str = ""

    @model_validator(mode="before")
    @classmethod
    def _invoice_as_text(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("invoice"), int):
            data = {**data, "invoice": str(data["invoice"])}
        return data


@_dc
class Contact:
    date: dt.date
    channel: Literal["phone", "email", "letter", "sms", "visit"] = "phone"
    summary: str = Field(default="", description="What happened on that contact.")
    conversation: bool = Field(
        default=False, description="True if the debtor was actually spoken to."
    )
    direction: Literal["outbound", "inbound"] = Field(
        default="outbound",
        description="outbound: the collector contacted the debtor; inbound: the debtor made "
        "the contact (inbound calls do not count toward the 7-calls-in-7-days limit).",
    )


@_dc
class Attorney:
    name: str = Field(description="The attorney representing the debtor for this debt.")
    phone: str | None = None


@_dc
class CaseFile:
    creditor: Party = Field(description="Who is owed the money.")
    collector: Party = Field(description="The trainee's role: name and company.")
    debtor: Debtor
    relationship: str = Field(default="", description="Relationship history in a few sentences.")
    invoices: tuple[Invoice, ...] = Field(min_length=1, description="The unpaid invoices.")
    payments: tuple[Payment, ...] = Field(
        default=(), description="The payments ledger as the case file shows it."
    )
    unposted_payments: tuple[Payment, ...] = Field(
        default=(),
        description="Payments that arrived but are not in the case file yet: only "
        "/check-payments reveals them before the call.",
    )
    contacts: tuple[Contact, ...] = Field(default=(), description="Earlier contacts.")
    documents: Names = Field(
        default=("invoice",), description="Documents on hand that can be sent before the call."
    )
    other_amounts: tuple[float, ...] = Field(
        default=(),
        description="Other figures a well-prepared collector may quote as facts: a credit note, "
        "the corrected or undisputed amount, a late fee. Quoting them is not a wrong amount.",
    )
    call_date: dt.date | None = Field(default=None, description="The day of the call.")
    call_time: ClockTime | None = Field(
        default=None,
        description="Clock time the call would be placed, e.g. '07:45'; local to the debtor "
        "unless call_timezone says otherwise. Makes the briefing ask whether the call may be "
        "made now.",
    )
    call_timezone: TimeZoneName | None = Field(
        default=None,
        description="IANA zone call_time is given in (e.g. the collector's office); the "
        "debtor's local_timezone when left out.",
    )
    attorney: Attorney | None = Field(
        default=None, description="The debtor is represented by this attorney for this debt."
    )
    cease_request: dt.date | None = Field(
        default=None, description="Date the debtor asked in writing to stop communicating."
    )

    def all_payments(self) -> tuple[Payment, ...]:
        return self.payments + self.unposted_payments

    def paid_on(self, number: str, *, checked: bool = True) -> float:
        ledger = self.all_payments() if checked else self.payments
        return sum(p.amount for p in ledger if p.invoice == number)

    def outstanding(self, *, include_unposted: bool = True) -> float:
        """What is still owed; unposted payments count because the money did arrive."""
        owed = sum(i.amount for i in self.invoices)
        ledger = self.all_payments() if include_unposted else self.payments
        numbers = {i.number for i in self.invoices}
        paid = sum(p.amount for p in ledger if p.invoice in numbers)
        return round(max(owed - paid, 0.0), 2)

    @property
    def total(self) -> float:
        return round(sum(i.amount for i in self.invoices), 2)

    @property
    def currency(self) -> str:
        return self.invoices[0].currency


@_dc
class PlanAuthority:
    max_months: int = Field(ge=1, description="Longest instalment plan you may agree.")
    min_instalment: float = Field(default=0, ge=0, description="Smallest instalment you may agree.")


@_dc
class SettlementAuthority:
    floor_percent: float = Field(
        gt=0, le=100, description="Lowest share of the balance you may accept as a settlement."
    )
    deadline_days: int = Field(default=14, ge=1, description="Days the settlement must be paid in.")


@_dc
class Authority:
    full_payment: bool = Field(default=True, description="You may ask for the full balance.")
    plan: PlanAuthority | None = Field(default=None, description="Instalments you may offer.")
    settlement: SettlementAuthority | None = Field(
        default=None, description="A settlement for less you may offer."
    )


# --- personas ---


@_dc
class Condition:
    """When a rule applies. Every condition given must hold; leave out what does not matter."""

    acts: ActNames = Field(default=(), description="All of these acts are in the trainee's line.")
    any_acts: ActNames = Field(default=(), description="At least one of these acts is in the line.")
    no_acts: ActNames = Field(default=(), description="None of these acts is in the line.")
    said: ActNames = Field(default=(), description="The trainee did each of these acts before.")
    not_said: ActNames = Field(
        default=(), description="The trainee never did any of these acts before this line."
    )
    stage: Names = Field(default=(), description="The call is in one of these stages.")
    not_stage: Names = Field(default=(), description="The call is in none of these stages.")
    meters: dict[str, Threshold] = Field(
        default_factory=dict, description="Meter thresholds, e.g. {patience: '< 20'}."
    )
    traits: dict[str, Threshold] = Field(
        default_factory=dict, description="Trait thresholds, e.g. {stubbornness: '>= 0.5'}."
    )
    facts: Names = Field(default=(), description="All of these facts are true.")
    not_facts: Names = Field(default=(), description="None of these facts is true.")
    events: EventNames = Field(
        default=(), description="All of these things happened in the trainee's line."
    )
    mentions: Annotated[tuple[Mention, ...], BeforeValidator(_as_tuple)] = Field(
        default=(),
        description="The line names each of these: amount, invoice, date, instalments "
        "(e.g. tell 'I'll call you later' from 'I'll call you tomorrow at 10').",
    )
    no_events: EventNames = Field(default=(), description="None of these happened in the line.")
    told: TagNames = Field(default=(), description="The debtor already did each of these.")
    not_told: TagNames = Field(default=(), description="The debtor never did any of these yet.")
    turn: Threshold | None = Field(
        default=None, description="The trainee's line number, e.g. '>= 3'."
    )
    flags: Names = Field(default=(), description="These conduct flags were raised in the call.")
    chance: float | None = Field(
        default=None, gt=0, le=1, description="Probability (seeded, so replays repeat)."
    )


@_dc
class Effect:
    """What a rule changes."""

    meters: dict[str, float] = Field(
        default_factory=dict, description="Meter changes, e.g. {patience: -15, trust: 10}."
    )
    stage: str | None = Field(default=None, description="Move the call to this stage.")
    remember: Names = Field(default=(), description="Facts that become true.")
    forget: Names = Field(default=(), description="Facts that become false.")
    tag: TagNames = Field(default=(), description="What the debtor does with this reply.")
    outcome: Outcome | None = Field(default=None, description="The call's outcome so far.")
    end: bool = Field(default=False, description="The debtor ends the call after this reply.")


@_dc
class Rule:
    id: str = Field(description="A short name, unique in the persona; shown by check and test.")
    when: Condition = Field(default_factory=Condition)
    do: Effect = Field(default_factory=Effect)
    say: Replies = Field(
        default=(),
        description="Reply variants; one is picked by the seeded dice. Leave empty for a rule "
        "that only changes meters or facts and lets another rule reply.",
    )
    priority: int = Field(
        default=0, description="Higher wins when several replying rules match; ties: file order."
    )
    once: bool = Field(default=False, description="Fire at most once per call.")
    example: str | None = Field(
        default=None, description="A trainee line this rule is meant to answer (checked by check)."
    )


@_dc
class Meter:
    start: float = Field(description="Value when the call starts.")
    min: float = 0
    max: float = 100


def _meter(v: Any) -> Any:
    if isinstance(v, int | float) and not isinstance(v, bool):
        return {"start": v}
    return v


MeterSpec = Annotated[Meter, BeforeValidator(_meter)]


@_dc
class Persona:
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", description="Unique id, used by scenarios.")
    type: str = Field(description="The kind of debtor, e.g. 'off-topic', 'defensive'.")
    description: str = Field(default="", description="How this debtor behaves, for trainers.")
    traits: dict[str, float] = Field(
        default_factory=dict,
        description="Numbers that shape behaviour; scenarios may override them. Known to the "
        "engine: monthly_budget (most the debtor can pay a month), lump_sum (most they can pay "
        "at once), right_party (1 if the person answering is the debtor).",
    )
    meters: dict[str, MeterSpec] = Field(
        default_factory=dict, description="Moods that change during the call, e.g. patience."
    )
    stages: Names = Field(min_length=1, description="Stages of the call; the first is the start.")
    speaker: str | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        description="Who picks up, as transcripts name them (e.g. 'Kayla' when a receptionist "
        "answers); by default the debtor's first name.",
    )
    opening: Replies = Field(default=("Hello?",), description="What the debtor says on picking up.")
    rules: tuple[Rule, ...] = Field(default=(), description="Replying and reacting rules.")
    fallback: dict[str, Replies] = Field(
        default_factory=dict,
        description="Replies when no rule matches, by stage; 'default' for any stage.",
    )
    hangup_line: Replies = Field(
        default=("I have to go. Goodbye.",), description="Said when the trainee hangs up first."
    )


# --- scenarios ---


@_dc
class PersonaOverrides:
    traits: dict[str, float] = Field(default_factory=dict)
    meters: dict[str, float] = Field(
        default_factory=dict, description="Starting values to use instead of the persona's."
    )


@_dc
class RubricOverrides:
    weights: dict[Literal["preparation", "professionalism", "empathy", "close"], float] = Field(
        default_factory=dict, description="Dimension weights for overall; missing ones keep 1."
    )
    disable: Names = Field(default=(), description="Criterion ids switched off.")
    criteria: tuple[dict[str, Any], ...] = Field(
        default=(), description="Extra criteria for this scenario (see docs/rubric.md)."
    )


@_dc
class Scenario:
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", description="Unique id, used on the CLI.")
    title: str
    difficulty: Difficulty = "medium"
    persona: str = Field(description="The id of the persona the debtor plays.")
    persona_overrides: PersonaOverrides = Field(default_factory=PersonaOverrides)
    summary: str = Field(default="", description="One line for the scenario list.")
    briefing: str = Field(default="", description="What the trainee is told before preparing.")
    call_type: Literal["first_party", "agency"] = Field(
        default="first_party", description="agency calls need the collector disclosure."
    )
    first_contact: bool = Field(default=False, description="First time the debtor is reached.")
    case: CaseFile
    authority: Authority = Field(default_factory=Authority)
    success: tuple[Outcome, ...] = Field(
        min_length=1, description="Outcomes that count as a successful call."
    )
    plan_required: bool = Field(
        default=False, description="The trainee must plan the outcomes before calling."
    )
    order: int = Field(default=100, description="Place in the suggested learning path.")
    rubric: RubricOverrides = Field(default_factory=RubricOverrides)


# --- loaded, resolved objects ---


@dataclass(frozen=True)
class Loaded:
    """A scenario bound to its persona with overrides applied: what a call is played from."""

    scenario: Scenario
    persona: Persona
    traits: dict[str, float] = field(default_factory=dict)
    meters: dict[str, float] = field(default_factory=dict)
    source: str | None = None
    content_hash: str = ""
