"""The composition root: settings are read once, here, and every client and store is built from them.

The command line builds one :class:`App` (``App.from_environment()``) and hands
it to every command; tests build one from explicit ``Settings`` and may replace
any component with a fake or a real store of their own::

    app = App(Settings(data_dir=tmp), partners=FakeCatalogue())
    worker = app.worker(registry)            # handlers bound to app's components

No module below the command line and this one reads the environment or the
settings singleton: everything arrives as an argument.

Components (built lazily, once per app):

=================  =====================================================================
``camunda``        the Camunda REST client (riec.runtime.engine)
``database``       SQLAlchemy engine of the registers' database (legal bases, partners,
                   provision register, hit checks); ``engine`` always means Camunda
``partner_registers``  the partners' hit/no-hit registers (demo: one local SQLite file)
``partners``       the partner catalogue: the authorisation register's partners, asked
                   through their registers (riec.hit_no_hit.catalogue)
``hit_checks``     the record of hit/no-hit checks (riec.hit_no_hit.checks)
``hit_key``        the shared HMAC key of the hit/no-hit digests
``notifier``       notifications to a role's group, recorded and queued as mail (riec.mail.outbox)
``due_periods``    the ISO-8601 due periods of the case and police tasks (riec.casework)
``vault``          the data vault of provided packages (riec.vault), asking the engine as ``camunda``
``retention``      the retention terms of art. 7 (riec.retention)
=================  =====================================================================

How a handler gets a dependency
-------------------------------
A handler names what it uses as keyword-only parameters (after ``*``); the
names are those in :data:`HANDLER_DEPENDENCIES`::

    @registry.topic("hit-no-hit")
    def hit_no_hit(subject: HitNoHitInput, *, partners: PartnerCatalogue, hit_checks: HitChecks, hit_key: str): ...

:meth:`App.worker` binds them (``Registry.bind``); an unknown name fails at start,
naming topic and dependency. For a new kind of dependency (mail outbox, data
store): add a ``cached_property`` below that builds it from ``self.settings`` and
the other components, add its name to ``HANDLER_DEPENDENCIES``, and name the
handler's parameter after it. Unit tests call the handler directly and pass the
dependency as a keyword argument.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine

from riec.casework import DuePeriods
from riec.compliance import db
from riec.hit_no_hit.catalogue import PartnerCatalogue
from riec.hit_no_hit.checks import HitChecks
from riec.hit_no_hit.registers import LocalRegisters, PartnerRegisters
from riec.notifications import Notifier
from riec.runtime.engine import CamundaClient
from riec.runtime.registry import Registry
from riec.runtime.worker import Worker
from riec.settings import Settings

if TYPE_CHECKING:
    from riec.vault.service import Vault
    from riec.mail.sender import MailSender
    from riec.retention import RetentionTerms

#: What handlers may ask for by name (keyword-only parameters).
HANDLER_DEPENDENCIES = frozenset({"database", "partners", "hit_checks", "hit_key", "camunda", "notifier", "due_periods", "vault", "tasklist_url", "retention"})

_COMPONENTS = frozenset({"camunda", "database", "partner_registers", "partners", "hit_checks", "environ", "notifier", "vault"})


class App:
    def __init__(self, settings: Settings, **components: Any):
        unknown = set(components) - _COMPONENTS
        if unknown:
            raise TypeError(f"App has no component(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(_COMPONENTS))}")
        self.settings = settings
        self.__dict__.update(components)  # replaces the cached_property of the same name
        self._migrated = False

    @classmethod
    def from_environment(cls) -> App:
        """Read ``RIEC_*`` once (raises pydantic's ValidationError on bad configuration)."""
        return cls(Settings(), environ=dict(os.environ))

    # -- components ------------------------------------------------------------------

    @cached_property
    def environ(self) -> Mapping[str, str]:
        """The environment handed to processes started in the background (engine, workers)."""
        return {}

    @cached_property
    def camunda(self) -> CamundaClient:
        return CamundaClient(self.settings)

    @cached_property
    def database(self) -> Engine:
        return db.open_database(self.settings.effective_database_url)

    def migrated_database(self) -> Engine:
        """The registers' database at the latest schema (idempotent, serialised under the writer lock)."""
        if not self._migrated:
            db.migrate(self.database)
            self._migrated = True
        return self.database

    @cached_property
    def partner_registers(self) -> PartnerRegisters:
        return LocalRegisters(self.settings.data_dir / "partner-registers.sqlite")

    @cached_property
    def partners(self) -> PartnerCatalogue:
        return PartnerCatalogue(self.migrated_database(), self.partner_registers)

    @cached_property
    def hit_checks(self) -> HitChecks:
        return HitChecks(self.migrated_database())

    @property
    def hit_key(self) -> str:
        return self.settings.hit_key

    @cached_property
    def notifier(self) -> Notifier:
        """Notifications to a role's group: recorded, and queued as mail in the same transaction (riec.mail)."""
        from riec.mail.outbox import OutboxNotifier

        return OutboxNotifier(self.migrated_database(), link=self.tasklist_url)

    @property
    def tasklist_url(self) -> str:
        """The link every notification mail carries (no personal or police data in mail: docs/mail.md)."""
        if self.settings.tasklist_url:
            return self.settings.tasklist_url
        root = self.settings.engine_url.rstrip("/").removesuffix("/engine-rest")
        return f"{root}/camunda/app/tasklist/"

    def mail_sender(self, owner: str | None = None) -> MailSender:
        """The outbox's sender; addresses: the e-mail of the engine's users in the role group and region, or RIEC_MAIL_ADDRESSES_FILE."""
        from riec.mail.sender import Directory, EngineDirectory, MailSender, StaticDirectory

        s = self.settings
        directory: Directory = StaticDirectory.from_file(s.mail_addresses_file) if s.mail_addresses_file else EngineDirectory(self.camunda)
        return MailSender(self.migrated_database(), directory, host=s.smtp_host, port=s.smtp_port,
                          from_address=s.mail_from, owner=owner or s.worker_id, lease_s=s.mail_lease_s, retry_base_s=s.mail_retry_s)

    @property
    def due_periods(self) -> DuePeriods:
        return DuePeriods.from_settings(self.settings)

    @property
    def retention(self) -> "RetentionTerms":
        """The retention terms of art. 7 (R-7.1, R-7.2) from the settings (riec.retention)."""
        from riec.retention import RetentionTerms

        return RetentionTerms.from_settings(self.settings)

    @cached_property
    def vault(self) -> "Vault":
        """The data vault (issue 10): packages in the registers' database, the engine asked as ``camunda``."""
        from riec.vault.engine import EnginePoliceRequests
        from riec.vault.service import Vault

        return Vault(self.migrated_database(), EnginePoliceRequests(self.camunda), max_bytes=self.settings.vault_max_bytes,
                     url=self.settings.vault_url)

    # -- wiring ------------------------------------------------------------------------

    def provide(self, name: str) -> Any:
        """The component a handler's keyword-only parameter ``name`` asks for."""
        if name not in HANDLER_DEPENDENCIES:
            raise LookupError(name)
        return getattr(self, name)

    def bind(self, registry: Registry) -> Registry:
        return registry.bind(self.provide)

    def worker(self, registry: Registry) -> Worker:
        return Worker(self.bind(registry), self.settings, self.camunda)
