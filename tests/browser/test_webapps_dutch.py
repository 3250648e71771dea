"""Tasklist and Cockpit as Dutch officers meet them, in a real browser (issue 8).

One walk per role on the real engine and workers: the analyst's Tasklist in Dutch, a
signal refused in the form for its postcode format and started properly, its task found
in the first filter by its number; the partner's Dutch refusal page for Cockpit; the
manager's Cockpit dashboard without permission errors. Screenshots: test-artifacts/screenshots/.
"""
from __future__ import annotations

import re
import time

import pytest
import requests

from tests.integration.engine import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.integration]

TASKLIST = "/camunda/app/tasklist/default/"
COCKPIT = "/camunda/app/cockpit/default/"
WAIT = 30


def _wait(browser, condition, timeout: float = WAIT, what: str = ""):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser.driver, timeout, poll_frequency=0.3).until(condition, message=what)


def _xpath_text(text: str) -> str:
    return f"//*[contains(normalize-space(.), {text!r}) and not(.//*[contains(normalize-space(.), {text!r})])]"


def _visible(browser, xpath: str, timeout: float = WAIT):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    return _wait(browser, ec.visibility_of_element_located((By.XPATH, xpath)), timeout, xpath)


def login(browser, app_path: str, user: str, password: str) -> None:
    browser.sign_in(app_path, user, password)


def page_text(browser) -> str:
    return browser.driver.find_element("tag name", "body").text


def form_field(browser, key: str):
    from selenium.webdriver.common.by import By

    # form-js ids: fjs-form-<form>-Field_<key>, radios add -0, -1, ...
    selector = f"[id$='-Field_{key}'], [id$='-Field_{key}-0']"
    return _wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, selector), what=f"form field {key}")


def type_into(browser, key: str, value: str) -> None:
    field = form_field(browser, key)
    field.clear()
    field.send_keys(value)


def choose(browser, key: str, label: str) -> None:
    """Pick an option of a form-js select (a custom drop-down) or radio group by its visible label."""
    from selenium.webdriver.common.by import By

    field = form_field(browser, key)
    container = field.find_element(By.XPATH, "./ancestor::div[contains(@class,'fjs-form-field')][1]")
    if "fjs-form-field-radio" in container.get_attribute("class"):
        container.find_element(By.XPATH, f".//label[contains(normalize-space(.), {label!r})]").click()
        return
    if field.tag_name == "input" and field.get_attribute("type") == "text" and "fjs-form-field-textfield" in container.get_attribute("class"):
        field.clear()
        field.send_keys(label)
        return
    container.find_element(By.CSS_SELECTOR, ".fjs-input-group").click()
    option = _visible(browser, f"//*[contains(@class,'fjs-dropdownlist-item') and contains(normalize-space(.), {label!r})]")
    option.click()


def fill_signal(browser, postcode: str) -> None:
    choose(browser, "reportingPartner", "Gemeente Groningen")
    choose(browser, "subjectType", "Natuurlijk persoon")
    type_into(browser, "subjectName", "Jan de Vries")
    type_into(browser, "street", "Herestraat")
    type_into(browser, "houseNumber", "12")
    type_into(browser, "houseNumberSuffix", "a")
    type_into(browser, "postcode", postcode)
    type_into(browser, "city", "Groningen")
    choose(browser, "phenomenon", "Misbruik van vastgoed")
    type_into(browser, "signalDescription", "Pand wordt contant gekocht via wisselende stromannen; vermoeden van witwassen.")


def start_button(browser):
    return _visible(browser, "//div[contains(@class,'modal-footer')]//button[normalize-space(.)='Starten']")


