"""`collectsim serve`: the same app in a web browser, through textual-serve.

textual-serve runs one app process per browser session from a shell command, so the command
re-enters the CLI with the same library folders.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence
from pathlib import Path


def app_command(library: Sequence[str | Path]) -> str:
    parts = [sys.executable, "-m", "collectsim"]
    for folder in library:
        parts += ["--library", str(Path(folder).resolve())]
    parts.append("tui")
    return shlex.join(parts)


def serve(host: str, port: int, library: Sequence[str | Path]) -> int:
    from textual_serve.server import Server

    server = Server(app_command(library), host=host, port=port, title="collectsim")
    server.serve()
    return 0
