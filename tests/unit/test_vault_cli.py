"""`riec vault upload` against the vault's real page (Flask app on a local port), with a fake engine.

The command line signs in like the browser, gets the same Dutch answers and
exit codes: 0 stored, 2 refused (wrong password, empty file, unknown request).
"""
from __future__ import annotations

import io
import threading

import pytest
from werkzeug.serving import make_server

from riec.app import App
from riec.cli import main
from riec.compliance.provision_register import EntryKind, iter_entries
from riec.settings import Settings
from riec.vault.service import Vault, VaultUser
from riec.vault.web import create_app
from tests.unit.test_vault import POLICE, TODAY, FakeRequests, database  # noqa: F401  (fixture reused)


class FakeIdentity:
    users = {"politie": ("Geheim-wachtwoord-1", POLICE)}

    def verify(self, user_id: str, password: str) -> VaultUser | None:
        found = self.users.get(user_id)
        return found[1] if found and found[0] == password else None

    def user(self, user_id: str) -> VaultUser:
        return self.users[user_id][1]


@pytest.fixture
def page(database):  # noqa: F811
    requests_ = FakeRequests()
    vault = Vault(database, requests_, max_bytes=1000, today=lambda: TODAY)
    server = make_server("127.0.0.1", 0, create_app(vault, FakeIdentity(), secret_key="test"), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", requests_
    server.shutdown()


def upload(monkeypatch, tmp_path, url: str, key: str, content: bytes, password: str = "Geheim-wachtwoord-1") -> int:
    path = tmp_path / "pakket.txt"
    path.write_bytes(content)
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    app = App(Settings(data_dir=tmp_path, vault_url=url))
    return main(["vault", "upload", key, str(path), "--user", "politie", "--password-stdin"], app=app)


def test_upload_from_the_command_line_passes_the_same_checks(monkeypatch, tmp_path, page, database, capsys):  # noqa: F811
    url, requests_ = page
    requests_.waiting["pi-1"] = ("SIG-CLI", "riec-noord")
    assert upload(monkeypatch, tmp_path, url, "SIG-CLI", b"") == 2
    assert "leeg" in capsys.readouterr().err
    assert upload(monkeypatch, tmp_path, url, "SIG-CLI", b"inhoud", password="fout") == 2
    assert "onjuist" in capsys.readouterr().err
    assert upload(monkeypatch, tmp_path, url, "SIG-ANDERS", b"inhoud") == 2
    assert "geen verzoek" in capsys.readouterr().err
    assert upload(monkeypatch, tmp_path, url, "SIG-CLI", b"inhoud") == 0
    assert "versleuteld opgeslagen" in capsys.readouterr().out
    assert [e.entry.kind for e in iter_entries(database, case_id="SIG-CLI")] == [EntryKind.PACKAGE_UPLOADED]
