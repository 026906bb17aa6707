"""Where the store lives and how to connect: a file path, `sqlite:///...` or `postgresql://...`.

SQLAlchemy Core is the one layer over both databases, so the store's queries are written once
instead of in two hand-maintained SQL dialects. This module holds the few places where the two
really differ: the SQLite pragmas that make every committed turn survive a crash, and how a
write transaction takes its lock.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

#: Environment variable naming the database (a path or URL) when `--db` is not given.
ENV_DB = "COLLECTSIM_DB"

#: How long a writer waits for another process's write to finish before giving up (ms).
#: Writes are a single turn and take milliseconds; the margin covers slow disks and NFS.
BUSY_TIMEOUT_MS = 30_000


class StoreError(Exception):
    """The store cannot be opened or used; the message is one line, fit for the CLI."""


def default_path() -> Path:
    """`<user data dir>/collectsim/collectsim.db` (platformdirs)."""
    return Path(platformdirs.user_data_dir("collectsim")) / "collectsim.db"


def resolve(db: str | os.PathLike[str] | None = None) -> str:
    """The SQLAlchemy URL for `--db` (path or URL), else `COLLECTSIM_DB`, else the default file.

    Under pytest the default file is refused: tests must never write into a real user's data
    folder, so a test that forgets to set `COLLECTSIM_DB` fails loudly instead.
    """
    value = os.fspath(db) if db else os.environ.get(ENV_DB, "").strip()
    if not value:
        if os.environ.get("PYTEST_CURRENT_TEST"):
            raise StoreError(
                f"refusing to use the real user data folder under pytest; set {ENV_DB}"
            )
        value = str(default_path())
    return to_url(value)


def to_url(value: str) -> str:
    """A path or URL as a SQLAlchemy URL; `postgresql://` uses the psycopg 3 driver."""
    if "://" not in value:
        return "sqlite:///" + str(Path(value).expanduser().resolve())
    scheme, _, rest = value.partition("://")
    scheme = scheme.lower()
    if scheme in {"postgresql", "postgres"}:
        return "postgresql+psycopg://" + rest
    if scheme.startswith(("postgresql+", "sqlite")):
        return value
    raise StoreError(
        f"unsupported database '{scheme}://...': give a file path, sqlite:///PATH or "
        "postgresql://USER@HOST/DB"
    )


def display(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def create(url: str) -> Engine:
    """An engine for `url`, configured for crash safety and concurrent writers."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"not a database URL: {url} ({exc})") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite(url, parsed.database)
    try:
        return create_engine(url, pool_pre_ping=True)
    except ImportError as exc:
        raise StoreError(
            f"PostgreSQL needs the psycopg driver: pip install 'psycopg[binary]' ({exc})"
        ) from None


def _sqlite(url: str, database: str | None) -> Engine:
    memory = not database or database == ":memory:"
    kwargs: dict[str, Any] = {
        "connect_args": {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
    }
    if memory:
        kwargs["poolclass"] = StaticPool  # one shared in-memory database, for quick experiments
    else:
        Path(database).parent.mkdir(parents=True, exist_ok=True)  # type: ignore[arg-type]
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (below).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if not memory:
            # WAL: a committed transaction is in the -wal file before COMMIT returns, so a
            # killed process loses nothing it committed, and readers never block the writer.
            _retry_locked(lambda: cur.execute("PRAGMA journal_mode=WAL"))
        # FULL: fsync the WAL at every commit, so a committed turn also survives a power cut
        # or OS crash (NORMAL would only survive a process crash). Turns arrive at human
        # speed, so the extra fsync per turn (about a millisecond) is never felt.
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front. A deferred transaction that reads and then
        # writes can fail at once with "database is locked" when another process wrote in
        # between; an immediate one simply waits its turn (busy_timeout).
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _retry_locked(step: Any, seconds: float = BUSY_TIMEOUT_MS / 1000) -> Any:
    """Run `step`, retrying while SQLite says the database is locked.

    Switching a brand-new database to WAL needs it to itself: SQLite answers "database is
    locked" at once, without waiting on the busy timeout, when another process is creating the
    same database at that moment. Two trainees starting together must both get in.
    """
    import sqlite3
    import time

    deadline = time.monotonic() + seconds
    delay = 0.01
    while True:
        try:
            return step()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.25)
