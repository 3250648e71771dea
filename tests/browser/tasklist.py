"""An officer at work in Tasklist: the steps the case and police form walks share.

One :class:`Tasklist` drives one headless Chromium (tests/browser/conftest.py) and
switches officers by logging out and in, so a whole module's walk costs one browser.
A walk opens the task from the filter "Werkvoorraad van mijn rol", claims it, fills the
form and completes it, exactly as an officer does; the tests reach the task's starting
point through REST (tests/integration/case_steps.py) and check outcomes through REST.
"""
from __future__ import annotations

import json
import re
import time
from functools import cache
from typing import Any

from riec.runtime.variables import from_camunda
from tests.browser.conftest import Browser
from tests.integration.engine import ROOT, Engine, wait_until

TASKLIST = "/camunda/app/tasklist/default/"
WORK_QUEUE = "Werkvoorraad van mijn rol"
RETURNED = "Waarom uw invoer terugkomt"
WAIT = 30

#: English form-js 1.8 texts that must never reach a Dutch officer (its own controls and messages).
FORM_JS_ENGLISH = ("Add new", "Collapse", "Select", "Search", "No results", "All values selected")
FORM_JS_ENGLISH_PREFIXES = ("Expand all", "Field must", "Field is required", "Value is ", "Remove list item")


@cache
def english_labels() -> frozenset[str]:
    """Camunda's English webapp labels whose Dutch translation differs (engine/locales/nl-translations.json)."""
    translations = json.loads((ROOT / "engine" / "locales" / "nl-translations.json").read_text(encoding="utf-8"))
    return frozenset(k for k, v in translations.items() if isinstance(v, str) and k.strip() != v.strip() and len(k) > 2)


