"""The moment of provision against the registers: decide, then record.

What a worker handler calls: :func:`decide` loads the recipient, its partner,
the legal bases and the case's latest necessity assessment from the registers
and applies every rule (:func:`riec.compliance.rules.decide_provision`);
:func:`record` writes the outcome to the provision register -- a provision or
a refusal entry with the persons actually provided, and (R-4.2) a separate
entry naming the persons that were filtered out.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.engine import Engine

from . import authorisation, db, legal_basis, necessity
from .models import Consent, ProvisionRequest
from .provision_register import EntryKind, RegisterEntry, StoredEntry, append_in
from .rules import ProvisionDecision, decide_provision


def decide(database: Engine, request: ProvisionRequest, *, consents: Iterable[Consent] = (),
           acknowledged_at: datetime | None = None, notice_attached: bool = True) -> ProvisionDecision:
    recipient = authorisation.get_person(database, request.recipient_id)
    partner = authorisation.get_partner(database, recipient.partner_id) if recipient else None
    return decide_provision(
        request, recipient=recipient, recipient_partner=partner, legal_bases=legal_basis.list_bases(database),
        assessment=necessity.latest(database, request.case.case_id), consents=consents,
        notice_attached=notice_attached, acknowledged_at=acknowledged_at,
    )


def record(database: Engine, request: ProvisionRequest, result: ProvisionDecision, *, actor: str,
           occurred_at: datetime, consents: Iterable[Consent] = (), idempotency_key: str | None = None,
           references: dict[str, str] | None = None) -> list[StoredEntry]:
    """Append the decision (only when allowed or refused; an open step is not an event).

    With an ``idempotency_key`` a redelivered task writes nothing new: the entries
    use ``<key>`` and ``<key>:filtered`` as their keys.
    """
    d = result.decision
    if d.needs_step:
        raise ValueError("a decision that still needs a step is not recorded; record the step's outcome instead")
    recipient = authorisation.get_person(database, request.recipient_id)
    assessment = necessity.latest(database, request.case.case_id)
    common = dict(occurred_at=occurred_at, actor=actor, case_id=request.case.case_id, region=request.case.region,
                  recipient_id=request.recipient_id, recipient_partner_id=recipient.partner_id if recipient else None,
                  data_categories=tuple(request.data_categories), references=references or {})
    main = RegisterEntry(
        kind=EntryKind.PROVISION if d.allowed else EntryKind.REFUSAL,
        person_refs=tuple(p.ref for p in (result.persons.included if d.allowed else request.persons)),
        legal_basis_id=d.legal_basis_id, assessment_id=assessment.id if assessment else None,
        consent_refs=tuple(f"{c.role}:{c.by}" for c in consents), outcome=d.outcome, rule_ids=d.rule_ids,
        reason_codes=d.codes, **common)
    stored = []
    with db.write_transaction(database) as conn:
        stored.append(append_in(conn, main, idempotency_key=idempotency_key))
        if d.allowed and result.persons.excluded:
            stored.append(append_in(conn, RegisterEntry(
                kind=EntryKind.PERSONS_FILTERED, person_refs=tuple(p.ref for p, _ in result.persons.excluded),
                rule_ids=("R-4.2",), reason_codes=tuple(c for _, x in result.persons.excluded for c in x.codes), **common),
                idempotency_key=f"{idempotency_key}:filtered" if idempotency_key else None))
    return stored
