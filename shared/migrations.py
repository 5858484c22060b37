"""Schema migrations: one alembic history per service (``services/<service>/migrations/versions``),
one environment for all (``shared/alembic``).

``upgrade(service, engine)`` brings a service's database to head (services do
it at start unless ``ZS_AUTO_MIGRATE`` is false; ``zhaoshang migrate`` does it
for every service); ``differences`` compares a migrated database with the
service's models (empty when they agree); ``autogenerate`` writes the next
revision after a model change.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from shared.config import ROOT
from shared.search import is_index_table

SERVICES_WITH_DATABASES = (
    "intake",
    "review",
    "negotiation",
    "contracts",
    "accounting",
    "supervision",
    "notifications",
    "coordinator",
    "leadership",
    "landreserve",
    "gateway",
)


ENVIRONMENT = Path(__file__).resolve().parent / "alembic"  # env.py and the revision template, shared by all


def migrations_dir(service: str) -> Path:
    """A service's own revisions: ``services/<service>/migrations/versions``."""
    return ROOT / "services" / service / "migrations" / "versions"


def has_migrations(service: str) -> bool:
    return migrations_dir(service).is_dir() and any(migrations_dir(service).glob("*.py"))


def metadata_of(service: str):
    return importlib.import_module(f"services.{service}.models").metadata


def alembic_config(service: str, connection=None, database_url=None) -> Config:
    """``database_url(service)`` (optional) gives another service's database, for a revision that moves rows
    from one service's database to another's (it finds none when the caller gives none: nothing to move)."""
    config = Config()
    config.set_main_option("path_separator", "os")
    config.set_main_option("script_location", str(ENVIRONMENT))
    config.set_main_option("version_locations", str(migrations_dir(service)))
    config.attributes["service"] = service
    config.attributes["connection"] = connection
    config.attributes["database_url"] = database_url
    return config


def upgrade(service: str, engine: Engine, revision: str = "head", database_url=None) -> None:
    with engine.begin() as connection:
        _transactional_ddl(connection)
        command.upgrade(alembic_config(service, connection, database_url), revision)


def _transactional_ddl(connection) -> None:
    """On SQLite, the revisions run in one transaction begun here: the driver begins one only at the first
    write of rows, so a revision that fails or refuses after another's ``CREATE TABLE`` would leave that table
    behind with the version unchanged (PostgreSQL's DDL is transactional anyway)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")


def other_database(database_url, service: str) -> Engine | None:
    """Another service's database, for a revision that moves rows between two services' databases (its caller
    disposes of it); None when there is none to read: no ``database_url`` given, or an SQLite file that does
    not exist or is not in WAL mode yet — a service starting at this moment is creating it (a deployment's files
    are in WAL mode from their first start; the header's bytes 18–19 say so, read without any lock).  Opened
    without the services' pragmas: a revision reading it must not take the lock a starting service needs to
    switch its new file to WAL."""
    if database_url is None:
        return None
    url = database_url(service)
    if url.startswith("sqlite:///"):
        path = Path(url.split("///", 1)[1])
        try:
            header = path.read_bytes()[:20] if path.is_file() else b""
        except OSError:
            return None
        if len(header) < 20 or header[18:20] != b"\x02\x02":
            return None
        return create_engine(url, connect_args={"timeout": 30})
    return create_engine(url)


def downgrade(service: str, engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        _transactional_ddl(connection)
        command.downgrade(alembic_config(service, connection), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(service: str) -> str:
    return ScriptDirectory.from_config(alembic_config(service)).get_current_head()


def differences(service: str, engine: Engine) -> list:
    """What the database lacks or has beyond the service's models (empty = in step)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": include_name})
        return compare_metadata(context, metadata_of(service))


def include_name(name, kind, parents) -> bool:
    """What the models describe: not the tables and indexes a search index made (``shared.search``)."""
    return not (kind in ("table", "index") and is_index_table(name))


def autogenerate(service: str, engine: Engine, message: str) -> None:
    """Write the next revision from the difference between head and the models."""
    upgrade(service, engine)
    with engine.begin() as connection:
        command.revision(alembic_config(service, connection), message=message, autogenerate=True)
