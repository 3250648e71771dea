"""Start the real engine from engine/ and real worker processes for the integration tests."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from riec.runtime.engine import CamundaClient
from riec.settings import Settings
from riec.system import build_engine

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout: float = 30, interval: float = 0.3, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


@dataclass
class Engine:
    data_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    #: Extra environment for the engine only, e.g. RIEC_ENGINE_DB_URL for PostgreSQL.
    engine_env: dict[str, str] = field(default_factory=dict)
    #: Port a test may run the project's web service on: the engine's Content-Security-Policy lets Cockpit
    #: connect there (RIEC_VAULT_URL; the managers' dashboard, tests/browser/test_dashboard.py).
    web_port: int = field(default_factory=free_port)

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def settings(self) -> Settings:
        return Settings(
            home=ROOT,
            engine_url=f"http://127.0.0.1:{self.port}/engine-rest",
            data_dir=self.data_dir,
            database_url=f"sqlite:///{self.data_dir / 'riec.sqlite'}",
            long_poll_ms=1000,
            retry_backoff_ms=300,
        )

    def env(self, **extra: str) -> dict[str, str]:
        s = self.settings
        env = {k: v for k, v in os.environ.items() if not k.startswith("RIEC_")}
        env.update({
            "RIEC_HOME": str(ROOT), "RIEC_ENGINE_URL": s.engine_url, "RIEC_DATA_DIR": str(s.data_dir),
            "RIEC_DATABASE_URL": s.effective_database_url, "RIEC_LONG_POLL_MS": str(s.long_poll_ms),
            "RIEC_RETRY_BACKOFF_MS": str(s.retry_backoff_ms), "PYTHONPATH": str(ROOT),
            "RIEC_ENGINE_PORT": str(self.port),
        })
        env.update(extra)
        return env

    def client(self, user: str | None = None, password: str | None = None) -> CamundaClient:
        """The administrator's client, or a demo user's (password: the demo password unless given)."""
        client = CamundaClient(self.settings)
        if user:
            client.session.auth = (user, password if password is not None else self.settings.demo_password)
        return client

    def start(self, timeout: float = 420) -> "Engine":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # Run a private copy: a rebuild of engine/target while this engine runs
        # (another test session, `riec up`) must not pull classes from under it.
        jar = Path(shutil.copy2(build_engine(self.settings), self.data_dir / "riec-engine.jar"))
        log = open(self.data_dir / "engine.log", "ab")
        self.process = subprocess.Popen(["java", "-Xmx768m", "-jar", str(jar)], env=self.env(**{"RIEC_DEVELOPMENT": "true", "RIEC_VAULT_URL": self.web_url, **self.engine_env}), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_until(self.ready, timeout, 0.5, f"engine on port {self.port} (log: {self.data_dir / 'engine.log'})")
        except BaseException:
            self.stop()  # a JVM that did not come up in time must not outlive the failed start
            raise
        return self

    def ready(self) -> bool:
        if self.process and self.process.poll() is not None:
            raise AssertionError(f"engine exited with {self.process.returncode}; see {self.data_dir / 'engine.log'}")
        try:
            return requests.get(f"http://127.0.0.1:{self.port}/actuator/health", timeout=1).ok
        except requests.RequestException:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@dataclass
class WorkerProcess:
    engine: Engine
    log_path: Path
    registry: str = "riec.handlers:registry"
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        log = open(self.log_path, "ab")
        s = self.engine.settings
        # As in production: the workers' service user, not the administrator.
        env = self.engine.env(RIEC_ENGINE_USER=s.worker_user, RIEC_ENGINE_PASSWORD=s.worker_password, **self.extra_env)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "riec", "worker", "--registry", self.registry],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
        )
        return self

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        if self.process:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self, timeout: float = 60) -> int | None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.returncode if self.process else None
