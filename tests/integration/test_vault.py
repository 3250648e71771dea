"""The data vault end to end (issue 10): real engine, real workers, the vault's web page as a real server.

A request ends in "provide"; the police unit uploads the package on the vault's
page; an authorised recipient acknowledges the confidentiality notice and opens
it; a recipient whose screening expired yesterday (R-5.1c), a partner not in the
case (R-4.1) and a user of another region (R-6.1) are refused; the provision
register shows every step and its chain verifies. No byte of the package ever
reaches a process variable, running or in history. Rules: R-1, R-4.1, R-4.2,
R-5.1b, R-5.1c, R-5.1d, R-6.1.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
import requests

from riec.compliance import authorisation, db
from riec.compliance.models import DataCategory, DesignatedPerson
from riec.compliance.provision_register import EntryKind, iter_entries, verify_chain
from tests.integration.case_steps import police_decides, police_outcome, to_request
from tests.integration.vault_steps import running_vault, wait_for_package_request

pytestmark = pytest.mark.integration

SECRET = "GEHEIM-POLITIEGEGEVEN-" + uuid.uuid4().hex  # what must never reach the engine


@pytest.fixture(scope="module")
def vault_url(engine, tmp_path_factory):
    """The vault's web page, started as `riec vault serve` is started by `riec up`."""
    with running_vault(engine, tmp_path_factory.mktemp("vault")) as url:
        yield url


@pytest.fixture(scope="module")
def registers(engine):
    return db.open_database(engine.settings.effective_database_url)


def person_with_login(engine, registers, user_id: str, partner_id: str, valid_until: dt.date) -> str:
    """A Camunda user of riec-noord in the partners' group, and the designated person of the same id."""
    admin = engine.client()
    admin.post("user/create", {"profile": {"id": user_id, "firstName": "Test", "lastName": "Ontvanger", "email": f"{user_id}@riec.example"},
                               "credentials": {"password": engine.settings.demo_password}})
    admin.rest("PUT", f"group/riec-partner/members/{user_id}")
    admin.rest("PUT", f"tenant/riec-noord/user-members/{user_id}")
    authorisation.upsert_person(registers, DesignatedPerson(
        id=user_id, partner_id=partner_id, name="Test (demo)", scopes=frozenset({DataCategory.ART_9, DataCategory.ART_10_1A}),
        screening_date=valid_until - dt.timedelta(days=365 * 5), screening_valid_until=valid_until), actor="test")
    return user_id


def login(url: str, user: str, password: str) -> requests.Session:
    web = requests.Session()
    web.headers["Accept"] = "application/json"
    answer = web.post(f"{url}/inloggen", data={"username": user, "password": password}, timeout=30)
    assert answer.status_code == 200, answer.text
    return web


def every_variable_text(engine) -> str:
    """Every variable of every instance, running and finished: runtime, history and history details, serialized."""
    admin = engine.client()
    parts = [admin.get("variable-instance", deserializeValues="false", maxResults=100000),
             admin.get("history/variable-instance", deserializeValues="false", maxResults=100000),
             admin.get("history/detail", deserializeValues="false", maxResults=100000)]
    return json.dumps(parts, ensure_ascii=False)


