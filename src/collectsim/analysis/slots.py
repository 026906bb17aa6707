"""Slot extraction: money amounts, invoice numbers, dates, instalment counts and shouting.

Slots are read from the *cleaned* text (case and punctuation kept: ``$2,350``, ``INV-4471``,
``10/3``). Spans are claimed in priority order (invoices, then dates, then amounts), so an invoice
number or the year of a date is never also counted as money.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache

from collectsim.analysis.patternset import PatternSet
from collectsim.analysis.result import DateMention

Span = tuple[int, int]

_SMALL = {
    "zero": 0, "one": 1, "a": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
_SCALE = {"hundred": 100, "thousand": 1000, "grand": 1000, "k": 1000, "million": 1_000_000}
_WORD = "|".join(sorted((w for w in _SMALL if w != "a"), key=len, reverse=True))
_NUMWORDS = rf"(?:(?:{_WORD}|a)(?:[\s-]+(?:{_WORD}|hundred|thousand|grand|and))*)"
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
WEEKDAYS = {
    "monday": "monday", "mon": "monday", "tuesday": "tuesday", "tues": "tuesday",
    "tue": "tuesday", "wednesday": "wednesday", "wed": "wednesday", "weds": "wednesday",
    "thursday": "thursday", "thurs": "thursday", "thu": "thursday", "thur": "thursday",
    "friday": "friday", "fri": "friday", "saturday": "saturday", "sat": "saturday",
    "sunday": "sunday", "sun": "sunday",
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_FULL_WEEKDAY = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_SHORT_WEEKDAY = "|".join(sorted((w for w in WEEKDAYS if len(w) < 6), key=len, reverse=True))
_ORD = r"(?:st|nd|rd|th)"

_INVOICE = re.compile(
    r"\b(?:invoices?|inv|bill|ref(?:erence)?)\b\.?\s*(?:(?:number|num|no|nr|ref|id)\b\.?\s*)?"
    r"(?::\s*)?#?\s*(?P<id>(?:[A-Za-z]{1,5}-?)?\d[\w/-]*)",
    re.IGNORECASE,
)
_INVOICE_MORE = re.compile(
    r"\s*(?:,|&|and|/)\s*(?:no\.?\s*|#\s*)?(?P<id>(?:[A-Za-z]{1,5}-?)?\d[\w-]*)", re.IGNORECASE
)
_INVOICE_BARE = re.compile(r"\b(?P<id>INV-?\d[\w-]*)", re.IGNORECASE)

_UNIT_AFTER = (
    r"(?!\s*(?:%|percent|days?|weeks?|months?|years?|times|invoices?|payments?|instal|install"
    r"|parts|am|pm|o'?clock|th\b|st\b|nd\b|rd\b|/))"
)
_AMOUNT_PATTERNS = [
    re.compile(
        rf"(?:[$€£]|\b(?:usd|eur|gbp)\b)\s?(?P<n>{_NUM})(?:\s?(?P<mult>k|m|thousand|grand)\b)?",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b(?P<n>{_NUM})\s?(?P<mult>k|m|thousand|grand)?\s?(?:[$€£]|(?:dollars?|bucks|usd|eur"
        r"|euros?|pounds?|gbp|quid)\b)",
        re.IGNORECASE,
    ),
    re.compile(r"\b(?P<n>\d+(?:\.\d+)?)\s?(?P<mult>k|grand)\b", re.IGNORECASE),
    re.compile(
        rf"\b(?P<n>{_NUM})\s?(?:a|per|each|every|/)\s?(?:month|mo|week|wk|fortnight)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:pay(?:ing)?|payments? of|instal+ments? of|balance(?: is| of)?|amount(?: is| of)?"
        r"|total(?: is| of)?|owed?|owing|outstanding(?: is| of)?|settle for|settlement of"
        r"|sum of|comes? to|came to|only|just|at least|up to|offer|accept|down payment of"
        r"|deposit of|left|remaining)"
        rf"\s+(?:us\s+|me\s+|you\s+)?(?:about\s+|around\s+|roughly\s+|approximately\s+)?"
        rf"(?P<n>{_NUM}){_UNIT_AFTER}\b",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b(?P<w>{_NUMWORDS})\s+(?:dollars?|bucks|euros?|pounds?|quid)\b", re.IGNORECASE
    ),
]

_INSTALMENT_UNITS = (
    r"(?:monthly\s+|weekly\s+|equal\s+|separate\s+|smaller\s+|fortnightly\s+)?"
    r"(?:payments|instal+ments|instal+mnts|parts|chunks|transfers|goes|lots|months|weeks|mos|wks)"
)


def _instalment_patterns(n: str) -> list[re.Pattern[str]]:
    return [
        re.compile(rf"\b(?:over|across|in|into)\s+(?P<n>{n})\s+{_INSTALMENT_UNITS}\b", re.I),
        re.compile(
            rf"\b(?P<n>{n})\s+(?:monthly\s+|weekly\s+|equal\s+|separate\s+|smaller\s+"
            r"|fortnightly\s+)?(?:payments|instal+ments|instal+mnts)\b",
            re.I,
        ),
        re.compile(
            rf"\bsplit\s+(?:it\s+|that\s+|this\s+|the\s+\w+\s+|them\s+)?(?:up\s+)?"
            rf"(?:into|in|over)\s+(?P<n>{n})\b",
            re.I,
        ),
        re.compile(rf"\b(?P<n>{n})[\s-]+(?:month|week)\s+(?:payment\s+)?plan\b", re.I),
    ]


# Times of day. Claimed after dates and before amounts; a bare number ("at 10") is not a time.
_HOUR_WORDS = {w: n for w, n in _SMALL.items() if 1 <= n <= 12 and w != "a"}
_HOUR = r"\d{1,2}|" + "|".join(sorted(_HOUR_WORDS, key=len, reverse=True))
_AMPM = r"(?P<ap>[ap])\.?\s?m\b\.?"
_TIMES = [
    # 8:30, 14:05, 8:30pm, 8.30 am (a dot only with am/pm: "8.30" alone may be money)
    re.compile(rf"(?<![\d.,:$€£])\b(?P<h>\d{{1,2}}):(?P<mi>[0-5]\d)(?:\s?{_AMPM})?(?![\d:])", re.I),
    re.compile(rf"(?<![\d.,:$€£])\b(?P<h>\d{{1,2}})\.(?P<mi>[0-5]\d)\s?{_AMPM}", re.I),
    # 10 am, 3pm, 10 a.m.
    re.compile(rf"(?<![\d.,:$€£])\b(?P<h>\d{{1,2}})\s?{_AMPM}", re.I),
    # ten o'clock, 10 oclock
    re.compile(rf"\b(?P<h>{_HOUR})\s?o\s?'?\s?clock\b", re.I),
    # half past two, quarter to four, ten past nine, 20 to 5
    re.compile(
        rf"\b(?P<q>half|(?:a\s+)?quarter|five|ten|twenty|twenty[\s-]five|\d{{1,2}})"
        rf"(?P<mins>\s+minutes)?\s+(?P<dir>past|after|to)\s+(?P<h>{_HOUR})\b"
        rf"(?:\s?{_AMPM})?",
        re.I,
    ),
    re.compile(r"\b(?P<noon>noon|midday|midnight)\b", re.I),
]
# What may stand between a date and its time: "tomorrow at 10", "friday, 3pm", "10am on monday".
_DATE_TIME_GAP = re.compile(r"\s*,?\s*(?:at|around|about|by|from|after|before|@|on)?\s*", re.I)

_ASCII_UPPER = bytes(range(ord("A"), ord("Z") + 1))
_ASCII_LOWER = bytes(range(ord("a"), ord("z") + 1))
_SHOUT_MARKS = re.compile(r"!{3,}|(?:[!?]\s*){4,}")


def words_to_number(words: str) -> float | None:
    """'two hundred and fifty' -> 250; None when the words are not a number."""
    total = 0
    current = 0
    seen = False
    for w in re.split(r"[\s-]+", words.lower()):
        if w == "and" or not w:
            continue
        if w in _SMALL:
            current += _SMALL[w]
            seen = True
        elif w in _SCALE:
            current = max(current, 1) * _SCALE[w]
            if _SCALE[w] >= 1000:
                total += current
                current = 0
            seen = True
        else:
            return None
    return float(total + current) if seen else None


def _to_float(num: str, mult: str | None = None) -> float | None:
    try:
        value = float(num.replace(",", ""))
    except ValueError:
        return None
    if mult:
        value *= _SCALE.get(mult.lower(), 1_000_000 if mult.lower() == "m" else 1)
    return value


def _hour_value(raw: str) -> int | None:
    raw = raw.lower()
    return int(raw) if raw.isdigit() else _HOUR_WORDS.get(raw)


def _time_of(groups: Mapping[str, str | None]) -> tuple[int, int] | None:
    """(hour, minute) of a time match; None when it is not a real time of day."""
    if groups.get("noon"):
        return (0, 0) if groups["noon"].lower() == "midnight" else (12, 0)
    hour = _hour_value(groups["h"] or "")
    if hour is None:
        return None
    minute = int(groups["mi"]) if groups.get("mi") else 0
    q = (groups.get("q") or "").lower()
    if q:
        if not 1 <= hour <= 12:
            return None
        q = re.sub(r"^a\s+", "", q)
        by = {"half": 30, "quarter": 15}.get(q)
        if by is None:
            by = int(q) if q.isdigit() else words_to_number(q.replace("-", " "))
        if by is None or not 0 < by < 60:
            return None
        if (groups.get("dir") or "").lower() == "to":
            # "quarter to four", "ten minutes to six"; not "five to ten pounds", "half to"
            if q != "quarter" and not groups.get("mins"):
                return None
            hour, minute = hour - 1, 60 - int(by)
            if hour == 0:
                hour = 12
        else:
            minute = int(by)
    ap = (groups.get("ap") or "").lower()
    if ap:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ap == "p" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return hour, minute


class Taken:
    """The spans already claimed by a slot.

    A line full of dates or amounts (a paste) has hundreds of mentions; testing each against
    every claimed span was quadratic (2.4 ms for a 2,000-character line of dates). Claims that
    overlap are merged, so the claims are disjoint intervals with starts and ends both sorted,
    and one bisect answers. (An empty claim would break that order; patterns never match the
    empty string, but such a claim is still kept, in a list of its own.)
    """

    __slots__ = ("empty", "ends", "starts")

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.empty: list[int] = []

    def free(self, span: Span) -> bool:
        """No claim overlaps ``span``: each ends by its start or starts at or after its end."""
        a, b = span
        i = bisect_left(self.starts, b)  # the claims starting before the span ends
        if i and self.ends[i - 1] > a:
            return False
        return not self.empty or all(not a < s < b for s in self.empty)

    def add(self, span: Span) -> None:
        a, b = span
        if a >= b:
            self.empty.append(a)
            return
        starts, ends = self.starts, self.ends
        i = bisect_left(starts, b)
        j = bisect_right(ends, a)  # claims j..i-1 overlap the span
        if j < i:
            starts[j:i] = [min(a, starts[j])]
            ends[j:i] = [max(b, ends[i - 1])]
        else:
            starts.insert(i, a)
            ends.insert(i, b)


def is_shouting(text: str) -> bool:
    """Mostly capitals (>= 8 cased letters, >= 70% upper) or rows of exclamation marks."""
    if ("!" in text or "?" in text) and _SHOUT_MARKS.search(text):
        return True
    if text.isascii():  # count by deleting bytes (C speed) rather than testing each character
        raw = text.encode()
        upper = len(raw) - len(raw.translate(None, _ASCII_UPPER))
        lower = len(raw) - len(raw.translate(None, _ASCII_LOWER))
    else:
        upper = sum(map(str.isupper, text))
        lower = sum(map(str.islower, text))
    return upper + lower >= 8 and upper >= 0.7 * (upper + lower)


class SlotExtractor:
    """Regex-based slot reader; text-speak spellings of date words come from textspeak.yaml."""

    def __init__(self, textspeak: Mapping[str, str]) -> None:
        def variants(word: str) -> str:
            forms = {word} | {k for k, v in textspeak.items() if v.lower() == word}
            return "|".join(sorted(map(re.escape, forms), key=len, reverse=True))

        today, tomorrow = variants("today"), variants("tomorrow")
        week, month = variants("week"), variants("month")
        weekday = rf"(?P<wd>{_FULL_WEEKDAY}|(?<=\s)(?:{_SHORT_WEEKDAY})\.?(?=\s|$|[,.!?]))"
        num_forms = "|".join(sorted(_SMALL, key=len, reverse=True))
        self._num_re = rf"\d{{1,3}}|{num_forms}"
        self._instalments = _instalment_patterns(rf"\d{{1,3}}|{_NUMWORDS}")
        rel = [
            (rf"\b(?:the\s+)?day\s+after\s+(?:{tomorrow})\b", "day_after_tomorrow"),
            (rf"\b(?:{today})\b", "today"),
            (r"\btonight\b|\btonite\b|\bthis\s+evening\b", "today"),
            (rf"\b(?:{tomorrow})\b", "tomorrow"),
            (r"\byesterday\b", "yesterday"),
            (rf"\bnext\s+(?:{week})\b", "next_week"),
            (rf"\bthis\s+(?:{week})\b", "this_week"),
            (rf"\b(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?:{week})\b", "end_of_week"),
            (rf"\b(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?:{month})\b", "end_of_month"),
            (rf"\bnext\s+(?:{month})\b", "next_month"),
            (rf"\bthis\s+(?:{month})\b", "this_month"),
            (r"\bmonth[\s-]end\b", "end_of_month"),
            (rf"\bin\s+(?:a|one|1)\s+(?:{week})\b", "in_1_week"),
            (rf"\bin\s+(?:two|2|a\s+couple\s+of)\s+(?:{week})s?\b", "in_2_weeks"),
        ]
        # One alternation, one scan: the label is the name of the group that matched.
        self._relative_names = {f"r{i}": r for i, (_, r) in enumerate(rel)}
        self._relative_branches = [f"(?P<r{i}>{p})" for i, (p, _) in enumerate(rel)]
        # Each branch is a pattern of the set on its own; a line is scanned by one alternation of
        # just the branches that may match. At each position an alternation tries its branches
        # in order, and a branch that matches nowhere in the line matches at no position, so
        # leaving it out changes nothing but the time (one branch scans ~10x faster than 14).
        self._relative_alternation = lru_cache(maxsize=256)(self._alternation)
        relative_parts = [re.compile(b, re.I) for b in self._relative_branches]
        self._dates = [
            re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
            re.compile(
                rf"\b(?:the\s+)?(?P<d>\d{{1,2}}){_ORD}?(?:\s+of)?\s+(?P<mn>{_MONTH})\b\.?"
                r"(?:,?\s+(?P<y>\d{4})\b)?",
                re.I,
            ),
            re.compile(
                rf"\b(?P<mn>{_MONTH})\.?\s+(?:the\s+)?(?P<d>\d{{1,2}}){_ORD}?\b"
                r"(?:,?\s+(?P<y>\d{4})\b)?",
                re.I,
            ),
            re.compile(r"\b(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/(?P<y>\d{2}|\d{4}))?\b"),
            re.compile(
                rf"\b(?:in|by|until|till|before|end\s+of|from|since|last|next|during|for)\s+"
                rf"(?P<mn>{_MONTH.replace('may|', '')})\b(?:\s+(?P<y>\d{{4}})\b)?",
                re.I,
            ),
            re.compile(
                rf"\b(?:(?P<mod>next|this|coming|on|by|until|till|before|after|from)\s+)?"
                rf"{weekday}",
                re.I,
            ),
            re.compile(rf"\b(?:the|by|on|before|until)\s+(?P<d>\d{{1,2}}){_ORD}\b", re.I),
        ]
        # Speed only: one pass over the text tells which regexes can match; the others are
        # skipped (see :mod:`.patternset`).
        self._every = [
            _INVOICE, _INVOICE_BARE, *_AMOUNT_PATTERNS, *_TIMES, *relative_parts,
            *self._dates, *self._instalments,
        ]
        self._set = PatternSet(self._every)
        # Positions in _every: membership is tested by position, because hashing a compiled
        # regex hashes its whole program.
        pos = {id(p): k for k, p in enumerate(self._every)}
        self._invoice_items = [(pos[id(p)], p) for p in (_INVOICE, _INVOICE_BARE)]
        self._amount_items = [(pos[id(p)], p) for p in _AMOUNT_PATTERNS]
        self._time_items = [(pos[id(p)], p) for p in _TIMES]
        self._date_items = [(pos[id(p)], p) for p in self._dates]
        self._instalment_items = [(pos[id(p)], p) for p in self._instalments]
        self._relative_pos = [pos[id(p)] for p in relative_parts]

    def _alternation(self, branches: tuple[int, ...]) -> re.Pattern[str]:
        return re.compile("|".join(self._relative_branches[i] for i in branches), re.I)

    def live(self, text: str) -> frozenset[int]:
        """Positions of the slot regexes that may match ``text`` (one left out cannot)."""
        return frozenset(self._set.candidates(text))

    def invoices(
        self, text: str, taken: Taken, live: frozenset[int] | None = None
    ) -> tuple[str, ...]:
        live = self.live(text) if live is None else live
        found: list[str] = []
        for k, pattern in self._invoice_items:
            if k not in live:
                continue
            for m in pattern.finditer(text):
                span = m.span("id")
                if not taken.free(span):
                    continue
                ident = m.group("id").rstrip("-/.")
                if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", ident):
                    continue  # "invoice 2026-10-03" is a date, not an id
                taken.add(span)
                found.append(ident)
                end = m.end()
                while more := _INVOICE_MORE.match(text, end):
                    taken.add(more.span("id"))
                    found.append(more.group("id").rstrip("-/."))
                    end = more.end()
        return tuple(dict.fromkeys(found))

    def dates(
        self, text: str, taken: Taken, live: frozenset[int] | None = None
    ) -> tuple[DateMention, ...]:
        live = self.live(text) if live is None else live
        found = self._date_spans(text, taken, live)
        times = self._times(text, taken, live)
        for t_span, (hour, minute) in times:
            # attach the time to a date right next to it, else it is a mention of its own
            for i, (d_span, mention) in enumerate(found):
                if d_span[1] <= t_span[0]:
                    gap, start, end = text[d_span[1] : t_span[0]], d_span[0], t_span[1]
                elif t_span[1] <= d_span[0]:
                    gap, start, end = text[t_span[1] : d_span[0]], t_span[0], d_span[1]
                else:
                    continue
                if mention.hour is None and _DATE_TIME_GAP.fullmatch(gap):
                    found[i] = ((start, end), replace(
                        mention, text=text[start:end].strip(), hour=hour, minute=minute))
                    break
            else:
                found.append((t_span, DateMention(
                    text=text[t_span[0] : t_span[1]].strip(), hour=hour, minute=minute)))
        return tuple(d for _, d in sorted(found, key=lambda x: x[0][0]))

    def _times(
        self, text: str, taken: Taken, live: frozenset[int]
    ) -> list[tuple[Span, tuple[int, int]]]:
        """(span, (hour, minute)) of each time of day, claiming their spans."""
        found: list[tuple[Span, tuple[int, int]]] = []
        for k, pattern in self._time_items:
            if k not in live:
                continue
            for m in pattern.finditer(text):
                if not taken.free(m.span()):
                    continue
                value = _time_of(m.groupdict())
                if value is not None:
                    taken.add(m.span())
                    found.append((m.span(), value))
        return found

    def _date_spans(
        self, text: str, taken: Taken, live: frozenset[int]
    ) -> list[tuple[Span, DateMention]]:
        found: list[tuple[Span, DateMention]] = []
        branches = tuple(i for i, k in enumerate(self._relative_pos) if k in live)
        relative = self._relative_alternation(branches) if branches else None
        for m in relative.finditer(text) if relative is not None else ():
            if m.lastgroup and taken.free(m.span()):
                taken.add(m.span())
                label = self._relative_names[m.lastgroup]
                found.append((m.span(), DateMention(text=m.group(0), relative=label)))
        for k, pattern in self._date_items:
            if k not in live:
                continue
            for m in pattern.finditer(text):
                if not taken.free(m.span()):
                    continue
                mention = self._date(m)
                if mention is not None:
                    taken.add(m.span())
                    found.append((m.span(), mention))
        return found

    @staticmethod
    def _date(m: re.Match[str]) -> DateMention | None:
        groups = m.groupdict()
        year = int(groups["y"]) if groups.get("y") else None
        if year is not None and year < 100:
            year += 2000
        month = MONTHS[groups["mn"].lower()] if groups.get("mn") else None
        if groups.get("m"):
            month = int(groups["m"])
        day = int(groups["d"]) if groups.get("d") else None
        weekday = WEEKDAYS[groups["wd"].lower().rstrip(".")] if groups.get("wd") else None
        if month is not None and not 1 <= month <= 12:
            return None
        if day is not None and not 1 <= day <= 31:
            return None
        relative = None
        if weekday and (groups.get("mod") or "").lower() == "next":
            relative = "next_week"
        return DateMention(m.group(0).strip(), year, month, day, weekday, relative)

    def amounts(
        self, text: str, taken: Taken, live: frozenset[int] | None = None
    ) -> tuple[float, ...]:
        live = self.live(text) if live is None else live
        found: list[tuple[int, float]] = []
        for k, pattern in self._amount_items:
            if k not in live:
                continue
            for m in pattern.finditer(text):
                group = "w" if "w" in m.groupdict() else "n"
                span = m.span(group)
                if not taken.free(span):
                    continue
                if group == "w":
                    value = words_to_number(m.group("w"))
                else:
                    value = _to_float(m.group("n"), m.groupdict().get("mult"))
                if value is None or value <= 0:
                    continue
                taken.add(span)
                found.append((span[0], value))
        return tuple(dict.fromkeys(v for _, v in sorted(found)))

    def instalments(
        self, text: str, live: frozenset[int] | None = None
    ) -> int | None:
        live = self.live(text) if live is None else live
        for k, pattern in self._instalment_items:
            if k not in live:
                continue
            m = pattern.search(text)
            if m:
                raw = m.group("n")
                value = int(raw) if raw.isdigit() else words_to_number(raw)
                if value is not None and 2 <= value <= 120:
                    return int(value)
        return None

    def extract(
        self, text: str
    ) -> tuple[tuple[float, ...], tuple[str, ...], tuple[DateMention, ...], int | None]:
        """(amounts, invoice_numbers, dates, instalments) of a cleaned line."""
        taken = Taken()
        live = self.live(text)
        if not live:
            return (), (), (), None
        invoices = self.invoices(text, taken, live)
        dates = self.dates(text, taken, live)
        amounts = self.amounts(text, taken, live)
        return amounts, invoices, dates, self.instalments(text, live)

