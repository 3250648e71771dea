"""Topic ``provision``: the provision itself, at the moment of provision. Rules: R-1, R-4.1, R-4.2, R-5.1a, R-5.1b, R-5.1c, R-5.1e, R-6.1, R-8.

Runs after the police unit put the package in the vault (``Event_PackageUploaded``)
and the decision was sent (``SendTask_Provide``). It

* checks every recipient named in the request against the authorisation register
  *at this moment* (R-1, R-5.1b, R-5.1c) and against the case's partners and region
  (R-4.1, R-6.1): a recipient who fails is refused and recorded, not told;
* filters the persons outside categories a-c once more (R-4.2) and records that;
* links the package to the case's partners and the recipients who passed (the
  process carries only ``packageRef``; the content stays in the vault);
* registers one provision entry per recipient: data types, persons by reference,
  legal basis, the consents relied on and the necessity assessment;
* tells the recipients' group that a package waits in the vault (case number and
  link only), through :class:`riec.notifications.Notifier` (the mail outbox).

Idempotent: the register entries and the notification are keyed on this task, the
link keeps its first value.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel
from sqlalchemy import select
from sqlalchemy.engine import Engine

from riec.casework import Persons, Texts
from riec.compliance import authorisation, db
from riec.compliance.decisions import combine
from riec.compliance.models import CaseContext, DataCategory, PersonInProvision
from riec.compliance.provision_register import EntryKind, RegisterEntry, append_in
from riec.compliance.rules import check_recipient, r_4_1_case_partner, r_4_2_persons, r_6_1_region
from riec.dutch_time import amsterdam_day
from riec.handlers import registry
from riec.notifications import Notification, Notifier
from riec.vault.service import Vault
from riec.vault.tables import vault_package

log = logging.getLogger(__name__)


class ProvisionInput(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    case_key: str
    package_ref: str
    decision_ref: str | None = None
    recipient_ids: Texts = []
    partner_ids: Texts = []
    data_categories: Texts = []
    persons: Persons = []
    legal_basis_id: str | None = None
    necessity_assessment_ref: str | None = None
    officer210_advice: str | None = None
    case_prosecutor_consent: str | None = None
    cie_prosecutor_consent: str | None = None
    business_key: str | None = None
    tenant_id: str | None = None
    task_key: str

    @property
    def process_instance_id(self) -> str:
        return self.task_key.split("/", 1)[0]

    def categories(self) -> list[DataCategory]:
        return [DataCategory(v) for v in self.data_categories if v in DataCategory._value2member_map_]


class Provided(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    provision_ref: str
    provided_recipient_ids: list[str]
    refused_recipient_ids: list[str]


def _persons(p: ProvisionInput) -> list[PersonInProvision]:
    found = []
    for person in p.persons:
        data = person.model_dump() if hasattr(person, "model_dump") else dict(person)
        try:
            found.append(PersonInProvision(ref=data.get("ref"), category=data.get("category") or None, motivation=data.get("motivation") or ""))
        except ValueError:
            continue
    return found


def _consents(p: ProvisionInput) -> tuple[str, ...]:
    given = [("officer_2_10", p.officer210_advice), ("case_prosecutor", p.case_prosecutor_consent), ("cie_prosecutor", p.cie_prosecutor_consent)]
    return tuple(f"{role}:{value}" for role, value in given if value)


@registry.topic("provision")
def provision(p: ProvisionInput, *, database: Engine, vault: Vault, notifier: Notifier) -> Provided:
    try:
        return _provide(p, database=database, vault=vault, notifier=notifier)
    except ValidationError as exc:
        # Name the model and fields that rejected a value, never the value (it may be personal data).
        log.error("provision rejected by %s: %s", exc.title, ", ".join(f"{'.'.join(map(str, e['loc']))} ({e['type']})" for e in exc.errors()))
        raise


def _provide(p: ProvisionInput, *, database: Engine, vault: Vault, notifier: Notifier) -> Provided:
    """Reads ``caseKey``, ``packageRef``, ``recipientIds``, ``partnerIds``, ``dataCategories``,
    ``persons``, ``legalBasisId``, ``necessityAssessmentRef``, the 2:10 advice and consents, and
    the tenant. Sets ``provisionRef`` (the package), ``providedRecipientIds`` and
    ``refusedRecipientIds`` (references only)."""
    region = p.tenant_id or ""
    now = dt.datetime.now(dt.timezone.utc)
    on = amsterdam_day(now)
    with db.read_transaction(database) as conn:
        row = conn.execute(select(vault_package).where(vault_package.c.id == p.package_ref)).first()
    if row is None or row.process_instance_id != p.process_instance_id:
        raise RuntimeError("the package reference does not name this request's package in the vault")
    categories = p.categories()
    selection = r_4_2_persons(_persons(p))
    person_refs = tuple(x.ref for x in selection.included)
    case = CaseContext(case_id=p.case_key, region=region or "-", partner_ids=frozenset(p.partner_ids) or frozenset({"-"}))
    common: dict[str, Any] = dict(occurred_at=now, actor="provision", case_id=p.case_key, region=region or None,
                                  data_categories=tuple(categories), legal_basis_id=p.legal_basis_id,
                                  assessment_id=p.necessity_assessment_ref, consent_refs=_consents(p))
    refs = {"package": p.package_ref, "process_instance": p.process_instance_id}
    provided: list[str] = []
    refused: list[str] = []
    with db.write_transaction(database) as conn:
        if selection.excluded:
            append_in(conn, RegisterEntry(kind=EntryKind.PERSONS_FILTERED, outcome=selection.decision.outcome,
                                          person_refs=tuple(x.ref for x, _ in selection.excluded), rule_ids=("R-4.2",),
                                          reason_codes=selection.decision.codes, references=refs, **common),
                      idempotency_key=f"{p.task_key}:persons")
        for recipient_id in sorted(set(p.recipient_ids)):
            person = authorisation.get_person(database, recipient_id)
            partner = authorisation.get_partner(database, person.partner_id) if person else None
            decision = combine(
                check_recipient(person, partner, categories, on),  # R-1, R-5.1b, R-5.1c at this moment
                r_4_1_case_partner(case, partner.id if partner else None),
                r_6_1_region(case, region or "-", partner),
                selection.decision,
            )
            kind = EntryKind.PROVISION if decision.allowed else EntryKind.REFUSAL
            append_in(conn, RegisterEntry(kind=kind, recipient_id=recipient_id, recipient_partner_id=partner.id if partner else None,
                                          person_refs=person_refs if decision.allowed else (), outcome=decision.outcome,
                                          rule_ids=decision.rule_ids, reason_codes=decision.codes,
                                          references={**refs, **({"decision": p.decision_ref} if p.decision_ref else {})}, **common),
                      idempotency_key=f"{p.task_key}:recipient:{recipient_id}")
            (provided if decision.allowed else refused).append(recipient_id)
        vault.link(conn, p.package_ref, partner_ids=sorted(p.partner_ids), recipient_ids=provided,
                   data_categories=[c.value for c in categories], person_refs=list(person_refs),
                   legal_basis_id=p.legal_basis_id, at=now)
    if provided:
        extra: dict[str, Any] = {"region": region} if region and "region" in Notification.model_fields else {}
        notifier.notify(Notification(
            key=f"provision:{p.task_key}", kind="provided", recipient_group="riec-partner", business_key=p.case_key,
            task_ref="vault", text_nl=f"Er zijn politiegegevens aan u verstrekt bij casus {p.case_key}. "
                                      f"Open ze in de datakluis: {vault.url or 'de datakluis'}", created_at=now, **extra))
    return Provided(provision_ref=p.package_ref, provided_recipient_ids=provided, refused_recipient_ids=refused)


