"""The provision register: append-only, hash-chained, free of police data content.

Every provision, refusal, consent, consultation, onward provision, destruction
(and every change to the legal-basis and authorisation registers) becomes one
entry. An entry holds references only -- case id, person references
(pseudonyms), recipient and partner ids, data categories, rule IDs and reason
codes -- so it survives the destruction of the data it describes (R-7.1) and can
answer a data subject's access request (R-5.2).

Tamper evidence: entry ``n`` stores ``hash_n = SHA-256(hash_{n-1} + "\\n" +
canonical_json(payload_n))`` where the payload contains its own sequence number;
:func:`verify_chain` recomputes the chain and reports the first entry that does
not fit. Appending happens under the writer lock of :mod:`.db`, so concurrent
workers can neither fork nor reorder the chain.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from . import db
from .decisions import Decision, Outcome
from .models import DataCategory, Ref, Region

GENESIS_HASH = "0" * 64
HASH_VERSION = 1

Key = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]
Code = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@/-]*$")]


class EntryKind(StrEnum):
    PROVISION = "provision"
    REFUSAL = "refusal"
    CONSENT = "consent"
    CONSULTATION = "consultation"
    ONWARD_PROVISION = "onward_provision"
    DESTRUCTION = "destruction"
    ANONYMISATION = "anonymisation"
    NECESSITY_ASSESSMENT = "necessity_assessment"
    PERSONS_FILTERED = "persons_filtered"
    #: The police unit decided to provide (R-5.1e outcomes recorded); the provision itself is a PROVISION entry.
    PROVISION_DECIDED = "provision_decided"
    ACCESS_REQUEST = "access_request"
    #: The data vault (riec.vault): the police put a package in; a recipient acknowledged art. 7(2) Wpg (R-5.1d),
    #: opened it, or was refused at that moment (R-1, R-4.1, R-5.1b, R-5.1c, R-5.1d, R-6.1).
    PACKAGE_UPLOADED = "package_uploaded"
    CONFIDENTIALITY_ACKNOWLEDGED = "confidentiality_acknowledged"
    PACKAGE_OPENED = "package_opened"
    PACKAGE_REFUSED = "package_refused"
    LEGAL_BASIS_CHANGED = "legal_basis_changed"
    AUTHORISATION_CHANGED = "authorisation_changed"


class RegisterEntry(BaseModel):
    """What a caller records. Only references and codes: free text cannot get in."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: EntryKind
    occurred_at: datetime
    actor: Ref = Field(description="Who did it: a user id or a worker id.")
    case_id: Ref | None = None
    region: Region | None = None
    recipient_id: Ref | None = Field(None, description="Designated person or third party receiving (or refused).")
    recipient_partner_id: Ref | None = None
    data_categories: tuple[DataCategory, ...] = ()
    person_refs: tuple[Ref, ...] = ()
    legal_basis_id: Ref | None = None
    assessment_id: Ref | None = None
    consent_refs: tuple[Ref, ...] = Field((), description="Entry ids or role:user tokens of the consents relied on.")
    outcome: Outcome | None = None
    rule_ids: tuple[Code, ...] = ()
    reason_codes: tuple[Code, ...] = ()
    references: dict[Key, Ref] = Field(default_factory=dict, description="Further ids: process instance, business key, ...")

    @field_validator("occurred_at")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        if v.tzinfo is None:
            raise ValueError("occurred_at must carry a time zone")
        return v.astimezone(UTC)

    @field_validator("person_refs", "data_categories", "consent_refs")
    @classmethod
    def _sorted_unique(cls, v: tuple) -> tuple:
        return tuple(sorted(set(v)))


class StoredEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    seq: int
    entry_id: str
    recorded_at: datetime
    prev_hash: str
    hash: str
    entry: RegisterEntry

    def to_export(self) -> dict[str, Any]:
        return {"seq": self.seq, "entry_id": self.entry_id, "recorded_at": self.recorded_at.isoformat(),
                "hash": self.hash, "prev_hash": self.prev_hash, **self.entry.model_dump(mode="json")}


def canonical_json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def chain_hash(prev_hash: str, payload_json: str) -> str:
    return hashlib.sha256(f"{prev_hash}\n{payload_json}".encode("utf-8")).hexdigest()


