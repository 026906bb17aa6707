"""The attempt store: start an attempt, commit each turn as it happens, finish it with its score.

Every write is its own short transaction, committed before the call returns, so whatever kills
the process (a crash, a closed terminal, `kill -9`) the attempt keeps every turn up to the last
one and shows as unfinished. Reads return the dataclasses of `records.py`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from collectsim import __version__
from collectsim.script import Step
from collectsim.store import db
from collectsim.store.db import StoreError
from collectsim.store.migrations import migrate
from collectsim.store.records import (
    Attempt,
    AttemptInfo,
    GroupStats,
    History,
    LostCriterion,
    ScenarioHistory,
    TeamSummary,
    TrendPoint,
    jsonable,
    order_dimensions,
    steps_from_turns,
    turn_data,
    turn_from_row,
)
from collectsim.store.schema import attempt_findings, attempt_scores, attempts, turns
from collectsim.transcript import CallRecord, Turn

MODES: tuple[str, ...] = ("practice", "assessment")


class AttemptNotFound(StoreError):
    pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """Timestamps in UTC: SQLite hands them back without a zone (they were written in UTC),
    PostgreSQL in the session's zone."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _card_json(scorecard: Any) -> dict[str, Any] | None:
    """A `Scorecard`, or its JSON (as `play` hooks get it, maybe with private `_keys`)."""
    if scorecard is None:
        return None
    card = scorecard.to_json() if hasattr(scorecard, "to_json") else dict(scorecard)
    return jsonable({k: v for k, v in card.items() if not str(k).startswith("_")})


