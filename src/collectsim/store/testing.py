"""Scratch databases for tests (ours and the TUI's): a SQLite file, or a fresh PostgreSQL
database created on the server named by `COLLECTSIM_TEST_PG` and dropped afterwards.

Tests parametrised over `BACKENDS` run on SQLite always and on PostgreSQL when the variable is
set (`.ci/postgres.sh` starts a server and prints it); otherwise they skip and say why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from collectsim.store.db import to_url

ENV_TEST_PG = "COLLECTSIM_TEST_PG"
SKIP_REASON = (
    f"PostgreSQL tests need {ENV_TEST_PG}=postgresql://USER:PASSWORD@127.0.0.1:PORT/DB "
    "(a role that may CREATE DATABASE); .ci/postgres.sh starts one"
)


def pg_admin_url() -> str | None:
    return os.environ.get(ENV_TEST_PG, "").strip() or None


@contextmanager
def scratch_postgres(admin_url: str) -> Iterator[str]:
    """A new empty database on that server; yields its URL (with password), drops it after."""
    url = to_url(admin_url)
    name = f"collectsim_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield make_url(url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


@contextmanager
def scratch_database(backend: str, folder: Path) -> Iterator[str]:
    """`backend` is "sqlite" or "postgresql"; yields a URL for an empty database."""
    if backend == "sqlite":
        yield "sqlite:///" + str(folder / "records.db")
        return
    admin_url = pg_admin_url()
    if admin_url is None:
        raise RuntimeError(SKIP_REASON)
    with scratch_postgres(admin_url) as url:
        yield url
