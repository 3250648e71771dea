"""The data vault: provided police data live here, never in the engine (``../shared/DESIGN.md``).

Rules: R-1, R-4.1, R-5.1b, R-5.1c, R-5.1d, R-6.1 (who may open, decided at that
moment by ``riec.compliance.rules``), R-4.2 and R-5.2 (what is recorded).

The life of a package:

1. **Upload** (police unit, browser or ``riec vault upload``): allowed only for a
   request the police unit decided to provide, i.e. a ``police-request`` instance of
   the user's region waiting at ``Event_PackageUploaded``. The file is checked (size,
   type), encrypted with a fresh AES-256-GCM key of its own, stored with a
   ``package_uploaded`` register entry in one transaction, and the waiting process
   is told by message ``riec-package-uploaded`` (variable ``packageRef`` only). A
   refused request, an unknown one, or one that already has its package changes
   nothing and gets a Dutch answer.
2. **Provision** (topic ``provision``, riec.handlers.provision): links the package to
   the case's partners and the recipients who passed the check at that moment.
3. **Acknowledge** (R-5.1d) and **open**: a user may open only if, at that moment,
   they are a designated person (same id as their Camunda login) of a partner of the
   case (R-1, R-4.1), authorised for the package's data types (R-5.1b) with a valid
   screening (R-5.1c), in the package's region (R-6.1), and after acknowledging the
   confidentiality notice of art. 7(2) Wpg (R-5.1d). Every acknowledgement, opening
   and refusal is a register entry. The one exception to the region (R-6.2): a
   designated person of a partner of another region to whom a consented onward
   provision made the package available (``riec.vault.onward``).
4. **Shred** (R-7.1, issue 11): the package's key is destroyed.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from riec import dutch_time
from riec.compliance import authorisation, db
from riec.compliance.decisions import Decision, combine
from riec.compliance.models import CaseContext, DataCategory
from riec.compliance.provision_register import EntryKind, RegisterEntry, append_in, iter_entries
from riec.compliance.rules import (
    CONFIDENTIALITY_NOTICE_NL,
    check_recipient,
    r_4_1_case_partner,
    r_5_1d_confidentiality,
    r_6_1_can_view,
)
from riec.vault.tables import vault_acknowledgement, vault_key, vault_package

#: The message the waiting police process catches (bpmn/case.bpmn, Event_PackageUploaded).
PACKAGE_UPLOADED = "riec-package-uploaded"
POLICE_UNIT = "police-unit"

#: Accepted file types: extension -> content type. Text types must be UTF-8; a PDF must look like one.
FILE_TYPES = {".pdf": "application/pdf", ".txt": "text/plain; charset=utf-8", ".csv": "text/csv; charset=utf-8",
              ".json": "application/json"}

__all__ = ["CONFIDENTIALITY_NOTICE_NL", "Vault", "VaultRefusal", "VaultUser", "PackageView", "Opened"]


class VaultRefusal(Exception):
    """Input or access refused; ``message_nl`` is what the officer reads. Nothing was changed,
    except the register entry of a refused access (R-5.2)."""

    def __init__(self, message_nl: str, status: int = 400, rule_ids: Sequence[str] = ()):
        super().__init__(message_nl)
        self.message_nl = message_nl
        self.status = status
        self.rule_ids = tuple(rule_ids)


@dataclass(frozen=True)
class VaultUser:
    """A signed-in user as the engine's identity service knows them."""

    id: str
    groups: frozenset[str] = frozenset()
    tenants: frozenset[str] = frozenset()

    @property
    def region(self) -> str | None:
        """The user's one region (R-6.1); a user of none or of several regions has none here."""
        return next(iter(self.tenants)) if len(self.tenants) == 1 else None


class PoliceRequests(Protocol):
    """What the vault asks the engine (riec.vault.engine.EnginePoliceRequests; fakes in unit tests)."""

    def awaiting(self, region: str) -> list[tuple[str, str]]:
        """(case key, police process instance id) of the requests of ``region`` waiting for their package."""

    def deliver(self, process_instance_id: str, case_key: str, region: str, package_ref: str) -> None:
        """Tell the waiting police process that its package is in the vault."""


