"""A test-only topic: the real hit/no-hit handler, then a pause long enough to kill the worker in.

Served by worker processes started from test_resilience.py with
``riec worker --registry tests.integration.slow_topics:registry``. The test
process configures it through the environment, read here because this module
stands in for a handler of the product and the worker only passes it its model.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from riec.handlers.hit_no_hit import HitNoHitInput, HitNoHitOutcome, hit_no_hit
from riec.hit_no_hit.catalogue import PartnerCatalogue
from riec.hit_no_hit.checks import HitChecks
from riec.runtime import Registry

registry = Registry()


class SlowOutcome(HitNoHitOutcome):
    completed_by: str


@registry.topic("test-slow-hit-no-hit")
def slow_hit_no_hit(subject: HitNoHitInput, *, partners: PartnerCatalogue, hit_checks: HitChecks, hit_key: str) -> SlowOutcome:
    outcome = hit_no_hit(subject, partners=partners, hit_checks=hit_checks, hit_key=hit_key)  # the side effect: the hit check is recorded here
    worker_id = os.environ["RIEC_WORKER_ID"]
    marker = Path(os.environ["RIEC_TEST_MARKER_DIR"]) / f"{subject.business_key}.{worker_id}"
    marker.write_text(subject.task_key)
    time.sleep(float(os.environ.get("RIEC_TEST_SLOW_SECONDS", "0")))
    return SlowOutcome(**outcome.model_dump(), completed_by=worker_id)
