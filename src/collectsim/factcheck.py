"""Checks a trainee line against the case file: the facts it quotes and the offer it makes.

This is where preparation meets the call: a wrong amount, an invoice that does not exist, or a
demand for money the ledger shows as paid become *events* that personas react to and scoring
reads. The thresholds here are about arithmetic, not behaviour; behaviour stays in YAML.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from collectsim.analysis import Analysis, DateMention
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
    references: tuple[str, ...]  # normalised references of every payment, posted or not
    dues: frozenset[tuple[int, int]]  # (month, day) of each due date
    names: frozenset[str]  # lower-cased words of every name in the case file
    companies: tuple[_Company, ...]  # every organisation in the case file
    people: frozenset[str]  # lower-cased words of the debtor's and the collector's names
    callees: frozenset[str]  # lower-cased words of the debtor's name


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


def case_names(case: CaseFile) -> frozenset[str]:
    """The lower-cased words of every name the case file gives: the people and firms, and the
    names its briefing mentions in passing. The analyser keeps them as typed."""
    return _name_words(case)


def _name_words(case: CaseFile) -> frozenset[str]:
    parts = [
        case.debtor.name,
        case.debtor.company,
        case.collector.name,
        case.collector.company,
        case.creditor.name,
        case.creditor.company,
    ]
    words = {w.lower() for p in parts if p for w in re.findall(r"[\w'\u2019-]+", p)}
    # A name the briefing mentions in passing ("her workplace, Brightwater Veterinary Clinic")
    # is one the trainee may rightly ask for.
    for text in (case.debtor.profile, case.relationship, case.debtor.address or ""):
        words.update(w.lower() for w in _BRIEFING_NAME.findall(text))
    return frozenset(words)


_BRIEFING_NAME = re.compile(r"\b[A-Z][\w'\u2019-]+")


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
        if not _COMPANY_WORDS.isdisjoint(w.lower() for w in words):
            return None  # "Hi, Apex Recoveries here": a company (see wrong_company), not a person
        return " ".join(words)
    return None


# --- the company a trainee says they call from ----------------------------------------------

#: Acts of a line that says who is calling. Only such a line is searched for the company after
#: "from", "with", "at"..., so "the payment from Apex Bank" in any other line is never judged; a
#: line without either act (nor "here") costs a set test and a substring test.
_INTRODUCING = frozenset({"introduce_self", "disclose_collector"})

_AP = "['\u2019]"
_GREETING = (
    r"(?:hi|hello|hey|hiya|yo|howdy|morning|afternoon|evening|good (?:morning|afternoon|evening"
    r"|day))(?: there)?[,!.]*"
)
#: Where the caller names themself: "this is", "it's", "my name is", "you're speaking with"...
_SELF = (
    rf"(?:this is|it{_AP}?s|it is|my name is|my name{_AP}?s|name{_AP}?s|i{_AP}?m|i am"
    rf"|you{_AP}?re speaking (?:with|to)|you are speaking (?:with|to)|you{_AP}?re through to"
    r"|(?:tell|let) (?:him|her|them)(?: know)?(?: that)?)"
)
#: What comes just before the company of a self-introduction, on the lower-cased line. A cue ends
#: where the company starts; `who` is the caller's name where the cue holds one.
_COMPANY_CUES = "|".join((
    # "Sam calling from X", "Tom here from X", "it's Sam again from X", "tell her Sam rang from X"
    r"\b(?:calling|ringing|phoning|called|rang|phoned|here|again|contacting you"
    r"|getting in touch|reaching out)(?: (?:you|today|again|now|just))?,? (?:from|on behalf of) ",
    # the creditor the caller acts for, or the firm they work for
    r"\b(?:on behalf of|acting for|(?:we|i) act for|instructed by|(?:i|we) work (?:for|at)"
    r"|working for|(?:i|we) represent|representing|here at) ",
    # "I'm from X", "I'm with X", "we're calling from X"
    rf"\b(?:i{_AP}?m|i am|we{_AP}?re|we are)(?: (?:just|calling|ringing|phoning|here|actually))?"
    r" (?:from|with|w/) ",
    # "this is Sam from X", "Hiya! Megan with X", "you're through to Hannah at X", "Tom with X"
    rf"(?:\b(?P<self>{_SELF}) |^|[.!?;,] )(?:{_GREETING} )?"
    r"(?P<who>[a-z][\w'\u2019-]*(?: [a-z][\w'\u2019-]*)?)"
    r",?(?: (?:here|again|calling|ringing|phoning|speaking),?)? (?:from|with|w/|at) ",
    # a role at a company: "the accounts team at X", "a debt collector with X", "billing at X"
    r"\b(?:(?:team|department|dept|office|desk|side|division|collections) at"
    r"|(?:controller|manager|officer|agent|collector|clerk|specialist|representative|rep"
    r"|adviser|advisor|accounts|billing|receivable) (?:at|for|with)) ",
    # "I'm calling for X": X may be the person called for, so only a company-like X counts
    r"\b(?:calling|ringing|phoning)(?: you)? (?P<marked>for) ",
))
_COMPANY_CUE = re.compile(_COMPANY_CUES)
#: "Apex Recoveries here": the words before " here" back to the last punctuation, after an
#: optional greeting. The company comes before the cue, so only a company-like one counts.
_HERE_COMPANY = re.compile(
    rf" *(?:{_GREETING} )?(?P<co>[\w&'\u2019-]+(?: [\w&'\u2019.-]+){{0,3}})"
)
_HERE_BOUNDARY = ".!?;,:"
_TOKEN = re.compile(r"[\w&'\u2019+./-]+|[^\w\s]")
_CAPITAL_AFTER_SPACE = re.compile(r" (?!I\b)[A-Z]")

#: Words that end a company name, or show that what follows a cue is none: pronouns, articles,
#: linking words, times ("hi its sam from northwind calling about ur invoice").
_ENDS_COMPANY = frozenset(
    """i im i'm me my mine myself you your yours u ur yr we us our he him his she her they them
    their it its it's itself a an the this that these those some any one another each every all
    both no none nobody somebody someone anybody anyone everyone everybody nothing something
    about regarding re concerning and or but so if as because cause coz cos to too for on in
    into at by of off out over up down with w/ from who whom whose which what when where why how
    is are am was were be been being do does did have has had will would can could shall should
    may might must just only also again still now then today tonight tomorrow yesterday here
    there please pls plz thanks thank cheers sorry ok okay hi hello hey calling ringing phoning
    speaking called rang phoned regard regards respect reference behalf before after earlier
    later last next since until monday tuesday wednesday thursday friday saturday sunday january
    february march april june july august september october november december""".split()  # noqa: SIM905
)
#: ... and words that are no company to start with: "calling from home", "from the UK", "from
#: Texas". A place not listed here is taken for a company ("calling from Leeds").
_NOT_COMPANY = _ENDS_COMPANY | frozenset(
    """home work abroad overseas upstairs downstairs outside inside away back afar far across
    nearby locally morning afternoon evening night weekend week month year christmas easter
    lunch memory scratch experience head main branch good great bad quick news update question
    reminder message uk us usa u.s britain england scotland wales ireland america canada mexico
    australia europe india london new alabama alaska arizona arkansas california colorado
    connecticut delaware florida georgia hawaii idaho illinois indiana iowa kansas kentucky
    louisiana maine maryland massachusetts michigan minnesota mississippi missouri montana
    nebraska nevada ohio oklahoma oregon pennsylvania rhode carolina dakota tennessee texas utah
    vermont virginia washington wisconsin wyoming""".split()  # noqa: SIM905
)
#: After "from the ...": a place, not a company ("from the Austin branch", "the UK office").
_SITES = frozenset({"branch", "office", "site", "depot", "store", "location", "end"})
#: Words a caller's name is not ("it's the invoice from...", "Payment from Apex Bank bounced").
_NOT_WHO = _NOT_COMPANY | frozenset(
    """invoice invoices payment payments transfer transfers letter letters email emails bill
    bills statement cheque check money order delivery call message reminder notice text note
    account balance debt amount refund receipt based located new afraid sure happy glad pleased
    busy free available stuck late early""".split()  # noqa: SIM905
)
#: Words that tell a company from a department, or from nothing ("from Customer Services",
#: "from Collections", "Northwind Supplies Ltd"): a name made only of these is no company, and
#: they are not compared.
_GENERIC = frozenset(
    """ltd ltd. limited inc inc. incorporated llc llp plc corp corp. corporation co co. company
    & and + of the group holdings partners associates agency recoveries recovery collections
    collection collectors collector debt credit control services service solutions accounts
    account department dept team office hq head main branch billing finance financial
    receivable payable customer customers legal payments payment support international hr sales
    dispatch care purchasing procurement operations ops admin administration marketing reception
    warehouse logistics shipping orders returns treasury payroll helpdesk""".split()  # noqa: SIM905
)
#: Words that make a name a company, where a person's name could stand instead ("I'm calling for
#: Apex Recoveries" but "I'm calling for Dana").
_COMPANY_WORDS = frozenset(
    """ltd limited inc incorporated llc llp plc corp corporation co company group holdings
    partners associates agency recoveries recovery collections collection collectors credit
    finance financial capital bank lending loans solutions services service supplies supply
    systems industries enterprises""".split()  # noqa: SIM905
)
_ABBREVIATIONS = frozenset({"st", "co", "inc", "ltd", "corp", "bros", "mt", "ft", "u.s"})


@dataclass(frozen=True)
class _Company:
    """An organisation of the case file, as its distinctive words."""

    words: tuple[str, ...]  # lower-cased, singular, without _GENERIC words
    joined: str  # the same without spaces ("northwindsupplies")


def _no_possessive(word: str) -> str:
    """ "northwind's" -> "northwind" """
    return word[:-2] if word.endswith(("'s", "\u2019s")) else word


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _company_words(name: str) -> tuple[str, ...]:
    words = (_no_possessive(w) for w in re.findall(r"[\w'\u2019&+-]+", name.lower()))
    return tuple(_singular(w) for w in words if w not in _GENERIC)


def _companies(case: CaseFile) -> tuple[_Company, ...]:
    names = {
        case.creditor.name,
        case.creditor.company,
        case.collector.company,
        case.debtor.company,
    }
    out = []
    for name in sorted(n for n in names if n):
        words = _company_words(name)
        if words:
            out.append(_Company(words, "".join(words)))
    return tuple(out)


def _words_of(*names: str | None) -> frozenset[str]:
    return frozenset(w.lower() for n in names if n for w in re.findall(r"[\w'\u2019-]+", n))


def _company_after(text: str, start: int, cased: bool) -> tuple[str, list[str]] | None:
    """The company name starting at `start`: as typed, and its lower-cased words; else None.

    With ``cased``, a company is a run of capitalised words (joined by "&", "and", "of"); on a
    line typed without capitals it runs to the first word that ends a name. An article first
    ("from the Apex team") is skipped only before a capitalised word.
    """
    words: list[str] = []
    first = end = -1
    pending: str | None = None  # a joining word, kept once a word follows it
    article = False
    for m in _TOKEN.finditer(text, start, min(len(text), start + 80)):
        tok = m.group(0)
        if not (tok[0].isalnum() or tok[0] in "&+"):
            break  # punctuation ends the name
        stop = tok.endswith(".") and tok[:-1].lower() not in _ABBREVIATIONS
        tok = tok.rstrip(".")
        low = _no_possessive(tok.lower())
        stop = stop or low != tok.lower()  # "Northwind's Austin office": Northwind
        if not words:
            if not article and cased and low == "the":
                article = True  # "from the Apex Recoveries team": look at what follows
                continue
            if not tok[:1].isalpha():
                return None
        elif low in {"&", "and", "of", "+"}:
            pending = tok
            continue
        if (low in _NOT_COMPANY if not words or not cased else low in _ENDS_COMPANY) or (
            cased and not tok[0].isupper()
        ):
            if article and low in _SITES:
                return None  # "from the Austin branch"
            break
        if pending:
            words.append(pending.lower())
        pending = None
        words.append(low)
        if first < 0:
            first = m.start()
        end = m.start() + len(tok)
        if stop or len(words) >= 6:
            break
    return (text[first:end], words) if words else None


def _is_company_word(word: str, company: _Company) -> bool:
    w = _singular(word)
    if w in company.words:
        return True
    return process.extractOne(w, company.words, scorer=fuzz.ratio, score_cutoff=80) is not None


def _judge_company(
    words: list[str], companies: tuple[_Company, ...], people: frozenset[str], marked: bool
) -> bool | None:
    """True if `words` name a company that is none of `companies`, False if they name one of
    them, None if they are not judged.

    A typo, a missing "Ltd" or part of the name ("Northwind" for "Northwind Collections") is the
    same company: every distinctive word must be a word of one company. Words of only
    departments ("Accounts Receivable"), of people's names, or (with `marked`) without a word that
    makes it a company are not judged.
    """
    strong = [w for w in words if w not in _GENERIC]
    if not strong or all(w in people for w in strong):
        return None
    if marked and _COMPANY_WORDS.isdisjoint(words):
        return None
    joined = "".join(_singular(w) for w in strong)
    for company in companies:
        if all(w in people or _is_company_word(w, company) for w in strong):
            return False
        if fuzz.ratio(joined, company.joined) >= 85:  # "NorthwindSupplies", "North Wind"
            return False
    return True


_NOT_NAME_ENDING = re.compile(r"(?:ing|ly|['\u2019](?:ll|d|ve|re|m|t))$")


def _not_a_name(word: str, cased: bool) -> bool:
    """`word` can't be the caller's name ("it's the invoice", "I'll double-check with")."""
    low = word.lower()
    if low in _NOT_WHO or _NOT_NAME_ENDING.search(low):
        return True
    return cased and not word[0].isupper()


def _lower_in_place(text: str) -> str:
    """`text` lower-cased, keeping every character where it was (so positions match)."""
    if text.isascii():
        return text.lower()
    return "".join(low if len(low := c.lower()) == 1 else c for c in text)


def _mentioned_companies(
    text: str, callees: frozenset[str], introducing: bool = True
) -> Iterator[tuple[str, list[str], bool]]:
    """Each company a self-introduction names: as typed, its lower-cased words, and whether it
    needs a company word to count (where a person's name could stand instead).

    Without ``introducing`` (the line does no act of introducing) only "Apex Recoveries here"
    is looked for: it needs a company word, and the analyser may read it as a bare greeting.
    """
    if not introducing and "here" not in text.lower():
        return
    text = " ".join(text.split())
    lowered = _lower_in_place(text)
    cased = _typed_with_capitals(text, lowered) if introducing else None
    pos = 0 if introducing else len(lowered) + 1
    while (m := _COMPANY_CUE.search(lowered, pos)) is not None:
        pos = m.end()
        if m.group("who") is not None:
            names = text[m.start("who") : m.end("who")].split()
            if any(_not_a_name(w, bool(cased)) for w in names) or (
                m.group("self") is None and names[0].lower() in callees
            ):
                # "it's the invoice from...", "I'm working from home", "Hi Jordan from Reyes
                # Landscaping" (the company of the person called); "hi its sam from": try again
                # from the next word
                pos = max(m.start("who"), m.start() + 1)
                continue
        found = _company_after(text, m.end(), bool(cased))
        if found is not None:
            yield found[0], found[1], m.group("marked") is not None
    end = lowered.find(" here")
    while end >= 0:
        after = lowered[end + 5 : end + 6]
        before = lowered[max(0, end - 60) : end].split()[-4:]
        if (not after or not (after.isalnum() or after in "'\u2019")) and not (
            _COMPANY_WORDS.isdisjoint(w.strip(_HERE_BOUNDARY) for w in before)
        ):
            start = max(lowered.rfind(c, 0, end) for c in _HERE_BOUNDARY) + 1
            m = _HERE_COMPANY.fullmatch(lowered, start, end)
            if m is not None and cased is None:
                cased = _typed_with_capitals(text, lowered)
            if m is not None:
                typed = text[m.start("co") : m.end("co")]
                words = [_no_possessive(w) for w in m.group("co").split()]
                if (
                    not _COMPANY_WORDS.isdisjoint(words)
                    and _NOT_COMPANY.isdisjoint(words)
                    and not (cased and any(_not_capitalised(w) for w in typed.split()))
                ):
                    yield typed, words, True
        end = lowered.find(" here", end + 5)


def _typed_with_capitals(text: str, lowered: str) -> bool:
    """Whether the line is typed with capitals: one starts a word that does not start a
    sentence and is not "I" ("Hi its sam from fastfreight" is typed without). Its companies are
    then capitalised, so a lower-case word after a cue ("calling from home") is no company."""
    if text == lowered or text.isupper():
        return False
    return any(text[m.start() - 1] not in ".!?" for m in _CAPITAL_AFTER_SPACE.finditer(text))


def _not_capitalised(word: str) -> bool:
    return not word[0].isupper() and word.lower() not in _GENERIC


def wrong_company(
    text: str, case: CaseFile, other_names: frozenset[str] = frozenset(), introducing: bool = True
) -> str | None:
    """The company a self-introduction names that is no organisation in the case file, else None.

    "Hi, this is Sam from Apex Recoveries" when the case is Northwind's gives "Apex Recoveries".
    The creditor, the collector's company (an agency) and the debtor's company are right, and so
    is a near spelling, a missing "Ltd" or part of the name. Only what follows an introduction is
    judged ("from X", "calling from X", "with X", "on behalf of X", "the team at X", "X here"),
    and on a line typed with capitals only a capitalised name: "calling from home", "from the
    accounts team", "from the UK", "with regard to" name no company. ``other_names``: words of
    the name of whoever answers instead of the debtor. ``introducing``: the line does an act of
    introducing (`introduce_self`, `disclose_collector`); without it only "X here" is judged.
    """
    return _companies_named(text, _ledger(case), other_names, introducing)[0]


def _companies_named(
    text: str, ledger: _Ledger, other_names: frozenset[str], introducing: bool
) -> tuple[str | None, bool]:
    """The first company the introduction names that is no organisation of the case file (as
    typed), and whether it names one that is."""
    people = ledger.people | other_names if other_names else ledger.people
    callees = ledger.callees | other_names if other_names else ledger.callees
    right = False
    for typed, words, marked in _mentioned_companies(text, callees, introducing):
        verdict = _judge_company(words, ledger.companies, people, marked)
        if verdict:
            return typed, right
        right = right or verdict is False
    return None, right

def _ledger(case: CaseFile) -> _Ledger:
    """The case's `_Ledger`, kept per case file (they are frozen, like everything they hold)."""
    hit = _LEDGERS.get(id(case))
    if hit is None or hit[0] is not case:
        ledger = _Ledger(
            balance=case.outstanding(),
            amounts=tuple(known_amounts(case)),
            invoices=tuple(_norm_invoice(i.number) for i in case.invoices),
            references=tuple(
                r for p in case.all_payments() if p.reference and (r := _norm_invoice(p.reference))
            ),
            dues=frozenset((i.due.month, i.due.day) for i in case.invoices if i.due),
            names=_name_words(case),
            companies=_companies(case),
            people=_words_of(case.debtor.name, case.collector.name),
            callees=_words_of(case.debtor.name),
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


#: Acts that ask the debtor for terms: a day such a line names is the day asked for.
_ASKING = frozenset({"offer_plan", "request_payment"})


def asked_dates(a: Analysis, offer: Offer | None) -> tuple[DateMention, ...] | None:
    """The days a line asks the debtor to pay by, when it sets terms: those of a line making an
    offer (none, if it names no day), or of a payment request that names a day but no figure
    ("could you pay by Monday instead?"). None: the line leaves the day asked for as it was.

    Shared by the engine (the agreement it records, `{offer.date}`) and scored transcripts, so a
    day moved after the offer is the agreed day in both, and a summary naming it is right.
    """
    if offer is not None or (a.dates and not _ASKING.isdisjoint(a.acts)):
        return a.dates
    return None


#: A verifying question that raised one of these gets no yes: the debtor corrects the name or
#: asks who the caller's firm is, so the right party is not confirmed by it.
UNCONFIRMING = frozenset({"wrong_name", "wrong_company"})


def verifies(acts: Collection[str], events: Collection[str]) -> bool:
    """Whether a line confirms the right party (the engine, transcripts and the checker agree)."""
    return "verify_identity" in acts and UNCONFIRMING.isdisjoint(events)


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
    person who answers, when it is not the debtor). A self-introduction that names a company
    which is no organisation of the case file raises ``wrong_company`` (see `wrong_company`).
    """
    acts = a.acts
    ledger = _ledger(case)
    events: set[str] = set()
    if wrong_name(a.text, ledger.names | other_names if other_names else ledger.names):
        events.add("wrong_name")
    introducing = not _INTRODUCING.isdisjoint(acts)
    if introducing or "here" in a.text:
        wrong, right = _companies_named(a.text, ledger, other_names, introducing)
        if wrong:
            events.add("wrong_company")
        elif right:
            events.add("correct_company")
    quoting = not _FACT_ACTS.isdisjoint(acts) and _NOT_FACT_ACTS.isdisjoint(acts)
    if quoting and a.amounts:
        known = ledger.amounts
        if any(_close(x, k) for x in a.amounts for k in known):
            events.add("correct_amount")
        else:
            events.add("wrong_amount")
    # A payment's reference from the case file ("transfer reference PSP-1119") reads like an
    # invoice number but is a fact of the case, not an unknown invoice: it is judged as neither.
    numbers = [
        n
        for n in a.invoice_numbers
        if _invoice_known(n, ledger.invoices) or not _invoice_known(n, ledger.references)
    ]
    if numbers:
        if all(_invoice_known(n, ledger.invoices) for n in numbers):
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
