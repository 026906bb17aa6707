"""The tables of the attempt store, as they are at the newest schema version (SQLAlchemy Core).

These definitions are what queries are written against. They are *not* used to create tables:
`migrations.py` builds the database step by step from version 1, with its own frozen copies of
each step, so an old database and a new one end up identical. `tests/test_store.py` checks that
migrating from scratch gives exactly these tables and columns.

What is stored is what training needs (docs/records.md): a trainee *name* (no other personal
data), the attempt as played, and its scorecard.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

#: The version `migrations.migrate()` brings a database to.
SCHEMA_VERSION = 2

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

#: One row per attempt at a scenario; `finished` is false until `Store.finish()`, so an attempt
#: whose process died mid-call shows as unfinished with every turn committed so far.
attempts = Table(
    "attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("trainee", String(200), nullable=False),
    Column("scenario", String(200), nullable=False),
    Column("content_hash", String(64), nullable=False),  # sha256 of scenario+persona files
    Column("source", Text, nullable=True),  # the scenario file it was played from
    Column("seed", Integer, nullable=False),
    Column("mode", String(20), nullable=False),  # practice | assessment
    Column("app_version", String(40), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=True),
    Column("finished", Boolean, nullable=False),
    Column("outcome", String(40), nullable=True),
    Column("ended_by", String(20), nullable=True),  # trainee | debtor | null (scored as it stood)
    Column("notes", JSON(none_as_null=True), nullable=True),
    Column("plans", JSON(none_as_null=True), nullable=True),
    Column("agreement", JSON(none_as_null=True), nullable=True),
    # Scorecard.to_json(): scores, flags, findings (the source for reports)
    Column("scorecard", JSON(none_as_null=True), nullable=True),
    Index("ix_attempts_trainee_started", "trainee", "started_at"),
    Index("ix_attempts_scenario", "scenario"),
)

def _attempt_key() -> Column[int]:
    """The attempt a row belongs to: first part of the key; deleting the attempt deletes it."""
    return Column(
        "attempt_id",
        Integer,
        ForeignKey("attempts.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )


#: Every turn, committed as it happens. `data` holds the rest of the `Turn` (acts, events, tags,
#: kind, rule, stage, meters, in_call, slots) so a turn reads back exactly as it was made.
turns = Table(
    "turns",
    metadata,
    _attempt_key(),
    Column("n", Integer, primary_key=True, autoincrement=False),
    Column("speaker", String(10), nullable=False),
    Column("text", Text, nullable=False),
    Column("data", JSON(none_as_null=True), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

# --- version 2: the scorecard as rows, so history and the team summary aggregate in SQL -------

#: One row per dimension score of a finished attempt (a copy of `attempts.scorecard["scores"]`).
attempt_scores = Table(
    "attempt_scores",
    metadata,
    _attempt_key(),
    Column("dimension", String(40), primary_key=True),
    Column("value", Integer, nullable=False),
)

#: One row per finding of a finished attempt (a copy of `attempts.scorecard["findings"]`).
attempt_findings = Table(
    "attempt_findings",
    metadata,
    _attempt_key(),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("dimension", String(40), nullable=False),
    Column("criterion", String(200), nullable=False),  # the criterion id
    Column("label", Text, nullable=False),
    Column("points", Integer, nullable=False),
    Column("turn", Integer, nullable=True),
    Index("ix_attempt_findings_criterion", "criterion"),
)
