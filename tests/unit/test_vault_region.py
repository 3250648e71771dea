"""The region boundary of the vault, the letters, the register's views and the stats, without an engine (R-6.1, R-6.2).

The engine's identity is a fake (users with their groups and regions); the registers are a
real migrated SQLite database. ``riec ... --user NAME`` signs in with RIEC_USER_PASSWORD and
shows only that user's region; without ``--user`` the command is the operator's. The one
exception to the region: a package made available to a partner of another region by an
onward grant (riec.vault.onward, R-6.2).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json

import pytest

from riec.app import App
from riec.cli import main
from riec.compliance import db
from riec.compliance.provision_register import EntryKind, RegisterEntry, append, iter_entries
from riec.letters import refusal
from riec.requester import PASSWORD_VARIABLE
from riec.settings import Settings
from riec.vault.service import Vault, VaultRefusal, VaultUser
from tests.unit.test_vault import POLICE, TODAY, FakeRequests, database, provided  # noqa: F401  (fixture reused)

PASSWORD = "Geheim-wachtwoord-1"
NOORD, LIMBURG = "riec-noord", "riec-limburg"


def user(name: str, group: str, region: str | None) -> VaultUser:
    return VaultUser(name, frozenset({group}), frozenset({region}) if region else frozenset())


USERS = {u.id: u for u in [
    user("analist", "riec-analyst", NOORD), user("analist-limburg", "riec-analyst", LIMBURG),
    user("privacy", "privacy-officer", NOORD), user("privacy-limburg", "privacy-officer", LIMBURG),
    user("partner", "riec-partner", NOORD), user("partner-limburg", "riec-partner", LIMBURG),
    user("manager", "manager", NOORD), user("manager-limburg", "manager", LIMBURG),
    user("beheerder", "camunda-admin", None), user("riec-worker", "riec-workers", None),
]}


class FakeIdentity:
    def __init__(self, _camunda: object = None):
        pass

    def verify(self, user_id: str, password: str) -> VaultUser | None:
        return USERS.get(user_id) if password == PASSWORD else None

    def user(self, user_id: str) -> VaultUser:
        return USERS[user_id]


@pytest.fixture
def vault(database):  # noqa: F811
    return Vault(database, FakeRequests(), max_bytes=1000, today=lambda: TODAY)


@pytest.fixture
def cli(monkeypatch, tmp_path, database, vault, capsys):  # noqa: F811
    monkeypatch.setattr("riec.vault.engine.EngineIdentity", FakeIdentity)

    def run(*argv: str, as_user: str | None = None, password: str = PASSWORD) -> tuple[int, str, str]:
        app = App(Settings(data_dir=tmp_path), database=database, vault=vault, camunda=None, environ={PASSWORD_VARIABLE: password})
        code = main([*argv, *(["--user", as_user] if as_user else [])], app=app)
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return run


def letter(database, key: str, region: str) -> str:  # noqa: F811
    return refusal.create(database, case_key=key, decision_ref=f"DEC-{key}", region=region, partners=["p"],
                          reason_nl="Zwaarwegend opsporingsbelang.", rule_ids=["R-4.1-refuse"], reason_codes=[],
                          explanation_impossible=False, link="http://localhost", actor="police-unit").ref


def entry(database, key: str, region: str, kind: EntryKind = EntryKind.PROVISION, **references: str) -> None:  # noqa: F811
    append(database, RegisterEntry(kind=kind, occurred_at=dt.datetime.now(dt.timezone.utc), actor="riec-worker", case_id=key,
                                   region=region, person_refs=("P-1",), outcome="allowed", rule_ids=("R-6.1",), references=references))


def test_r_6_1_letters_only_of_the_users_region_and_another_regions_letter_is_unknown(cli, database):  # noqa: F811
    noord, limburg = letter(database, "SIG-N", NOORD), letter(database, "SIG-L", LIMBURG)
    code, out, _ = cli("letter", "list", as_user="analist-limburg")
    assert code == 0 and limburg in out and noord not in out
    assert cli("letter", "list", "SIG-N", as_user="analist-limburg")[1].strip() == ""
    refused, unknown = cli("letter", "show", noord, as_user="analist-limburg"), cli("letter", "show", "BRF-ONBEKEND", as_user="analist-limburg")
    assert refused[0] == unknown[0] == 2 and refused[2].replace(noord, "X") == unknown[2].replace("BRF-ONBEKEND", "X")
    assert "SIG-N" not in refused[1] + refused[2]
    assert cli("letter", "show", noord, as_user="analist")[0] == 0
    code, out, _ = cli("letter", "list")  # the operator: every region, as before
    assert code == 0 and noord in out and limburg in out
    code, _, err = cli("letter", "list", as_user="partner")
    assert code == 2 and "Uw rol geeft geen toegang tot weigeringsbrieven" in err
    code, _, err = cli("letter", "list", as_user="analist", password="fout")
    assert code == 2 and "onjuist" in err


def test_r_6_1_register_views_of_the_users_region_and_r_6_2_onward_entries_in_both(cli, database):  # noqa: F811
    entry(database, "SIG-N", NOORD)
    entry(database, "SIG-L", LIMBURG)
    entry(database, "SIG-N", NOORD, EntryKind.ONWARD_PROVISION, receiving_region=LIMBURG)

    def cases(as_user: str | None) -> list[tuple[str, str]]:
        code, out, err = cli("provision-register", "list", "--json", as_user=as_user)
        assert code == 0, err
        return [(e["case_id"], e["kind"]) for e in json.loads(out) if e["case_id"] in ("SIG-N", "SIG-L")]

    assert cases("privacy-limburg") == [("SIG-L", "provision"), ("SIG-N", "onward_provision")]
    assert cases("privacy") == [("SIG-N", "provision"), ("SIG-N", "onward_provision")]
    assert len(cases(None)) == len(cases("beheerder")) == 3
    code, out, _ = cli("provision-register", "export-person", "P-1", as_user="privacy-limburg")
    assert code == 0 and {(e["case_id"], e["region"]) for e in json.loads(out)["entries"]} == {("SIG-L", LIMBURG), ("SIG-N", NOORD)}
    assert json.loads(out)["count"] == 2
    for role_user in ("analist", "manager", "partner", "riec-worker"):
        code, _, err = cli("provision-register", "list", as_user=role_user)
        assert code == 2 and "Uw rol geeft geen toegang tot het verstrekkingsregister" in err


def test_r_6_1_vault_from_the_command_line(cli, vault, database, tmp_path):  # noqa: F811
    package = provided(vault, database, vault.requests)
    code, out, _ = cli("vault", "list", "--json", as_user="partner-limburg")
    assert code == 0 and json.loads(out) == []
    code, out, _ = cli("vault", "list", "--json", as_user="partner")
    assert code == 0 and [p["id"] for p in json.loads(out)] == [package]
    for argv in (("vault", "acknowledge", package), ("vault", "open", package, "--output", str(tmp_path / "uit"))):
        code, _, err = cli(*argv, as_user="partner-limburg")
        assert code == 2 and "bestaat niet" in err and not (tmp_path / "uit").exists()
    assert cli("vault", "acknowledge", package, as_user="partner")[0] == 0
    code, out, _ = cli("vault", "open", package, "--output", str(tmp_path / "uit"), as_user="partner")
    assert code == 0 and (tmp_path / "uit").read_bytes() == b"inhoud" and "Wpg" in out
    code, out, _ = cli("vault", "list", "--json")  # the operator: references and state, no content
    assert code == 0 and [p["id"] for p in json.loads(out)] == [package] and "inhoud" not in out


def test_r_6_2_an_onward_grant_opens_the_package_to_that_partner_of_another_region_only(vault, database):  # noqa: F811
    from riec.vault import onward

    package = provided(vault, database, vault.requests)
    partner_limburg, analist_limburg = USERS["partner-limburg"], USERS["analist-limburg"]
    with pytest.raises(VaultRefusal) as before:
        vault.acknowledge(partner_limburg, package)
    assert before.value.status == 404
    with db.write_transaction(database) as conn:
        ref = onward.grant(conn, package_id=package, case_key="SIG-1", region=NOORD, partner_id="gem-maastricht",
                           receiving_region=LIMBURG, requested_by="partner", process_instance_id="pi-onward-1",
                           consent_refs=["case-prosecutor:zaaksofficier"], at=dt.datetime.now(dt.timezone.utc))
    [view] = vault.packages(partner_limburg)
    assert view.id == package and view.onward_ref == ref and view.region == NOORD
    assert vault.packages(analist_limburg) == []  # not a designated person of that partner
    vault.acknowledge(partner_limburg, package)
    assert vault.open(partner_limburg, package).content == b"inhoud"
    opened = [e.entry for e in iter_entries(database, case_id="SIG-1") if e.entry.kind is EntryKind.PACKAGE_OPENED]
    assert opened[-1].recipient_id == "partner-limburg" and "R-6.2" in opened[-1].rule_ids
    with pytest.raises(VaultRefusal) as other:
        vault.open(analist_limburg, package)
    assert other.value.status == 404


def test_r_6_1_stats_a_user_sees_their_own_region_only(monkeypatch):
    from riec.stats_region import scoped_region
    from riec.cli_support import Refused

    monkeypatch.setattr("riec.vault.engine.EngineIdentity", FakeIdentity)
    app = App(Settings(), camunda=None, environ={PASSWORD_VARIABLE: PASSWORD})

    def region(as_user: str | None, asked: str | None = None) -> str | None:
        return scoped_region(argparse.Namespace(user=as_user, region=asked), app)

    assert region("manager-limburg") == LIMBURG and region("manager-limburg", LIMBURG) == LIMBURG
    assert region(None, NOORD) == NOORD and region("beheerder", NOORD) == NOORD and region(None) is None
    for as_user, asked in (("manager-limburg", NOORD), ("analist", None), ("riec-worker", None)):
        with pytest.raises(Refused):
            region(as_user, asked)


def test_a_forged_cross_site_post_is_refused_and_the_pages_own_form_passes(vault, database):  # noqa: F811
    """CSRF: a browser's POST (it always sends Origin) needs the page's origin and the session's form token."""
    import re

    from riec.vault.web import create_app

    package = provided(vault, database, vault.requests)
    web = create_app(vault, FakeIdentity(), secret_key="test").test_client()
    login = {"username": "partner", "password": PASSWORD}
    own, evil = {"Origin": "http://localhost"}, {"Origin": "http://evil.example"}
    assert web.post("/inloggen", data=login, headers=evil).status_code == 303  # refused: back to the page
    assert "Het formulier is verlopen" in web.get("/").get_data(as_text=True)

    def token() -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', web.get("/").get_data(as_text=True)).group(1)

    assert web.post("/inloggen", data={**login, "csrf_token": token()}, headers=own).status_code == 303
    assert "Ingelogd als" in web.get("/").get_data(as_text=True)
    json_accept = {"Accept": "application/json"}
    forged = web.post(f"/pakket/{package}/bevestigen", headers={**evil, **json_accept})
    assert forged.status_code == 403 and "formulier" in forged.get_json()["message"]
    no_token = web.post(f"/pakket/{package}/bevestigen", headers={**own, **json_accept})
    assert no_token.status_code == 403
    assert [e for e in iter_entries(database, case_id="SIG-1") if e.entry.kind is EntryKind.CONFIDENTIALITY_ACKNOWLEDGED] == []
    ok = web.post(f"/pakket/{package}/bevestigen", data={"csrf_token": token()}, headers={**own, **json_accept})
    assert ok.status_code == 200
    # A client that is no browser (no Origin: riec vault upload, scripts) signs in itself and needs no token.
    script = create_app(vault, FakeIdentity(), secret_key="test").test_client()
    assert script.post("/inloggen", data=login, headers=json_accept).status_code == 200
