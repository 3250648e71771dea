"""The police unit's upload of a provision package (issue 10), for tests that walk a request to "provide".

Since issue 10 the police process waits at ``Event_PackageUploaded`` until the
package is in the data vault. Tests of the procedure itself upload a small
package through the vault's own service (the same checks and register entry as
the web page); tests/integration/test_vault.py drives the web page itself.
"""
from __future__ import annotations

from riec.app import App
from riec.vault.service import VaultUser
from tests.integration.engine import Engine, wait_until

POLICE = VaultUser(id="politie", groups=frozenset({"police-unit"}), tenants=frozenset({"riec-noord"}))


def vault_of(engine: Engine):
    return App(engine.settings, camunda=engine.client()).vault


def wait_for_package_request(engine: Engine, key: str, timeout: float = 60) -> None:
    vault = vault_of(engine)
    wait_until(lambda: key in vault.awaiting(POLICE), timeout, what=f"request {key} waiting for its package")


def upload_package(engine: Engine, key: str, content: bytes = b"Verstrekkingspakket (testgegevens)\n", user: VaultUser = POLICE) -> str:
    """Wait until the decided request ``key`` waits for its package, then upload one; returns the package reference."""
    wait_for_package_request(engine, key)
    return vault_of(engine).upload(user, key, "pakket.txt", content)
