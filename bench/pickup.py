"""Pickup latency on one node: from the request that creates a task to its handler's start.

The runtime (8 slots, the default 20 s long poll) waits idle; a process instance is
started, its external task created and committed inside that request; the time is taken
just before the request is sent (an upper bound) and when the handler starts. The gaps
between instances are random (50-300 ms), so most tasks meet a worker that is waiting
in its long poll, the case the engine's wake-up is meant for.
"""
from __future__ import annotations

import random
import threading
import time

from pydantic import BaseModel

from bench.harness import PROCESS, REGION, TOPIC, BenchEngine, percentile


class Keyed(BaseModel):
    business_key: str | None = None


def pickup(bench: BenchEngine, samples: int, slots: int = 8, prefix: str = "pickup") -> dict:
    from riec.runtime import Registry, Worker
    from riec.runtime.engine import CamundaClient
    from riec.settings import Settings

    started: dict[str, float] = {}
    registry = Registry()

    @registry.topic(TOPIC)
    def noop(data: Keyed) -> None:
        started.setdefault(data.business_key or "", time.time())

    s = bench.settings
    settings = Settings(home=s.home, data_dir=s.data_dir, engine_url=s.engine_url, engine_user=s.worker_user,
                        engine_password=s.worker_password, concurrency=slots, worker_id="bench-pickup")
    worker = Worker(registry, settings, CamundaClient(settings))
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    admin = bench.admin(2)
    sent: dict[str, float] = {}
    rng = random.Random(13)
    time.sleep(1.0)  # the worker's first long poll is waiting
    for i in range(samples):
        key = f"{prefix}-{i}"
        sent[key] = time.time()
        admin.post(f"{bench.url}/process-definition/key/{PROCESS}/start", json={"businessKey": key, "variables": REGION}, timeout=60).raise_for_status()
        time.sleep(rng.uniform(0.05, 0.3))
    deadline = time.monotonic() + 60
    while len(started) < samples and time.monotonic() < deadline:
        time.sleep(0.1)
    worker.stopping.set()
    latencies = [(started[k] - sent[k]) * 1000 for k in sent if k in started]
    admin.close()
    thread.join(30)
    return {"samples": len(latencies), "missing": samples - len(latencies),
            "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99), "max_ms": max(latencies, default=float("nan"))}
