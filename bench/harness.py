"""An engine of the benchmark's own, the no-op process, and engine-side timing.

The engine is started the way the integration tests start one (tests/integration/engine.py:
a private copy of engine/target/riec-engine.jar on a free port, a temporary data folder),
on H2 or, with a PostgreSQL URL, on a fresh database of its own that is dropped afterwards.
Throughput is measured from the engine's own clock: the end times of the benchmark's
process instances in history, so every client is timed the same way, start-up excluded.
"""
from __future__ import annotations

import datetime as dt
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from riec.runtime.engine import CamundaClient
from riec.settings import Settings
from tests.integration.engine import ROOT, Engine

TOPIC = "bench-noop"
PROCESS = "riec-bench-noop"
#: Every instance belongs to a region (R-6.1, a Camunda tenant); the engine refuses a start without one.
REGION = {"region": {"value": "riec-noord", "type": "String"}}

NOOP_BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  id="BenchDefinitions" targetNamespace="http://riec.example/bench">
  <bpmn:process id="{PROCESS}" name="Benchmark: one external task" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Noop" />
    <bpmn:serviceTask id="Noop" name="No-op" camunda:type="external" camunda:topic="{TOPIC}" />
    <bpmn:sequenceFlow id="F2" sourceRef="Noop" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>
