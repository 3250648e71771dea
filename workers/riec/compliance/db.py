"""Storage of the registers: tables, databases, write transactions and migrations.

SQLite (a file in the data folder) by default, PostgreSQL by configuration
(``RIEC_DATABASE_URL``). Writers serialise on one lock so that the provision
register's hash chain can neither lose nor reorder entries:

* SQLite: every write transaction starts with ``BEGIN IMMEDIATE`` (the database
  write lock is taken before the chain head is read) and waits up to
  ``busy_timeout`` for another writer; the file runs in WAL mode so readers do not
  block the writer.
* PostgreSQL: every write transaction first takes a transaction-level advisory
  lock (``pg_advisory_xact_lock``), released at commit or rollback.

The schema is migrated with Alembic (already a dependency; SQLAlchemy-native,
versioned scripts in the package, batch mode for SQLite's limited ALTER TABLE),
run programmatically by :func:`migrate` so no ``alembic.ini`` is needed.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Connection, Engine, make_url

#: Key of the PostgreSQL advisory lock all register writers share ("RIEC" in ASCII).
ADVISORY_LOCK_KEY = 0x52494543
SQLITE_BUSY_TIMEOUT_MS = 60_000
MIGRATIONS_DIR = Path(__file__).with_name("migrations")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: Hit/no-hit outcomes (riec.hit_no_hit.checks): partner ids per task, never the subject.
#: ``reporting_partner`` is the signal's reporter, never counted among the hits (R-4.1).
#: ``region`` is the signal's region (tenant id): only that region's partners were asked (R-6.1).
hit_check = Table(
    "hit_check", metadata,
    Column("task_key", String(200), primary_key=True),
    Column("business_key", String(200), nullable=True, index=True),
    Column("checked_at", DateTime(timezone=True), nullable=False),
    Column("hit_partners", Text, nullable=False),
    Column("reporting_partner", String(80), nullable=True),
    Column("region", String(80), nullable=True, index=True),
)

legal_basis = Table(
    "legal_basis", metadata,
    Column("id", String(80), primary_key=True),
    Column("name", Text, nullable=False),
    Column("citation", Text, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=True),
    Column("note", Text, nullable=False, server_default=""),
    Column("source", String(40), nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
)

partner = Table(
    "partner", metadata,
    Column("id", String(80), primary_key=True),
    Column("name", Text, nullable=False),
    Column("region", String(80), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

designated_person = Table(
    "designated_person", metadata,
    Column("id", String(80), primary_key=True),
    Column("partner_id", String(80), ForeignKey("partner.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("scopes", Text, nullable=False, doc="Comma-separated data categories."),
    Column("screening_date", Date, nullable=True),
    Column("screening_valid_until", Date, nullable=True),
    Column("active", Boolean, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

necessity_assessment = Table(
    "necessity_assessment", metadata,
    Column("id", String(80), primary_key=True),
    Column("case_id", String(80), nullable=False, index=True),
    Column("author", String(80), nullable=False),
    Column("assessed_at", DateTime(timezone=True), nullable=False),
    Column("necessity", Text, nullable=False),
    Column("proportionality", Text, nullable=False),
    Column("subsidiarity", Text, nullable=False),
    Column("necessary", Boolean, nullable=False),
    Column("data_categories", Text, nullable=False, doc="Comma-separated."),
    Column("person_refs", Text, nullable=False, doc="JSON list."),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

register_entry = Table(
    "register_entry", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("entry_id", String(36), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),
    Column("case_id", String(80), nullable=True, index=True),
    Column("idempotency_key", String(200), nullable=True, unique=True),
    Column("payload", Text, nullable=False, doc="Canonical JSON of the entry; what the hash covers."),
    Column("prev_hash", String(64), nullable=False, unique=True),
    Column("hash", String(64), nullable=False, unique=True),
)

register_person = Table(
    "register_person", metadata,
    Column("seq", BigInteger, ForeignKey("register_entry.seq"), primary_key=True),
    Column("person_ref", String(80), primary_key=True),
    Index("ix_register_person_person_ref", "person_ref"),
)

#: Notifications recorded for a role's group (riec.notifications); issue 10's outbox takes over sending.
notification = Table(
    "notification", metadata,
    Column("key", String(200), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("recipient_group", String(80), nullable=False, index=True),
    Column("business_key", String(200), nullable=True, index=True),
    Column("task_ref", String(200), nullable=False),
    Column("text_nl", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

#: Mail outbox (riec.mail): one row per message, written in the transaction of the record that causes it.
#: Subject and body hold a case reference, a task name and a link only; never personal or police data.
mail_outbox = Table(
    "mail_outbox", metadata,
    Column("id", String(36), primary_key=True),
    Column("dedupe_key", String(200), nullable=False, unique=True),
    Column("message_id", String(200), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),
    Column("recipient_group", String(80), nullable=False),
    Column("region", String(80), nullable=True),
    Column("business_key", String(200), nullable=True, index=True),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("lease_owner", String(200), nullable=True),
    Column("lease_until", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),
)

#: Refusal letters (riec.letters, R-4.1-refuse): the rendered Dutch letter to the requesting partner.
#: Reasons and rule IDs of the decision only; never police data.
refusal_letter = Table(
    "refusal_letter", metadata,
    Column("ref", String(80), primary_key=True),
    Column("case_key", String(200), nullable=False, index=True),
    Column("decision_ref", String(200), nullable=False, unique=True),
    Column("region", String(80), nullable=True),
    Column("requesting_partner", String(80), nullable=True),
    Column("explanation_possible", Boolean, nullable=False),
    Column("rule_ids", Text, nullable=False, doc="JSON list."),
    Column("text_nl", Text, nullable=False),
    Column("pdf", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


#: The data vault (riec.vault, issue 10; migration 0006_vault). Keys in their own table: shredding a package's key
#: makes its ciphertext unreadable in every copy. Packages hold ciphertext, references and state, never plaintext.
vault_key = Table(
    "vault_key", metadata,
    Column("id", String(36), primary_key=True),
    Column("key", LargeBinary, nullable=True, doc="AES-256-GCM key; NULL once shredded."),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("shredded_at", DateTime(timezone=True), nullable=True),
)

vault_package = Table(
    "vault_package", metadata,
    Column("id", String(36), primary_key=True),
    Column("case_key", String(200), nullable=False, index=True),
    Column("region", String(80), nullable=False, index=True),
    Column("process_instance_id", String(64), nullable=False, unique=True, doc="The police-request instance: one package per request."),
    Column("key_id", String(36), ForeignKey("vault_key.id"), nullable=False),
    Column("nonce", LargeBinary, nullable=False),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("name_nonce", LargeBinary, nullable=False),
    Column("name_ciphertext", LargeBinary, nullable=False, doc="The file name may name a person: encrypted too."),
    Column("content_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("uploaded_by", String(80), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    # Set by the provision step (topic `provision`): what was provided, to whom (references only).
    Column("provided_at", DateTime(timezone=True), nullable=True),
    Column("partner_ids", Text, nullable=True, doc="JSON list: the case's partners (R-4.1)."),
    Column("recipient_ids", Text, nullable=True, doc="JSON list: recipients who passed the check at provision."),
    Column("data_categories", Text, nullable=True, doc="JSON list."),
    Column("person_refs", Text, nullable=True, doc="JSON list: persons in categories a-c (R-4.2)."),
    Column("legal_basis_id", String(80), nullable=True),
)

vault_acknowledgement = Table(
    "vault_acknowledgement", metadata,
    Column("package_id", String(36), ForeignKey("vault_package.id"), primary_key=True),
    Column("user_id", String(80), primary_key=True),
    Column("acknowledged_at", DateTime(timezone=True), nullable=False),
)


#: The intervention register (riec.intervention, issue 10; migration 0007_intervention): the RIEC partners' joint
#: strategy (R-7.1) and the date it was carried out, the date destruction (art. 7, issue 11) starts from. One row per case.
intervention = Table(
    "intervention", metadata,
    Column("case_key", String(200), primary_key=True),
    Column("region", String(80), nullable=True, index=True),
    Column("measures", Text, nullable=False, doc="JSON list: bestuurlijk, fiscaal, strafrechtelijk, anders."),
    Column("other_description", Text, nullable=True),
    Column("strategy", Text, nullable=False),
    Column("carried_out_on", Date, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)


#: The destruction register (riec.destruction, issue 11; migration 0008_destruction): one row per destroyed case or
#: signal (R-7.1). What was destroyed as counts only (never the data); ``register_seq`` is its DESTRUCTION entry.
destruction = Table(
    "destruction", metadata,
    Column("case_key", String(200), primary_key=True),
    Column("region", String(80), nullable=True, index=True),
    Column("subject", String(20), nullable=False, server_default="case", doc="case | signal (ended without a case)."),
    Column("trigger", String(40), nullable=False, doc="intervention | no_decision | max_retention | sweep | no_case."),
    Column("rule_ids", Text, nullable=False, doc="JSON list."),
    Column("destroyed_at", DateTime(timezone=True), nullable=False),
    Column("counts", Text, nullable=False, doc="JSON object: what was destroyed, counted per place."),
    Column("register_seq", BigInteger, nullable=True),
)


#: Anonymised records kept by an R-7.2 decision (riec.anonymisation, issue 11; migration 0009_anonymised). The
#: whitelist only (riec.anonymisation.AnonymisedRecord): no case key, names, addresses, free text or exact dates.
anonymised_record = Table(
    "anonymised_record", metadata,
    Column("id", String(36), primary_key=True),
    Column("purpose", String(20), nullable=False, doc="statistiek | wetenschap."),
    Column("region", String(80), nullable=True, index=True),
    Column("phenomenon", String(40), nullable=True),
    Column("quarter", String(7), nullable=True, doc="JJJJ-Kn: year and quarter the case started."),
    Column("persons_a", Integer, nullable=True),
    Column("persons_b", Integer, nullable=True),
    Column("persons_c", Integer, nullable=True),
    Column("data_categories", Text, nullable=True, doc="JSON list of DataCategory values."),
    Column("outcome", String(40), nullable=True, doc="provided | without_police_data."),
    Column("measures", Text, nullable=True, doc="JSON list of InterventionMeasure values."),
    Column("duration_weeks", Integer, nullable=True),
)


#: Onward provision (riec.onward, issue 12; migration 0010_onward): a package made available, with the providing unit's
#: prior consent (R-6.2), to a named partner of another region. The vault's one exception to R-6.1 (riec.vault.onward).
onward_grant = Table(
    "onward_grant", metadata,
    Column("id", String(36), primary_key=True, doc="The onward reference."),
    Column("package_id", String(36), ForeignKey("vault_package.id"), nullable=False),
    Column("case_key", String(200), nullable=False, index=True),
    Column("region", String(80), nullable=False, index=True, doc="The providing (case) region."),
    Column("partner_id", String(80), nullable=False, doc="The receiving partner (of another region)."),
    Column("receiving_region", String(80), nullable=False, index=True),
    Column("requested_by", String(80), nullable=False, doc="The recipient (designated person) who asked."),
    Column("process_instance_id", String(64), nullable=False, unique=True, doc="The riec-onward-provision instance."),
    Column("consent_refs", Text, nullable=False, doc="JSON list: role:user tokens of the consents relied on."),
    Column("granted_at", DateTime(timezone=True), nullable=False),
    Index("ix_onward_grant_package_id_partner_id", "package_id", "partner_id"),
)


# --------------------------------------------------------------------------- databases


def is_sqlite(bind: Engine | Connection) -> bool:
    return bind.dialect.name == "sqlite"


def is_postgresql(bind: Engine | Connection) -> bool:
    return bind.dialect.name == "postgresql"


_databases: dict[str, Engine] = {}
_databases_lock = threading.Lock()


def open_database(url: str) -> Engine:
    """The (cached) SQLAlchemy engine of the registers' database at ``url``.

    The composition root (riec.app) passes the configured URL; nothing here reads settings.
    """
    with _databases_lock:
        if url not in _databases:
            _databases[url] = _create_database(url)
        return _databases[url]


def close_databases() -> None:
    with _databases_lock:
        for database in _databases.values():
            database.dispose()
        _databases.clear()


def _create_database(url: str) -> Engine:
    """A SQLAlchemy engine with the locking behaviour the registers rely on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if path and path != ":memory:" and not path.startswith("file:"):
            Path(path).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        database = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _install_sqlite_locking(database)
        return database
    return create_engine(parsed, pool_pre_ping=True)


def _install_sqlite_locking(database: Engine) -> None:
    @event.listens_for(database, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite would defer it).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        if database.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
        cur.close()

    @event.listens_for(database, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("riec_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@contextmanager
def write_transaction(database: Engine) -> Iterator[Connection]:
    """A transaction holding the registers' single writer lock until it ends."""
    with database.connect() as conn:
        conn = conn.execution_options(riec_write=True)
        with conn.begin():
            if is_postgresql(conn):
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
            yield conn


@contextmanager
def read_transaction(database: Engine) -> Iterator[Connection]:
    with database.connect() as conn:
        with conn.begin():
            yield conn


# --------------------------------------------------------------------------- migrations


def _alembic_config(conn: Connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("file_template", "%%(rev)s")  # versions/<rev id>.py, e.g. 0002_add_x.py
    cfg.attributes["connection"] = conn
    return cfg


def migrate(database: Engine, revision: str = "head") -> None:
    """Upgrade the schema to ``revision`` under the writer lock (safe when workers start together)."""
    from alembic import command

    with write_transaction(database) as conn:
        command.upgrade(_alembic_config(conn), revision)


def current_revision(database: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with database.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations in {MIGRATIONS_DIR}")
    return head
