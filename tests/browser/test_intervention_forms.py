"""The intervention's forms and the anonymisation decision, walked in Tasklist by the case director (`analist`).

Rules: R-7.1 (strategy, carried-out date, destruction scheduled), R-7.2 (the anonymisation decision).
The case reaches the intervention through REST (tests/integration/case_steps.py); then, in headless Chromium
in Dutch, the analyst opens each task from "Werkvoorraad van mijn rol", claims it, fills the form and completes
it. The decision is first given a date only the server refuses (in the future): it comes back with the Dutch
reason under "Waarom uw invoer terugkomt", corrected it is registered. Screenshots: test-artifacts/screenshots/intervention-*.png.
"""
from __future__ import annotations

import datetime as dt

import pytest

from riec import anonymisation as an
from riec.compliance import db
from riec.compliance.provision_register import EntryKind, iter_entries
from tests.integration.case_steps import to_decision

# The shared Tasklist walk (tests/browser/tasklist.py and the ``tasklist`` fixture) of the case forms' tests.
_walk = pytest.importorskip("tests.browser.tasklist", reason="the Tasklist walk helpers (tests/browser/tasklist.py)")
open_task, returned_task, task_done = _walk.open_task, _walk.returned_task, _walk.task_done
variable, without_english = _walk.variable, _walk.without_english

pytestmark = [pytest.mark.browser, pytest.mark.integration]

ANALYST = "analist"


def typed_date(day: dt.date) -> str:
    """What an officer types in form-js's date field in Dutch (day-month-year, as it shows a date; it submits JJJJ-MM-DD)."""
    return f"{day.day}-{day.month}-{day.year}"


def set_date(tasklist, key: str, day: dt.date) -> None:
    from selenium.webdriver.common.keys import Keys

    field = tasklist.field(key)
    field.clear()
    field.send_keys(typed_date(day))
    field.send_keys(Keys.TAB)
    assert field.get_attribute("value") == typed_date(day), f"{key} shows {field.get_attribute('value')!r}, typed {typed_date(day)!r}"


def test_r_7_1_r_7_2_intervention_and_anonymisation_decision_walked_by_the_analyst(engine, workers, tasklist, business_key):
    key = business_key
    today = dt.date.today()
    to_decision(engine, key, "without_police_data")

    tasklist.login(ANALYST)
    # 1. The joint intervention strategy.
    tasklist.open_task("Interventiestrategie vastleggen", key)
    tasklist.assert_dutch()
    strategy = open_task(engine, key, "Task_InterventionStrategy")
    tasklist.claim()
    tasklist.tick("interventionMeasures", "Bestuurlijk", "Fiscaal")
    tasklist.type("interventionStrategy", "Gemeente sluit het pand (Bibob); de Belastingdienst legt naheffingen op.")
    tasklist.screenshot("intervention-1-strategie")
    tasklist.complete()
    task_done(engine, strategy["id"])

    # 2. Carried out, today.
    tasklist.open_task("Interventie uitgevoerd", key)
    tasklist.assert_dutch()
    carried = open_task(engine, key, "Task_InterventionCarriedOut")
    tasklist.claim()
    set_date(tasklist, "interventionCarriedOutOn", today)
    tasklist.screenshot("intervention-2-uitgevoerd")
    tasklist.complete()
    task_done(engine, carried["id"])
    # destruction scheduled the moment it is recorded.
    decision = open_task(engine, key, "Task_AnonymisationDecision")
    due = today + dt.timedelta(days=engine.settings.destruction_grace_days)
    assert variable(engine, key, "destructionDueOn", "riec-intervention") == due.isoformat()

    # 3. The anonymisation decision: the destruction date is shown; a decision dated tomorrow only the server refuses.
    tasklist.open_task("Besluit anonimiseren vastleggen", key)
    assert due.isoformat() in tasklist.text(), "the form names the destruction date"
    assert tasklist.no_returned_message()
    tasklist.assert_dutch()
    tasklist.claim()
    tasklist.pick("anonymisationDecision", "Geanonimiseerd bewaren")
    tasklist.pick("anonymisationPurpose", "Statistiek")
    tasklist.tick("anonymisedFields", "RIEC-regio", "Verschijningsvorm", "Aantal personen per categorie")
    set_date(tasklist, "anonymisationDecidedOn", today + dt.timedelta(days=1))
    tasklist.check("policeUnitConsulted")
    set_date(tasklist, "policeUnitConsultedOn", today)
    tasklist.assert_dutch()
    tasklist.screenshot("intervention-3-besluit-anonimiseren-ingevuld")
    tasklist.complete()

    again, message = returned_task(engine, key, "Task_AnonymisationDecision", decision["id"])
    assert "'Datum besluit' ligt in de toekomst" in message and without_english(message), message
    tasklist.open_task("Besluit anonimiseren vastleggen", key)
    assert tasklist.returned_message() == message
    assert tasklist.ticked("anonymisedFields") == [an.KEPT_FIELD_LABELS_NL[f] for f in (
        an.KeptField.REGION, an.KeptField.PHENOMENON, an.KeptField.PERSON_COUNTS)], "nothing entered is lost"
    tasklist.assert_dutch()
    tasklist.screenshot("intervention-4-besluit-teruggekomen")
    tasklist.claim()
    set_date(tasklist, "anonymisationDecidedOn", today)
    tasklist.complete()
    task_done(engine, again["id"])

    # Registered: one ANONYMISATION entry, and the instance waits for the destruction date.
    registers = db.open_database(engine.settings.effective_database_url)

    def registered():
        return [e for e in iter_entries(registers, case_id=key) if e.entry.kind is EntryKind.ANONYMISATION]
    from tests.integration.engine import wait_until

    [entry] = wait_until(registered, 60, what="the ANONYMISATION entry")
    assert entry.entry.outcome.value == "allowed"
    assert {"kept:region", "kept:phenomenon", "kept:person_counts"} <= set(entry.entry.reason_codes)
    tasklist.not_in_work_queue(key)
    tasklist.screenshot("intervention-5-geen-taken-meer")