class Store:
    """The records of attempts, on SQLite or PostgreSQL.

    `Store.open()` picks the database (`--db` value, else `COLLECTSIM_DB`, else the user data
    folder) and migrates it to the current schema. A Store is safe to share between threads;
    several processes may write to the same database at once.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine = db.create(url)
        try:
            self.schema_version = self._migrate()
        except SQLAlchemyError as exc:
            self._engine.dispose()
            raise StoreError(f"cannot open {self.display_url}: {_reason(exc)}") from None
        except Exception:
            self._engine.dispose()
            raise

    def _migrate(self) -> int:
        """Bring the schema up to date; on a new SQLite file two processes may race to do it."""
        deadline = time.monotonic() + db.BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                return migrate(self._engine)
            except OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                self._engine.dispose()  # start again on fresh connections
                time.sleep(0.05)

    @classmethod
    def open(cls, location: str | None = None) -> Store:
        return cls(db.resolve(location))

    @property
    def display_url(self) -> str:
        return db.display(self.url)

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        try:
            with self._engine.begin() as conn:
                yield conn
        except IntegrityError as exc:
            raise StoreError(f"rejected by the database: {_reason(exc)}") from None
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot write to {self.display_url}: {_reason(exc)}") from None

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self._engine.connect() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read {self.display_url}: {_reason(exc)}") from None

    # --- writing an attempt ------------------------------------------------------------------

    def start_attempt(
        self,
        *,
        trainee: str,
        scenario: str,
        content_hash: str,
        seed: int,
        mode: str = "practice",
        source: str | None = None,
        started_at: dt.datetime | None = None,
    ) -> int:
        """A new, unfinished attempt; returns its id."""
        if mode not in MODES:
            raise StoreError(f"unknown mode '{mode}' (known: {', '.join(MODES)})")
        if not trainee.strip():
            raise StoreError("a trainee name is needed to record an attempt")
        with self._write() as conn:
            result = conn.execute(
                insert(attempts).values(
                    trainee=trainee.strip(),
                    scenario=scenario,
                    content_hash=content_hash,
                    source=source,
                    seed=seed,
                    mode=mode,
                    app_version=__version__,
                    started_at=started_at or _now(),
                    finished=False,
                )
            )
            return int(result.inserted_primary_key[0])

    def add_turn(self, attempt_id: int, turn: Turn) -> None:
        """Store one turn and commit it before returning."""
        self.add_turns(attempt_id, (turn,))

    def add_turns(self, attempt_id: int, new: Iterable[Turn]) -> None:
        """Store turns in one transaction (all or none)."""
        rows = [_turn_row(attempt_id, t) for t in new]
        if not rows:
            return
        with self._write() as conn:
            conn.execute(insert(turns), rows)

    def finish(self, attempt_id: int, record: CallRecord, scorecard: Any = None) -> None:
        """Close an attempt: any turns not stored yet, the outcome, and the scorecard.

        `record` may be unfinished (`record.finished` false): that is scoring a cut-off call as
        it stands. `scorecard` is a `scoring.Scorecard`, its JSON, or None (not scored).
        """
        card = _card_json(scorecard)
        with self._write() as conn:
            row = conn.execute(
                select(attempts.c.finished).where(attempts.c.id == attempt_id)
            ).first()
            if row is None:
                raise AttemptNotFound(f"no attempt {attempt_id}")
            if row.finished:
                raise StoreError(f"attempt {attempt_id} is already finished")
            stored = conn.execute(
                select(func.max(turns.c.n)).where(turns.c.attempt_id == attempt_id)
            ).scalar() or 0
            missing = [_turn_row(attempt_id, t) for t in record.turns if t.n > stored]
            if missing:
                conn.execute(insert(turns), missing)
            conn.execute(
                update(attempts)
                .where(attempts.c.id == attempt_id)
                .values(
                    finished=True,
                    ended_at=_now(),
                    outcome=record.outcome,
                    ended_by=record.ended_by if record.finished else None,
                    notes=list(record.notes),
                    plans=dict(record.plans),
                    agreement=record.agreement.to_json() if record.agreement else None,
                    scorecard=card,
                )
            )
            _write_score_rows(conn, attempt_id, card)

    def delete_trainee(self, trainee: str) -> int:
        """Remove every attempt of a trainee (their records, on request); returns how many."""
        with self._write() as conn:
            ids = select(attempts.c.id).where(attempts.c.trainee == trainee)
            for table in (attempt_findings, attempt_scores, turns):
                conn.execute(delete(table).where(table.c.attempt_id.in_(ids)))
            return conn.execute(delete(attempts).where(attempts.c.trainee == trainee)).rowcount

    # --- reading -------------------------------------------------------------------------------

    def attempt(self, attempt_id: int) -> Attempt:
        with self._read() as conn:
            row = conn.execute(select(attempts).where(attempts.c.id == attempt_id)).first()
            if row is None:
                raise AttemptNotFound(f"no attempt {attempt_id} in {self.display_url}")
            turn_rows = conn.execute(
                select(turns.c.n, turns.c.speaker, turns.c.text, turns.c.data)
                .where(turns.c.attempt_id == attempt_id)
                .order_by(turns.c.n)
            ).all()
        call_turns = tuple(turn_from_row(r.n, r.speaker, r.text, r.data) for r in turn_rows)
        card = row.scorecard or {}
        return Attempt(
            **_info_fields(row, len(call_turns), card.get("scores") or {}),
            source=row.source,
            app_version=row.app_version,
            turns=call_turns,
            notes=tuple(row.notes or ()),
            plans=dict(row.plans or {}),
            agreement=row.agreement,
            flags=tuple(card.get("flags") or ()),
            findings=tuple(card.get("findings") or ()),
        )

    def turns(self, attempt_id: int) -> list[Turn]:
        return list(self.attempt(attempt_id).turns)

    def call_seconds(self, attempt_id: int) -> float:
        """How long the call had run when its last turn was stored: from the turn that dialled
        (`call_start`) to the newest turn, by the times the turns were committed. 0 before the
        call connected. Needs no column of its own, so every database ever written answers it.
        (A call resumed before is counted across the pause, which the store does not see.)"""
        with self._read() as conn:
            rows = conn.execute(
                select(turns.c.data, turns.c.at)
                .where(turns.c.attempt_id == attempt_id)
                .order_by(turns.c.n)
            ).all()
        start = next((r.at for r in rows if (r.data or {}).get("kind") == "call_start"), None)
        if start is None or not rows:
            return 0.0
        last, first = _utc(rows[-1].at), _utc(start)
        assert last is not None and first is not None
        return max(0.0, (last - first).total_seconds())

    def steps(self, attempt_id: int) -> list[Step]:
        """The trainee's lines and /actions so far, to rebuild the call by replaying them."""
        return steps_from_turns(self.turns(attempt_id))

    def resolve(self, ref: str | int, trainee: str | None = None) -> int:
        """An attempt id from `ref`: a number, or `last` (of `trainee` if given)."""
        if isinstance(ref, int) or str(ref).strip().isdigit():
            return int(ref)
        if str(ref).strip().lower() == "last":
            found = self.attempts(trainee=trainee, newest_first=True, limit=1)
            if not found:
                who = f" for {trainee}" if trainee else ""
                raise AttemptNotFound(f"no attempts recorded{who} in {self.display_url}")
            return found[0].id
        raise StoreError(f"an attempt is a number or 'last', not '{ref}'")

    def attempts(
        self,
        *,
        trainee: str | None = None,
        scenario: str | None = None,
        mode: str | None = None,
        finished: bool | None = None,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[AttemptInfo]:
        """Attempts matching the filters, oldest first unless `newest_first`."""
        counts = (
            select(turns.c.attempt_id, func.count().label("turn_count"))
            .group_by(turns.c.attempt_id)
            .subquery()
        )
        q = select(attempts, counts.c.turn_count).outerjoin(
            counts, counts.c.attempt_id == attempts.c.id
        )
        q = q.where(*_filters(trainee=trainee, scenario=scenario, mode=mode))
        if finished is not None:
            q = q.where(attempts.c.finished.is_(finished))
        order = (attempts.c.started_at, attempts.c.id)
        q = q.order_by(*(c.desc() for c in order) if newest_first else order)
        if limit is not None:
            q = q.limit(limit)
        with self._read() as conn:
            rows = conn.execute(q).all()
            ids = [r.id for r in rows]
            scores: dict[int, dict[str, int]] = defaultdict(dict)
            for chunk in _chunks(ids, 500):
                for s in conn.execute(
                    select(attempt_scores).where(attempt_scores.c.attempt_id.in_(chunk))
                ):
                    scores[s.attempt_id][s.dimension] = s.value
        return [
            AttemptInfo(**_info_fields(r, r.turn_count or 0, scores.get(r.id, {}))) for r in rows
        ]

    def trainees(self) -> list[str]:
        with self._read() as conn:
            return list(
                conn.execute(
                    select(attempts.c.trainee).distinct().order_by(attempts.c.trainee)
                ).scalars()
            )

    def history(self, trainee: str | None = None, *, mode: str | None = None) -> History:
        """Per scenario: attempts, best and last scores, and each dimension's trend."""
        by_scenario: dict[str, list[AttemptInfo]] = defaultdict(list)
        for a in self.attempts(trainee=trainee, mode=mode):
            by_scenario[a.scenario].append(a)
        dims: set[str] = set()
        out = []
        for scenario in sorted(by_scenario):
            items = by_scenario[scenario]
            scored = [a for a in items if a.finished and a.scores]
            best: dict[str, int] = {}
            for a in scored:
                for d, v in a.scores.items():
                    best[d] = max(best.get(d, v), v)
                dims.update(a.scores)
            out.append(
                ScenarioHistory(
                    scenario=scenario,
                    attempts=len(items),
                    unfinished=tuple(a.id for a in items if not a.finished),
                    best=best,
                    last=dict(scored[-1].scores) if scored else {},
                    last_attempt=scored[-1].id if scored else None,
                    last_played=items[-1].started_at,
                    points=tuple(TrendPoint(a.id, a.started_at, dict(a.scores)) for a in scored),
                )
            )
        return History(trainee, tuple(order_dimensions(dims)), tuple(out))

    def summary(
        self,
        *,
        trainee: str | None = None,
        scenario: str | None = None,
        mode: str | None = None,
        top_lost: int = 3,
    ) -> TeamSummary:
        """The team view: per trainee, per scenario and per pair, attempts, average and best
        per dimension (scored attempts only) and the criteria most often lost."""
        where = _filters(trainee=trainee, scenario=scenario, mode=mode)
        a = attempts
        with self._read() as conn:
            count_rows = conn.execute(
                select(a.c.trainee, a.c.scenario, func.count(), func.count(a.c.scorecard))
                .where(*where)
                .group_by(a.c.trainee, a.c.scenario)
            ).all()
            s = attempt_scores
            score_rows = conn.execute(
                select(
                    a.c.trainee, a.c.scenario, s.c.dimension,
                    func.sum(s.c.value), func.count(), func.max(s.c.value),
                )
                .join(s, s.c.attempt_id == a.c.id)
                .where(a.c.finished.is_(True), *where)
                .group_by(a.c.trainee, a.c.scenario, s.c.dimension)
            ).all()
            f = attempt_findings
            lost_rows = conn.execute(
                select(
                    a.c.trainee, a.c.scenario, f.c.criterion, f.c.dimension,
                    func.max(f.c.label), func.count(func.distinct(f.c.attempt_id)),
                )
                .join(f, f.c.attempt_id == a.c.id)
                .where(and_(f.c.points < 0, a.c.finished.is_(True), *where))
                .group_by(a.c.trainee, a.c.scenario, f.c.criterion, f.c.dimension)
            ).all()

        keyers = {
            "pair": lambda t, sc: (t, sc),
            "trainee": lambda t, sc: (t, None),
            "scenario": lambda t, sc: (None, sc),
        }
        result: dict[str, tuple[GroupStats, ...]] = {}
        dims = order_dimensions({r[2] for r in score_rows})
        for level, key in keyers.items():
            n: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
            for t, sc, total, scored in count_rows:
                n[key(t, sc)][0] += total
                n[key(t, sc)][1] += scored
            sums: dict[tuple, dict[str, list[float]]] = defaultdict(dict)
            for t, sc, dim, total, count, best in score_rows:
                cell = sums[key(t, sc)].setdefault(dim, [0.0, 0, -1])
                cell[0] += float(total)
                cell[1] += count
                cell[2] = max(cell[2], best)
            lost: dict[tuple, dict[tuple[str, str], list]] = defaultdict(dict)
            for t, sc, crit, dim, label, count in lost_rows:
                cell = lost[key(t, sc)].setdefault((crit, dim), [label, 0])
                cell[1] += count
            groups = []
            for k in sorted(n, key=lambda k: (k[0] or "", k[1] or "")):
                cells = sums.get(k, {})
                ranked = sorted(lost.get(k, {}).items(), key=lambda kv: (-kv[1][1], kv[0][0]))
                groups.append(
                    GroupStats(
                        trainee=k[0],
                        scenario=k[1],
                        attempts=n[k][0],
                        scored=n[k][1],
                        average={d: round(c[0] / c[1], 1) for d, c in cells.items() if c[1]},
                        best={d: int(c[2]) for d, c in cells.items()},
                        lost=tuple(
                            LostCriterion(crit, label, dim, count)
                            for (crit, dim), (label, count) in ranked[:top_lost]
                        ),
                    )
                )
            result[level] = tuple(groups)
        return TeamSummary(tuple(dims), result["trainee"], result["scenario"], result["pair"])


# --- helpers -------------------------------------------------------------------------------------


def _reason(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def _turn_row(attempt_id: int, turn: Turn) -> dict[str, Any]:
    return {
        "attempt_id": attempt_id,
        "n": turn.n,
        "speaker": turn.speaker,
        "text": turn.text,
        "data": turn_data(turn),
        "at": _now(),
    }


def _write_score_rows(conn: Connection, attempt_id: int, card: Mapping[str, Any] | None) -> None:
    conn.execute(delete(attempt_scores).where(attempt_scores.c.attempt_id == attempt_id))
    conn.execute(delete(attempt_findings).where(attempt_findings.c.attempt_id == attempt_id))
    if not card:
        return
    scores = [
        {"attempt_id": attempt_id, "dimension": d, "value": int(v)}
        for d, v in (card.get("scores") or {}).items()
    ]
    findings = [
        {
            "attempt_id": attempt_id,
            "seq": i,
            "dimension": f.get("dimension", ""),
            "criterion": f.get("id") or f.get("criterion", ""),
            "label": f.get("criterion", ""),
            "points": int(f.get("points", 0)),
            "turn": f.get("turn"),
        }
        for i, f in enumerate(card.get("findings") or ())
    ]
    if scores:
        conn.execute(insert(attempt_scores), scores)
    if findings:
        conn.execute(insert(attempt_findings), findings)


def _filters(**values: str | None) -> list[Any]:
    return [attempts.c[name] == value for name, value in values.items() if value is not None]


def _info_fields(row: Any, turn_count: int, scores: Mapping[str, int]) -> dict[str, Any]:
    return {
        "id": row.id,
        "trainee": row.trainee,
        "scenario": row.scenario,
        "content_hash": row.content_hash,
        "seed": row.seed,
        "mode": row.mode,
        "started_at": _utc(row.started_at),
        "ended_at": _utc(row.ended_at),
        "finished": bool(row.finished),
        "outcome": row.outcome,
        "ended_by": row.ended_by,
        "turn_count": turn_count,
        "scores": dict(scores),
    }


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
