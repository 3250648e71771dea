"""The managers' dashboard in Cockpit (issue 14), in headless Chromium, as `manager` and `manager-limburg`.

Demo cases from every path of art. 4 are driven first (tests/integration/test_stats.py); the project's
web service (`riec vault serve`, which mounts GET /statistieken) runs on the port the engine's
Content-Security-Policy lets Cockpit connect to (Engine.web_port). The dashboard must load in Cockpit,
every chart must render the figures `riec stats --json` gives, and neither the page's HTML nor the
endpoint's JSON may contain a demo subject's name, address or a case number (R-5.2). A manager of
riec-limburg sees riec-noord only inside the national aggregate (R-6.1). Screenshots:
test-artifacts/screenshots/ (the README's docs/img/dashboard.png is the manager's).
"""
from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.browser.test_webapps_dutch import COCKPIT, _wait, login
from tests.integration.engine import ROOT, Engine, wait_until
from tests.integration.queries import SIGNAL_HIT, SIGNAL_NO_HIT
from tests.integration.test_stats import drive_every_path, stats

pytestmark = [pytest.mark.browser, pytest.mark.integration]

NAMES = [SIGNAL_HIT["subjectName"], SIGNAL_NO_HIT["subjectName"], SIGNAL_HIT["street"], SIGNAL_NO_HIT["street"],
         SIGNAL_HIT["postcode"], SIGNAL_NO_HIT["postcode"]]


@contextmanager
def web_service(engine: Engine, log: Path) -> Iterator[str]:
    """`riec vault serve` as `riec up` starts it, on the engine's web port."""
    out = open(log, "ab")
    process = subprocess.Popen([sys.executable, "-m", "riec", "vault", "serve"], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                               env=engine.env(RIEC_VAULT_PORT=str(engine.web_port), RIEC_VAULT_URL=engine.web_url))

    def up() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"web service exited with {process.returncode}; see {log}")
        try:
            return requests.get(f"{engine.web_url}/health", timeout=1).ok
        except requests.RequestException:
            return False

    try:
        wait_until(up, 60, 0.3, "the project's web service")
        yield engine.web_url
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        out.close()


def dashboard(engine, browser, user: str):
    b = browser()
    login(b, COCKPIT + "#/dashboard", user, engine.settings.demo_password)
    _wait(b, lambda d: d.execute_script(
        "const r = document.getElementById('riec-dashboard'); return r && r.getAttribute('data-state') !== 'laden' && r.getAttribute('data-state');"),
        60, "the RIEC dashboard")
    state = b.driver.execute_script("return document.getElementById('riec-dashboard').getAttribute('data-state')")
    assert state == "klaar", b.driver.find_element("id", "riec-dashboard").text
    return b


def bars(b, figure: str) -> dict[str, str]:
    return b.driver.execute_script(
        "const out = {}; document.querySelectorAll(`[data-figure='${arguments[0]}'] [data-key]`)"
        ".forEach(e => { out[e.getAttribute('data-key')] = e.getAttribute('data-value'); }); return out;", figure)


def endpoint_json(b) -> str:
    """The endpoint's answer as the page's own fetch gets it (same URL, same cookies), and proof the page asked it."""
    fetched = b.driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/statistieken'));")
    assert fetched, "the dashboard did not fetch /statistieken"
    return b.driver.execute_async_script(
        "const done = arguments[1]; fetch(arguments[0], {credentials: 'include'}).then(r => r.text()).then(done, e => done('ERR ' + e));",
        fetched[0])


def expected_bars(figures: dict) -> dict[str, dict[str, str]]:
    def v(x) -> str:
        return "" if x is None else str(x)
    f = figures["funnel"]
    return {
        "funnel": {**{k: v(n) for k, n in f["totals"].items()}, **{e["key"]: v(e["count"]) for e in f["otherCaseEnds"]}},
        "months": {f"{m['month']}:{s['key']}": v(m[s["key"]]) for m in f["months"] for s in f["steps"]},
        "refusals-rule": {x["rule"]: v(x["count"]) for x in figures["refusals"]["byRule"]},
        "refusals-reason": {x["code"]: v(x["count"]) for x in figures["refusals"]["byReason"]},
        "waiting": {**{f"{t['task']}:median": v(t["medianHours"]) for t in figures["waiting"]["tasks"]},
                    **{f"{t['task']}:p90": v(t["p90Hours"]) for t in figures["waiting"]["tasks"]}},
        "overdue": {t["task"]: v(t["overdueNow"]) for t in figures["waiting"]["tasks"]},
        "destruction": {k: v(figures["destruction"][k]) for k in ("due", "overdue", "done", "signalsDestroyed", "anonymised")},
    }


