"""Onward provision on the real engine, workers, vault and a test SMTP server (issue 12). Rules: R-6.2, R-6.3, R-6.1.

A case of riec-noord is provided (art. 9 data) to the designated person `partner` (Gemeente Groningen). That
recipient asks, in its own region's tenant, to pass the package on:

* R-6.2 to Gemeente Maastricht (riec-limburg): before consent nobody of Limburg can open it, and the requester
  can neither complete the consent task, nor set the consent, nor start past it; after the providing unit's
  2:10 officer and case prosecutor consent, `partner-limburg` opens it in the vault and the register shows the
  request, the onward provision (with both regions) and the opening.
* R-6.3 to a third party: an incompatible purpose is refused with its Dutch reason and registered; a compatible
  one with consent tells every partner of RIEC Noord, one mail each, exactly once.
"""
from __future__ import annotations

import socket
from typing import Any

import pytest

from riec.compliance import db, demo
from riec.compliance.provision_register import EntryKind, iter_entries
from riec.mail import outbox
from riec.mail.mailbox import Mailbox, start_server
from riec.mail.sender import MailSender, StaticDirectory
from riec.runtime.engine import EngineError
from riec.runtime.variables import to_camunda_map
from riec.vault.onward import onward_grant
from riec.vault.service import VaultRefusal, VaultUser
from tests.integration.case_steps import police_decides, police_outcome, to_request
from tests.integration.engine import wait_until
from tests.integration.vault_steps import upload_package, vault_of

PROCESS = "riec-onward-provision"
REQUESTER = "partner"
LIMBURG_PARTNER = VaultUser(id="partner-limburg", groups=frozenset({"riec-partner"}), tenants=frozenset({"riec-limburg"}))
CONTENT = b"Verstrekkingspakket (testgegevens voor doorverstrekking)\n"
THIRD_PARTY = {"onwardKind": "third_party", "thirdPartyName": "Gemeente Haren (bestuur)", "thirdPartyIsAdministrativeBody": True,
               "onwardGround": "third_party_task", "onwardPurpose": "intervention",
               "compatibilityMotivation": "De derde voert als bestuursorgaan de afgesproken sluiting uit."}


@pytest.fixture(scope="module")
def registers(engine):
    yield db.open_database(engine.settings.effective_database_url)


def provided_package(engine, key: str) -> str:
    """A case of riec-noord provided (art. 9) to the designated person `partner`; its package reference."""
    to_request(engine, key, ["art9"], recipientIds=[REQUESTER])
    police_decides(engine, key, case_prosecutor="given")
    package = upload_package(engine, key, CONTENT)
    assert "EndEvent_Provide" in police_outcome(engine, key)["endActivityIds"]
    return package


def request_onward(engine, variables: dict[str, Any]) -> str:
    """The requester submits the start form in Tasklist's way (submit-form); returns the instance id."""
    started = engine.client(REQUESTER).post(f"process-definition/key/{PROCESS}/submit-form",
                                            {"variables": to_camunda_map(variables)})
    return started["id"]


def task_of(engine, pid: str, task_id: str, timeout: float = 60) -> dict:
    return wait_until(lambda: next(iter(engine.client().get("task", processInstanceId=pid, taskDefinitionKey=task_id)), None),
                      timeout, what=f"{task_id} of {pid}")


def complete_as(engine, user: str, task: dict, variables: dict[str, Any]) -> None:
    client = engine.client(user)
    client.post(f"task/{task['id']}/claim", {"userId": user})
    client.post(f"task/{task['id']}/complete", {"variables": to_camunda_map(variables)})


def finished(engine, pid: str, timeout: float = 90) -> dict:
    client = engine.client()
    instance = wait_until(lambda: next((i for i in client.get("history/process-instance", processInstanceId=pid)
                                        if i["state"] == "COMPLETED"), None), timeout, what=f"{PROCESS} {pid} to end")
    ends = client.get("history/activity-instance", processInstanceId=pid, activityType="noneEndEvent")
    values = {v["name"]: v.get("value") for v in client.get("history/variable-instance", processInstanceId=pid)}
    return {**instance, "endActivityIds": sorted(e["activityId"] for e in ends), "variables": values}


def refused_by_engine(call) -> int:  # noqa: ANN001
    with pytest.raises(EngineError) as caught:
        call()
    assert caught.value.status in (400, 403, 404), caught.value
    return caught.value.status


def onward_entries(registers, key: str) -> list:
    return [e.entry for e in iter_entries(registers, case_id=key)
            if e.entry.kind in (EntryKind.ONWARD_PROVISION, EntryKind.REFUSAL, EntryKind.PACKAGE_OPENED)]