@dataclass(frozen=True)
class PackageView:
    """What the vault page lists: references and state, never content."""

    id: str
    case_key: str
    region: str
    size: int
    content_type: str
    uploaded_at: dt.datetime
    provided_at: dt.datetime | None
    data_categories: tuple[str, ...] = ()
    acknowledged: bool = False
    onward_ref: str | None = None  # set when another region's package is available through onward provision


@dataclass(frozen=True)
class Opened:
    filename: str
    content_type: str
    content: bytes
    notice_nl: str = CONFIDENTIALITY_NOTICE_NL


@dataclass
class Vault:
    database: Engine
    requests: PoliceRequests
    max_bytes: int = 10 * 1024 * 1024
    url: str = ""  # the page's address as officers reach it (notifications)
    today: Any = field(default=None, repr=False)  # a callable returning today's date (tests); default: Amsterdam's

    # -- time ------------------------------------------------------------------------

    def _now(self) -> dt.datetime:
        return dt.datetime.now(dt.timezone.utc)

    def _today(self) -> dt.date:
        return self.today() if self.today else dutch_time.today()

    # -- upload ----------------------------------------------------------------------

    def awaiting(self, user: VaultUser) -> list[str]:
        """Case keys of the user's region whose decided request waits for a package (police unit only)."""
        if POLICE_UNIT not in user.groups or user.region is None:
            return []
        return sorted({key for key, _ in self.requests.awaiting(user.region)})

    def check_file(self, filename: str, data: bytes) -> str:
        """The file's content type, or a Dutch refusal: empty, too large, or a type the vault does not take."""
        if not data:
            raise VaultRefusal("Het bestand is leeg. Kies het bestand met de te verstrekken gegevens.")
        if len(data) > self.max_bytes:
            raise VaultRefusal(f"Het bestand is te groot ({len(data) // 1024} kB); het maximum is {self.max_bytes // 1024} kB.", 413)
        ext = os.path.splitext(filename or "")[1].lower()
        kinds = ", ".join(sorted(FILE_TYPES))
        if ext not in FILE_TYPES:
            raise VaultRefusal(f"Dit bestandstype wordt niet aangenomen. Toegestaan zijn: {kinds}.", 415)
        if ext == ".pdf":
            if not data.startswith(b"%PDF-"):
                raise VaultRefusal("Het bestand heeft de extensie .pdf maar is geen PDF-bestand.", 415)
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise VaultRefusal(f"Het bestand is geen tekstbestand in UTF-8, zoals een {ext}-bestand moet zijn.", 415) from None
            if "\x00" in text:
                raise VaultRefusal(f"Het bestand is geen tekstbestand, zoals een {ext}-bestand moet zijn.", 415)
            if ext == ".json":
                try:
                    json.loads(text)
                except ValueError:
                    raise VaultRefusal("Het bestand is geen geldige JSON.", 415) from None
        return FILE_TYPES[ext]

    def _refused_request(self, case_key: str, region: str) -> bool:
        """The police of ``region`` refused this case's request (a refusal entry of the decision, not of a recipient).
        R-6.1: another region's refusal is not told; that request is unknown to this user."""
        return any(e.entry.kind is EntryKind.REFUSAL and e.entry.recipient_id is None and e.entry.region == region
                   for e in iter_entries(self.database, case_id=case_key))

    def upload(self, user: VaultUser, case_key: str, filename: str, data: bytes) -> str:
        """Store the package of the decided request ``case_key``; returns the package reference."""
        case_key = (case_key or "").strip()
        if POLICE_UNIT not in user.groups:
            raise VaultRefusal("Alleen de regionale politie-eenheid kan een verstrekkingspakket uploaden.", 403, ("R-5.1e",))
        if not case_key:
            raise VaultRefusal("Kies het verzoek (casusnummer) waarvoor u het pakket uploadt.")
        region = user.region
        waiting = [pid for key, pid in (self.requests.awaiting(region) if region else []) if key == case_key]
        if not waiting:
            with db.read_transaction(self.database) as conn:
                existing = conn.execute(select(vault_package.c.id).where(vault_package.c.case_key == case_key,
                                                                         vault_package.c.region == (region or ""))).first()
            if existing is not None:
                raise VaultRefusal(f"Voor verzoek {case_key} is al een verstrekkingspakket geüpload; het verzoek is al afgehandeld.", 409)
            if region and self._refused_request(case_key, region):
                raise VaultRefusal(f"Verzoek {case_key} is geweigerd; voor een geweigerd verzoek wordt niets verstrekt.", 409, ("R-4.1-refuse",))
            raise VaultRefusal(f"Er is geen verzoek {case_key} in uw regio waarover is besloten dat wordt verstrekt.", 404, ("R-6.1",))
        content_type = self.check_file(filename, data)
        process_instance_id = waiting[0]
        package_id, key_id = str(uuid.uuid4()), str(uuid.uuid4())
        key = AESGCM.generate_key(bit_length=256)
        aes = AESGCM(key)
        nonce, name_nonce = os.urandom(12), os.urandom(12)
        aad = package_id.encode()
        now = self._now()
        assert region is not None
        with db.write_transaction(self.database) as conn:
            taken = conn.execute(select(vault_package.c.id).where(vault_package.c.process_instance_id == process_instance_id)).first()
            if taken is not None:
                raise VaultRefusal(f"Voor verzoek {case_key} is al een verstrekkingspakket geüpload; het verzoek is al afgehandeld.", 409)
            conn.execute(vault_key.insert().values(id=key_id, key=key, created_at=now))
            conn.execute(vault_package.insert().values(
                id=package_id, case_key=case_key, region=region, process_instance_id=process_instance_id, key_id=key_id,
                nonce=nonce, ciphertext=aes.encrypt(nonce, data, aad),
                name_nonce=name_nonce, name_ciphertext=aes.encrypt(name_nonce, os.path.basename(filename).encode("utf-8"), aad),
                content_type=content_type, size=len(data), uploaded_by=user.id, uploaded_at=now))
            append_in(conn, RegisterEntry(
                kind=EntryKind.PACKAGE_UPLOADED, occurred_at=now, actor=user.id, case_id=case_key, region=region,
                outcome="allowed", rule_ids=("R-4.1", "R-6.1"), reason_codes=("vault:package_uploaded",),
                references={"package": package_id, "process_instance": process_instance_id}))
            # Told inside the transaction: if the process cannot be told, nothing is stored. If the commit
            # failed after it, the provision step finds no package and retries into an incident.
            self.requests.deliver(process_instance_id, case_key, region, package_id)
        return package_id

    # -- provision (topic `provision`) ---------------------------------------------

    def package_of(self, process_instance_id: str) -> str | None:
        with db.read_transaction(self.database) as conn:
            row = conn.execute(select(vault_package.c.id).where(vault_package.c.process_instance_id == process_instance_id)).first()
        return row.id if row else None

    def link(self, conn: Connection, package_id: str, *, partner_ids: Sequence[str], recipient_ids: Sequence[str],
             data_categories: Sequence[str], person_refs: Sequence[str], legal_basis_id: str | None, at: dt.datetime) -> None:
        """Record what was provided, in the provision step's transaction (idempotent: the first link stays)."""
        conn.execute(vault_package.update().where(vault_package.c.id == package_id, vault_package.c.provided_at.is_(None)).values(
            provided_at=at, partner_ids=json.dumps(sorted(partner_ids)), recipient_ids=json.dumps(sorted(recipient_ids)),
            data_categories=json.dumps(sorted(data_categories)), person_refs=json.dumps(sorted(person_refs)),
            legal_basis_id=legal_basis_id))

    # -- recipients ------------------------------------------------------------------

    def _row(self, package_id: str) -> Any:
        with db.read_transaction(self.database) as conn:
            return conn.execute(select(vault_package).where(vault_package.c.id == package_id)).first()

    def _acknowledged_at(self, package_id: str, user_id: str) -> dt.datetime | None:
        with db.read_transaction(self.database) as conn:
            row = conn.execute(select(vault_acknowledgement.c.acknowledged_at).where(
                vault_acknowledgement.c.package_id == package_id, vault_acknowledgement.c.user_id == user_id)).first()
        if row is None:
            return None
        at = row.acknowledged_at
        return at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)

    def _view(self, r: Any, acks: set[str], onward_ref: str | None = None) -> PackageView:
        return PackageView(id=r.id, case_key=r.case_key, region=r.region, size=r.size, content_type=r.content_type,
                           uploaded_at=r.uploaded_at, provided_at=r.provided_at,
                           data_categories=tuple(json.loads(r.data_categories or "[]")), acknowledged=r.id in acks,
                           onward_ref=onward_ref)

    def packages(self, user: VaultUser) -> list[PackageView]:
        """The provided packages of the user's region (R-6.1: another region's user sees nothing), and the packages of
        another region made available to the user's partner by a consented onward provision (R-6.2, the one exception)."""
        if user.region is None:
            return []
        with db.read_transaction(self.database) as conn:
            rows = conn.execute(select(vault_package).where(vault_package.c.region == user.region)
                                .order_by(vault_package.c.uploaded_at.desc())).all()
            acks = {r.package_id for r in conn.execute(select(vault_acknowledgement.c.package_id)
                                                       .where(vault_acknowledgement.c.user_id == user.id))}
        views = [self._view(r, acks) for r in rows if r.provided_at is not None or POLICE_UNIT in user.groups]
        return views + self._onward_views(user, acks)

    def all_packages(self) -> list[PackageView]:
        """Every package of every region, references and state only: the operator's listing (``riec vault list``
        without ``--user``), never an officer's."""
        with db.read_transaction(self.database) as conn:
            rows = conn.execute(select(vault_package).order_by(vault_package.c.uploaded_at.desc())).all()
        return [self._view(r, set()) for r in rows]

    # -- the one exception to: onward provision (R-6.2, riec.vault.onward, issue 12) ------------------------

    def _onward_partner(self, user: VaultUser) -> str | None:
        """The partner of the user's own region the user is a designated person of, if any."""
        person = authorisation.get_person(self.database, user.id)
        partner = authorisation.get_partner(self.database, person.partner_id) if person else None
        return partner.id if partner is not None and user.region is not None and partner.region == user.region else None

    def onward_ref(self, user: VaultUser, package_id: str, package_region: str) -> str | None:
        """The onward reference that makes another region's package available to the user's partner (R-6.2), else None."""
        partner_id = self._onward_partner(user)
        if partner_id is None or package_region == user.region:
            return None
        try:
            from riec.vault.onward import onward_grant
        except ImportError:  # the onward provision is not installed: no exception to
            return None
        return onward_grant(self.database, package_id, partner_id)

    def _onward_views(self, user: VaultUser, acks: set[str]) -> list[PackageView]:
        partner_id = self._onward_partner(user)
        if partner_id is None:
            return []
        try:
            from riec.vault.onward import grants_for_partner
        except ImportError:
            return []
        granted = {g["package_id"]: g["onward_ref"] for g in grants_for_partner(self.database, partner_id)}
        if not granted:
            return []
        with db.read_transaction(self.database) as conn:
            rows = conn.execute(select(vault_package).where(vault_package.c.id.in_(sorted(granted)),
                                                            vault_package.c.region != user.region,
                                                            vault_package.c.provided_at.is_not(None))
                                .order_by(vault_package.c.uploaded_at.desc())).all()
        return [self._view(r, acks, granted[r.id]) for r in rows]

    def access(self, user: VaultUser, package_id: str, *, acknowledged_at: dt.datetime | None, on: dt.date) -> tuple[Decision, Any]:
        """R-6.1, R-4.1, R-1, R-5.1b, R-5.1c and R-5.1d for ``user`` and the package, at ``on`` (today)."""
        row = self._row(package_id)
        if row is None or row.provided_at is None:
            return Decision.refuse("R-4.1", "Dit pakket bestaat niet of is (nog) niet verstrekt.", "Unknown or unprovided package.",
                                   codes=("vault:unknown_package",)), row
        region = r_6_1_can_view(user.region or "-", row.region)
        person = authorisation.get_person(self.database, user.id)
        partner = authorisation.get_partner(self.database, person.partner_id) if person else None
        categories = [DataCategory(c) for c in json.loads(row.data_categories or "[]")]
        case = CaseContext(case_id=row.case_key, region=row.region, partner_ids=frozenset(json.loads(row.partner_ids or "[]")) or frozenset({"-"}))
        case_partner = r_4_1_case_partner(case, partner.id if partner else None)
        if region.refused:
            # R-6.1's one exception (R-6.2): a consented onward provision to this user's partner of another region.
            onward_ref = self.onward_ref(user, row.id, row.region)
            if onward_ref is None:
                return region, row
            region = Decision.allow(("R-6.1", "R-6.2"), "Met instemming van de verstrekkende eenheid doorverstrekt aan uw partner.",
                                    "Made available to the user's partner by a consented onward provision.",
                                    codes=("R-6.2:onward_grant",))
            case_partner = Decision.allow("R-6.2", "Uw partner is de ontvanger van de doorverstrekking.",
                                          "The user's partner is the onward provision's recipient.")
        return combine(
            region,
            case_partner,
            check_recipient(person, partner, categories, on),
            r_5_1d_confidentiality(True, acknowledged_at),
        ), row

    def _record(self, conn: Connection, kind: EntryKind, user: VaultUser, row: Any, decision: Decision, package_id: str) -> None:
        person = authorisation.get_person(self.database, user.id)
        append_in(conn, RegisterEntry(
            kind=kind, occurred_at=self._now(), actor=user.id, case_id=row.case_key if row else None,
            region=row.region if row else None, recipient_id=user.id, recipient_partner_id=person.partner_id if person else None,
            data_categories=tuple(DataCategory(c) for c in json.loads((row.data_categories if row else None) or "[]")),
            person_refs=tuple(json.loads((row.person_refs if row else None) or "[]")) if kind is EntryKind.PACKAGE_OPENED else (),
            legal_basis_id=row.legal_basis_id if row else None, outcome=decision.outcome, rule_ids=decision.rule_ids,
            reason_codes=decision.codes, references={"package": package_id}))

    def _refuse(self, user: VaultUser, package_id: str, decision: Decision, row: Any) -> VaultRefusal:
        with db.write_transaction(self.database) as conn:
            self._record(conn, EntryKind.PACKAGE_REFUSED, user, row, decision, package_id)
        if row is None or "R-6.1:other_region" in decision.codes or "vault:unknown_package" in decision.codes:
            # another region's user learns nothing, not even that the package exists.
            return VaultRefusal("Dit pakket bestaat niet of is (nog) niet verstrekt.", 404, decision.rule_ids)
        return VaultRefusal(f"U kunt dit pakket niet openen. {decision.reason_nl}", 403, decision.rule_ids)

    def acknowledge(self, user: VaultUser, package_id: str) -> None:
        """R-5.1d: the user confirms the confidentiality duty of art. 7(2) Wpg (only one who may receive it)."""
        now = self._now()
        decision, row = self.access(user, package_id, acknowledged_at=now, on=self._today())
        if not decision.allowed:
            raise self._refuse(user, package_id, decision, row)
        if self._acknowledged_at(package_id, user.id) is not None:
            return
        with db.write_transaction(self.database) as conn:
            conn.execute(vault_acknowledgement.insert().values(package_id=package_id, user_id=user.id, acknowledged_at=now))
            self._record(conn, EntryKind.CONFIDENTIALITY_ACKNOWLEDGED, user, row,
                         Decision.allow("R-5.1d", "Geheimhouding bevestigd.", "Confidentiality acknowledged.",
                                        codes=("R-5.1d:acknowledged",)), package_id)

    def open(self, user: VaultUser, package_id: str) -> Opened:
        """The decrypted package, if every check passes at this moment; otherwise a recorded refusal."""
        decision, row = self.access(user, package_id, acknowledged_at=self._acknowledged_at(package_id, user.id), on=self._today())
        if not decision.allowed:
            raise self._refuse(user, package_id, decision, row)
        with db.read_transaction(self.database) as conn:
            key: bytes | None = conn.execute(select(vault_key.c.key).where(vault_key.c.id == row.key_id)).scalar_one()
        if key is None:
            raise VaultRefusal("De gegevens van dit pakket zijn vernietigd (R-7.1).", 410, ("R-7.1",))
        aes, aad = AESGCM(key), row.id.encode()
        opened = Opened(filename=aes.decrypt(row.name_nonce, row.name_ciphertext, aad).decode("utf-8"),
                        content_type=row.content_type, content=aes.decrypt(row.nonce, row.ciphertext, aad))
        with db.write_transaction(self.database) as conn:
            self._record(conn, EntryKind.PACKAGE_OPENED, user, row, decision, package_id)
        return opened

    # -- destruction (R-7.1) ------------------------------------------------------------

    def shred(self, package_id: str) -> bool:
        """Destroy the package's key: its ciphertext is unreadable from then on, in every copy."""
        row = self._row(package_id)
        if row is None:
            return False
        with db.write_transaction(self.database) as conn:
            done = conn.execute(vault_key.update().where(vault_key.c.id == row.key_id, vault_key.c.key.is_not(None))
                                .values(key=None, shredded_at=self._now())).rowcount
        return bool(done)
