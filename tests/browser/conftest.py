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
