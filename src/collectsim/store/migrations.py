"""Versioned schema migrations, from the first schema upward.

A database records its version in `schema_version` (one row per applied step). `migrate()`
applies the missing steps in one transaction under a lock (SQLite: `BEGIN IMMEDIATE`;
PostgreSQL: a transaction-scoped advisory lock), so two processes opening a new database at once
do not both create it, and a step that fails leaves the database at the previous version.

Each step carries its *own frozen* table definitions instead of importing `schema.py`: the head
schema will keep changing, and version 1 must always build version 1. Never edit a released
step; add a new one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    inspect,
    select,
    text,
)

from collectsim.store.schema import SCHEMA_VERSION

#: Any constant; PostgreSQL advisory locks are keyed by a 64-bit number.
_PG_LOCK_KEY = 0x636F6C6C6563  # "collec"


class SchemaTooNew(RuntimeError):
    """The database was written by a newer collectsim than this one."""


def _v1(conn: Connection) -> None:
    """The first schema: attempts and their turns."""
    md = MetaData()
    Table(
        "schema_version",
        md,
        Column("version", Integer, primary_key=True, autoincrement=False),
        Column("applied_at", DateTime(timezone=True), nullable=False),
    )
    Table(
        "attempts",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("trainee", String(200), nullable=False),
        Column("scenario", String(200), nullable=False),
        Column("content_hash", String(64), nullable=False),
        Column("source", Text, nullable=True),
        Column("seed", Integer, nullable=False),
        Column("mode", String(20), nullable=False),
        Column("app_version", String(40), nullable=False),
        Column("started_at", DateTime(timezone=True), nullable=False),
        Column("ended_at", DateTime(timezone=True), nullable=True),
        Column("finished", Boolean, nullable=False),
        Column("outcome", String(40), nullable=True),
        Column("ended_by", String(20), nullable=True),
        Column("notes", JSON(none_as_null=True), nullable=True),
        Column("plans", JSON(none_as_null=True), nullable=True),
        Column("agreement", JSON(none_as_null=True), nullable=True),
        Column("scorecard", JSON(none_as_null=True), nullable=True),
        Index("ix_attempts_trainee_started", "trainee", "started_at"),
        Index("ix_attempts_scenario", "scenario"),
    )
    Table(
        "turns",
        md,
        Column(
            "attempt_id",
            Integer,
            ForeignKey("attempts.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        Column("n", Integer, primary_key=True, autoincrement=False),
        Column("speaker", String(10), nullable=False),
        Column("text", Text, nullable=False),
        Column("data", JSON(none_as_null=True), nullable=False),
        Column("at", DateTime(timezone=True), nullable=False),
    )
    md.create_all(conn)


def _v2(conn: Connection) -> None:
    """Scores and findings as rows, backfilled from each finished attempt's scorecard JSON.

    History and the team summary average, maximise and count these; doing it in SQL keeps a
    team database with thousands of attempts fast on PostgreSQL instead of loading every
    scorecard into Python.
    """
    md = MetaData()
    attempts = Table(
        "attempts",
        md,
        Column("id", Integer, primary_key=True),
        Column("scorecard", JSON(none_as_null=True)),
    )
    scores = Table(
        "attempt_scores",
        md,
        Column(
            "attempt_id",
            Integer,
            ForeignKey("attempts.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        Column("dimension", String(40), primary_key=True),
        Column("value", Integer, nullable=False),
    )
    findings = Table(
        "attempt_findings",
        md,
        Column(
            "attempt_id",
            Integer,
            ForeignKey("attempts.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        Column("seq", Integer, primary_key=True, autoincrement=False),
        Column("dimension", String(40), nullable=False),
        Column("criterion", String(200), nullable=False),
        Column("label", Text, nullable=False),
        Column("points", Integer, nullable=False),
        Column("turn", Integer, nullable=True),
        Index("ix_attempt_findings_criterion", "criterion"),
    )
    scores.create(conn)
    findings.create(conn)
    score_rows: list[dict[str, Any]] = []
    finding_rows: list[dict[str, Any]] = []
    for attempt_id, card in conn.execute(
        select(attempts.c.id, attempts.c.scorecard).where(attempts.c.scorecard.is_not(None))
    ):
        if not isinstance(card, dict):
            continue
        for dim, value in (card.get("scores") or {}).items():
            score_rows.append({"attempt_id": attempt_id, "dimension": dim, "value": int(value)})
        for seq, f in enumerate(card.get("findings") or ()):
            finding_rows.append(
                {
                    "attempt_id": attempt_id,
                    "seq": seq,
                    "dimension": f.get("dimension", ""),
                    "criterion": f.get("id") or f.get("criterion", ""),
                    "label": f.get("criterion", ""),
                    "points": int(f.get("points", 0)),
                    "turn": f.get("turn"),
                }
            )
    if score_rows:
        conn.execute(insert(scores), score_rows)
    if finding_rows:
        conn.execute(insert(findings), finding_rows)


#: (version, step) in order. Append only.
MIGRATIONS: tuple[tuple[int, Callable[[Connection], None]], ...] = ((1, _v1), (2, _v2))
assert MIGRATIONS[-1][0] == SCHEMA_VERSION


def current_version(conn: Connection) -> int:
    """The version a database is at; 0 for an empty one."""
    if not inspect(conn).has_table("schema_version"):
        return 0
    version = conn.execute(text("SELECT MAX(version) FROM schema_version")).scalar()
    return int(version or 0)


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(_PG_LOCK_KEY)))
    # SQLite: the store's engine begins every transaction with BEGIN IMMEDIATE, which already
    # holds the database's write lock for the whole migration.


def migrate(engine: Engine, target: int = SCHEMA_VERSION) -> int:
    """Bring the database to `target` (default: the newest version); returns the version."""
    with engine.connect() as conn:
        version = current_version(conn)
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"the database is at schema version {version}, newer than this collectsim "
            f"understands ({SCHEMA_VERSION}); upgrade collectsim"
        )
    if version >= target:
        return version
    with engine.begin() as conn:
        _lock(conn)
        version = current_version(conn)  # another process may have migrated meanwhile
        for step_version, step in MIGRATIONS:
            if version < step_version <= target:
                step(conn)
                conn.execute(
                    text("INSERT INTO schema_version (version, applied_at) VALUES (:v, :t)"),
                    {"v": step_version, "t": dt.datetime.now(dt.UTC)},
                )
                version = step_version
    return version
