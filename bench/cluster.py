"""Pickup latency across the nodes of a two-node engine cluster (issue 13, deliverable 3).

Two engine processes share one PostgreSQL database. The runtime (8 slots) long-polls node B.
Tasks are created one by one at random gaps (50 ms - 1 s), either on node B ("same node")
or on node A ("other node"), in separate phases so the one never wakes the poll for the other;
the phases alternate over the rounds. The time is taken just before the request that creates
the task and when its handler starts.

Camunda 7 wakes a waiting long poll only for tasks created by its own node (the engine's
in-memory notification); a poll on the other node sees the task when it ends and the worker
polls again. So the wait is up to the long-poll timeout, about half of it on average. Each
long-poll timeout given (RIEC_LONG_POLL_MS) gets its own topic and worker, one after the other.

    python -m bench.cluster --postgres postgresql://postgres@127.0.0.1:55440/postgres
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time

from pydantic import BaseModel

from bench.harness import BenchEngine, percentile
from tests.integration.engine import Engine

SLOTS = 8
#: Every instance needs a region (R-6.1, the engine's RegionTenants); the administrator may name any.
REGION = {"region": {"value": "riec-noord", "type": "String"}}


def _bpmn(long_poll_ms: int) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  id="BenchCluster{long_poll_ms}" targetNamespace="http://riec.example/bench">
  <bpmn:process id="riec-bench-cluster-{long_poll_ms}" name="Benchmark: cross-node pickup" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Pickup" />
    <bpmn:serviceTask id="Pickup" camunda:type="external" camunda:topic="bench-cluster-{long_poll_ms}" />
    <bpmn:sequenceFlow id="F2" sourceRef="Pickup" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>
"""


class Keyed(BaseModel):
    business_key: str | None = None


def _summary(latencies: list[float], expected: int) -> dict:
    return {"samples": len(latencies), "missing": expected - len(latencies), "p50_ms": percentile(latencies, 50),
            "p99_ms": percentile(latencies, 99), "max_ms": max(latencies, default=float("nan"))}