def test_r_3_1_analyst_tasklist_in_dutch_refuses_a_bad_postcode_and_shows_the_new_task_by_number(engine, workers, browser):
    from selenium.webdriver.common.by import By

    analist = browser()
    assert analist.driver.execute_script("return navigator.languages[0] || navigator.language").lower().startswith("nl")
    login(analist, TASKLIST, "analist", engine.settings.demo_password)

    # Dutch interface, the migration banner off, no stand-alone "Create task", the work filter first.
    _visible(analist, _xpath_text("Proces starten"))
    filters = _wait(analist, lambda d: [re.sub(r"\s+\d+$", "", e.text) for e in d.find_elements(By.CSS_SELECTOR, ".task-filter .name") if e.text], what="filters")
    assert filters[0] == "Werkvoorraad van mijn rol", filters
    assert {"Mijn taken", "Verlopen"} <= set(filters), filters
    text = page_text(analist)
    assert "Start process" not in text and "Create task" not in text and "Taak aanmaken" not in text
    assert "migrate to Camunda 8" not in text and "naar Camunda 8" not in text
    analist.screenshot("01-analist-takenlijst")

    # Start a signal with a malformed postcode: the form refuses it, in Dutch, with the format described.
    _visible(analist, _xpath_text("Proces starten")).click()
    _visible(analist, _xpath_text("Signaal en hit/no-hit")).click()
    _visible(analist, "//*[contains(@class,'fjs-select-display') and normalize-space(.)='Kies uit de lijst']")  # not "Select"
    fill_signal(analist, postcode="97111 AB")
    start_button(analist).click()
    postcode = form_field(analist, "postcode").find_element(By.XPATH, "./ancestor::div[contains(@class,'fjs-form-field')][1]")
    _wait(analist, lambda d: postcode.find_elements(By.CSS_SELECTOR, ".fjs-form-field-error"), what="postcode error")
    assert "Vier cijfers en twee letters, bijvoorbeeld 9711 AB" in postcode.text
    _wait(analist, lambda d: "De invoer heeft niet de gevraagde vorm" in postcode.text, what="Dutch validation message")
    assert "Field must match pattern" not in postcode.text and "^[1-9]" not in postcode.text
    analist.screenshot("02-analist-postcode-onjuist")
    started_before = engine.client().get("history/process-instance/count", processDefinitionKey="riec-signal")["count"]

    # Properly: the signal starts, passes the check and hit/no-hit, and its task carries its number.
    type_into(analist, "postcode", "9711 LM")
    start_button(analist).click()
    _visible(analist, _xpath_text("Het proces is gestart."))
    admin = engine.client()
    wait_until(lambda: admin.get("history/process-instance/count", processDefinitionKey="riec-signal")["count"] > started_before, 30, what="signal started")
    instance = admin.get("history/process-instance", processDefinitionKey="riec-signal", startedBy="analist", sortBy="startTime", sortOrder="desc", maxResults=1)[0]
    key = instance["businessKey"]
    assert key and key.startswith("SIG-")
    task_name = f"Fase 4a: half open bronnen raadplegen · {key}"  # the case process, under the signal's key
    half_open = {"processInstanceBusinessKey": key, "taskDefinitionKey": "Task_HalfOpenSources"}
    wait_until(lambda: admin.get("task", **half_open), 60, what=f"task of {key} (worker log: {workers.log_path})")
    assert [t["name"] for t in admin.get("task", **half_open)] == [task_name]
    assert "Jan" not in task_name and "Vries" not in task_name  # no personal data in task names

    analist.open(TASKLIST)
    first = _wait(analist, lambda d: [e for e in d.find_elements(By.CSS_SELECTOR, ".task-filter") if e.text.strip()], what="filters")[0]
    first.click()
    entry = _visible(analist, f"//ol[contains(@class,'tasks-list')]//li[contains(@class,'task')][contains(normalize-space(.), {task_name!r})]", timeout=45)
    entry.click()
    _visible(analist, _xpath_text("Beschrijving"))
    _visible(analist, "//*[contains(@class,'fjs-form')]//textarea")  # the task's form has loaded
    analist.screenshot("03-analist-taak-in-werkvoorraad")


def test_partner_opening_cockpit_gets_a_dutch_refusal_page(engine, browser):
    partner = browser()
    login(partner, TASKLIST, "partner", engine.settings.demo_password)
    _visible(partner, _xpath_text("Proces starten"))
    partner.open(COCKPIT)
    _visible(partner, "//h1[contains(., 'Geen toegang')]")
    text = page_text(partner)
    assert "Whitelabel" not in text and "There was an unexpected error" not in text
    partner.screenshot("04-partner-cockpit-geen-toegang")


def test_manager_cockpit_dashboard_without_permission_errors(engine, workers, browser):
    from selenium.webdriver.common.by import By

    manager = browser()
    login(manager, COCKPIT + "#/dashboard", "manager", engine.settings.demo_password)
    _visible(manager, "//*[contains(@class,'dashboard')]")
    time.sleep(3)  # let every dashboard request answer
    errors = [e.text for e in manager.driver.find_elements(By.CSS_SELECTOR, ".page-notifications .alert-danger, .notifications .alert-danger") if e.text]
    assert not errors, errors
    assert "Lopende procesinstanties" in page_text(manager)  # Cockpit in Dutch
    manager.screenshot("05-manager-cockpit-dashboard")

    manager.open(COCKPIT + "#/tasks")
    _visible(manager, "//*[contains(@class,'dashboard') or contains(@class,'tasks')]")
    time.sleep(3)
    errors = [e.text for e in manager.driver.find_elements(By.CSS_SELECTOR, ".page-notifications .alert-danger, .notifications .alert-danger") if e.text]
    assert not errors, errors
    manager.screenshot("06-manager-cockpit-taken")


def test_cockpit_task_figures_agree_for_the_manager(engine, workers):
    """The dashboard's open-task count (task/count) equals the Human Tasks page's (history), and the per-group report answers."""
    manager = engine.client("manager")
    open_tasks = manager.get("task/count")["count"]
    assert open_tasks == manager.get("history/task/count", unfinished="true")["count"]
    manager.get("task/report/candidate-group-count")


def test_no_role_may_create_a_stand_alone_task(engine):
    url = f"{engine.settings.engine_url}/task/create"
    for user in ("analist", "manager", "partner"):
        response = requests.post(url, json={"id": f"standalone-{user}", "name": "los"}, auth=(user, engine.settings.demo_password), timeout=10)
        assert response.status_code == 403, (user, response.status_code, response.text)