def _payload(seq: int, entry_id: str, recorded_at: datetime, entry: RegisterEntry) -> dict[str, Any]:
    return {"v": HASH_VERSION, "seq": seq, "entry_id": entry_id, "recorded_at": recorded_at.isoformat(),
            **entry.model_dump(mode="json")}


def _from_row(row) -> StoredEntry:  # noqa: ANN001
    data = json.loads(row.payload)
    meta = {k: data.pop(k) for k in ("v", "seq", "entry_id", "recorded_at")}
    return StoredEntry(seq=row.seq, entry_id=row.entry_id, recorded_at=datetime.fromisoformat(meta["recorded_at"]),
                       prev_hash=row.prev_hash, hash=row.hash, entry=RegisterEntry.model_validate(data))


# --------------------------------------------------------------------------- append


def append_in(conn: Connection, entry: RegisterEntry, *, idempotency_key: str | None = None,
              recorded_at: datetime | None = None) -> StoredEntry:
    """Append within a transaction opened by :func:`db.write_transaction` (so it holds the lock)."""
    t = db.register_entry
    if idempotency_key is not None:
        existing = conn.execute(select(t).where(t.c.idempotency_key == idempotency_key)).first()
        if existing is not None:
            return _from_row(existing)
    head = conn.execute(select(t.c.seq, t.c.hash).order_by(t.c.seq.desc()).limit(1)).first()
    seq, prev = (head.seq + 1, head.hash) if head else (1, GENESIS_HASH)
    entry_id = str(uuid.uuid4())
    recorded_at = (recorded_at or datetime.now(UTC)).astimezone(UTC)
    payload_json = canonical_json(_payload(seq, entry_id, recorded_at, entry))
    digest = chain_hash(prev, payload_json)
    conn.execute(t.insert().values(seq=seq, entry_id=entry_id, kind=entry.kind.value, case_id=entry.case_id,
                                   idempotency_key=idempotency_key, payload=payload_json, prev_hash=prev, hash=digest))
    if entry.person_refs:
        conn.execute(db.register_person.insert(), [{"seq": seq, "person_ref": p} for p in entry.person_refs])
    return StoredEntry(seq=seq, entry_id=entry_id, recorded_at=recorded_at, prev_hash=prev, hash=digest, entry=entry)


def append(database: Engine, entry: RegisterEntry, *, idempotency_key: str | None = None) -> StoredEntry:
    """Append one entry atomically. With an ``idempotency_key`` (e.g. business key + activity id),
    a redelivered external task returns the entry it already wrote instead of writing a second."""
    with db.write_transaction(database) as conn:
        return append_in(conn, entry, idempotency_key=idempotency_key)


def record_decision(database: Engine, kind: EntryKind, decision: Decision, *, occurred_at: datetime, actor: str,
                    idempotency_key: str | None = None, **fields: Any) -> StoredEntry:
    """Append an entry for a rule decision: its outcome, rule IDs, codes and legal basis."""
    entry = RegisterEntry(kind=kind, occurred_at=occurred_at, actor=actor, outcome=decision.outcome,
                          rule_ids=decision.rule_ids, reason_codes=decision.codes,
                          legal_basis_id=fields.pop("legal_basis_id", decision.legal_basis_id), **fields)
    return append(database, entry, idempotency_key=idempotency_key)


# --------------------------------------------------------------------------- read


def iter_entries(database: Engine, *, case_id: str | None = None, batch: int = 500) -> Iterator[StoredEntry]:
    t = db.register_entry
    last = 0
    while True:
        q = select(t).where(t.c.seq > last).order_by(t.c.seq).limit(batch)
        if case_id is not None:
            q = q.where(t.c.case_id == case_id)
        with db.read_transaction(database) as conn:
            rows = conn.execute(q).all()
        if not rows:
            return
        for row in rows:
            yield _from_row(row)
        last = rows[-1].seq


