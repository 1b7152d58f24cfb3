"""The stack's PostgreSQL databases are created when missing (needs the local server)."""

from __future__ import annotations

import secrets

import psycopg2
import pytest

from uptake.orchestration.server.databases import (
    drop_database,
    ensure_database,
    redact,
    sqlalchemy_url,
)

PG = "postgresql://postgres@127.0.0.1:5432"


def _exists(name: str) -> bool:
    with psycopg2.connect(f"{PG}/postgres") as connection, connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        return cursor.fetchone() is not None


@pytest.mark.postgres
def test_ensure_creates_once_and_drop_removes() -> None:
    name = f"uptake_dbtest_{secrets.token_hex(4)}"
    url = f"{PG}/{name}"
    try:
        assert ensure_database(url) is True
        assert _exists(name)
        assert ensure_database(url) is False  # already there: left alone
    finally:
        drop_database(url)
    assert not _exists(name)


def test_urls() -> None:
    assert sqlalchemy_url("postgresql://u:p@h:5433/db") == "postgresql+psycopg2://u:p@h:5433/db"
    assert redact("postgresql://u:secret@h:5433/db") == "postgresql://u@h:5433/db"
    with pytest.raises(ValueError, match="names no database"):
        ensure_database("postgresql://postgres@127.0.0.1:5432")
