"""The region boundary outside the engine (R-6.1, issue 12): the vault, the letters, the register's views, the stats.

Region A is riec-noord: one case with a provided package in the vault, a refusal letter
and provision-register entries about a person, written into the registers' database
of a real engine's installation. Region B's users are the `-limburg` demo users, one per
role, signed in against the real engine's identity service: through the vault's page
(Flask test client, the page's own code) and through the command line (`riec ... --user`),
they list nothing of region A, and every direct access by id is refused with the same
answer as for an id that does not exist. The same probes try the boundary rows of the role
matrix (tests/integration/test_role_matrix.py) for the same and the other region.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from riec.app import App
from riec.cli import main
from riec.compliance import db
from riec.compliance.provision_register import EntryKind, RegisterEntry, append_in
from riec.identity import ROLES
from riec.letters import refusal
from riec.requester import PASSWORD_VARIABLE
from riec.runtime.variables import to_camunda_map
from riec.vault.engine import EngineIdentity, EnginePoliceRequests
from riec.vault.service import Vault, VaultUser
from riec.vault.web import create_app
from tests.integration.engine import Engine

pytestmark = pytest.mark.integration

NOORD, LIMBURG, LIMBURG_SUFFIX = "riec-noord", "riec-limburg", "-limburg"
DUE = {"dueRiecAnalyst": "P5D", "duePoliceUnit": "P10D", "duePoliceDataOfficer": "P5D", "dueCaseProsecutor": "P5D",
       "dueCieProsecutor": "P5D"}


class Inconsistent(AssertionError):
    """The answers of one probe's ways in disagree (e.g. the page shows what the command line hides)."""


def agree(results: dict[str, bool]) -> bool:
    if len(set(results.values())) != 1:
        raise Inconsistent(f"inconsistent answers (True = allowed): {results}")
    return next(iter(results.values()))


class _OneWaiting:
    """The engine's side of an upload for the fixture's package, without a police process."""

    def __init__(self, key: str):
        self.key = key

    def awaiting(self, region: str) -> list[tuple[str, str]]:
        return [(self.key, f"pi-{self.key}")] if region == NOORD else []

    def deliver(self, process_instance_id: str, case_key: str, region: str, package_ref: str) -> None:
        pass


