"""`riec stats --json` on the real engine (issue 14): demo cases from every path of art. 4, exact counts.

One case per path is driven with tests/integration/case_steps.py (the demo users of riec-noord,
real workers); the figures are read before and after, and the difference must be exactly what the
test drove (the session's engine also holds other tests' cases). Rules: R-6.1 (a region's manager
sees another region only inside the national aggregate), R-5.2 (no names, no keys in the figures).
"""
from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from riec.app import App
from riec.cli import main
from tests.integration.case_steps import case_outcome, police_decides, police_outcome, to_decision, to_request
from tests.integration.queries import SIGNAL_HIT, SIGNAL_NO_HIT, send_signal_message, wait_ended
from tests.integration.vault_steps import upload_package

pytestmark = pytest.mark.integration


def stats(engine, capsys, *args: str) -> dict:
    capsys.readouterr()
    app = App(engine.settings, camunda=engine.client())
    assert main(["stats", "--json", *args], app=app) == 0
    return json.loads(capsys.readouterr().out)


def funnel(view: dict) -> dict:
    return dict(view["funnel"]["totals"], **{e["key"]: e["count"] for e in view["funnel"]["otherCaseEnds"]})


def month(view: dict, which: str) -> dict:
    found = next((m for m in view["funnel"]["months"] if m["month"] == which), {})
    return {k: v for k, v in found.items() if k != "month"}


def waiting(view: dict) -> dict:
    return {t["task"]: t["completed"] for t in view["waiting"]["tasks"]}


def rules(view: dict) -> dict:
    return {r["rule"]: r["count"] for r in view["refusals"]["byRule"]}


def reasons(view: dict) -> dict:
    return {r["code"]: r["count"] for r in view["refusals"]["byReason"]}


def delta(after: dict, before: dict) -> dict:
    return {k: after.get(k, 0) - before.get(k, 0) for k in set(after) | set(before) if after.get(k, 0) != before.get(k, 0)}


def drive_every_path(engine, prefix: str) -> list[str]:
    keys = [f"{prefix}-{n}" for n in range(8)]
    provided, no_data, advice, withheld, out_of_scope, closed, without, no_hit = keys
    # provided: art. 9, consent of the case prosecutor, package uploaded
    to_request(engine, provided, ["art9"])
    police_decides(engine, provided, case_prosecutor="given")
    upload_package(engine, provided)
    # refused: no relevant data (R-4.1-refuse)
    to_request(engine, no_data, ["art9"])
    police_decides(engine, no_data, judgement={"relevantDataExist": "no", "opposingInterest": "none"})
    # refused: the 2:10 officer advises against (R-5.1e)
    to_request(engine, advice, ["art9"])
    police_decides(engine, advice, advice="against")
    # refused: the case prosecutor withholds consent (R-5.1e)
    to_request(engine, withheld, ["art9"])
    police_decides(engine, withheld, case_prosecutor="withheld")
    # refused by the automated checks: a data type out of scope, before anyone judges
    to_request(engine, out_of_scope, ["art9", "art13"])
    # no indications: closed; no need: analysis without police data
    to_decision(engine, closed, "closed")
    to_decision(engine, without, "without_police_data")
    # a signal without a hit ends at once
    send_signal_message(engine.client(), no_hit, SIGNAL_NO_HIT)
    wait_ended(engine.client(), no_hit)
    for key in (provided, no_data, advice, withheld, out_of_scope, closed, without):
        case_outcome(engine, key)
    for key in (provided, no_data, advice, withheld, out_of_scope):
        police_outcome(engine, key)
    return keys


def test_r_6_1_stats_count_every_path_of_art_4_exactly_and_show_no_names(engine, workers, capsys):
    before = stats(engine, capsys, "--region", "riec-noord")
    prefix = f"STAT-{dt.datetime.now().strftime('%H%M%S%f')}"
    keys = drive_every_path(engine, prefix)
    after = stats(engine, capsys, "--region", "riec-noord")
    this_month = dt.datetime.now(ZoneInfo("Europe/Amsterdam")).strftime("%Y-%m")

    expected_funnel = {"signals": 8, "hits": 7, "cases": 7, "requests": 5, "provided": 1, "refused": 4,
                       "closed": 1, "without_police_data": 1}
    # Judgement: every request but the one the checks refused; 2:10: those judged with relevant data and no
    # opposing interest; the case prosecutor: the two whose 2:10 advice was in favour (art. 9 asked).
    expected_waiting = {"Task_Judgement": 4, "Task_Consult210": 3, "Task_ConsentCaseProsecutor": 2}
    # Each refused request once, by the police decision's rule IDs (not again for its letter).
    expected_rules = {"R-4.1-refuse": 1, "R-5.1e": 2, "R-2": 1}
    expected_reasons = {"R-4.1-refuse:no_relevant_data": 1, "R-5.1e:advice_against": 1,
                        "R-5.1e:consent_refused:case_prosecutor": 1, "R-2:check_failed": 1}
    for scope in ("region", "national"):
        assert delta(funnel(after[scope]), funnel(before[scope])) == expected_funnel, scope
        assert delta(month(after[scope], this_month), month(before[scope], this_month)) == \
            {k: v for k, v in expected_funnel.items() if k not in ("closed", "without_police_data")}, scope
        assert delta(waiting(after[scope]), waiting(before[scope])) == expected_waiting, scope
        assert after[scope]["refusals"]["total"] - before[scope]["refusals"]["total"] == 4, scope
        assert delta(rules(after[scope]), rules(before[scope])) == expected_rules, scope
        assert delta(reasons(after[scope]), reasons(before[scope])) == expected_reasons, scope
        # Art. 7: the provided case is scheduled for destruction (max retention; no intervention yet), not overdue.
        d_after, d_before = after[scope]["destruction"], before[scope]["destruction"]
        assert (d_after["due"] - d_before["due"], d_after["overdue"] - d_before["overdue"]) == (1, 0), scope
        overdue_before = {t["task"]: t["overdueNow"] for t in before[scope]["waiting"]["tasks"]}
        for task in after[scope]["waiting"]["tasks"]:
            assert task["overdueNow"] <= overdue_before[task["task"]], task  # due periods are days; nothing driven here is late
            if task["completed"]:
                assert 0 <= task["medianHours"] <= task["p90Hours"], task
    assert after["region"]["scope"] == "riec-noord" and after["national"]["scope"] == "national"
    assert after["integrity"]["ok"] is True and after["integrity"]["entries"] > before["integrity"]["entries"]
    assert after["integrity"]["headSeq"] == after["integrity"]["entries"]

    # Limburg's own figures did not move; it sees Noord's cases only inside the national aggregate.
    limburg = stats(engine, capsys, "--region", "riec-limburg")
    assert limburg["region"]["scope"] == "riec-limburg"
    assert funnel(limburg["national"]) == funnel(after["national"])
    assert "riec-noord" not in json.dumps(limburg)

    # Counts and durations only: no business key, no subject's name or address anywhere in the answer.
    text = json.dumps(after) + json.dumps(limburg)
    for secret in [prefix, *keys, SIGNAL_HIT["subjectName"], SIGNAL_NO_HIT["subjectName"]]:
        assert secret not in text, secret
    for field in ("street", "houseNumber", "postcode", "city"):
        for signal in (SIGNAL_HIT, SIGNAL_NO_HIT):
            if isinstance(signal.get(field), str) and len(signal[field]) > 3:
                assert signal[field] not in text, field
