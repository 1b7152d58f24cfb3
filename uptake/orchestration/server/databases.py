"""The stack's PostgreSQL databases: created when missing (and dropped, for tests)."""

from __future__ import annotations

import psycopg2
from psycopg2 import sql
from psycopg2.extensions import parse_dsn


def _admin_connection(url: str) -> tuple[psycopg2.extensions.connection, str]:
    """A connection to the server's ``postgres`` database, and the database ``url`` names."""
    params = parse_dsn(url)
    name = params.pop("dbname", None)
    if not name:
        raise ValueError(f"the database URL names no database: {redact(url)}")
    connection = psycopg2.connect(**{**params, "dbname": "postgres"}, connect_timeout=10)
    connection.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
    return connection, name


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    params = parse_dsn(url)
    host = params.get("host", "localhost")
    return f"postgresql://{params.get('user', '')}@{host}:{params.get('port', 5432)}/" + params.get(
        "dbname", ""
    )


def ensure_database(url: str) -> bool:
    """Create the database ``url`` names unless it exists; True when it was created."""
    connection, name = _admin_connection(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cursor.fetchone():
                return False
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    finally:
        connection.close()


def drop_database(url: str) -> None:
    """Drop the database ``url`` names, closing its connections first (PostgreSQL 13+)."""
    connection, name = _admin_connection(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    finally:
        connection.close()


def sqlalchemy_url(url: str) -> str:
    """Airflow's SQLAlchemy URL for a ``postgresql://`` URL (the psycopg2 driver)."""
    scheme, rest = url.split("://", 1)
    if scheme in ("postgresql", "postgres"):
        return f"postgresql+psycopg2://{rest}"
    return url
