"""Showing untrusted text literally: trainee lines and everything that came from a YAML file.

Such text is never parsed as markup (``[bold]`` stays ``[bold]``), control characters are shown
as visible symbols instead of reaching the terminal, and huge texts are clipped so one paste
cannot flood the layout.
"""

from __future__ import annotations

import re

from textual.content import Content

#: Longest text shown in one place; the engine and the transcript still keep all of it.
SHOW_LIMIT = 2000

_NEWLINES = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _visible(m: re.Match[str]) -> str:
    c = ord(m.group())
    if c < 0x20:
        return chr(0x2400 + c)  # ␀ ␁ ... control pictures
    if c == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def clean(text: str, *, limit: int = SHOW_LIMIT, one_line: bool = False) -> str:
    """Text safe to lay out: visible control characters, tabs as spaces, at most ``limit``."""
    text = _NEWLINES.sub("\n", str(text)).replace("\t", "    ")
    if one_line:
        text = " ".join(text.split("\n"))
    text = _CONTROL.sub(_visible, text)
    if limit and len(text) > limit:
        more = len(text) - limit
        text = f"{text[:limit]}… ({more:,} more characters)"
    return text


def literal(
    text: str, style: str = "", *, limit: int = SHOW_LIMIT, one_line: bool = False
) -> Content:
    """A `Content` showing ``text`` exactly as written, optionally in one style."""
    content = Content(clean(text, limit=limit, one_line=one_line))
    return content.stylize(style) if style else content


def script_safe(text: str) -> str:
    """One line for a script file: no newlines or control characters, edges trimmed."""
    return clean(text, limit=0, one_line=True).strip()