@dataclass
class RegionData:
    """Region A's data outside the engine, and the probes a user tries on them."""

    engine: Engine
    work_dir: Path
    case_key: str = ""
    package: str = ""
    letter: str = ""
    person: str = ""
    database: object = field(default=None, repr=False)
    apps: dict[str, App] = field(default_factory=dict, repr=False)

    @classmethod
    def make(cls, engine: Engine, work_dir: Path) -> RegionData:
        data = cls(engine, work_dir)
        data.database = database = db.open_database(engine.settings.effective_database_url)
        db.migrate(database)
        key = data.case_key = f"SIG-GRENS-{uuid.uuid4().hex[:8].upper()}"
        data.person = f"P-GRENS-{uuid.uuid4().hex[:8]}"
        vault = Vault(database, _OneWaiting(key))
        police = VaultUser("politie", frozenset({"police-unit"}), frozenset({NOORD}))
        data.package = vault.upload(police, key, "pakket.txt", b"Verstrekkingspakket (testgegevens regio Noord)\n")
        now = dt.datetime.now(dt.timezone.utc)
        with db.write_transaction(database) as conn:
            vault.link(conn, data.package, partner_ids=["gem-groningen"], recipient_ids=["partner"], data_categories=["art9"],
                       person_refs=[data.person], legal_basis_id="wgs-2025", at=now)
            append_in(conn, RegisterEntry(
                kind=EntryKind.PROVISION, occurred_at=now, actor="riec-worker", case_id=key, region=NOORD, recipient_id="partner",
                recipient_partner_id="gem-groningen", person_refs=(data.person,), legal_basis_id="wgs-2025", outcome="allowed",
                rule_ids=("R-4.1", "R-6.1"), reason_codes=("test:region_boundary",), references={"package": data.package}))
        data.letter = refusal.create(
            database, case_key=key, decision_ref=f"DEC-{key}", region=NOORD, partners=["gem-groningen"],
            reason_nl="Een zwaarwegend opsporingsbelang verzet zich tegen verstrekking.", rule_ids=["R-4.1-refuse"],
            reason_codes=[], explanation_impossible=False, link="http://localhost/tasklist", actor="police-unit").ref
        return data

    # -- ways in -----------------------------------------------------------------------

    def cli(self, user: str | None, password: str, *argv: str) -> tuple[int, str, str]:
        """``riec ARGV [--user USER]`` with the password in RIEC_USER_PASSWORD: (exit code, stdout, stderr)."""
        app = self.apps.get(password)
        if app is None:  # one App per password: its database is migrated once, its engine client kept
            app = self.apps[password] = App(self.engine.settings, camunda=self.engine.client(), environ={PASSWORD_VARIABLE: password})
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([*argv, *(["--user", user] if user else [])], app=app)
        return code, out.getvalue(), err.getvalue()

    def page(self, user: str, password: str):  # noqa: ANN201 - a signed-in Flask test client
        admin = self.engine.client()
        web = create_app(Vault(self.database, EnginePoliceRequests(admin)), EngineIdentity(admin))  # type: ignore[arg-type]
        client = web.test_client()
        answer = client.post("/inloggen", data={"username": user, "password": password}, headers={"Accept": "application/json"})
        assert answer.status_code == 200, answer.get_json()
        return client

    def out(self) -> Path:
        return self.work_dir / f"uit-{uuid.uuid4().hex[:8]}"

    # -- probes: True = the user sees / may do it ---------------------------------------

    def vault_list(self, user: str, password: str) -> bool:
        code, out, err = self.cli(user, password, "vault", "list", "--json")
        assert code == 0, err
        html = self.page(user, password).get("/").get_data(as_text=True)
        return agree({"command line": any(p["id"] == self.package for p in json.loads(out)),
                      "page": self.case_key in html or self.package in html})

    def vault_open(self, user: str, password: str) -> bool:
        """Acknowledge and open through the command line and through the page."""
        ack = self.cli(user, password, "vault", "acknowledge", self.package)
        target = self.out()
        opened = self.cli(user, password, "vault", "open", self.package, "--output", str(target))
        page = self.page(user, password)
        page_ack = page.post(f"/pakket/{self.package}/bevestigen", headers={"Accept": "application/json"})
        page_open = page.get(f"/pakket/{self.package}", headers={"Accept": "application/json"})
        for code, _, err in (ack, opened):
            assert code in (0, 2), err
        return agree({"cli acknowledge": ack[0] == 0, "cli open": opened[0] == 0 and target.exists(),
                      "page acknowledge": page_ack.status_code == 200, "page open": page_open.status_code == 200})

    def vault_upload(self, user: str, password: str) -> bool:
        """Upload a package for a fresh request of region A waiting at Event_PackageUploaded."""
        key = f"SIG-GRENS-UP-{uuid.uuid4().hex[:8].upper()}"
        self.engine.client().post("process-definition/key/police-request/start", {
            "businessKey": key, "variables": to_camunda_map({**DUE, "region": NOORD, "caseKey": key}),
            "startInstructions": [{"type": "startBeforeActivity", "activityId": "Event_PackageUploaded"}]})
        page = self.page(user, password)
        listed = key in page.get("/").get_data(as_text=True)
        answer = page.post("/upload", data={"case_key": key, "file": (io.BytesIO(b"testpakket\n"), "pakket.txt")},
                           headers={"Accept": "application/json"}, content_type="multipart/form-data")
        assert answer.status_code in (201, 403, 404), answer.get_json()
        return agree({"listed as waiting": listed, "uploaded": answer.status_code == 201})

    def letters(self, user: str | None, password: str) -> bool:
        code, out, err = self.cli(user, password, "letter", "list")
        listed = code == 0 and self.letter in out
        show = self.cli(user, password, "letter", "show", self.letter)
        target = self.out()
        pdf = self.cli(user, password, "letter", "pdf", self.letter, str(target))
        return agree({"list": listed, "list by case": self.letter in self.cli(user, password, "letter", "list", self.case_key)[1],
                      "show": show[0] == 0 and self.case_key in show[1], "pdf": pdf[0] == 0 and target.exists()})

    def register(self, user: str | None, password: str) -> bool:
        code, out, _ = self.cli(user, password, "provision-register", "list", "--case", self.case_key, "--json")
        listed = code == 0 and any(e["case_id"] == self.case_key for e in json.loads(out))
        code, out, _ = self.cli(user, password, "provision-register", "list", "--json")
        all_listed = code == 0 and any(e["case_id"] == self.case_key for e in json.loads(out))
        code, out, _ = self.cli(user, password, "provision-register", "export-person", self.person)
        exported = code == 0 and json.loads(out)["count"] > 0
        return agree({"list by case": listed, "list": all_listed, "export-person": exported})

    def stats(self, user: str | None, password: str) -> bool:
        code, out, _ = self.cli(user, password, "stats", "--region", NOORD, "--json")
        region = code == 0 and (json.loads(out).get("region") or {}).get("scope") == NOORD
        if user:  # without --region: the user's own region only, never region A for another region's user
            code, out, _ = self.cli(user, password, "stats", "--json")
            own = code == 0 and (json.loads(out).get("region") or {}).get("scope") == NOORD
            if not region and own:
                raise Inconsistent(f"{user} sees {NOORD}'s figures without asking for them")
        return region