def _xpath_literal(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return "concat(" + ", \"'\", ".join(f"'{part}'" for part in text.split("'")) + ")"


def _leaf(text: str) -> str:
    """The innermost element whose text contains ``text``."""
    t = _xpath_literal(text)
    return f"//*[contains(normalize-space(.), {t}) and not(.//*[contains(normalize-space(.), {t})])]"


class Tasklist:
    """Tasklist in one browser, as one officer at a time."""

    def __init__(self, browser: Browser, engine: Engine):
        self.browser = browser
        self.engine = engine
        self.user: str | None = None

    # ------------------------------------------------------------------ plumbing

    @property
    def driver(self):
        return self.browser.driver

    def wait(self, condition, timeout: float = WAIT, what: str = ""):
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.support.ui import WebDriverWait

        # Angular and form-js re-render often: an element gone between two looks is asked for again.
        return WebDriverWait(self.driver, timeout, poll_frequency=0.3,
                             ignored_exceptions=(StaleElementReferenceException,)).until(condition, message=what)

    def visible(self, xpath: str, timeout: float = WAIT):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec

        return self.wait(ec.visibility_of_element_located((By.XPATH, xpath)), timeout, xpath)

    def click(self, element) -> None:
        """Click ``element`` after scrolling it to the middle (Tasklist's fixed footer covers the bottom)."""
        from selenium.common.exceptions import ElementClickInterceptedException

        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        try:
            element.click()
        except ElementClickInterceptedException:  # at the very bottom of the task panel, under the footer
            self.driver.execute_script("arguments[0].click();", element)

    def css(self, selector: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def text(self) -> str:
        return self.driver.find_element("tag name", "body").text

    def screenshot(self, name: str):
        return self.browser.screenshot(name)

    # ------------------------------------------------------------------ officers

    def login(self, user: str) -> None:
        """Log ``user`` in (logging the previous officer out: a fresh session, nothing carried over)."""

        if self.user == user:
            return
        if self.user is not None:
            self.driver.delete_all_cookies()  # the session ends: the next page asks who is there
        self.browser.sign_in(TASKLIST, user, self.engine.settings.demo_password)
        self.user = user

    def work_queue(self) -> None:
        """Open the filter "Werkvoorraad van mijn rol" (the first one) and wait for its list."""
        from selenium.common.exceptions import TimeoutException

        xpath = f"//*[contains(@class,'task-filter')][.//*[contains(@class,'name')][starts-with(normalize-space(.), {_xpath_literal(WORK_QUEUE)})]]"
        self.browser.open(TASKLIST)
        self.driver.refresh()  # the list as it is now, not as the last visit left it
        try:
            entry = self.visible(xpath, 90)
        except TimeoutException:  # on a busy machine the app's boot sometimes stalls: load it once more
            self.driver.refresh()
            entry = self.visible(xpath, 90)
        names = [e.text.strip() for e in self.css(".task-filter .name") if e.text.strip()]
        assert names and names[0].startswith(WORK_QUEUE), names
        self.click(entry)
        self.wait(lambda d: self.css("ol.tasks-list") or "Geen taken" in self.text(), what="task list")
        time.sleep(0.5)

    def task_entries(self) -> list[str]:
        """Every task in the open list (Tasklist shows 15 and loads more as the list scrolls)."""
        count = -1
        while count != len(self.css("ol.tasks-list li.task")):
            count = len(self.css("ol.tasks-list li.task"))
            if count:
                self.driver.execute_script("arguments[0].scrollIntoView({block: 'end'});", self.css("ol.tasks-list li.task")[-1])
                time.sleep(1.5)
        return [e.text for e in self.css("ol.tasks-list li.task")]

    def open_task(self, name: str, key: str, timeout: float = 45) -> None:
        """Find the task ``<name> · <key>`` in the work queue, open it and wait for its form."""
        full = f"{name} · {key}"
        deadline = time.monotonic() + timeout
        while True:
            self.work_queue()
            self.task_entries()
            found = [e for e in self.css("ol.tasks-list li.task") if full in e.text]
            if found:
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"{full!r} not in {WORK_QUEUE!r} of {self.user}: {self.task_entries()}")
            time.sleep(2)
        self.click(found[0])
        title = self.visible(f"//h2[contains(@class,'task')][contains(normalize-space(.), {_xpath_literal(full)})]")
        assert title.text.strip() == full, title.text  # the task's name ends in the case number
        self.visible("//*[contains(@class,'fjs-form')]")
        time.sleep(1)  # form-js renders the variables after the form itself

    def claim(self, form_valid: bool = True) -> None:
        """Claim the open task; ``form_valid=False`` for a form that comes back with input it refuses (Voltooien stays off)."""
        from selenium.webdriver.common.by import By

        self.click(self.visible("//button[contains(@class,'claim')]"))
        self.wait(lambda d: not d.find_elements(By.CSS_SELECTOR, "button.claim"), what="task claimed")
        if form_valid:
            self.wait(lambda d: d.find_element(By.XPATH, "//button[@ng-click='complete()']").is_enabled(), what="Voltooien enabled")
        else:
            self.visible("//button[@ng-click='complete()']")

    def complete(self) -> None:
        """Press "Voltooien" and wait until Tasklist has sent the form (the task leaves the view)."""
        from selenium.common.exceptions import TimeoutException, WebDriverException

        button = self.visible("//button[@ng-click='complete()']")
        assert button.text.strip() == "Voltooien", button.text
        try:  # form-js validates a moment after the last keystroke
            self.wait(lambda d: button.is_enabled(), 10, what="Voltooien enabled")
        except TimeoutException:
            raise AssertionError(f"Voltooien is disabled: form errors {[e.text for e in self.css('.fjs-form-field-error') if e.text.strip()]}") from None
        titles = self.css("h2.task")
        title = titles[0].text.strip() if titles else ""
        self.click(button)

        def left(d) -> bool:
            """The task left the view: no Voltooien, or Tasklist already shows another task of the list in its place."""
            try:
                if not [b for b in d.find_elements("xpath", "//button[@ng-click='complete()']") if b.is_displayed()]:
                    return True
                now = [h.text.strip() for h in d.find_elements("css selector", "h2.task")]
                return bool(title) and bool(now) and now[0] != title
            except WebDriverException:  # the view is being replaced: look again
                return False
        try:
            try:
                self.wait(left, 15, what="task completed in Tasklist")
            except TimeoutException:
                # The press did not reach the form (seen in CI: the form still shown, Voltooien enabled, no
                # message; the button sat at the panel's bottom edge). An officer presses once more.
                still = [b for b in self.driver.find_elements("xpath", "//button[@ng-click='complete()']") if b.is_displayed()]
                if not still:
                    raise
                self.click(still[0])
                self.wait(left, what="task completed in Tasklist")
        except TimeoutException:
            errors = [e.text for e in self.css(".fjs-form-field-error") if e.text.strip()]
            alerts = [e.text for e in self.css(".notifications .alert, .page-notifications .alert") if e.text.strip()]
            self.screenshot("voltooien-niet-gelukt")
            raise AssertionError(f"Voltooien did not complete the task: form errors {errors}, notifications {alerts}") from None

    def complete_refused_in_browser(self) -> list[str]:
        """Input form-js itself refuses: its Dutch message under the field, "Voltooien" disabled, the task stays open."""
        self.wait(lambda d: [e for e in self.css(".fjs-form-field-error") if e.text.strip()], what="form errors")
        time.sleep(0.5)  # riec-form-messages.js rewrites the message as it appears
        button = self.visible("//button[@ng-click='complete()']")
        assert not button.is_enabled(), "Voltooien is offered on input the form refuses"
        return [e.text.strip() for e in self.css(".fjs-form-field-error") if e.text.strip()]

    def not_in_work_queue(self, key: str, name: str | None = None) -> None:
        """The officer logged in sees no task of ``key`` (or not the task ``name`` of it) in the work queue."""
        self.work_queue()
        entries = self.task_entries()
        seen = f"{name} · {key}" if name else key
        assert not [e for e in entries if seen in e], (self.user, entries)

    # ------------------------------------------------------------------ language

    def english_on_screen(self) -> list[str]:
        """Visible English: Camunda's labels that have a Dutch translation, and form-js's own words."""
        lines = {line.strip() for line in self.text().splitlines() if line.strip()}
        labels = english_labels()
        leaks = sorted(line for line in lines if line in labels or line in FORM_JS_ENGLISH
                       or line.startswith(FORM_JS_ENGLISH_PREFIXES))
        for element in self.css(".fjs-form [aria-label], .fjs-form [placeholder]"):
            for attribute in ("aria-label", "placeholder"):
                value = (element.get_attribute(attribute) or "").strip()
                if value in FORM_JS_ENGLISH or value.startswith(FORM_JS_ENGLISH_PREFIXES):
                    leaks.append(f"{attribute}={value}")
        return leaks

    def assert_dutch(self) -> None:
        leaks = self.english_on_screen()
        assert not leaks, f"English on {self.user}'s screen: {leaks}"

    # ------------------------------------------------------------------ form-js fields

    def field(self, key: str, index: int | None = None):
        """A form-js field by its key (``index``: the row of a dynamic list); radios and checklists give their first input,
        a date field its date input (form-js gives it the field's id with ``-date``)."""
        from selenium.webdriver.common.by import By

        suffix = f"-Field_{key}" + (f"_{index}" if index is not None else "")
        selector = f"[id$='{suffix}'], [id$='{suffix}-0'], [id$='{suffix}-date']"
        return self.wait(lambda d: d.find_element(By.CSS_SELECTOR, selector), what=f"form field {key}")

    def container(self, key: str, index: int | None = None):
        return self.field(key, index).find_element("xpath", "./ancestor::div[contains(@class,'fjs-form-field')][1]")

    def type(self, key: str, value: str, index: int | None = None) -> None:
        field = self.field(key, index)
        field.clear()
        field.send_keys(value)

    def value(self, key: str, index: int | None = None) -> str:
        return self.field(key, index).get_attribute("value")

    def pick(self, key: str, label: str, index: int | None = None) -> None:
        """Choose ``label`` in a radio group or a select (form-js's own drop-down)."""
        container = self.container(key, index)
        if "fjs-form-field-radio" in container.get_attribute("class"):
            self.click(container.find_element("xpath", f".//label[contains(normalize-space(.), {_xpath_literal(label)})]"))
            return
        self.click(container.find_element("css selector", ".fjs-input-group"))
        options = f".//*[contains(@class,'fjs-dropdownlist-item') and contains(normalize-space(.), {_xpath_literal(label)})]"
        self.click(self.wait(lambda d: container.find_elements("xpath", options), what=f"option {label} of {key}")[0])

    def picked(self, key: str, index: int | None = None) -> str:
        """The label chosen in a radio group or a select."""
        container = self.container(key, index)
        if "fjs-form-field-radio" in container.get_attribute("class"):
            checked = [i for i in container.find_elements("css selector", "input[type=radio]") if i.is_selected()]
            if not checked:
                return ""
            return container.find_element("css selector", f"label[for='{checked[0].get_attribute('id')}']").text.strip()
        return container.find_element("css selector", ".fjs-select-display, input").text.strip() or \
            container.find_element("css selector", "input").get_attribute("value")

    def tick(self, key: str, *labels: str) -> None:
        """Tick the options ``labels`` of a checklist."""
        container = self.container(key)
        for label in labels:
            self.click(container.find_element("xpath", f".//label[contains(normalize-space(.), {_xpath_literal(label)})]"))

    def ticked(self, key: str) -> list[str]:
        container = self.container(key)
        return [container.find_element("css selector", f"label[for='{i.get_attribute('id')}']").text.strip()
                for i in container.find_elements("css selector", "input[type=checkbox]") if i.is_selected()]

    def check(self, key: str, on: bool = True) -> None:
        box = self.field(key)
        if box.is_selected() != on:
            self.click(box)

    def tag(self, key: str, label: str) -> None:
        """Add ``label`` to a taglist (type, then pick it from the drop-down)."""
        container = self.container(key)
        search = container.find_element("css selector", "input")
        self.click(search)
        search.send_keys(label)
        options = f".//*[contains(@class,'fjs-dropdownlist-item') and contains(normalize-space(.), {_xpath_literal(label)})]"
        self.click(self.wait(lambda d: container.find_elements("xpath", options), what=f"option {label} of {key}")[0])

    def tags(self, key: str) -> list[str]:
        return [t.text.strip() for t in self.container(key).find_elements("css selector", ".fjs-taglist-tag")]

    def untag(self, key: str, label: str) -> None:
        """Remove the chosen ``label`` from a taglist."""
        tag = self.container(key).find_element("xpath", f".//*[contains(@class,'fjs-taglist-tag')][contains(normalize-space(.), {_xpath_literal(label)})]")
        self.click(tag.find_element("css selector", ".fjs-taglist-tag-remove"))

    def start_process(self, process_name: str) -> None:
        """"Proces starten", then the process by its name: its start form opens."""
        self.work_queue()
        self.click(self.visible(_leaf("Proces starten")))
        self.click(self.visible(f"//div[contains(@class,'modal-body')]//a[contains(normalize-space(.), {_xpath_literal(process_name)})]"))
        self.visible("//div[contains(@class,'modal-body')]//*[contains(@class,'fjs-form')]")
        time.sleep(1)

    def start(self) -> None:
        self.click(self.visible("//div[contains(@class,'modal-footer')]//button[normalize-space(.)='Starten']"))
        self.visible(_leaf("Het proces is gestart."))

    def add_row(self, list_label: str) -> None:
        """Press the dynamic list's add button (its text is Dutch: riec-form-messages.js)."""
        self.click(self.visible(f"//*[contains(@class,'fjs-form-field-dynamiclist')][.//*[contains(normalize-space(.), {_xpath_literal(list_label)})]]"
                                "//button[contains(@class,'fjs-repeat-render-add')]"))

    def returned_message(self, label_text: str = RETURNED) -> str:
        """The text under "Waarom uw invoer terugkomt" (the worker's Dutch reasons)."""
        label = self.visible(f"//label[normalize-space(.)={_xpath_literal(label_text)}]")
        box = label.find_element("xpath", "./ancestor::div[contains(@class,'fjs-form-field')][1]//textarea")
        return box.get_attribute("value")

    def no_returned_message(self) -> bool:
        return not [e for e in self.css(".fjs-form label") if e.text.strip() == RETURNED and e.is_displayed()]


# ---------------------------------------------------------------------- REST side of a walk


def open_task(engine: Engine, key: str, task_id: str, *, other_than: str | None = None, timeout: float = 60) -> dict:
    """The open user task ``task_id`` of ``key`` (``other_than``: not this instance; a returned task is a new one)."""
    return wait_until(lambda: next((t for t in engine.client().get("task", processInstanceBusinessKey=key, taskDefinitionKey=task_id)
                                    if t["id"] != other_than), None), timeout, what=f"user task {task_id} of {key}")


def returned_task(engine: Engine, key: str, task_id: str, previous: str, message_variable: str = "validationMessage") -> tuple[dict, str]:
    """After a rejected submission: the task back at the officer, with the worker's Dutch reasons."""
    task = open_task(engine, key, task_id, other_than=previous)
    message = engine.client().get(f"task/{task['id']}/variables/{message_variable}")["value"]
    assert message, f"{task_id} of {key} came back without {message_variable}"
    return task, message


def task_done(engine: Engine, task_instance: str, timeout: float = 30) -> None:
    wait_until(lambda: not engine.client().get("task", taskId=task_instance), timeout, what=f"task {task_instance} completed")


def variable(engine: Engine, key: str, name: str, process: str | None = None) -> Any:
    """A variable of ``key``'s running (or ended) instance, by history."""
    query: dict[str, Any] = {"processInstanceBusinessKey": key} if process is None else {"processInstanceBusinessKey": key, "processDefinitionKey": process}
    instances = engine.client().get("history/process-instance", **query)
    for instance in instances:
        found = engine.client().get("history/variable-instance", processInstanceId=instance["id"], variableName=name,
                                    deserializeValues="false")
        if found:
            return from_camunda(found[0])
    return None


def without_english(text: str) -> bool:
    return not re.search(r"\b(must|required|invalid|field|value|error)\b", text, re.IGNORECASE)


def discard(engine: Engine, key: str) -> None:
    """Delete what a walk left running under ``key``, so the next walk's work queue stays one page (15 tasks)."""
    client = engine.client()
    for instance in client.get("process-instance", businessKey=key):
        client.rest("DELETE", f"process-instance/{instance['id']}", expect=(200, 204, 404),
                    params={"skipCustomListeners": "true", "skipIoMappings": "true"})