def retention_status(engine: Engine, region: str) -> dict:
    """`riec retention status --json --region R` against the test engine's registers."""
    import datetime as dt

    from riec.compliance import db
    from riec.retention import RetentionTerms
    from riec.dutch_time import amsterdam_day
    from riec.retention_status import summary

    database = db.open_database(engine.settings.effective_database_url)
    return summary(database, RetentionTerms.from_settings(engine.settings), amsterdam_day(dt.datetime.now(dt.UTC)), [region])


def same_number(a: str, b: str) -> bool:
    return a == b or (a != "" and b != "" and float(a) == float(b))


def test_r_6_1_managers_dashboard_in_cockpit_shows_the_cli_figures_and_no_names(engine, workers, browser, capsys, tmp_path):
    keys = drive_every_path(engine, "DASH")
    with web_service(engine, tmp_path / "web.log"):
        manager = dashboard(engine, browser, "manager")
        cli = stats(engine, capsys, "--region", "riec-noord")
        for scope in ("region", "national"):
            for figure, expected in expected_bars(cli[scope]).items():
                shown = bars(manager, f"{scope}-{figure}")
                assert shown.keys() == expected.keys(), (scope, figure, shown, expected)
                assert all(same_number(shown[k], expected[k]) for k in expected), (scope, figure, shown, expected)
        # Each chart is a picture and says when it was computed.
        charts = manager.driver.execute_script(
            "return [...document.querySelectorAll('#riec-dashboard [data-figure]')].map(c => "
            "[c.getAttribute('data-figure'), !!c.querySelector('svg'), c.querySelector('.riec-berekend') && c.querySelector('.riec-berekend').textContent]);")
        assert len(charts) == 2 * 7 + 1
        for figure, has_svg, computed in charts:
            assert has_svg, figure
            assert computed and computed.startswith("Berekend: ") and "onbekend" not in computed, (figure, computed)
        integrity = manager.driver.execute_script(
            "const e = document.querySelector('.riec-integrity'); return [e.getAttribute('data-ok'), e.getAttribute('data-head-seq')];")
        assert integrity == ["true", str(cli["integrity"]["headSeq"])]
        # Art. 7: the destruction chart holds numbers, the ones `riec retention status` gives, no 'n.b.'.
        retention = retention_status(engine, "riec-noord")
        shown = bars(manager, "region-destruction")
        assert [shown[k] for k in ("due", "overdue", "done", "anonymised")] == [
            str(retention["total"][k]) for k in ("due", "overdue", "done", "anonymisationDecisions")], (shown, retention)
        assert int(shown["due"]) >= 1, shown  # the provided demo case waits for its intervention and destruction
        assert "n.b." not in manager.driver.find_element("css selector", "[data-figure='region-destruction']").text
        assert "RIEC Noord-Nederland" in manager.driver.page_source
        manager.driver.set_window_size(1400, 2600)
        manager.screenshot("20-manager-dashboard")  # docs/img/dashboard.png is a copy

        # Only counts and durations: no name, address or case number in the page or in what it fetched.
        answer = endpoint_json(manager)
        assert json.loads(answer)["national"]["scope"] == "national"
        for text in (manager.driver.page_source, answer):
            for secret in [*NAMES, "DASH-", *keys]:
                assert secret not in text, secret

        # Limburg's manager sees its own region and Noord only inside the national aggregate.
        limburg = dashboard(engine, browser, "manager-limburg")
        html = limburg.driver.page_source
        assert "RIEC Limburg" in html and "Noord-Nederland" not in html and "riec-noord" not in html
        assert bars(limburg, "national-funnel") == bars(manager, "national-funnel")
        limburg_answer = endpoint_json(limburg)
        assert "riec-noord" not in limburg_answer and json.loads(limburg_answer)["region"]["scope"] == "riec-limburg"
        limburg.screenshot("21-manager-limburg-dashboard")


def test_dashboard_refuses_a_partner_without_showing_figures(engine, browser, tmp_path):
    """A role without Cockpit never reaches the dashboard; the endpoint itself refuses a session of another role."""
    with web_service(engine, tmp_path / "web.log") as url:
        analyst = requests.Session()
        assert analyst.get(f"{url}/statistieken", timeout=10).status_code == 401
        login_answer = analyst.post(f"{url}/inloggen", data={"username": "analist", "password": engine.settings.demo_password},
                                    headers={"Accept": "application/json"}, timeout=30)
        assert login_answer.status_code == 200
        refused = analyst.get(f"{url}/statistieken", timeout=30)
        assert refused.status_code == 403 and "funnel" not in refused.text
