"""Shared fixtures of the engine-free unit tests (tiers 1 and 2).

``FakeEngine`` stands in for ``riec.runtime.engine.CamundaClient``: it records
every call the worker makes, so runtime tests can assert what would have been
sent to Camunda without an engine.
"""
from __future__ import annotations

import threading
from typing import Any

import pytest

from riec.runtime.engine import LockedTask, OutageLog
from riec.settings import Settings


class FakeEngine:
    """Records calls in order; ``raises[name]`` makes that call raise; ``fetch_script`` drives fetch_and_lock."""

    def __init__(self, fetch_script: list[Any] | None = None):
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.raises: dict[str, BaseException] = {}
        self.fetch_script = list(fetch_script or [])
        self.outage = OutageLog()
        self.closed = False
        self._lock = threading.Lock()

    def _record(self, name: str, **kwargs: Any) -> None:
        with self._lock:
            self.calls.append((name, kwargs))
        if name in self.raises:
            raise self.raises[name]

    def named(self, name: str) -> list[dict[str, Any]]:
        return [kwargs for call, kwargs in self.calls if call == name]

    def fetch_and_lock(self, worker_id, topics, max_tasks, long_poll_ms):
        self._record("fetch_and_lock", worker_id=worker_id, topics=list(topics), max_tasks=max_tasks, long_poll_ms=long_poll_ms)
        step = self.fetch_script.pop(0) if self.fetch_script else []
        if callable(step):
            step = step()
        if isinstance(step, BaseException):
            raise step
        self.outage.recovered()  # as the real client does after a successful fetch
        return step

    def complete(self, task, worker_id, variables):
        self._record("complete", task=task, worker_id=worker_id, variables=variables)

    def bpmn_error(self, task, worker_id, code, message, variables):
        self._record("bpmn_error", task=task, worker_id=worker_id, code=code, message=message, variables=variables)

    def failure(self, task, worker_id, message, details, retries, retry_timeout_ms):
        self._record("failure", task=task, worker_id=worker_id, message=message, details=details, retries=retries, retry_timeout_ms=retry_timeout_ms)

    def extend_lock(self, task, worker_id, duration_ms):
        self._record("extend_lock", task=task, worker_id=worker_id, duration_ms=duration_ms)

    def unlock(self, task):
        self._record("unlock", task=task)

    def close(self):
        self.closed = True


def make_task(topic: str, variables: dict[str, Any] | None = None, *, retries: int | None = None,
              task_id: str = "task-1", business_key: str | None = "BK-1",
              process_instance_id: str = "pi-1", activity_instance_id: str = "ai-1") -> LockedTask:
    """A LockedTask as fetch-and-lock delivers it; ``variables`` are already typed ({"value", "type"})."""
    return LockedTask(
        id=task_id,
        topic=topic,
        business_key=business_key,
        process_instance_id=process_instance_id,
        activity_id="Task_Test",
        activity_instance_id=activity_instance_id,
        retries=retries,
        variables=variables or {},
    )


def settings(**overrides: Any) -> Settings:
    base: dict[str, Any] = dict(worker_id="worker-test", retries=3, retry_backoff_ms=1000, lock_duration_ms=60_000, long_poll_ms=0, concurrency=2)
    base.update(overrides)
    return Settings(**base)


@pytest.fixture
def fake_engine() -> FakeEngine:
    return FakeEngine()


# Test modules take these helpers as fixtures rather than importing this
# conftest (tests/unit/compliance has a conftest of the same module name).
@pytest.fixture(name="make_task")
def make_task_fixture():
    return make_task


@pytest.fixture(name="make_settings")
def make_settings_fixture():
    return settings


@pytest.fixture(name="FakeEngine")
def fake_engine_class():
    return FakeEngine


@pytest.fixture
def riec_app(tmp_path):
    """An app (the composition root) on a fresh data folder, built without touching the environment."""
    from riec.app import App
    from riec.compliance import db

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    yield App(settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'riec.sqlite'}"))
    db.close_databases()


@pytest.fixture
def seeded_app(riec_app):
    """The app with the demo registers: legal bases, the partner catalogue and the partners' digests."""
    import datetime as dt

    from riec.cli import seed_demo

    seed_demo(riec_app, dt.date(2026, 6, 1), registers_only=True)
    return riec_app
