"""Text from trainees and YAML files, made safe to print on a terminal.

Control characters (ESC sequences, BEL, C1 codes, bidi overrides) would let a line typed by a
trainee or a string in a YAML file recolour, retitle or clear the terminal that prints it. They
are shown as visible escapes instead; newlines and tabs stay.
"""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every terminal control character replaced by a visible escape."""
    return CONTROL.sub(_escape, text)
