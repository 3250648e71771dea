"""The vault's page as officers meet it, in headless Chromium (issue 10): upload, acknowledge, open, refusals.

The police unit signs in with its Tasklist login, is refused an empty file in
Dutch and uploads the package; the recipient is refused before acknowledging the
confidentiality notice (R-5.1d), acknowledges and opens; a user of another region
sees no package (R-6.1). Screenshots land in test-artifacts/screenshots/vault-*.png.
"""
from __future__ import annotations

import pytest

from riec.compliance import db
from riec.compliance.provision_register import EntryKind, iter_entries
from tests.integration.case_steps import ended, police_decides, to_request
from tests.integration.vault_steps import running_vault, wait_for_package_request

pytestmark = [pytest.mark.integration, pytest.mark.browser]


@pytest.fixture(scope="module")
def vault_url(engine, tmp_path_factory):  # noqa: F811
    with running_vault(engine, tmp_path_factory.mktemp("vault")) as url:
        yield url


def sign_in(browser, vault_url: str, user: str, password: str):
    from selenium.webdriver.common.by import By

    b = browser()
    b.base_url = vault_url
    b.open("/")
    b.driver.find_element(By.ID, "username").send_keys(user)
    b.driver.find_element(By.ID, "password").send_keys(password)
    b.driver.find_element(By.ID, "inloggen-knop").click()
    # The signed-in page replaces the login page: read who is signed in once it is there (a read while the
    # page is being replaced is a driver error, not an answer).
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    def signed_in(d):
        try:
            return d.execute_script("var e = document.getElementById('gebruiker'); return e ? e.innerText : null;")
        except WebDriverException:
            return None
    assert WebDriverWait(b.driver, 30).until(signed_in).strip() == user
    return b


def message(b, expected: str, timeout: float = 30) -> str:
    """The page's messages once they say ``expected`` (or, after ``timeout``, whatever they say).

    A button posts a form and the next page replaces this one: read too early, the messages are the
    old page's, or gone between finding and reading them. CI met that twice, as a stale element and as
    Chrome's "Node with given id does not belong to the document". So the page reads its messages
    itself, in one script (no element handle outlives the call), and a read that meets the page being
    replaced, in whatever words the driver says it, is simply tried again until the answer is there.
    """
    import time

    from selenium.common.exceptions import WebDriverException

    deadline = time.monotonic() + timeout
    text = ""
    while True:
        try:
            text = b.driver.execute_script(
                "return Array.from(document.querySelectorAll('.msg')).map(e => e.innerText).join(' ');") or ""
        except WebDriverException:
            text = ""  # the page was being replaced: look again
        if expected in text or time.monotonic() > deadline:
            return text
        time.sleep(0.2)


def test_r_5_1d_r_6_1_vault_page_upload_acknowledge_open_and_refusals(engine, workers, browser, vault_url, business_key, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    password = engine.settings.demo_password
    to_request(engine, business_key, ["art9"], recipientIds=["partner"])
    police_decides(engine, business_key, case_prosecutor="given")
    wait_for_package_request(engine, business_key)

    police = sign_in(browser, vault_url, "politie", password)
    police.screenshot("vault-politie-aanmelden")
    empty = tmp_path / "leeg.txt"
    empty.write_bytes(b"")
    Select(police.driver.find_element(By.ID, "case_key")).select_by_value(business_key)
    police.driver.find_element(By.ID, "bestand").send_keys(str(empty))
    police.driver.find_element(By.ID, "uploaden-knop").click()
    assert "Het bestand is leeg" in message(police, "Het bestand is leeg")
    police.screenshot("vault-politie-leeg-bestand-geweigerd")
    package_file = tmp_path / "pakket.txt"
    package_file.write_text("Verstrekkingspakket (testgegevens)\n", encoding="utf-8")
    Select(police.driver.find_element(By.ID, "case_key")).select_by_value(business_key)
    police.driver.find_element(By.ID, "bestand").send_keys(str(package_file))
    police.driver.find_element(By.ID, "uploaden-knop").click()
    assert "versleuteld opgeslagen" in message(police, "versleuteld opgeslagen")
    police.screenshot("vault-politie-pakket-geupload")
    ended(engine, business_key, "police-request", timeout=180)  # the provision step's worker, on a loaded CI machine

    partner = sign_in(browser, vault_url, "partner", password)
    assert business_key in partner.driver.find_element(By.ID, "pakketten").text
    assert "geheimhoudingsplicht van artikel 7, tweede lid" in partner.driver.page_source
    partner.screenshot("vault-ontvanger-pakketten")
    partner.driver.find_element(By.CSS_SELECTOR, "a.openen").click()
    refusal = message(partner, "U kunt dit pakket niet openen")
    assert "U kunt dit pakket niet openen" in refusal and "geheimhoudingsplicht" in refusal
    partner.screenshot("vault-ontvanger-eerst-bevestigen")
    partner.driver.find_element(By.CSS_SELECTOR, "button.bevestigen").click()
    assert "U hebt de geheimhoudingsplicht bevestigd" in message(partner, "U hebt de geheimhoudingsplicht bevestigd")
    partner.screenshot("vault-ontvanger-bevestigd")
    partner.driver.find_element(By.CSS_SELECTOR, "a.openen").click()  # a download: the page stays
    registers = db.open_database(engine.settings.effective_database_url)
    from tests.integration.engine import wait_until

    wait_until(lambda: any(e.entry.kind is EntryKind.PACKAGE_OPENED and e.entry.recipient_id == "partner"
                           for e in iter_entries(registers, case_id=business_key)), 20, what="the opening in the register")

    limburg = sign_in(browser, vault_url, "partner-limburg", password)
    # Another region's partner sees nothing of this case. What it may see is only what was passed on to it
    # with consent (R-6.2; the session's onward-provision walk grants one to Maastricht), marked as such.
    assert business_key not in limburg.driver.page_source
    rows = limburg.driver.find_elements(By.CSS_SELECTOR, "#pakketten tr[id^='pakket-']")
    if rows:
        assert all("doorverstrekt aan uw organisatie" in row.text for row in rows), [row.text for row in rows]
    else:
        assert limburg.driver.find_element(By.ID, "geen-pakketten").text == "Er zijn geen pakketten voor u."
    limburg.screenshot("vault-andere-regio-ziet-niets")
