"""A test-only topic: the real hit/no-hit handler, then a pause long enough to kill the worker in.

Served by worker processes started from test_resilience.py with
``riec worker --registry tests.integration.slow_topics:registry``.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from riec.handlers.hit_no_hit import HitNoHitInput, HitNoHitOutcome, hit_no_hit
from riec.runtime import Registry
from riec.settings import get_settings

registry = Registry()


class SlowOutcome(HitNoHitOutcome):
    completed_by: str


@registry.topic("test-slow-hit-no-hit")
def slow_hit_no_hit(subject: HitNoHitInput) -> SlowOutcome:
    outcome = hit_no_hit(subject)  # the side effect: the hit check is recorded here
    marker = Path(os.environ["RIEC_TEST_MARKER_DIR"]) / f"{subject.business_key}.{get_settings().worker_id}"
    marker.write_text(subject.task_key)
    time.sleep(float(os.environ.get("RIEC_TEST_SLOW_SECONDS", "0")))
    return SlowOutcome(**outcome.model_dump(), completed_by=get_settings().worker_id)