"""


def session(user: str, password: str, pool: int = 32) -> requests.Session:
    s = requests.Session()
    s.auth = (user, password)
    s.trust_env = False  # no proxy look-up in the environment per request: the least a loop must do (as riec.runtime)
    adapter = HTTPAdapter(pool_connections=2, pool_maxsize=pool)
    s.mount("http://", adapter)
    return s


@dataclass
class BenchEngine:
    """One engine for the whole benchmark; ``postgres`` is a SQLAlchemy/libpq URL of a server."""

    postgres: str | None = None
    base: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="riec-bench-")))
    started: Engine | None = None
    database: str | None = None
    _settings: Settings | None = None

    @property
    def engine(self) -> Engine:
        """The running engine (``start()`` first)."""
        if self.started is None:
            raise RuntimeError("the benchmark's engine is not started")
        return self.started

    @property
    def settings(self) -> Settings:
        """The engine's settings, built once: building Settings reads the environment (~25 ms of CPU), and
        the benchmark polls many times a second while the clients it measures share the same two cores."""
        if self._settings is None:
            self._settings = self.engine.settings
        return self._settings

    @property
    def kind(self) -> str:
        return "PostgreSQL" if self.postgres else "H2 (file)"

    def start(self) -> "BenchEngine":
        env: dict[str, str] = {}
        if self.postgres:
            env = self._create_database()
        self.started = Engine(self.base / "engine", engine_env=env).start(timeout=300)
        return self

    def _pg(self):
        pg = urlsplit((self.postgres or "").replace("postgresql+psycopg://", "postgresql://"))
        return pg

    def _admin_conn(self):
        import psycopg

        pg = self._pg()
        return psycopg.connect(host=pg.hostname, port=pg.port or 5432, user=pg.username or "postgres",
                               password=pg.password or None, dbname="postgres", autocommit=True)

    def _create_database(self) -> dict[str, str]:
        pg = self._pg()
        self.database = f"riec_bench_{uuid.uuid4().hex[:8]}"
        with self._admin_conn() as db:
            db.execute(f'CREATE DATABASE "{self.database}"')
        return {
            "RIEC_ENGINE_DB_URL": f"jdbc:postgresql://{pg.hostname}:{pg.port or 5432}/{self.database}",
            "RIEC_ENGINE_DB_USER": pg.username or "postgres",
            "RIEC_ENGINE_DB_PASSWORD": pg.password or "",
        }

    def stop(self) -> None:
        if self.started:
            self.engine.stop()
            # The jar's private copy and the H2 files are large; the logs (engine.log, runtime.log, ...) stay.
            (self.engine.data_dir / "riec-engine.jar").unlink(missing_ok=True)
            shutil.rmtree(self.engine.data_dir / "engine", ignore_errors=True)
        if self.database:
            try:
                with self._admin_conn() as db:
                    db.execute(f'DROP DATABASE IF EXISTS "{self.database}"')
            except Exception:  # noqa: BLE001 - a leftover database is harmless and named riec_bench_*
                pass

    @property
    def url(self) -> str:
        return self.settings.engine_url

    def admin(self, pool: int = 32) -> requests.Session:
        s = self.settings
        return session(s.engine_user, s.engine_password, pool)

    def worker_session(self, pool: int = 32) -> requests.Session:
        s = self.settings
        return session(s.worker_user, s.worker_password, pool)

    def prepare(self, project: bool = True) -> None:
        """The worker's service user (and, for the signal run, the project's processes and registers)."""
        import datetime as _dt

        from riec.app import App
        from riec.cli import seed_demo
        from riec.identity import ensure_demo, ensure_production

        client = self.engine.client()
        s = self.settings
        if project:
            deploy(client, PROJECT_DIAGRAMS)
            ensure_demo(client, s.worker_user, s.worker_password, s.demo_password)
            seed_demo(App(s, camunda=client), _dt.date.today(), registers_only=True)
        else:
            ensure_production(client, s.worker_user, s.worker_password)
        admin = self.admin()
        answer = admin.post(f"{self.url}/deployment/create",
                            data={"deployment-name": "riec-bench", "enable-duplicate-filtering": "true"},
                            files=[("bench.bpmn", ("bench.bpmn", NOOP_BPMN.encode(), "application/octet-stream"))], timeout=60)
        answer.raise_for_status()

    # -- tasks and timing --------------------------------------------------------------

    def start_instances(self, prefix: str, n: int, parallel: int = 4) -> None:
        admin = self.admin(parallel)
        url = f"{self.url}/process-definition/key/{PROCESS}/start"

        def one(i: int) -> None:
            admin.post(url, json={"businessKey": f"{prefix}-{i}", "variables": REGION}, timeout=60).raise_for_status()

        with ThreadPoolExecutor(parallel) as pool:
            list(pool.map(one, range(n)))
        admin.close()

    def open_tasks(self, topic: str | None = TOPIC) -> int:
        params = {"topicName": topic} if topic else {}
        return requests.get(f"{self.url}/external-task/count", params=params, auth=self._admin_auth(), timeout=30).json()["count"]

    def _admin_auth(self) -> tuple[str, str]:
        s = self.settings
        return (s.engine_user, s.engine_password)

    def end_times(self, prefix: str) -> list[float]:
        """Engine-side end times (epoch seconds) of the finished instances with this business-key prefix."""
        params: dict[str, str | int] = {"processInstanceBusinessKeyLike": f"{prefix}-%", "finished": "true", "maxResults": 100000}
        rows = requests.get(f"{self.url}/history/process-instance", auth=self._admin_auth(), timeout=60, params=params).json()
        return sorted(parse_time(r["endTime"]) for r in rows)

    def wait_drained(self, prefix: str, n: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.open_tasks() == 0:
                return True
            time.sleep(0.2)
        return False


#: The diagrams the signal run passes through (the rest of bpmn/ is not needed, and may be work in progress).
PROJECT_DIAGRAMS = ("signal.bpmn", "case.bpmn", "intervention.bpmn")


def deploy(client: CamundaClient, names: tuple[str, ...]) -> None:
    """riec.deployment's way (the diagram with exactly its forms, one deployment each), for the named diagrams."""
    from riec.deployment import forms_by_id, referenced_forms

    forms = forms_by_id(ROOT / "forms")
    for name in names:
        diagram = ROOT / "bpmn" / name
        files = [diagram] + [forms[f] for f in sorted(referenced_forms(diagram)) if f in forms]
        client.rest("POST", "deployment/create", data={"deployment-name": f"riec-{diagram.stem}", "enable-duplicate-filtering": "true"},
                    files=[(f.name, (f.name, f.read_bytes(), "application/octet-stream")) for f in files])


def parse_time(value: str) -> float:
    return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


def steady_rate(ends: list[float]) -> float:
    """Tasks per second between the first and the last completion (start-up of the client excluded)."""
    if len(ends) < 2 or ends[-1] <= ends[0]:
        return float("nan")
    return (len(ends) - 1) / (ends[-1] - ends[0])


def spread(values: list[float]) -> dict[str, float]:
    values = sorted(v for v in values if v == v)
    if not values:
        return {"n": 0}
    return {"n": len(values), "min": values[0], "median": statistics.median(values), "max": values[-1]}


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def rss_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields.get("VmRSS", 0), fields.get("VmHWM", 0)


class Counter:
    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()

    def add(self, n: int = 1) -> int:
        with self._lock:
            self.value += n
            return self.value
