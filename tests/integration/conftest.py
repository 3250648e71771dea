"""Fixtures of the end-to-end tier: one real engine per session, built from engine/."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest

from riec.deployment import deploy_all
from riec.app import App
from riec.cli import seed_demo
from riec.identity import ensure_demo
from tests.integration.engine import ROOT, Engine, WorkerProcess


def prepare(engine: Engine) -> None:
    client = engine.client()
    deploy_all(client, ROOT)
    s = engine.settings
    ensure_demo(client, s.worker_user, s.worker_password, s.demo_password)
    # The registers: legal bases, the partner catalogue and the partners' demo hit/no-hit registers.
    seed_demo(App(s, camunda=client), dt.date.today(), registers_only=True)


@pytest.fixture(scope="session")
def engine(tmp_path_factory):
    engine = Engine(tmp_path_factory.mktemp("engine")).start()
    try:
        prepare(engine)
        yield engine
    finally:
        # Also when prepare() fails: a leaked engine would outlive the test run.
        engine.stop()


@pytest.fixture(scope="session")
def workers(engine, tmp_path_factory):
    worker = WorkerProcess(engine, tmp_path_factory.mktemp("workers") / "worker.log").start()
    yield worker
    worker.stop()


@pytest.fixture
def business_key(request) -> str:
    """A unique business key per test, so tests never see each other's instances."""
    return f"T-{request.node.name[:40]}-{uuid.uuid4().hex[:8]}"