def test_r_6_2_onward_provision_to_another_regions_partner_only_with_the_providing_units_consent(
        engine, workers, business_key, registers):
    package = provided_package(engine, business_key)
    pid = request_onward(engine, {"packageRef": package, "onwardKind": "partner", "toPartnerId": "gem-maastricht"})
    consult = task_of(engine, pid, "Task_OnwardConsent210")
    assert consult["tenantId"] == "riec-noord", "R-6.1: the onward provision runs in the providing region"
    assert consult["name"].startswith("Toestemming doorverstrekking: functionaris art. 2:10 Bpg · OV-")
    task_of(engine, pid, "Task_OnwardConsentCaseProsecutor")  # art. 9 data: the case prosecutor too (R-5.1e officers)
    assert not engine.client().get("task", processInstanceId=pid, taskDefinitionKey="Task_OnwardConsentCieProsecutor")

    # Before consent: Limburg's partner cannot open the package, nor see it listed.
    vault = vault_of(engine)
    with pytest.raises(VaultRefusal) as refusal:
        vault.open(LIMBURG_PARTNER, package)
    assert refusal.value.status == 404
    assert package not in [p.id for p in vault.packages(LIMBURG_PARTNER)]
    # ... and the requester cannot get round the consent through REST: complete the officer's task, set the consent
    # on the instance, or start an instance past the consent step with the consents as variables.
    requester = engine.client(REQUESTER)
    refused_by_engine(lambda: requester.post(f"task/{consult['id']}/complete",
                                             {"variables": to_camunda_map({"onwardOfficer210Consent": "given"})}))
    refused_by_engine(lambda: requester.post(f"process-instance/{pid}/variables", {"modifications": to_camunda_map(
        {"onwardOfficer210Consent": "given", "onwardCaseProsecutorConsent": "given"})}))
    forged = {"packageRef": package, "onwardKind": "partner", "toPartnerId": "gem-maastricht", "onwardRequestedBy": REQUESTER,
              "onwardArt9": True, "onwardArt10": False, "onwardOfficer210Consent": "given", "onwardOfficer210By": "functionaris",
              "onwardCaseProsecutorConsent": "given", "onwardCaseProsecutorBy": "zaaksofficier"}
    try:
        bypass = requester.post(f"process-definition/key/{PROCESS}/start", {
            "variables": to_camunda_map(forged), "startInstructions": [{"type": "startBeforeActivity", "activityId": "Task_OnwardProvide"}]})
    except EngineError as exc:  # the engine refuses the start itself: equally no grant
        assert exc.status in (400, 403), exc
    else:
        done = finished(engine, bypass["id"])
        assert done["endActivityIds"] == ["EndEvent_OnwardRefused"], "no consent task was completed: no grant"
        assert "toestemming" in done["variables"]["onwardRefusalNl"]
    assert onward_grant(registers, package, "gem-maastricht") is None

    # The providing unit's officers consent: only now is the package available to Gemeente Maastricht.
    complete_as(engine, "functionaris", consult, {"onwardOfficer210Consent": "given", "onwardOfficer210Remarks": ""})
    complete_as(engine, "zaaksofficier", task_of(engine, pid, "Task_OnwardConsentCaseProsecutor"),
                {"onwardCaseProsecutorConsent": "given", "onwardCaseProsecutorRemarks": ""})
    done = finished(engine, pid)
    assert done["endActivityIds"] == ["EndEvent_OnwardProvided"] and done["tenantId"] == "riec-noord"
    assert onward_grant(registers, package, "gem-maastricht") == done["variables"]["onwardRef"]

    listed = [p for p in vault.packages(LIMBURG_PARTNER) if p.id == package]
    assert listed and listed[0].onward_ref == done["variables"]["onwardRef"]
    vault.acknowledge(LIMBURG_PARTNER, package)
    assert vault.open(LIMBURG_PARTNER, package).content == CONTENT

    entries = onward_entries(registers, business_key)
    onward = [e for e in entries if e.kind is EntryKind.ONWARD_PROVISION and e.references.get("process_instance") == pid]
    assert [e.outcome for e in onward] == ["needs_step", "allowed"], "the register shows the request and the provision"
    assert {e.region for e in onward} == {"riec-noord"} and {e.references["receiving_region"] for e in onward} == {"riec-limburg"}
    assert onward[-1].consent_refs == ("case_prosecutor:zaaksofficier", "officer_2_10:functionaris")
    assert onward[-1].actor == REQUESTER and onward[-1].recipient_partner_id == "gem-maastricht"
    opened = [e for e in entries if e.kind is EntryKind.PACKAGE_OPENED]
    assert [e.recipient_id for e in opened] == ["partner-limburg"]


