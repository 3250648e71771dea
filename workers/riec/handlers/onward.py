"""Topics of onward provision (process ``riec-onward-provision``, bpmn/onward.bpmn, docs/onward.md). Rules: R-6.2, R-6.3.

* ``validate-onward-request``: the request form (start form and correction task) checked again on the server.
* ``onward-check``: the request against the vault and the registers: the package was provided in this region to
  the requester (a recipient of it); R-6.2: the named partner exists and is of another region; R-6.3: a legal
  ground (a third party's task only for an administrative body) and a purpose compatible with the original
  one (the decree's, R-3.2). Registers the request (``onward_provision``, needs_step) and
  sets which officers of the providing unit must consent (``onwardArt9``, ``onwardArt10``, R-5.1e); or throws
  ``ONWARD_REFUSED`` with the Dutch reason.
* ``validate-onward-consent-*``: the consent forms checked again.
* ``onward-provide``: decides with ``rules.r_6_onward`` on the recorded consents (no consent: no grant, whatever
  path led here); R-6.2: grants the package to the partner of the other region (``riec.vault.onward``);
  R-6.3: one mail per partner of the RIEC (outbox); registers ``onward_provision`` (allowed), all in one
  transaction.
* ``onward-refuse``: registers the refusal (``refusal``) with its rules and reason.

Only references travel: package reference, partner ids, rule ids; never the package's content.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel
from sqlalchemy import select
from sqlalchemy.engine import Engine

from riec import onward
from riec.casework import DuePeriods, Texts
from riec.compliance import authorisation, db
from riec.compliance.decisions import Decision, Outcome, combine
from riec.compliance.models import Consent, ConsentRole, DataCategory, OnwardGround, Partner, Purpose
from riec.compliance.provision_register import EntryKind, RegisterEntry, append_in
from riec.compliance.rules import OnwardProvision, r_5_1e_required_consents, r_6_onward
from riec.formcheck import submitted_model, validation_handler
from riec.handlers import registry
from riec.mail.outbox import enqueue
from riec.notifications import Notification
from riec.runtime import BpmnError
from riec.vault import onward as grants
from riec.vault.tables import vault_package

log = logging.getLogger(__name__)
ONWARD_REFUSED = "ONWARD_REFUSED"

_validate_request = validation_handler(onward.OnwardRequest)
RequestSubmitted = submitted_model(onward.OnwardRequest)


@registry.topic("validate-onward-request")
def validate_request(form: RequestSubmitted, *, due_periods: DuePeriods) -> dict[str, Any]:  # type: ignore[valid-type]
    """Reads the request form's variables (start form and ``Task_CorrectOnwardRequest``). Sets ``inputValid`` and an
    empty ``validationMessage``, or throws INPUT_INVALID with the Dutch reasons, and the correction task's due period
    ``dueRiecPartner`` (the partners have no period of their own; the analysts' is used). Rules: R-6.2, R-6.3."""
    try:
        return _validate_request(form)
    except BpmnError as invalid:
        assert isinstance(invalid.variables, dict)
        invalid.variables["dueRiecPartner"] = due_periods.due_riec_analyst
        raise
registry.topic("validate-onward-consent-2-10")(validation_handler(
    onward.OnwardConsent210, message_variable="onward210ValidationMessage"))  # R-6.3 (R-5.1e officers)
registry.topic("validate-onward-consent-case-prosecutor")(validation_handler(
    onward.OnwardConsentCaseProsecutor, message_variable="onwardCaseProsecutorValidationMessage"))
registry.topic("validate-onward-consent-cie-prosecutor")(validation_handler(
    onward.OnwardConsentCieProsecutor, message_variable="onwardCieProsecutorValidationMessage"))


class _Camel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class OnwardInput(_Camel):
    package_ref: str
    onward_kind: onward.OnwardKind
    to_partner_id: str | None = None
    third_party_name: str | None = None
    third_party_is_administrative_body: bool | None = None
    onward_ground: OnwardGround | None = None
    onward_purpose: Purpose | None = None
    compatibility_motivation: str | None = None
    onward_requested_by: str | None = None
    tenant_id: str | None = None
    task_key: str

    @property
    def process_instance_id(self) -> str:
        return self.task_key.split("/", 1)[0]

    def rid(self) -> str:
        return "R-6.2" if self.onward_kind is onward.OnwardKind.PARTNER else "R-6.3"

    def third_party_ref(self) -> str:
        return onward.OnwardRequest(package_ref=self.package_ref, onward_kind=onward.OnwardKind.THIRD_PARTY,
                                    third_party_name=self.third_party_name or "-", onward_ground=self.onward_ground,
                                    onward_purpose=self.onward_purpose or Purpose.OTHER,
                                    compatibility_motivation="x" * 20).third_party_ref()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _refuse(rid: str, reason_nl: str, codes: tuple[str, ...], extra: dict[str, Any] | None = None) -> BpmnError:
    return BpmnError(ONWARD_REFUSED, f"onward provision refused: {', '.join(codes)}",
                     {"onwardRefusalRuleIds": json.dumps([rid]), "onwardRefusalNl": reason_nl,
                      "onwardRefusalCodes": json.dumps(list(codes)), **(extra or {})})


def _package(database: Engine, package_ref: str) -> Any:
    with db.read_transaction(database) as conn:
        return conn.execute(select(vault_package).where(vault_package.c.id == package_ref)).first()


def _from_partner(database: Engine, user_id: str | None) -> tuple[Any, Partner | None]:
    person = authorisation.get_person(database, user_id) if user_id else None
    return person, (authorisation.get_partner(database, person.partner_id) if person else None)


def _all_consents(categories: list[DataCategory], at: dt.datetime) -> tuple[Consent, ...]:
    return tuple(Consent(role=r, by="check", given=True, at=at) for r in r_5_1e_required_consents(categories))


def _request(data: OnwardInput, from_partner: Partner, to_partner: Partner | None, categories: list[DataCategory],
             consents: tuple[Consent, ...], compatible: bool, riec_partner_ids: frozenset[str] = frozenset(),
             informed: frozenset[str] = frozenset()) -> OnwardProvision:
    third = data.onward_kind is onward.OnwardKind.THIRD_PARTY
    return OnwardProvision(
        on=dt.datetime.now(dt.UTC).date(), from_partner=from_partner, data_categories=frozenset(categories), consents=consents,
        to_partner=None if third else to_partner, third_party=data.third_party_ref() if third else None,
        third_party_is_administrative_body=bool(data.third_party_is_administrative_body), ground=data.onward_ground,
        compatible_with_original_purpose=compatible, compatibility_motivation=data.compatibility_motivation or "",
        riec_partner_ids=riec_partner_ids, informed_partner_ids=informed)


def _resolve(data: OnwardInput, database: Engine) -> tuple[Any, Partner, Partner | None, list[DataCategory]]:
    """The package, the requesting partner, the receiving partner and the data types -- or ONWARD_REFUSED."""
    rid = data.rid()
    row = _package(database, data.package_ref)
    if row is None or row.provided_at is None or row.region != data.tenant_id:
        # a package of another region is not revealed to exist.
        raise _refuse(rid, "Er is in uw regio geen verstrekt pakket met dit kenmerk.", (f"{rid}:unknown_package",))
    person, from_partner = _from_partner(database, data.onward_requested_by)
    recipients = set(json.loads(row.recipient_ids or "[]"))
    if person is None or from_partner is None or data.onward_requested_by not in recipients:
        raise _refuse(rid, "Alleen een ontvanger van dit pakket kan om doorverstrekking vragen.", (f"{rid}:not_a_recipient",),
                      {"caseKey": row.case_key})
    to_partner = None
    if data.onward_kind is onward.OnwardKind.PARTNER:
        to_partner = authorisation.get_partner(database, data.to_partner_id or "")
        if to_partner is None or not to_partner.active:
            raise _refuse(rid, f"'{data.to_partner_id}' is geen (actieve) partner in het autorisatieregister.",
                          ("R-6.2:unknown_partner",), {"caseKey": row.case_key})
    categories = [DataCategory(c) for c in json.loads(row.data_categories or "[]") if c in DataCategory._value2member_map_]
    return row, from_partner, to_partner, categories


def _evaluate(data: OnwardInput, database: Engine, camunda: Any, consents: tuple[Consent, ...] | None,
              riec_partner_ids: frozenset[str] = frozenset()) -> tuple[Decision, Any, Partner | None, list[DataCategory]]:
    """Everything ``r_6_onward`` needs, from the vault and the registers; ``consents``
    None: as if every officer had consented (the check before the consent step). Throws ONWARD_REFUSED for what
    the rule cannot see itself (unknown package, not a recipient, unknown partner, incompatible purpose)."""
    row, from_partner, to_partner, categories = _resolve(data, database)
    if data.onward_kind is onward.OnwardKind.THIRD_PARTY:
        problems = onward.compatibility_problems(data.onward_purpose or Purpose.OTHER, data.compatibility_motivation or "")
        if problems:
            raise _refuse("R-6.3", problems[0], ("R-6.3:not_compatible",), {"caseKey": row.case_key})
    given = _all_consents(categories, _now()) if consents is None else consents
    decision = r_6_onward(_request(data, from_partner, to_partner, categories, given, True, riec_partner_ids, riec_partner_ids))
    return decision, row, to_partner, categories


def _refused(decision: Decision, **extra: Any) -> BpmnError:
    return BpmnError(ONWARD_REFUSED, f"onward provision refused: {', '.join(decision.codes)}",
                     {"onwardRefusalRuleIds": json.dumps(list(decision.rule_ids)), "onwardRefusalNl": decision.reason_nl,
                      "onwardRefusalCodes": json.dumps(list(decision.codes)), **extra})


@registry.topic("onward-check")
def check_request(data: OnwardInput, *, database: Engine, camunda: Any, due_periods: DuePeriods) -> dict[str, Any]:
    """Reads the request (``packageRef``, ``onwardKind``, ``toPartnerId`` or the third party's fields),
    ``onwardRequestedBy`` (the initiator) and the tenant. Sets ``caseKey``, ``onwardReceivingRegion``,
    ``onwardArt9``, ``onwardArt10`` and the officers' due periods, and registers the request; or throws
    ONWARD_REFUSED with ``onwardRefusalRuleIds`` and ``onwardRefusalNl``. Rules: R-6.2, R-6.3, R-6.1."""
    rid = data.rid()
    # Everything but the consent (which is what comes next): the rule decides as if every officer had consented.
    decision, row, to_partner, categories = _evaluate(data, database, camunda, None)
    if decision.refused:
        raise _refused(decision, caseKey=row.case_key)
    receiving = to_partner.region if to_partner else ""
    references = {"package": row.id, "process_instance": data.process_instance_id}
    if receiving:
        references["receiving_region"] = receiving
    else:
        references["third_party"] = data.third_party_ref()
    with db.write_transaction(database) as conn:
        append_in(conn, RegisterEntry(
            kind=EntryKind.ONWARD_PROVISION, occurred_at=_now(), actor=data.onward_requested_by or "onbekend",
            case_id=row.case_key, region=row.region, recipient_id=to_partner.id if to_partner else data.third_party_ref(),
            recipient_partner_id=to_partner.id if to_partner else None, data_categories=tuple(categories),
            outcome=Outcome.NEEDS_STEP, rule_ids=(rid,), reason_codes=(f"{rid}:requested",), references=references,
        ), idempotency_key=f"onward:{data.process_instance_id}:requested")
    return {"caseKey": row.case_key, "onwardRegion": row.region, "onwardReceivingRegion": receiving,
            "onwardArt9": DataCategory.ART_9 in categories, "onwardArt10": DataCategory.ART_10_1A in categories,
            "duePoliceDataOfficer": due_periods.due_police_data_officer, "dueCaseProsecutor": due_periods.due_case_prosecutor,
            "dueCieProsecutor": due_periods.due_cie_prosecutor, "onward210ValidationMessage": "",
            "onwardCaseProsecutorValidationMessage": "", "onwardCieProsecutorValidationMessage": ""}


class ProvideInput(OnwardInput):
    onward_officer210_consent: str | None = None
    onward_officer210_by: str | None = None
    onward_case_prosecutor_consent: str | None = None
    onward_case_prosecutor_by: str | None = None
    onward_cie_prosecutor_consent: str | None = None
    onward_cie_prosecutor_by: str | None = None

    def consents(self, at: dt.datetime, completed: frozenset[str] | None = None) -> tuple[Consent, ...]:
        """The officers' recorded outcomes (R-5.1e officers of the providing unit); a missing one is no consent.
        With ``completed`` (task ids completed in this instance, from the engine's history) an outcome counts only
        when its user task was really completed: a variable set any other way is no consent."""
        out = []
        for role, task_id, choice, by in (
                (ConsentRole.OFFICER_2_10, "Task_OnwardConsent210", self.onward_officer210_consent, self.onward_officer210_by),
                (ConsentRole.CASE_PROSECUTOR, "Task_OnwardConsentCaseProsecutor", self.onward_case_prosecutor_consent,
                 self.onward_case_prosecutor_by),
                (ConsentRole.CIE_PROSECUTOR, "Task_OnwardConsentCieProsecutor", self.onward_cie_prosecutor_consent,
                 self.onward_cie_prosecutor_by)):
            if completed is not None and task_id not in completed:
                continue
            if choice in ("given", "withheld"):
                out.append(Consent(role=role, by=by or role.value, given=choice == "given", at=at))
        return tuple(out)


def _history(camunda: Any, process_instance_id: str) -> tuple[str | None, frozenset[str]]:
    """Who started this instance, and which user tasks were completed in it (the engine's history, not variables
    anyone starting an instance could set). R-6.2, R-6.3: the consent must be an officer's completed task."""
    instance = camunda.get(f"history/process-instance/{process_instance_id}") or {}
    tasks = camunda.get("history/task", processInstanceId=process_instance_id, finished="true") or []
    return instance.get("startUserId"), frozenset(t["taskDefinitionKey"] for t in tasks if t.get("deleteReason") == "completed")


@registry.topic("onward-provide")
def provide(data: ProvideInput, *, database: Engine, camunda: Any, tasklist_url: str) -> dict[str, Any]:
    """Reads the request and the officers' consents (``onward…Consent``, ``onward…By``). R-6.2: grants the package
    to the named partner of the other region (the vault opens it to that partner's designated persons); R-6.3:
    one mail to every partner of the RIEC, exactly once (outbox, keyed per instance and partner). Registers
    ``onward_provision`` (allowed) in the same transaction. Without the consents ``r_6_onward`` refuses and this
    throws ONWARD_REFUSED: there is no grant without consent, whichever way the task was reached."""
    at = _now()
    region = data.tenant_id or ""
    pid = data.process_instance_id
    started_by, completed = _history(camunda, pid)
    if not started_by or started_by != data.onward_requested_by:
        raise _refuse(data.rid(), "Het verzoek is niet gedaan door degene die als verzoeker is vermeld.",
                      (f"{data.rid()}:requester_mismatch",))
    consents = data.consents(at, completed)
    partners = frozenset(p.id for p in authorisation.list_partners(database, region) if p.active)
    decision, row, to_partner, categories = _evaluate(data, database, camunda, consents, partners)
    if not decision.allowed:
        raise _refused(decision)
    consent_refs = tuple(f"{c.role.value}:{c.by}" for c in consents if c.given)
    with db.write_transaction(database) as conn:
        if to_partner is not None:
            ref = grants.grant(conn, package_id=row.id, case_key=row.case_key, region=row.region, partner_id=to_partner.id,
                               receiving_region=to_partner.region, requested_by=data.onward_requested_by or "onbekend",
                               process_instance_id=pid, consent_refs=consent_refs, at=at)
            references = {"package": row.id, "process_instance": pid, "receiving_region": to_partner.region, "onward": ref}
            told = [to_partner.id]
            enqueue(conn, Notification(
                key=f"onward_available:{pid}:{to_partner.id}", kind="onward_available", recipient_group=f"partner:{to_partner.id}",
                business_key=row.case_key, task_ref=pid, created_at=at, region=to_partner.region,
                text_nl=f"Na toestemming van de verstrekkende eenheid is een pakket van casus {row.case_key} (RIEC "
                        f"{row.region}) voor uw organisatie beschikbaar in de datakluis (art. 6 Wpg-machtigingsbesluit RIEC's)."),
                link=tasklist_url, region=to_partner.region)
        else:
            ref = pid
            references = {"package": row.id, "process_instance": pid, "third_party": data.third_party_ref()}
            told = sorted(partners)
            for partner_id in told:  # every partner of this RIEC, one mail each, once (dedupe key).
                enqueue(conn, Notification(
                    key=f"onward_informed:{pid}:{partner_id}", kind="onward_informed", recipient_group=f"partner:{partner_id}",
                    business_key=row.case_key, task_ref=pid, created_at=at, region=region,
                    text_nl=f"Gegevens uit casus {row.case_key} zijn, met toestemming van de verstrekkende eenheid, "
                            "doorverstrekt aan een derde (art. 6 Wpg-machtigingsbesluit RIEC's). De partners van het RIEC "
                            "worden hierover altijd geïnformeerd."),
                    link=tasklist_url, region=region)
        append_in(conn, RegisterEntry(
            kind=EntryKind.ONWARD_PROVISION, occurred_at=at, actor=data.onward_requested_by or "onbekend", case_id=row.case_key,
            region=row.region, recipient_id=to_partner.id if to_partner else data.third_party_ref(),
            recipient_partner_id=to_partner.id if to_partner else None, data_categories=tuple(categories),
            legal_basis_id=row.legal_basis_id, consent_refs=consent_refs, outcome=Outcome.ALLOWED, rule_ids=decision.rule_ids,
            reason_codes=(f"{data.rid()}:provided",), references=references,
        ), idempotency_key=f"onward:{pid}:provided")
    return {"onwardRef": ref, "onwardInformedPartnerIds": json.dumps(told)}


class RefuseInput(_Camel):
    package_ref: str | None = None
    onward_kind: str | None = None
    onward_requested_by: str | None = None
    case_key: str | None = None
    onward_refusal_rule_ids: Texts = []
    onward_refusal_codes: Texts = []
    onward_refusal_nl: str | None = None
    onward_officer210_consent: str | None = None
    onward_case_prosecutor_consent: str | None = None
    onward_cie_prosecutor_consent: str | None = None
    onward_art9: bool | None = None
    onward_art10: bool | None = None
    tenant_id: str | None = None
    task_key: str


@registry.topic("onward-refuse")
def refuse(data: RefuseInput, *, database: Engine) -> dict[str, Any]:
    """Registers the refusal (kind ``refusal``) with its rule ids and codes; when a consent was withheld (the consent
    gateway's default) the reason is the officers'. Sets ``onwardRefusalNl`` (Dutch) and ``onwardOutcome``=refused."""
    rid = "R-6.2" if data.onward_kind == onward.OnwardKind.PARTNER else "R-6.3"
    rule_ids, codes, reason = list(data.onward_refusal_rule_ids), list(data.onward_refusal_codes), data.onward_refusal_nl
    if not rule_ids:  # the consent gateway's default: an officer of the providing unit did not consent
        withheld = [role for role, choice, needed in (("officer_2_10", data.onward_officer210_consent, True),
                                                      ("case_prosecutor", data.onward_case_prosecutor_consent, bool(data.onward_art9)),
                                                      ("cie_prosecutor", data.onward_cie_prosecutor_consent, bool(data.onward_art10)))
                    if needed and choice != "given"]
        decision = combine(*[Decision.refuse(rid, "Doorverstrekking vraagt uitdrukkelijke voorafgaande toestemming van de "
                                                  "verstrekkende politie-eenheid; die is niet gegeven.",
                                             "Prior consent of the providing unit withheld.", codes=(f"{rid}:consent_missing:{r}",))
                             for r in withheld] or [Decision.refuse(rid, "Geen toestemming.", "No consent.", codes=(f"{rid}:no_consent",))])
        rule_ids, codes, reason = list(decision.rule_ids), list(decision.codes), decision.reason_nl
    with db.write_transaction(database) as conn:
        append_in(conn, RegisterEntry(
            kind=EntryKind.REFUSAL, occurred_at=_now(), actor=data.onward_requested_by or "onbekend", case_id=data.case_key,
            region=data.tenant_id, outcome=Outcome.REFUSED, rule_ids=tuple(rule_ids), reason_codes=tuple(codes),
            references={"process_instance": data.task_key.split("/", 1)[0], "onward_kind": data.onward_kind or "onbekend",
                        **({"package": data.package_ref} if data.package_ref else {})},
        ), idempotency_key=f"onward:{data.task_key.split('/', 1)[0]}:refused")
    return {"onwardRefusalNl": reason or "", "onwardOutcome": "refused"}