#: The boundary rows of the role matrix (docs/security.md) and their probes.
PROBES = {
    "vault list": RegionData.vault_list,
    "vault open": RegionData.vault_open,
    "vault upload": RegionData.vault_upload,
    "letters": RegionData.letters,
    "register": RegionData.register,
    "stats": RegionData.stats,
}


# -- the tests ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def region_a(engine, tmp_path_factory) -> RegionData:
    return RegionData.make(engine, tmp_path_factory.mktemp("region-boundary"))


@pytest.mark.parametrize("role", ROLES, ids=[r.group for r in ROLES])
def test_r_6_1_a_user_of_another_region_sees_nothing_of_region_a(engine, region_a, role):
    user, password = role.user + LIMBURG_SUFFIX, engine.settings.demo_password
    for action, probe in PROBES.items():
        assert probe(region_a, user, password) is False, f"{user} ({LIMBURG}) {action} of {NOORD}"


@pytest.mark.parametrize("role", ROLES, ids=[r.group for r in ROLES])
def test_r_6_1_direct_access_by_id_is_refused_as_if_the_id_did_not_exist(engine, region_a, role):
    """Another region's package or letter by its id: the same answer as an unknown id, nothing learnt."""
    user, password = role.user + LIMBURG_SUFFIX, engine.settings.demo_password
    unknown_package, unknown_letter = str(uuid.uuid4()), "BRF-0000000000"
    for argv, unknown in [
        (("vault", "open", region_a.package, "--output", str(region_a.out())), ("vault", "open", unknown_package, "--output", str(region_a.out()))),
        (("vault", "acknowledge", region_a.package), ("vault", "acknowledge", unknown_package)),
        (("letter", "show", region_a.letter), ("letter", "show", unknown_letter)),
        (("letter", "pdf", region_a.letter, str(region_a.out())), ("letter", "pdf", unknown_letter, str(region_a.out()))),
    ]:
        code, out, err = region_a.cli(user, password, *argv)
        assert code == 2 and region_a.case_key not in out + err, (argv, out, err)
        other = region_a.cli(user, password, *unknown)
        same = err.replace(region_a.package, "ID").replace(region_a.letter, "ID")
        assert other[0] == 2 and same == other[2].replace(unknown_package, "ID").replace(unknown_letter, "ID"), (argv, err, other)
    page = region_a.page(user, password)
    json_accept = {"Accept": "application/json"}
    for answer in (page.get(f"/pakket/{region_a.package}", headers=json_accept),
                   page.post(f"/pakket/{region_a.package}/bevestigen", headers=json_accept)):
        assert answer.status_code == 404 and "bestaat niet" in answer.get_json()["message"]
    upload = page.post("/upload", data={"case_key": region_a.case_key, "file": (io.BytesIO(b"x\n"), "p.txt")},
                       headers=json_accept, content_type="multipart/form-data")
    assert upload.status_code in (403, 404) and "geweigerd" not in upload.get_json()["message"]


def test_r_6_1_the_same_region_sees_its_own(engine, region_a):
    """The control: region A's own users do see what region B's do not, each as far as their role goes."""
    password = engine.settings.demo_password
    assert region_a.vault_list("analist", password)
    assert region_a.vault_open("partner", password)
    assert region_a.letters("analist", password)
    assert region_a.register("privacy", password)
    assert region_a.stats("manager", password)
    assert not region_a.letters("partner", password) and not region_a.register("analist", password)
    code, _, err = region_a.cli("partner", password, "letter", "list")
    assert code == 2 and "Uw rol geeft geen toegang" in err


def test_r_6_1_without_user_the_command_line_is_the_operators_every_region(engine, region_a):
    assert region_a.letters(None, "")
    assert region_a.register(None, "")
    assert region_a.stats(None, "")
    code, out, _ = region_a.cli(None, "", "vault", "list", "--json")
    assert code == 0 and any(p["id"] == region_a.package for p in json.loads(out))


def test_a_wrong_password_is_refused_in_dutch(engine, region_a):
    code, out, err = region_a.cli("niemand-bekend", "Verkeerd-wachtwoord-1", "letter", "list")
    assert code == 2 and "Gebruikersnaam of wachtwoord onjuist" in err and region_a.letter not in out
