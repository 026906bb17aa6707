"""Records of attempts: every turn committed as it happens, history, and the team view.

    from collectsim.store import Store, Recorder
    store = Store.open()            # --db value / COLLECTSIM_DB / the user data folder
    rec = Recorder.start(store, CallSession(loaded, seed), trainee="ana")
    rec.say("Hello, ...")           # committed before it returns
    rec.finish(score(rec.session.record(), loaded))
    store.history("ana")            # -> History (dataclasses in records.py)

SQLite by default; `postgresql://` URLs use PostgreSQL through the same SQLAlchemy Core code.
"""

from collectsim.store.db import ENV_DB, StoreError, default_path
from collectsim.store.live import Recorder, ResumeError
from collectsim.store.migrations import SchemaTooNew, current_version, migrate
from collectsim.store.records import (
    Attempt,
    AttemptInfo,
    GroupStats,
    History,
    LostCriterion,
    ScenarioHistory,
    TeamSummary,
    TrendPoint,
    steps_from_turns,
)
from collectsim.store.schema import SCHEMA_VERSION
from collectsim.store.store import MODES, AttemptNotFound, Store

__all__ = [
    "ENV_DB",
    "MODES",
    "SCHEMA_VERSION",
    "Attempt",
    "AttemptInfo",
    "AttemptNotFound",
    "GroupStats",
    "History",
    "LostCriterion",
    "Recorder",
    "ResumeError",
    "ScenarioHistory",
    "SchemaTooNew",
    "Store",
    "StoreError",
    "TeamSummary",
    "TrendPoint",
    "current_version",
    "default_path",
    "migrate",
    "steps_from_turns",
]