def test_r_5_1c_r_4_1_r_5_1d_package_uploaded_acknowledged_opened_and_refused_with_register(engine, workers, vault_url, registers, business_key):
    today = dt.date.today()
    expired = person_with_login(engine, registers, f"verlopen-{uuid.uuid4().hex[:6]}", "gem-groningen", today - dt.timedelta(days=1))
    outsider = person_with_login(engine, registers, f"buiten-{uuid.uuid4().hex[:6]}", "gem-leeuwarden", today + dt.timedelta(days=365))
    password = engine.settings.demo_password

    # A request for art. 9 data, to the demo login `partner` (gem-groningen) and the one whose screening expired.
    to_request(engine, business_key, ["art9"], recipientIds=["partner", expired])
    police_decides(engine, business_key, case_prosecutor="given")
    wait_for_package_request(engine, business_key)

    police = login(vault_url, "politie", password)
    page = police.get(f"{vault_url}/", headers={"Accept": "text/html"}).text
    assert business_key in page and "Verstrekkingspakket uploaden" in page

    # Bad input changes nothing, with a Dutch answer.
    def upload(name: str, content: bytes, key: str = business_key):
        return police.post(f"{vault_url}/upload", data={"case_key": key}, files={"file": (name, content)})

    empty = upload("leeg.txt", b"")
    assert empty.status_code == 400 and "leeg" in empty.json()["message"]
    wrong = upload("pakket.exe", b"MZ\x90\x00")
    assert wrong.status_code == 415 and "bestandstype" in wrong.json()["message"]
    fake_pdf = upload("pakket.pdf", b"geen pdf")
    assert fake_pdf.status_code == 415 and "geen PDF" in fake_pdf.json()["message"]
    big = upload("groot.txt", b"x" * 5000)
    assert big.status_code == 413 and "te groot" in big.json()["message"]
    unknown = upload("pakket.txt", b"inhoud", key="SIG-BESTAAT-NIET")
    assert unknown.status_code == 404 and "geen verzoek" in unknown.json()["message"]
    assert not any(e.entry.kind is EntryKind.PACKAGE_UPLOADED for e in iter_entries(registers, case_id=business_key))

    # A recipient cannot upload.
    partner = login(vault_url, "partner", password)
    not_police = partner.post(f"{vault_url}/upload", data={"case_key": business_key}, files={"file": ("p.txt", b"x")})
    assert not_police.status_code == 403

    ok = upload("pakket.txt", SECRET.encode())
    assert ok.status_code == 201, ok.text
    again = upload("pakket.txt", b"tweede")
    assert again.status_code == 409 and "al een verstrekkingspakket" in again.json()["message"]

    ended = police_outcome(engine, business_key)
    assert [e for e in ended["endActivityIds"] if not e.startswith("EndEvent_Notified")] == ["EndEvent_Provide"]
    assert ended["variables"]["providedRecipientIds"] == ["partner"]
    assert ended["variables"]["refusedRecipientIds"] == [expired]
    package = ok.json()["package"]
    assert ended["variables"]["packageRef"] == package

    # R-5.1d: not before the acknowledgement.
    before = partner.get(f"{vault_url}/pakket/{package}")
    assert before.status_code == 403 and "geheimhoudingsplicht" in before.json()["message"]
    assert partner.post(f"{vault_url}/pakket/{package}/bevestigen").status_code == 200
    opened = partner.get(f"{vault_url}/pakket/{package}")
    assert opened.status_code == 200 and opened.content == SECRET.encode()

    # R-5.1c: the screening expired yesterday.
    late = login(vault_url, expired, password)
    refused = late.post(f"{vault_url}/pakket/{package}/bevestigen")
    assert refused.status_code == 403 and "verlopen" in refused.json()["message"], refused.text
    assert late.get(f"{vault_url}/pakket/{package}").status_code == 403
    # a designated person of a partner that is not in this case.
    other = login(vault_url, outsider, password)
    not_in_case = other.post(f"{vault_url}/pakket/{package}/bevestigen")
    assert not_in_case.status_code == 403 and "niet betrokken" in not_in_case.json()["message"], not_in_case.text
    # another region's user sees nothing, not even that the package exists.
    limburg = login(vault_url, "partner-limburg", password)
    assert limburg.get(f"{vault_url}/pakket/{package}").status_code == 404
    assert business_key not in limburg.get(f"{vault_url}/", headers={"Accept": "text/html"}).text

    kinds = [(e.entry.kind, e.entry.recipient_id, e.entry.outcome) for e in iter_entries(registers, case_id=business_key)]
    assert (EntryKind.PACKAGE_UPLOADED, None, "allowed") in kinds
    assert (EntryKind.PROVISION, "partner", "allowed") in kinds
    assert (EntryKind.REFUSAL, expired, "refused") in kinds
    assert (EntryKind.CONFIDENTIALITY_ACKNOWLEDGED, "partner", "allowed") in kinds
    assert (EntryKind.PACKAGE_OPENED, "partner", "allowed") in kinds
    refusals = {r for k, r, _ in kinds if k is EntryKind.PACKAGE_REFUSED}
    assert {"partner", expired, outsider, "partner-limburg"} <= refusals
    provision = next(e.entry for e in iter_entries(registers, case_id=business_key) if e.entry.kind is EntryKind.PROVISION)
    assert provision.person_refs == ("P-1", "P-2") and provision.data_categories == (DataCategory.ART_9,)
    assert provision.legal_basis_id and provision.assessment_id and provision.consent_refs
    assert verify_chain(registers).ok

    # No byte of the package in any process variable, running or finished, history and details included.
    assert SECRET not in every_variable_text(engine)
    assert SECRET[:24] not in every_variable_text(engine)


def test_r_4_1_refuse_no_package_for_a_refused_request(engine, workers, vault_url, business_key):
    to_request(engine, business_key, ["art9"])
    police_decides(engine, business_key, judgement={"relevantDataExist": "no", "opposingInterest": "none"})
    police_outcome(engine, business_key)
    police = login(vault_url, "politie", engine.settings.demo_password)
    answer = police.post(f"{vault_url}/upload", data={"case_key": business_key}, files={"file": ("pakket.txt", b"inhoud")})
    assert answer.status_code == 409 and "geweigerd" in answer.json()["message"], answer.text
