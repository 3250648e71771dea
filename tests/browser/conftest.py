"""Fixtures of the browser tier: headless Debian Chromium on the real engine and workers.

The engine and workers are the integration tier's (tests/integration/conftest.py); the
browser is Debian's chromium driven by Debian's chromedriver, so nothing is downloaded.
Screenshots go to test-artifacts/screenshots/ (kept by CI, ignored by git).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.integration.conftest import business_key, engine, workers  # noqa: F401  (fixtures reused)
from tests.integration.engine import ROOT

CHROMIUM = Path(os.environ.get("RIEC_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("RIEC_CHROMEDRIVER", "/usr/bin/chromedriver"))
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


class Browser:
    """One headless Chromium with its own profile, Dutch, in Europe/Amsterdam."""

    def __init__(self, base_url: str):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.base_url = base_url
        self.profile = tempfile.mkdtemp(prefix="riec-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in (
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--window-size=1400,1000", "--lang=nl-NL",
            f"--user-data-dir={self.profile}",
        ):
            options.add_argument(flag)
        options.add_experimental_option("prefs", {"intl.accept_languages": "nl-NL,nl"})
        env = {**os.environ, "TZ": "Europe/Amsterdam", "LANGUAGE": "nl_NL:nl", "LANG": "nl_NL.UTF-8"}
        self.driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER), env=env), options=options)
        self.driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Europe/Amsterdam"})
        self.driver.execute_cdp_cmd("Emulation.setLocaleOverride", {"locale": "nl-NL"})

    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path)

    def sign_in(self, app_path: str, user: str, password: str, timeout: float = 30) -> None:
        """Sign ``user`` in on a Camunda webapp's login form (Tasklist, Cockpit, Admin).

        On a busy machine the form's inputs can exist before AngularJS has bound them;
        ngModel then renders its empty model over what was typed and the form is posted
        empty (the engine counts no failed login, the form just stays). So it waits for the
        binding (ngModel's ``ng-untouched``/``ng-touched`` class), checks the typed values
        and, if the form is still there after the post with its fields emptied, fills it in
        once more. A refusal that remains is reported with the page's own message.
        """
        from selenium.common.exceptions import TimeoutException
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        def wait(condition, what: str, seconds: float = timeout):
            return WebDriverWait(self.driver, seconds, poll_frequency=0.3).until(condition, message=what)

        def bound(selector: str):
            def find(d):
                found = d.find_elements(By.CSS_SELECTOR, selector)
                return found[0] if found and "ng-" in (found[0].get_attribute("class") or "") else False
            return find

        def fill_and_post() -> None:
            for selector, value in (("input[ng-model=username]", user), ("input[ng-model=password]", password)):
                field = wait(bound(selector), f"login form ({selector})", 60)
                field.clear()
                field.send_keys(value)
                if field.get_attribute("value") != value:
                    field.clear()
                    field.send_keys(value)
            self.driver.find_element(By.CSS_SELECTOR, "form[name=signinForm] button[type=submit]").click()

        def signed_in(d) -> bool:
            return not d.find_elements(By.CSS_SELECTOR, "form[name=signinForm]")

        self.open(app_path)
        fill_and_post()
        try:
            wait(signed_in, f"{user} logged in")
            return
        except TimeoutException:
            emptied = [f.get_attribute("value") for f in self.driver.find_elements(By.CSS_SELECTOR, "input[ng-model=username]")]
            if emptied != [""]:
                self.screenshot(f"login-failed-{user}")
                notices = " | ".join(e.text for e in self.driver.find_elements(By.CSS_SELECTOR, ".notifications .alert, .alert"))
                raise TimeoutException(f"{user} not logged in; the page says: {notices or '(nothing)'}") from None
        fill_and_post()
        try:
            wait(signed_in, f"{user} logged in (second try)")
        except TimeoutException:
            self.screenshot(f"login-failed-{user}")
            notices = " | ".join(e.text for e in self.driver.find_elements(By.CSS_SELECTOR, ".notifications .alert, .alert"))
            raise TimeoutException(f"{user} not logged in after two tries; the page says: {notices or '(nothing)'}") from None

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        print(f"screenshot: {path}")
        return path

    def quit(self) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture
def browser(engine):  # noqa: F811
    """A factory of fresh browsers (one per user, so sessions never mix); all closed afterwards."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip(f"{CHROMIUM} and {CHROMEDRIVER} are needed (scripts/setup.sh installs chromium and chromium-driver)")
    pytest.importorskip("selenium", reason="selenium is in the test extra: pip install -e '.[test]'")
    opened: list[Browser] = []

    def make() -> Browser:
        b = Browser(f"http://127.0.0.1:{engine.port}")
        opened.append(b)
        return b

    yield make
    for b in opened:
        b.quit()


@pytest.fixture(scope="module")
def tasklist(engine):  # noqa: F811
    """One browser for a whole module's Tasklist walk; officers take turns in it (tests/browser/tasklist.py)."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip(f"{CHROMIUM} and {CHROMEDRIVER} are needed (scripts/setup.sh installs chromium and chromium-driver)")
    pytest.importorskip("selenium", reason="selenium is in the test extra: pip install -e '.[test]'")
    from tests.browser.tasklist import Tasklist

    b = Browser(f"http://127.0.0.1:{engine.port}")
    try:
        yield Tasklist(b, engine)
    finally:
        b.quit()