def run(postgres: str | None, samples: int = 60, long_polls: tuple[int, ...] = (20_000, 5_000), rounds: int = 2, seed: int = 13) -> dict:
    """Start two nodes on a fresh database, measure, stop them, drop the database.

    Returns p50/p99/max (ms) for tasks created on the other node at the runtime's default long poll
    (the first of ``long_polls``), and per long poll and node in ``cases``."""
    if not postgres:
        return {"error": "a cluster needs PostgreSQL: give --postgres URL"}
    from riec.runtime import Registry, Worker
    from riec.runtime.engine import CamundaClient
    from riec.settings import Settings

    a = BenchEngine(postgres)
    b: Engine | None = None
    workers: list = []
    started: dict[str, float] = {}
    sent: dict[str, float] = {}
    try:
        a.start()
        # The second node joins the first's database (schema and administrator already there).
        b = Engine(a.base / "engine-b", engine_env=dict(a.engine.engine_env)).start(timeout=300)
        a.prepare(project=False)
        admin = a.admin(4)
        for lp in long_polls:
            admin.post(f"{a.url}/deployment/create", data={"deployment-name": f"riec-bench-cluster-{lp}", "enable-duplicate-filtering": "true"},
                       files=[("c.bpmn", ("c.bpmn", _bpmn(lp).encode(), "application/octet-stream"))], timeout=60).raise_for_status()

        s = b.settings
        rng = random.Random(seed)
        nodes = {"same": b.settings.engine_url, "other": a.url}
        keys: dict[tuple[int, str], list[str]] = {(lp, where): [] for lp in long_polls for where in nodes}
        per_phase = max(1, samples // rounds)
        # One worker at a time: any fetch arriving at a node makes it re-check every poll waiting there, so a
        # second worker polling node B would shorten the first one's wait (seen in a first version of this script).
        for lp in long_polls:
            registry = Registry()

            @registry.topic(f"bench-cluster-{lp}")
            def record(data: Keyed) -> None:
                started.setdefault(data.business_key or "", time.time())

            settings = Settings(home=s.home, data_dir=s.data_dir, engine_url=s.engine_url, engine_user=s.worker_user,
                                engine_password=s.worker_password, concurrency=SLOTS, worker_id=f"bench-cluster-{lp}",
                                long_poll_ms=lp, http_read_timeout_s=max(40.0, lp / 1000 + 20))
            worker = Worker(registry, settings, CamundaClient(settings))
            workers.append(worker)
            thread = threading.Thread(target=worker.run, daemon=True, name=f"bench-cluster-{lp}")
            thread.start()
            time.sleep(2.0)  # its first long poll is waiting on node B
            for r in range(rounds):
                for where in (("same", "other") if r % 2 == 0 else ("other", "same")):
                    phase = []
                    for i in range(per_phase):
                        key = f"cluster-{lp}-{where}-{r}-{i}"
                        sent[key] = time.time()
                        admin.post(f"{nodes[where]}/process-definition/key/riec-bench-cluster-{lp}/start", json={"businessKey": key, "variables": REGION},
                                   timeout=60).raise_for_status()
                        phase.append(key)
                        time.sleep(rng.uniform(0.05, 1.0))
                    deadline = time.monotonic() + lp / 1000 + 30
                    while not all(k in started for k in phase) and time.monotonic() < deadline:
                        time.sleep(0.05)
                    keys[(lp, where)] += phase
            worker.stopping.set()
            thread.join(lp / 1000 + 30)  # its last poll ends by itself
        admin.close()
        cases = []
        for (lp, where), ks in keys.items():
            cases.append({"long_poll_ms": lp, "created_on": where, **_summary([(started[k] - sent[k]) * 1000 for k in ks if k in started], len(ks))})
        headline = next(c for c in cases if c["long_poll_ms"] == long_polls[0] and c["created_on"] == "other")
        return {**{k: headline[k] for k in ("samples", "missing", "p50_ms", "p99_ms", "max_ms")},
                "long_poll_ms": long_polls[0], "slots": SLOTS, "rounds": rounds, "cases": cases}
    finally:
        for worker in workers:
            worker.stopping.set()
        if b:
            b.stop()
        a.stop()


def table(result: dict) -> str:
    if "cases" not in result:
        return f"cluster pickup: {result}"
    lines = ["| Task created on | RIEC_LONG_POLL_MS | samples | p50 ms | p99 ms | max ms |", "|---|---|---|---|---|---|"]
    for c in sorted(result["cases"], key=lambda c: (-c["long_poll_ms"], c["created_on"] != "same")):
        node = "the polled node (same)" if c["created_on"] == "same" else "the other node"
        lines.append(f"| {node} | {c['long_poll_ms']} | {c['samples']} | {c['p50_ms']:.0f} | {c['p99_ms']:.0f} | {c['max_ms']:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.cluster", description=__doc__.splitlines()[0])
    p.add_argument("--postgres", required=True, metavar="URL", help="PostgreSQL server for the cluster's fresh database")
    p.add_argument("--samples", type=int, default=60, help="tasks per long poll and node (default 60)")
    p.add_argument("--long-poll-ms", default="20000,5000", help="long-poll timeouts to compare (default 20000,5000; the first is the headline)")
    p.add_argument("--rounds", type=int, default=2, help="alternating rounds (default 2)")
    p.add_argument("--json", metavar="FILE", help="also write the result as JSON")
    args = p.parse_args(argv)
    result = run(args.postgres, args.samples, tuple(int(x) for x in args.long_poll_ms.split(",")), args.rounds)
    print(table(result))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(result, out, indent=2)
    return 0 if "cases" in result else 1


if __name__ == "__main__":
    sys.exit(main())
