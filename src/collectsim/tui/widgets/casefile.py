"""The case file as the trainee prepares from it: account, payments, contacts, customer, authority.

Built from `collectsim.briefing.briefing_json`, so it shows exactly what the CLI's `show` shows
(unposted payments stay hidden until the trainee checks payments). Every value is YAML text and
is shown literally.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.widget import Widget
from textual.widgets import Static, TabbedContent, TabPane

from collectsim.tui.text import literal

Rows = list[tuple[str, str]]

SECTIONS: tuple[tuple[str, str], ...] = (
    ("account", "Account"),
    ("payments", "Ledger"),
    ("contacts", "Contacts"),
    ("customer", "Customer"),
    ("authority", "Authority"),
)


def _money(amount: float, currency: str) -> str:
    from collectsim.engine import money

    return money(amount, currency)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def account_rows(b: dict[str, Any]) -> Rows:
    cur = b["currency"]
    collector = b["collector"]
    rows: Rows = [
        ("Calling for", f"{b['creditor']['name']} ({b['call_type'].replace('_', '-')} call)"),
        ("You are", f"{collector['name']}, {collector.get('company') or b['creditor']['name']}"),
    ]
    for inv in b["invoices"]:
        rows.append(
            (
                f"Invoice {inv['number']}",
                f"{_money(inv['amount'], inv['currency'])}, issued {inv['issued'] or '-'}, "
                f"due {inv['due'] or '-'}"
                + (f"\n{inv['description']}" if inv["description"] else ""),
            )
        )
    rows.append(("Total", _money(b["total"], cur)))
    rows.append(("Balance on file", _money(b["balance_on_file"], cur)))
    if b.get("call_date"):
        rows.append(("Call date", _text(b["call_date"])))
    rows.append(("Documents", ", ".join(b["documents"]) or "none"))
    return rows


def payment_rows(b: dict[str, Any]) -> Rows:
    cur = b["currency"]
    rows: Rows = []
    for p in b["payments"]:
        parts = [_money(p["amount"], cur), f"invoice {p['invoice'] or '-'}"]
        if p.get("reference"):
            parts.append(f"ref {p['reference']}")
        if p.get("method"):
            parts.append(p["method"])
        rows.append((_text(p["date"]), ", ".join(parts)))
    return rows or [("", "No payments on file.")]


def contact_rows(b: dict[str, Any]) -> Rows:
    rows = [(_text(c["date"]), f"{c['channel']}: {c['summary']}") for c in b["contacts"]]
    return rows or [("", "No earlier contacts.")]


def customer_rows(b: dict[str, Any]) -> Rows:
    d = b["debtor"]
    labels = (
        ("name", "Name"),
        ("company", "Company"),
        ("role", "Role"),
        ("phone", "Phone"),
        ("date_of_birth", "Born"),
        ("address", "Address"),
        ("account_digits", "Account ends"),
        ("customer_since", "Customer since"),
        ("profile", "Profile"),
    )
    rows = [(label, _text(d[key])) for key, label in labels if d.get(key)]
    if b.get("relationship"):
        rows.append(("History", b["relationship"]))
    return rows


def authority_rows(b: dict[str, Any]) -> Rows:
    a = b["authority"]
    cur = b["currency"]
    rows: Rows = [("Full payment", "you may ask for it" if a["full_payment"] else "not asked")]
    if a["plan"]:
        rows.append(
            (
                "Instalments",
                f"up to {a['plan']['max_months']} months, at least "
                f"{_money(a['plan']['min_instalment'], cur)} each",
            )
        )
    else:
        rows.append(("Instalments", "not yours to offer"))
    if a["settlement"]:
        rows.append(
            (
                "Settlement",
                f"not below {a['settlement']['floor_percent']:g}% of the balance, paid within "
                f"{a['settlement']['deadline_days']} days",
            )
        )
    rows.append(("Success", ", ".join(o.replace("_", " ") for o in b["success"])))
    if b.get("plan_required"):
        rows.append(("Before calling", "plan what you will do for each outcome"))
    return rows


ROWS = {
    "account": account_rows,
    "payments": payment_rows,
    "contacts": contact_rows,
    "customer": customer_rows,
    "authority": authority_rows,
}


class Facts(Grid):
    """Label/value pairs in two columns; values wrap under themselves."""

    def __init__(self, rows: Iterable[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows = list(rows)

    def compose(self) -> ComposeResult:
        for label, value in self.rows:
            yield Static(literal(label, one_line=True), classes="k")
            yield Static(literal(value), classes="v")


class CaseFile(Widget):
    """The case file, in tabs (briefing) or as one scrolling page (at hand during the call)."""

    def __init__(self, brief: dict[str, Any], *, tabs: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.brief = brief
        self.tabs = tabs
        self.set_class(not tabs, "-compact")

    def compose(self) -> ComposeResult:
        if self.tabs:
            with TabbedContent(id="case-tabs"):
                if self.brief.get("briefing"):
                    with TabPane("Brief", id="case-brief"), VerticalScroll():
                        yield Static(literal(self.brief["briefing"]), classes="brief-text")
                for key, title in SECTIONS:
                    with TabPane(title, id=f"case-{key}"), VerticalScroll():
                        yield Facts(ROWS[key](self.brief), classes="facts")
        else:
            with VerticalScroll():
                for key, title in SECTIONS:
                    yield Static(title, classes="section")
                    yield Facts(ROWS[key](self.brief), classes="facts")
