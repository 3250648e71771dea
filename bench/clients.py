"""The clients the benchmark compares, each draining the same pre-created no-op tasks.

- ``raw``: the limit. P threads share one requests.Session; each fetches and locks one
  task (the smallest batch) and completes it, nothing else: no variables, no parsing
  beyond JSON, no logging, no lock extension. With ``batch`` > 1 each thread fetches that
  many tasks at once and completes them one after another (the issue's batch loop).
- Every client's handler waits ``handler_ms`` before completing when it is set (a handler
  that calls the vault, SMTP or a police system); 0 is a no-op.
- ``runtime``: this project's worker runtime (riec.runtime.Worker) with P handler slots,
  a no-op handler, logging at INFO to a file as `riec worker` does.
- ``pyclient``: camunda-external-task-client-python3 (pinned) in a venv of its own, run
  as a separate process.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests
from pydantic import BaseModel

from bench.harness import TOPIC, BenchEngine, Counter, percentile, session

PYCLIENT = "camunda-external-task-client-python3==4.5.0"
#: The client imports pydantic without declaring it (issue 13): the benchmark installs it as well.
PYCLIENT_MISSING = "pydantic"


def raw(bench: BenchEngine, parallel: int, n: int, timeout: float = 600, batch: int = 1, handler_ms: int = 0) -> dict:
    s = bench.settings
    http = session(s.worker_user, s.worker_password, pool=parallel + 1)
    url = bench.url
    done = Counter()
    errors = Counter()
    fetch_ms: list[float] = []
    complete_ms: list[float] = []
    deadline = time.monotonic() + timeout

    def loop(i: int) -> None:
        body = {"workerId": f"raw-{i}", "maxTasks": batch, "asyncResponseTimeout": 1000,
                "topics": [{"topicName": TOPIC, "lockDuration": 60000}]}
        while done.value < n and time.monotonic() < deadline:
            t0 = time.perf_counter()
            try:
                answer = http.post(f"{url}/external-task/fetchAndLock", json=body, timeout=120)
            except requests.RequestException:
                errors.add()
                continue
            if not answer.ok:
                errors.add()
                continue
            tasks = answer.json()
            t1 = time.perf_counter()
            for task in tasks:
                if handler_ms:
                    time.sleep(handler_ms / 1000)
                # A complete may meet an optimistic-locking 500 or a time-out on a loaded machine; a minimal
                # loop asks again (as any client must), or the task waits out its lock and skews the round.
                for _ in range(5):
                    try:
                        answer = http.post(f"{url}/external-task/{task['id']}/complete", json={"workerId": f"raw-{i}"}, timeout=120)
                    except requests.RequestException:
                        errors.add()
                        continue
                    if answer.ok or answer.status_code < 500:
                        break
                    errors.add()
                done.add()
            if tasks:
                fetch_ms.append((t1 - t0) * 1000)
                complete_ms.append((time.perf_counter() - t1) * 1000)

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(parallel)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    http.close()
    return {"errors": errors.value, "fetch_ms_p50": percentile(fetch_ms, 50), "fetch_ms_p99": percentile(fetch_ms, 99),
            "complete_ms_p50": percentile(complete_ms, 50), "complete_ms_p99": percentile(complete_ms, 99)}


class NoInput(BaseModel):
    pass


def runtime_worker(bench: BenchEngine, slots: int, on_start: Callable[[], None] | None = None, long_poll_ms: int = 2000,
                   log_file: Path | None = None, handler_ms: int = 0):
    """A riec.runtime.Worker with ``slots`` handler slots serving the no-op topic (not yet running)."""
    from riec.runtime import Registry, Worker
    from riec.runtime.engine import CamundaClient
    from riec.settings import Settings

    registry = Registry()

    @registry.topic(TOPIC)
    def noop(data: NoInput) -> None:
        if on_start:
            on_start()
        if handler_ms:
            time.sleep(handler_ms / 1000)

    s = bench.settings
    settings = Settings(home=s.home, data_dir=s.data_dir, engine_url=s.engine_url, engine_user=s.worker_user,
                        engine_password=s.worker_password, concurrency=slots, long_poll_ms=long_poll_ms,
                        worker_id=f"bench-runtime-{slots}")
    return Worker(registry, settings, CamundaClient(settings))


def quiet_logging(log_file: Path) -> None:
    """INFO to a file, as `riec worker` logs (to its log file), without flooding the terminal."""
    from riec.runtime.worker import ContextFilter

    handler = logging.FileHandler(log_file)
    handler.addFilter(ContextFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(task)s] %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.getLogger("urllib3").setLevel(logging.ERROR)


def runtime(bench: BenchEngine, slots: int, n: int, timeout: float = 600, handler_ms: int = 0) -> dict:
    worker = runtime_worker(bench, slots, handler_ms=handler_ms)
    thread = threading.Thread(target=worker.run, daemon=True, name="bench-worker")
    thread.start()
    drained = bench.wait_drained("", n, timeout)
    worker.stopping.set()
    thread.join(30)
    return {"drained": drained}


# -- camunda-external-task-client-python3 --------------------------------------------------

PYCLIENT_SCRIPT = textwrap.dedent("""
    import logging, os, sys, time
    logging.disable(logging.CRITICAL)
    HANDLER_S = int(os.environ["HANDLER_MS"]) / 1000
    from camunda.external_task.external_task_worker import ExternalTaskWorker
    config = {"maxTasks": int(os.environ["MAX_TASKS"]), "lockDuration": 60000, "asyncResponseTimeout": 1000,
              "sleepSeconds": 0, "retries": 3, "retryTimeout": 5000,
              "auth_basic": {"username": os.environ["ENGINE_USER"], "password": os.environ["ENGINE_PASSWORD"]}}
    worker = ExternalTaskWorker(worker_id="bench-pyclient", base_url=os.environ["ENGINE_URL"], config=config)
    def handle(task):
        if HANDLER_S:
            time.sleep(HANDLER_S)
        return task.complete({})
    worker.subscribe(os.environ["TOPIC"], handle)
""")


def pyclient_venv(where: Path) -> tuple[Path, str]:
    """A venv with the pinned client and its undeclared dependency; returns (python, what was installed)."""
    python = where / "bin" / "python"
    marker = where / ".riec-bench-ok"
    if not marker.exists():
        subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", PYCLIENT, PYCLIENT_MISSING], check=True)
        marker.write_text("ok")
    version = subprocess.run([str(python), "-c", "import importlib.metadata as m; print(m.version('pydantic'))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    return python, f"{PYCLIENT} + pydantic=={version} (not declared by the client; installed by the benchmark)"


def pyclient(bench: BenchEngine, python: Path, max_tasks: int, n: int, timeout: float = 600, handler_ms: int = 0) -> dict:
    s = bench.settings
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("RIEC_")}, "ENGINE_URL": bench.url,
           "ENGINE_USER": s.worker_user, "ENGINE_PASSWORD": s.worker_password, "TOPIC": TOPIC, "MAX_TASKS": str(max_tasks),
           "HANDLER_MS": str(handler_ms)}
    process = subprocess.Popen([str(python), "-c", PYCLIENT_SCRIPT], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        drained = bench.wait_drained("", n, timeout)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        # Its last long poll (1 s) outlives the process on the engine: tasks created meanwhile would be
        # locked for a dead client for 60 s and skew the next client's round (seen: raw at 1.7 tasks/s).
        time.sleep(2.0)
    return {"drained": drained}
