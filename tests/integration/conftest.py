"""Fixtures of the end-to-end tier: one real engine per session, built from engine/."""
from __future__ import annotations

import uuid

import pytest

from riec.deployment import deploy_all
from riec.hitnohit.registers import LocalRegisters
from riec.identity import ensure_demo
from tests.integration.engine import ROOT, Engine, WorkerProcess

pytestmark = pytest.mark.integration


def prepare(engine: Engine) -> None:
    client = engine.client()
    deploy_all(client, ROOT)
    s = engine.settings
    ensure_demo(client, s.worker_user, s.worker_password, s.demo_password)
    LocalRegisters(s.data_dir / "partner-registers.sqlite").seed(s.hit_key)


@pytest.fixture(scope="session")
def engine(tmp_path_factory):
    engine = Engine(tmp_path_factory.mktemp("engine")).start()
    prepare(engine)
    yield engine
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
