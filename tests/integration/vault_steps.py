"""The police unit's upload of a provision package (issue 10), for tests that walk a request to "provide".

Since issue 10 the police process waits at ``Event_PackageUploaded`` until the
package is in the data vault. Tests of the procedure itself upload a small
package through the vault's own service (the same checks and register entry as
the web page); tests/integration/test_vault.py drives the web page itself.
"""
from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from riec.app import App
from riec.vault.service import VaultUser
from tests.integration.engine import ROOT, Engine, free_port, wait_until

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


@contextmanager
def running_vault(engine: Engine, log_dir: Path, max_bytes: int = 4096) -> Iterator[str]:
    """The vault's web page as `riec up` starts it (`riec vault serve`), on a free port; yields its address."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(log_dir / "vault.log", "ab")
    process = subprocess.Popen([sys.executable, "-m", "riec", "vault", "serve"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               env=engine.env(RIEC_VAULT_PORT=str(port), RIEC_VAULT_URL=url, RIEC_VAULT_MAX_BYTES=str(max_bytes)))

    def up() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"vault exited with {process.returncode}; see {log.name}")
        try:
            return requests.get(f"{url}/health", timeout=1).ok
        except requests.RequestException:
            return False

    try:
        wait_until(up, 60, 0.3, "the vault's web page")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