def head(database: Engine) -> tuple[int, str]:
    """(sequence number, hash) of the newest entry; (0, genesis) when empty. Worth writing down
    outside the database now and then: it anchors the chain against truncation."""
    t = db.register_entry
    with db.read_transaction(database) as conn:
        row = conn.execute(select(t.c.seq, t.c.hash).order_by(t.c.seq.desc()).limit(1)).first()
    return (row.seq, row.hash) if row else (0, GENESIS_HASH)


def export_person(database: Engine, person_ref: str, *, exported_at: datetime | None = None) -> dict[str, Any]:
    """R-5.2 / privacy protocol 16.2: every register entry about one person, ready to hand over."""
    t, p = db.register_entry, db.register_person
    with db.read_transaction(database) as conn:
        rows = conn.execute(select(t).join(p, p.c.seq == t.c.seq).where(p.c.person_ref == person_ref)
                            .order_by(t.c.seq)).all()
    entries = [_from_row(r) for r in rows]
    entries = [e for e in entries if person_ref in e.entry.person_refs]  # the hashed payload is authoritative
    return {
        "person_ref": person_ref,
        "exported_at": (exported_at or datetime.now(UTC)).isoformat(),
        "rule_ids": ["R-5.2"],
        "count": len(entries),
        "entries": [e.to_export() for e in entries],
    }


# --------------------------------------------------------------------------- verify


class VerifyResult(BaseModel):
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    broken_entry_id: str | None = None
    problem: str | None = None

    def describe(self) -> str:
        if self.ok:
            return f"register chain valid: {self.checked} entries, head #{self.head_seq} {self.head_hash}"
        return (f"register chain BROKEN at entry #{self.broken_seq} (id {self.broken_entry_id}): {self.problem}; "
                f"{self.checked} entries before it are valid")


def verify_chain(database: Engine, *, batch: int = 1000) -> VerifyResult:
    """Recompute the chain from the first entry and report the first one that does not fit.

    Checks per entry: consecutive sequence number, link to the previous hash, the
    hash over the stored payload, the payload's own seq/entry id, the indexed
    columns (kind, case id) and the person index against the payload.
    """
    t, p = db.register_entry, db.register_person
    prev_hash, expected_seq, checked = GENESIS_HASH, 1, 0
    last_seq = 0

    def broken(row, problem: str) -> VerifyResult:  # noqa: ANN001
        return VerifyResult(ok=False, checked=checked, head_seq=expected_seq - 1, head_hash=prev_hash,
                            broken_seq=row.seq, broken_entry_id=row.entry_id, problem=problem)

    while True:
        with db.read_transaction(database) as conn:
            rows = conn.execute(select(t).where(t.c.seq > last_seq).order_by(t.c.seq).limit(batch)).all()
            if not rows:
                break
            people: dict[int, set[str]] = {}
            for link in conn.execute(select(p.c.seq, p.c.person_ref)
                                     .where(p.c.seq > last_seq, p.c.seq <= rows[-1].seq)):
                people.setdefault(link.seq, set()).add(link.person_ref)
        for row in rows:
            if row.seq != expected_seq:
                return broken(row, f"sequence gap: expected #{expected_seq}, found #{row.seq} (entries missing)")
            if row.prev_hash != prev_hash:
                return broken(row, "does not link to the previous entry's hash (previous entry removed or replaced)")
            if chain_hash(prev_hash, row.payload) != row.hash:
                return broken(row, "content does not match its hash (entry edited)")
            try:
                data = json.loads(row.payload)
                stored = _from_row(row)
            except Exception as exc:  # noqa: BLE001 - any parse failure is a broken entry
                return broken(row, f"payload unreadable: {type(exc).__name__}")
            if data.get("seq") != row.seq or data.get("entry_id") != row.entry_id:
                return broken(row, "sequence number or entry id differs from the hashed content")
            if row.kind != stored.entry.kind.value or row.case_id != stored.entry.case_id:
                return broken(row, "indexed columns (kind, case id) differ from the hashed content")
            if people.get(row.seq, set()) != set(stored.entry.person_refs):
                return broken(row, "person index differs from the hashed content")
            prev_hash, expected_seq, checked = row.hash, expected_seq + 1, checked + 1
        last_seq = rows[-1].seq
    return VerifyResult(ok=True, checked=checked, head_seq=expected_seq - 1, head_hash=prev_hash)
