"""Typed, frozen settings read once from the environment (prefix ``RIEC_``).

Every knob an operator can turn lives here, so the README's configuration table
and the code cannot drift apart: the table is generated from the field
descriptions (``riec config``). Only the composition root (riec.app) builds a
``Settings`` from the environment; everything else receives what it needs.
"""
from __future__ import annotations

import os
import re
import socket
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_ADMIN_PASSWORD = "Demo-wachtwoord-1"


#: An ISO-8601 duration as Camunda's due dates and timers read it, e.g. P5D, PT12H, P1DT6H.
ISO_DURATION = re.compile(r"^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RIEC_", frozen=True, extra="ignore")

    home: Path = Field(Path("."), description="Project folder holding engine/, bpmn/ and forms/.")
    data_dir: Path = Field(Path("data"), description="Folder for the H2 engine database, SQLite registers and logs.")
    engine_url: str = Field("http://localhost:8080/engine-rest", description="Base URL of the engine's REST API.")
    engine_user: str = Field("admin", description="User the workers and the CLI authenticate as (HTTP basic).")
    engine_password: str = Field(DEV_ADMIN_PASSWORD, description="Password of that user. The development default is printed at start-up; set your own in production.")
    database_url: str | None = Field(None, description="SQLAlchemy URL of the registers (legal bases, authorisations, provision register). Default: SQLite file in the data folder. Example: postgresql+psycopg://riec:secret@db/riec")
    legal_bases_file: Path | None = Field(None, description="TOML or JSON file of legal bases (R-8) loaded by `riec database init` and `riec up`, e.g. the successor basis in force for this deployment.")
    worker_id: str = Field(default_factory=lambda: f"riec-{socket.gethostname()}-{os.getpid()}", description="Identifies this worker process in locks and Cockpit.")
    topics: str = Field("", description="Comma-separated topics this worker serves; empty means every registered topic.")
    max_tasks: int = Field(0, ge=0, le=128, description="Most tasks one worker process holds locked at once: those running and those fetched ahead for the next free slot. 0: three times RIEC_CONCURRENCY; RIEC_CONCURRENCY fetches only for free slots, leaving every task not yet running to other worker processes.")
    concurrency: int = Field(2, ge=1, le=64, description="Tasks handled in parallel by one worker process.")
    lock_duration_ms: int = Field(60_000, ge=1_000, description="How long a fetched task is locked; extended while a handler still works.")
    long_poll_ms: int = Field(20_000, ge=0, le=1_800_000, description="How long a fetch waits on the engine for new tasks (asyncResponseTimeout).")
    retries: int = Field(3, ge=0, description="Attempts for a failing handler before an incident is raised in Cockpit.")
    retry_backoff_ms: int = Field(10_000, ge=0, description="Wait before the engine hands out a failed task again; doubles per attempt.")
    http_connect_timeout_s: float = Field(5.0, gt=0, description="Connect time-out for every engine call.")
    http_read_timeout_s: float = Field(40.0, gt=0, description="Read time-out for every engine call; must exceed the long poll.")
    hit_key: str = Field("riec-demo-hit-key-change-me", description="Secret key of the keyed hashes used for hit/no-hit. Every partner register uses the same key; change it in production.")
    worker_user: str = Field("riec-worker", description="Service user the workers started by `riec up` authenticate as; may only work external tasks.")
    worker_password: str = Field("Demo-dienst-2026!", description="Password of that service user, set by `riec identities` and `riec up`. Set your own in production.")
    region: str = Field("riec-noord", description="Region (Camunda tenant, R-6.1) of a signal started with `riec signal submit` when --region is not given, e.g. riec-limburg.")
    demo_password: str = Field("Demo-wachtwoord-1", description="Password of every demo user created by `riec up` (development only).")
    # Due dates of the case and police-request tasks (docs/case-process.md); an overdue task notifies the role's group.
    due_riec_analyst: str = Field("P5D", description="Due period (ISO-8601 duration) of the analyst's case tasks; when it passes, the analysts' group is notified.")
    due_police_unit: str = Field("P10D", description="Due period of the police unit's tasks (judging a request, an own-initiative provision); overdue notifies the unit.")
    due_police_data_officer: str = Field("P5D", description="Due period of the art. 2:10 officer's consultation (R-5.1e); overdue notifies the officers' group.")
    due_case_prosecutor: str = Field("P5D", description="Due period of the case prosecutor's consent for art. 9 data (R-5.1e); overdue notifies the group.")
    due_cie_prosecutor: str = Field("P5D", description="Due period of the CIE prosecutor's consent for art. 10(1)(a) data (R-5.1e); overdue notifies the group.")
    # Mail (riec.mail, docs/mail.md): notifications go through an outbox and are sent over SMTP.
    smtp_host: str = Field("localhost", description="SMTP server the mail sender delivers to; `riec up` starts a local one (`riec mail list`).")
    smtp_port: int = Field(8025, description="Port of that SMTP server.")
    mail_from: str = Field("riec-noreply@riec.example", description="Sender address of notification mail.")
    mail_addresses_file: Path | None = Field(None, description="JSON file of addresses per role group (`{\"riec-analyst@riec-noord\": [\"team@...\"], \"police-unit\": [...]}`) instead of the engine users' e-mail.")
    tasklist_url: str | None = Field(None, description="Link in every notification mail. Default: Tasklist of the engine at RIEC_ENGINE_URL.")
    mail_lease_s: float = Field(120.0, description="How long a mail being sent is reserved for its sender; after a crash it is sent again (same Message-ID) once this has passed.")
    mail_retry_s: float = Field(30.0, description="First wait before a failed mail is tried again; doubles per attempt, at most an hour.")
    # The data vault (riec.vault, issue 10): its web page, started by `riec up`.
    vault_host: str = Field("127.0.0.1", description="Address the vault's web page listens on (`riec vault serve`); 0.0.0.0 in a container.")
    vault_port: int = Field(8090, ge=1, le=65535, description="Port of the vault's web page, where the police upload provision packages and recipients open them.")
    vault_url: str = Field("http://localhost:8090", description="Address of the vault's web page as officers reach it: used in notifications and by `riec vault upload`.")
    vault_max_bytes: int = Field(10 * 1024 * 1024, ge=1, description="Largest provision package the vault accepts, in bytes.")
    vault_secret: str = Field("", description="Key that signs the vault's session cookies; empty means a random key per start (everyone signs in again after a restart).")
    log_level: str = Field("INFO", description="Python log level.")
    # Retention and destruction (art. 7, issue 11; riec.retention). Whole days: the decree speaks in dates.
    destruction_grace_days: int = Field(14, ge=0, le=365, description="R-7.1: days after the intervention is recorded as carried out before the case's police data are destroyed (a short grace period for loose ends; 0 destroys at once).")
    max_retention_days: int = Field(365, ge=1, le=3650, description="R-7.1: the longest a case's provided data are kept, counted from the provision, even if no intervention is ever recorded.")
    retention_warning_days: int = Field(30, ge=0, le=365, description="Days before the maximum retention ends that the analysts and the privacy officer are warned.")
    anonymisation_lead_days: int = Field(7, ge=0, le=365, description="R-7.2: the anonymisation decision is due this many days before the destruction date (never later than the day before it).")
    no_case_retention_days: int = Field(28, ge=0, le=365, description="Days the personal data of a signal that ends without a case (no hit, withdrawn, closed without indications) are kept before destruction.")
    register_retention_years: int = Field(5, ge=1, le=30, description="Years the necessity assessments and provision-register entries are kept (art. 7 and the privacy protocol); they only reference what was destroyed.")

    @field_validator("legal_bases_file", "database_url", "mail_addresses_file", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # docker-compose passes an unset ${VAR:-} as an empty string.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("due_riec_analyst", "due_police_unit", "due_police_data_officer", "due_case_prosecutor", "due_cie_prosecutor")
    @classmethod
    def _iso_duration(cls, value: str) -> str:
        if not ISO_DURATION.match(value):
            raise ValueError(f"{value!r} is not an ISO-8601 duration such as P5D or PT12H")
        return value

    @model_validator(mode="after")
    def _read_timeout_outlasts_long_poll(self) -> "Settings":
        # Otherwise every idle long poll ends in a read time-out, logged as an outage.
        if self.http_read_timeout_s * 1000 <= self.long_poll_ms:
            raise ValueError(f"RIEC_HTTP_READ_TIMEOUT_S ({self.http_read_timeout_s}) must be longer than RIEC_LONG_POLL_MS ({self.long_poll_ms} ms)")
        return self

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'riec.sqlite').resolve()}"

    @property
    def tasks_held(self) -> int:
        """RIEC_MAX_TASKS as the worker applies it: never fewer than its handler slots."""
        return max(self.max_tasks or 3 * self.concurrency, self.concurrency)

    @property
    def topic_list(self) -> list[str]:
        return [t.strip() for t in self.topics.split(",") if t.strip()]