def test_r_6_2_withheld_consent_ends_refused_and_registered_without_a_grant(engine, workers, business_key, registers):
    package = provided_package(engine, business_key)
    pid = request_onward(engine, {"packageRef": package, "onwardKind": "partner", "toPartnerId": "gem-maastricht"})
    complete_as(engine, "functionaris", task_of(engine, pid, "Task_OnwardConsent210"),
                {"onwardOfficer210Consent": "given", "onwardOfficer210Remarks": ""})
    complete_as(engine, "zaaksofficier", task_of(engine, pid, "Task_OnwardConsentCaseProsecutor"),
                {"onwardCaseProsecutorConsent": "withheld", "onwardCaseProsecutorRemarks": "Het onderzoek loopt nog."})
    done = finished(engine, pid)
    assert done["endActivityIds"] == ["EndEvent_OnwardRefused"]
    assert "toestemming" in done["variables"]["onwardRefusalNl"]
    assert onward_grant(registers, package, "gem-maastricht") is None
    refusals = [e for e in onward_entries(registers, business_key) if e.kind is EntryKind.REFUSAL
                and e.references.get("process_instance") == pid]
    assert [r.reason_codes for r in refusals] == [("R-6.2:consent_missing:case_prosecutor",)]


@pytest.fixture
def smtp(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mailbox = Mailbox(tmp_path / "mailbox.sqlite")
    server = start_server(mailbox, "127.0.0.1", port)
    yield mailbox, port
    server.stop()


def test_r_6_3_incompatible_purpose_refused_with_its_reason_and_registered(engine, workers, business_key, registers):
    package = provided_package(engine, business_key)
    pid = request_onward(engine, {"packageRef": package, **THIRD_PARTY, "onwardPurpose": "bibob"})
    done = finished(engine, pid)
    assert done["endActivityIds"] == ["EndEvent_OnwardRefused"]
    reason = done["variables"]["onwardRefusalNl"]
    assert reason.startswith("Het doel bij de derde (Integriteitsbeoordeling (Wet Bibob)) is niet verenigbaar"), reason
    refusals = [e for e in onward_entries(registers, business_key) if e.kind is EntryKind.REFUSAL
                and e.references.get("process_instance") == pid]
    assert [(r.rule_ids, r.reason_codes) for r in refusals] == [(("R-6.3",), ("R-6.3:not_compatible",))]
    assert not engine.client().get("task", processInstanceId=pid), "no consent is asked for a refused request"


def test_r_6_3_compatible_with_consent_tells_every_partner_of_the_riec_once(engine, workers, business_key, registers, smtp):
    mailbox, port = smtp
    package = provided_package(engine, business_key)
    pid = request_onward(engine, {"packageRef": package, **THIRD_PARTY})
    complete_as(engine, "functionaris", task_of(engine, pid, "Task_OnwardConsent210"),
                {"onwardOfficer210Consent": "given", "onwardOfficer210Remarks": ""})
    complete_as(engine, "zaaksofficier", task_of(engine, pid, "Task_OnwardConsentCaseProsecutor"),
                {"onwardCaseProsecutorConsent": "given", "onwardCaseProsecutorRemarks": ""})
    done = finished(engine, pid)
    assert done["endActivityIds"] == ["EndEvent_OnwardProvided"]

    noord = sorted(p.id for p in demo.demo_partners() if p.region == "riec-noord")
    directory = StaticDirectory({f"partner:{p}@riec-noord": [f"{p}@partners.example"] for p in noord})
    sender = MailSender(registers, directory, host="127.0.0.1", port=port, from_address="riec-noreply@riec.example",
                        owner=f"test-{business_key}")
    rows = [r for r in outbox.rows(registers, business_key=business_key) if r.kind == "onward_informed"]
    assert sorted(r.recipient_group for r in rows) == [f"partner:{p}" for p in noord]
    for row in rows:
        assert sender.deliver(sender.claim_one(row.id))
    sender.run_once()  # nothing is sent twice
    mails = [m for m in mailbox.messages() if business_key in m.subject]
    assert sorted(r for m in mails for r in m.rcpt_tos) == [f"{p}@partners.example" for p in noord], "one mail per partner"
    assert all("Haren" not in m.body and package not in m.body for m in mails), "a case number only, no third party, no data"
    provided = [e for e in onward_entries(registers, business_key) if e.kind is EntryKind.ONWARD_PROVISION
                and e.outcome == "allowed" and e.references.get("process_instance") == pid]
    assert len(provided) == 1 and provided[0].rule_ids == ("R-6.3",)
