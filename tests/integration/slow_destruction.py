"""A test-only topic: the real ``case-destruction`` handler, pausing after its first deletion in the engine.

Served by worker processes started from test_destruction.py with
``riec worker --registry tests.integration.slow_destruction:registry``, so the test can kill
the worker half-way through the engine's part (after the registers' transaction). Configured
through the environment: RIEC_TEST_MARKER_DIR (a file ``<worker id>.paused`` says where it
paused), RIEC_TEST_SLOW_SECONDS (how long).
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy.engine import Engine

from riec.destruction import engine_purge
from riec.handlers.destruction import DestroyInput, Destroyed, destroy
from riec.runtime import Registry
from riec.runtime.engine import CamundaClient

TOPIC = "test-slow-case-destruction"
registry = Registry()
_delete = engine_purge._delete


def _slow_delete(camunda: CamundaClient, path: str, **params: str) -> bool:
    done = _delete(camunda, path, **params)
    marker = Path(os.environ["RIEC_TEST_MARKER_DIR"]) / f"{os.environ['RIEC_WORKER_ID']}.paused"
    if not marker.exists():
        marker.write_text(path)
        time.sleep(float(os.environ.get("RIEC_TEST_SLOW_SECONDS", "0")))
    return done


engine_purge._delete = _slow_delete


@registry.topic(TOPIC, lock_duration_ms=4000)
def slow_destroy(task: DestroyInput, *, database: Engine, camunda: CamundaClient) -> Destroyed:
    return destroy(task, database=database, camunda=camunda)
