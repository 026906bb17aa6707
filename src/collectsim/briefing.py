"""The case file a trainee prepares from, as JSON (for tools) and as text (for people).

Unposted payments are left out on purpose: finding them is what `/check-payments` is for.
"""

from __future__ import annotations

from typing import Any

from collectsim.engine import money
from collectsim.models import Loaded


def _d(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def briefing_json(loaded: Loaded) -> dict[str, Any]:
    s = loaded.scenario
    case = s.case
    cur = case.currency
    return {
        "id": s.id,
        "title": s.title,
        "persona": s.persona,
        "persona_type": loaded.persona.type,
        "difficulty": s.difficulty,
        "summary": s.summary,
        "briefing": s.briefing,
        "call_type": s.call_type,
        "first_contact": s.first_contact,
        # who answers, as transcripts name them: a receptionist, or the debtor by first name
        "speaker": loaded.persona.speaker or case.debtor.name.split()[0],
        "creditor": {"name": case.creditor.name},
        "collector": {"name": case.collector.name, "company": case.collector.company},
        "debtor": {
            k: _d(v)
            for k, v in {
                "name": case.debtor.name,
                "company": case.debtor.company,
                "role": case.debtor.role,
                "phone": case.debtor.phone,
                "date_of_birth": case.debtor.date_of_birth,
                "address": case.debtor.address,
                "account_digits": case.debtor.account_digits,
                "customer_since": case.debtor.customer_since,
                "profile": case.debtor.profile,
            }.items()
            if v
        },
        "relationship": case.relationship,
        "invoices": [
            {
                "number": i.number,
                "amount": i.amount,
                "currency": i.currency,
                "issued": _d(i.issued),
                "due": _d(i.due),
                "description": i.description,
            }
            for i in case.invoices
        ],
        "total": case.total,
        "balance_on_file": case.outstanding(include_unposted=False),
        "currency": cur,
        "payments": [
            {
                "date": _d(p.date),
                "amount": p.amount,
                "invoice": p.invoice,
                "reference": p.reference,
                "method": p.method,
            }
            for p in case.payments
        ],
        "contacts": [
            {"date": _d(c.date), "channel": c.channel, "summary": c.summary} for c in case.contacts
        ],
        "documents": list(case.documents),
        "call_date": _d(case.call_date),
        "authority": {
            "full_payment": s.authority.full_payment,
            "plan": (
                {
                    "max_months": s.authority.plan.max_months,
                    "min_instalment": s.authority.plan.min_instalment,
                }
                if s.authority.plan
                else None
            ),
            "settlement": (
                {
                    "floor_percent": s.authority.settlement.floor_percent,
                    "deadline_days": s.authority.settlement.deadline_days,
                }
                if s.authority.settlement
                else None
            ),
        },
        "success": list(s.success),
        "plan_required": s.plan_required,
        **_contact_json(s),
    }


def _contact_json(s: Any) -> dict[str, Any]:
    """The contact-rule question, only for scenarios that ask it (contact.asks_contact_question).

    The facts to decide from, never the answer: `/decide call|no-call` is the trainee's call.
    """
    from collectsim.contact import asks_contact_question, contact_facts

    if not asks_contact_question(s):
        return {}
    facts = contact_facts(s).to_json()
    facts["question"] = "May this call be made now? Decide with /decide call or /decide no-call."
    facts["contact_log"] = [
        {"date": _d(c.date), "channel": c.channel, "direction": c.direction,
         "conversation": c.conversation, "summary": c.summary}
        for c in s.case.contacts
    ]
    return {"contact_rules": facts}


def briefing_text(loaded: Loaded) -> str:
    b = briefing_json(loaded)
    cur = b["currency"]
    out = [f"{b['title']}  ({b['id']}, {b['difficulty']}, debtor type: {b['persona_type']})", ""]
    if b["briefing"]:
        out += [b["briefing"], ""]
    d = b["debtor"]
    who = (
        d["name"]
        + (f", {d['role']}" if d.get("role") else "")
        + (f" at {d['company']}" if d.get("company") else "")
    )
    out.append(f"Calling for:  {b['creditor']['name']} ({b['call_type'].replace('_', '-')} call)")
    out.append(
        f"You are:      {b['collector']['name']}, "
        f"{b['collector']['company'] or b['creditor']['name']}"
    )
    out.append(f"Debtor:       {who}")
    for key, label in (
        ("phone", "Phone"),
        ("date_of_birth", "Born"),
        ("address", "Address"),
        ("account_digits", "Account ends"),
        ("customer_since", "Customer since"),
    ):
        if d.get(key):
            out.append(f"{label + ':':<14}{d[key]}")
    if d.get("profile"):
        out.append(f"Profile:      {d['profile']}")
    if b["relationship"]:
        out.append(f"History:      {b['relationship']}")
    out += ["", "Invoices:"]
    for i in b["invoices"]:
        out.append(
            f"  #{i['number']}  {money(i['amount'], i['currency'])}  issued {i['issued'] or '-'}"
            f"  due {i['due'] or '-'}  {i['description']}"
        )
    out.append(
        f"  Total {money(b['total'], cur)}; balance on file {money(b['balance_on_file'], cur)}"
    )
    out += ["", "Payments on file:"]
    out += [
        f"  {p['date']}  {money(p['amount'], cur)}  invoice {p['invoice'] or '-'}"
        f"  ref {p['reference'] or '-'}"
        for p in b["payments"]
    ] or ["  none"]
    out += ["", "Earlier contacts:"]
    out += [f"  {c['date']}  {c['channel']}: {c['summary']}" for c in b["contacts"]] or ["  none"]
    a = b["authority"]
    out += ["", "Your authority:"]
    out.append(f"  full payment: {'yes' if a['full_payment'] else 'no'}")
    if a["plan"]:
        out.append(
            f"  instalments: up to {a['plan']['max_months']} months, at least "
            f"{money(a['plan']['min_instalment'], cur)} each"
        )
    if a["settlement"]:
        out.append(
            f"  settlement: not below {a['settlement']['floor_percent']:g}% of the balance, "
            f"paid within {a['settlement']['deadline_days']} days"
        )
    out.append(f"  success: {', '.join(b['success'])}")
    out += ["", "Documents on hand: " + (", ".join(b["documents"]) or "none")]
    if b["plan_required"]:
        out.append("Plan each outcome before you call (/plan OUTCOME: what you will do).")
    c = b.get("contact_rules")
    if c:
        out += ["", "May this call be made now?"]
        if c["given_time"]:
            when = f"  It is {c['given_time']} ({c['given_timezone'] or 'local time'})"
            if c["given_timezone"] != c["local_timezone"] and c["local_timezone"]:
                when += f"; the debtor is in {c['local_timezone']}"
            out.append(when + f", on {b['call_date'] or 'the call day'}.")
        out.append(f"  Phone calls placed in the last 7 days: {c['calls_in_last_7_days']}; "
                   f"last conversation: {c['last_conversation'] or 'none on file'}.")
        if c["attorney"]:
            out.append(f"  Represented by: {c['attorney']} (attorney).")
        if c["cease_request"]:
            out.append(f"  Written request to stop contact: {c['cease_request']}.")
        out.append("  Decide before you dial: /decide call or /decide no-call.")
    return "\n".join(out)
