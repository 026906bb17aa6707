"""Scratch databases for tests (ours and the TUI's): a SQLite file, or a fresh schema in the
PostgreSQL database named by `COLLECTSIM_TEST_PG`, dropped afterwards.

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
    "(a role that may create schemas in it); .ci/postgres.sh starts one"
)


def pg_admin_url() -> str | None:
    return os.environ.get(ENV_TEST_PG, "").strip() or None


@contextmanager
def scratch_postgres(admin_url: str) -> Iterator[str]:
    """An empty schema in that database, made the default (`search_path`) for connections
    through the yielded URL (which has the password); dropped afterwards. A schema rather than a
    database: creating one is milliseconds instead of a second, and it needs no CREATEDB."""
    url = make_url(to_url(admin_url))
    name = f"collectsim_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
        try:
            scoped = url.update_query_dict({"options": f"-csearch_path={name}"})
            yield scoped.render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
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
