"""The result types of act analysis: what a trainee line did, plus the slots it mentioned."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class DateMention:
    """A date as the trainee typed it, resolved only as far as the text allows (no calendar).

    ``hour``/``minute`` hold a time of day ("10 am", "8:30", "half past two"), on its own or
    attached to the date it follows or precedes ("tomorrow at 10 am" is one mention). A time
    without am/pm keeps the hour as said (``half past two`` is 2:30): no guessing.
    """

    text: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: str | None = None
    relative: str | None = None
    hour: int | None = None
    minute: int | None = None

    def to_json(self) -> dict[str, Any]:
        """Only the fields that are set, so JSON stays small and stable."""
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Analysis:
    """The acts of one trainee line (canonical ACTS order) and the slots found in it."""

    text: str
    acts: tuple[str, ...]
    amounts: tuple[float, ...] = ()
    invoice_numbers: tuple[str, ...] = ()
    dates: tuple[DateMention, ...] = ()
    instalments: int | None = None
    shouting: bool = False

    def slots(self) -> tuple[tuple[str, Any], ...]:
        """The slots as a trainee `Turn` keeps them (dates as the trainee wrote them)."""
        return (
            ("amounts", list(self.amounts)),
            ("invoice_numbers", list(self.invoice_numbers)),
            ("dates", [d.text for d in self.dates]),
            ("instalments", self.instalments),
            ("shouting", self.shouting),
        )

    def to_json(self) -> dict[str, Any]:
        """The `collectsim acts` object (see cli.md); keys are a stable contract."""
        return {
            "text": self.text,
            "acts": list(self.acts),
            "amounts": list(self.amounts),
            "invoice_numbers": list(self.invoice_numbers),
            "dates": [d.to_json() for d in self.dates],
            "instalments": self.instalments,
            "shouting": self.shouting,
        }
