"""The signal correction form, walked in Tasklist by the analyst (`analist`).

Rule: R-3.1 (a signal is about organised crime of a named kind, with a purpose the decree allows; what the
check refuses goes back to the analyst with the reason, nothing entered lost). A partner's signal arrives over
REST with a malformed postcode and no phenomenon; in headless Chromium in Dutch the analyst reads the reason,
corrects both and submits again, and the signal proceeds to hit/no-hit. A second one is withdrawn from the form.
The registration form itself is walked in test_webapps_dutch.py. Screenshots: test-artifacts/screenshots/signaal-*.png.
"""
from __future__ import annotations

import pytest

from tests.integration.queries import SIGNAL_HIT, send_signal_message, wait_ended

_walk = pytest.importorskip("tests.browser.tasklist", reason="the Tasklist walk helpers (tests/browser/tasklist.py)")
open_task, task_done, variable, without_english = _walk.open_task, _walk.task_done, _walk.variable, _walk.without_english

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CORRECT = "Signaal corrigeren"


def test_r_3_1_signal_correction_walked_by_the_analyst(engine, workers, tasklist, business_key):
    key = business_key
    send_signal_message(engine.client(), key, {**SIGNAL_HIT, "postcode": "ABCD 12", "phenomenon": None})
    first = open_task(engine, key, "Task_CorrectSignal")

    tasklist.login("analist")
    tasklist.open_task(CORRECT, key)
    tasklist.assert_dutch()
    reason = tasklist.value("validationMessage")
    assert "postcode 'ABCD 12' is ongeldig" in reason and "verschijningsvorm" in reason, reason
    assert without_english(reason), reason
    assert tasklist.value("subjectName") == SIGNAL_HIT["subjectName"], "nothing the partner sent is lost"
    assert tasklist.value("postcode") == "ABCD 12"
    tasklist.screenshot("signaal-1-corrigeren-reden")

    tasklist.claim(form_valid=False)  # the postcode it came back with is refused by the form too
    tasklist.type("postcode", "9711 LM")
    tasklist.pick("phenomenon", "Misbruik van vastgoed")
    assert tasklist.picked("correctionDecision") == "Opnieuw indienen"  # the default
    tasklist.assert_dutch()
    tasklist.screenshot("signaal-2-gecorrigeerd")
    tasklist.complete()
    task_done(engine, first["id"])

    # Submitted again, it passes the check and hit/no-hit: the case's first task waits for the analyst.
    open_task(engine, key, "Task_HalfOpenSources")
    assert variable(engine, key, "postcode", "riec-signal") == "9711 LM"
    assert variable(engine, key, "phenomenon", "riec-signal") == "real_estate_fraud"


def test_r_3_1_signal_withdrawn_from_the_correction_form(engine, workers, tasklist, business_key):
    key = business_key
    send_signal_message(engine.client(), key, {**SIGNAL_HIT, "purpose": "bibob"})
    first = open_task(engine, key, "Task_CorrectSignal")

    tasklist.login("analist")
    tasklist.open_task(CORRECT, key)
    assert "Wet Bibob" in tasklist.value("validationMessage")
    tasklist.claim()
    tasklist.pick("correctionDecision", "Signaal intrekken")
    tasklist.screenshot("signaal-3-intrekken")
    tasklist.complete()
    task_done(engine, first["id"])

    assert wait_ended(engine.client(), key)["endActivityId"] == "EndEvent_SignalWithdrawn"
    tasklist.not_in_work_queue(key)
