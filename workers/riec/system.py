"""Start and stop the engine and the workers as background processes (the demo set-up).

Production runs them under docker-compose or another supervisor; this module is
what makes the README's first command work on a bare machine.
"""
from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import requests

from riec.settings import Settings


def engine_root(settings: Settings) -> str:
    return settings.engine_url.rsplit("/engine-rest", 1)[0]


def engine_ready(settings: Settings) -> bool:
    try:
        return requests.get(f"{engine_root(settings)}/actuator/health", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def wait_for_engine(settings: Settings, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while not engine_ready(settings):
        if time.monotonic() > deadline:
            raise TimeoutError(f"engine at {engine_root(settings)} not ready after {timeout_s:.0f} s; see {settings.data_dir / 'logs' / 'engine.log'}")
        time.sleep(1)


def engine_jar(settings: Settings) -> Path:
    return settings.home / "engine" / "target" / "riec-engine.jar"


def build_engine(settings: Settings) -> Path:
    """Build the jar when it is missing or older than the engine's sources.

    Serialised by a lock file beside the build: two test sessions (or ``riec up``
    during a test run) building into one target/ at once corrupt the jar."""
    jar = engine_jar(settings)
    jar.parent.mkdir(parents=True, exist_ok=True)
    with open(jar.parent / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        sources = [settings.home / "engine" / "pom.xml", *(settings.home / "engine" / "src").rglob("*")]
        if jar.exists() and all(p.stat().st_mtime <= jar.stat().st_mtime for p in sources if p.is_file()):
            return jar
        subprocess.run(["mvn", "-B", "-q", "-Dstyle.color=never", "-f", str(settings.home / "engine" / "pom.xml"), "package", "-DskipTests"], check=True)
    return jar


def _pid_file(settings: Settings, name: str) -> Path:
    return settings.data_dir / "run" / f"{name}.pid"


def running_pid(settings: Settings, name: str) -> int | None:
    path = _pid_file(settings, name)
    try:
        pid = int(path.read_text())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def start_background(settings: Settings, name: str, command: list[str], env: Mapping[str, str]) -> int:
    """Start ``command`` detached, with exactly the environment ``env`` (the caller composes it)."""
    if pid := running_pid(settings, name):
        return pid
    logs = settings.data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    _pid_file(settings, name).parent.mkdir(parents=True, exist_ok=True)
    with open(logs / f"{name}.log", "ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True, env=dict(env))
    _pid_file(settings, name).write_text(str(process.pid))
    return process.pid


def start_engine(settings: Settings, environ: Mapping[str, str]) -> int:
    """Start the engine with ``environ`` (the command line's environment) plus its own settings."""
    jar = build_engine(settings)
    env = {"RIEC_DATA_DIR": str(settings.data_dir.resolve()), "RIEC_ENGINE_USER": settings.engine_user, "RIEC_ENGINE_PASSWORD": settings.engine_password}
    # `riec up` is the development set-up: only then may the engine start with a demo password (DevelopmentPasswordGuard).
    env["RIEC_DEVELOPMENT"] = "true"
    return start_background(settings, "engine", ["java", "-jar", str(jar)], {**environ, **env})


def start_workers(settings: Settings, environ: Mapping[str, str]) -> int:
    # The workers run as their own service user, not as the administrator.
    env = {"RIEC_ENGINE_USER": settings.worker_user, "RIEC_ENGINE_PASSWORD": settings.worker_password}
    return start_background(settings, "worker", [sys.executable, "-m", "riec", "worker"], {**environ, **env})


def start_vault(settings: Settings, environ: Mapping[str, str]) -> int:
    """The data vault's web page (riec.vault); it asks the engine with the command line's own login."""
    return start_background(settings, "vault", [sys.executable, "-m", "riec", "vault", "serve"], dict(environ))


def stop(settings: Settings, name: str, timeout_s: float = 60) -> bool:
    pid = running_pid(settings, name)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            break
        time.sleep(0.5)
    else:
        os.kill(pid, signal.SIGKILL)
    _pid_file(settings, name).unlink(missing_ok=True)
    return True
