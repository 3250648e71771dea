"""Onward provision's forms (forms/onward-*.form), walked in Tasklist by every role that uses them. Rules: R-6.2, R-6.3.

A case of RIEC Noord is provided (art. 9 and art. 10(1)(a) data) to the designated person `partner`, through
REST (tests/integration/case_steps.py). Then, in headless Chromium in Dutch:

* the partner starts "Doorverstrekking (art. 6)" from "Proces starten" with the start form, choosing a partner of
  another RIEC but leaving out which one: the server sends the request back as "Verzoek tot doorverstrekking
  aanvullen" with the Dutch reason; the partner completes it;
* the 2:10 officer (functionaris) sees what is asked, withholds consent without a reason: it comes back; then
  consents; the case prosecutor (zaaksofficier) and the CIE prosecutor (cie-officier) consent;
* another region's officer does not see the task; the process ends "Doorverstrekt" and Gemeente Maastricht has
  the package. Screenshots: test-artifacts/screenshots/onward-*.png.
"""
from __future__ import annotations

import pytest

from riec.compliance import db
from riec.vault.onward import onward_grant
from tests.integration.case_steps import police_decides, police_outcome, to_request
from tests.integration.engine import wait_until
from tests.integration.vault_steps import upload_package

pytestmark = [pytest.mark.browser, pytest.mark.integration]
#: The Tasklist walk shared by the forms' browser tests (tests/browser/tasklist.py, with the `tasklist` fixture).
_walk = pytest.importorskip("tests.browser.tasklist", reason="the shared Tasklist walk (tests/browser/tasklist.py)")
returned_task, task_done, without_english = _walk.returned_task, _walk.task_done, _walk.without_english

PROCESS_NAME = "Doorverstrekking (art. 6): aan een ander RIEC of een derde"
CORRECT = "Verzoek tot doorverstrekking aanvullen"
CONSENT_210 = "Toestemming doorverstrekking: functionaris art. 2:10 Bpg"
CONSENT_CASE = "Toestemming doorverstrekking: zaaksofficier (art. 9 Wpg)"
CONSENT_CIE = "Toestemming doorverstrekking: CIE-officier (art. 10 lid 1 sub a Wpg)"


def onward_key(engine, package: str) -> tuple[str, str]:
    """The onward request the partner started for ``package``: its instance id and number (OV-…)."""
    found = wait_until(lambda: engine.client().get("process-instance", processDefinitionKey="riec-onward-provision",
                                                   variables=f"packageRef_eq_{package}"), 60, what="the onward request")
    return found[0]["id"], found[0]["businessKey"]


def onward_task(engine, pid: str, task_id: str, other_than: str | None = None) -> dict:
    return wait_until(lambda: next((t for t in engine.client().get("task", processInstanceId=pid, taskDefinitionKey=task_id)
                                    if t["id"] != other_than), None), 60, what=f"{task_id} of {pid}")


def test_r_6_2_onward_request_and_consent_forms_walked_by_the_partner_and_the_providing_units_officers(
        engine, workers, tasklist, business_key):
    key = business_key
    to_request(engine, key, ["art9", "art10_1a"], recipientIds=["partner"])
    police_decides(engine, key, case_prosecutor="given", cie_prosecutor="given")
    package = upload_package(engine, key)
    assert "EndEvent_Provide" in police_outcome(engine, key)["endActivityIds"]

    # The recipient partner asks, without naming the partner of the other RIEC: the server sends it back.
    tasklist.login("partner")
    tasklist.start_process(PROCESS_NAME)
    tasklist.assert_dutch()
    tasklist.type("packageRef", package)
    tasklist.pick("onwardKind", "Partner van een ander RIEC")
    tasklist.screenshot("onward-request-start")
    tasklist.start()
    pid, number = onward_key(engine, package)
    assert number == f"OV-{pid}"
    first = onward_task(engine, pid, "Task_CorrectOnwardRequest")
    message = engine.client().get(f"task/{first['id']}/variables/validationMessage")["value"]
    assert message == "- Vul 'Partner van het andere RIEC' in.", message
    tasklist.open_task(CORRECT, number)
    assert tasklist.returned_message() == message and without_english(message)
    assert tasklist.value("packageRef") == package, "nothing entered is lost"
    tasklist.assert_dutch()
    tasklist.claim()
    tasklist.type("toPartnerId", "gem-maastricht")
    tasklist.screenshot("onward-request-returned")
    tasklist.complete()
    task_done(engine, first["id"])

    # The providing unit's 2:10 officer: what is asked is shown; withholding without a reason comes back.
    consult = onward_task(engine, pid, "Task_OnwardConsent210")
    tasklist.login("functionaris-limburg")  # another region's officer does not see it
    tasklist.not_in_work_queue(number)
    tasklist.login("functionaris")
    tasklist.open_task(CONSENT_210, number)
    assert tasklist.value("caseKey") == key and tasklist.value("toPartnerId") == "gem-maastricht"
    assert tasklist.value("onwardReceivingRegion") == "riec-limburg"
    tasklist.assert_dutch()
    tasklist.claim()
    tasklist.pick("onwardOfficer210Consent", "Ik onthoud mijn toestemming")
    tasklist.complete()
    again, message = returned_task(engine, number, "Task_OnwardConsent210", consult["id"], "onward210ValidationMessage")
    assert "Licht toe waarom u niet instemt" in message and without_english(message)
    tasklist.open_task(CONSENT_210, number)
    assert tasklist.returned_message() == message
    tasklist.claim()
    tasklist.pick("onwardOfficer210Consent", "Ik geef toestemming voor deze doorverstrekking")
    tasklist.screenshot("onward-consent-2-10")
    tasklist.complete()
    task_done(engine, again["id"])

    # Both prosecutors of the providing unit consent (art. 9 and art. 10(1)(a) data).
    for user, name, task_id, field in (("zaaksofficier", CONSENT_CASE, "Task_OnwardConsentCaseProsecutor", "onwardCaseProsecutorConsent"),
                                       ("cie-officier", CONSENT_CIE, "Task_OnwardConsentCieProsecutor", "onwardCieProsecutorConsent")):
        task = onward_task(engine, pid, task_id)
        tasklist.login(user)
        tasklist.open_task(name, number)
        tasklist.assert_dutch()
        tasklist.claim()
        tasklist.pick(field, "Ik geef toestemming voor deze doorverstrekking")
        tasklist.screenshot(f"onward-consent-{user}")
        tasklist.complete()
        task_done(engine, task["id"])

    registers = db.open_database(engine.settings.effective_database_url)
    wait_until(lambda: onward_grant(registers, package, "gem-maastricht"), 60, what="the grant to Gemeente Maastricht")
    # The grant is written before the worker completes its task: the end follows a moment later.
    ended = wait_until(lambda: engine.client().get("history/activity-instance", processInstanceId=pid, activityType="noneEndEvent"),
                       60, what="the onward provision to end")
    assert [e["activityId"] for e in ended] == ["EndEvent_OnwardProvided"]
