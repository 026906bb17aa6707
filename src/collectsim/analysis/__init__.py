"""Act analysis: what a trainee line did (acts) and what it mentioned (slots).

``analyse(text)`` is the entry point the engine and the ``acts`` command use; it shares one lazily
built :class:`Analyser` (loading the data files and compiling patterns happens once).
"""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache

from collectsim.analysis.matcher import Analyser
from collectsim.analysis.result import Analysis, DateMention

__all__ = ["Analyser", "Analysis", "DateMention", "analyse", "default_analyser"]


@lru_cache(maxsize=1)
def default_analyser() -> Analyser:
    """The shared analyser built from the packaged data files."""
    return Analyser()


def analyse(text: str, known: Collection[str] = ()) -> Analysis:
    """Analyse one trainee line with the default analyser (``known``: see Analyser.analyse)."""
    return default_analyser().analyse(text, known)
