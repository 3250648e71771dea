"""The real signal process end to end: N signals submitted at once to `riec worker`.

Half are the README's hit example (signal-validate, hit-no-hit, case-init, then the
analyst's first case task), half its no-hit example (signal-validate, hit-no-hit, end).
The worker is the production command (`python -m riec worker`, the workers' service
user) as a separate process; its RSS is read from /proc at rest and during the run.
"""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bench.harness import ROOT, BenchEngine, rss_kib

HIT = json.loads((ROOT / "examples" / "signal-hit.json").read_text(encoding="utf-8"))
NO_HIT = json.loads((ROOT / "examples" / "signal-no-hit.json").read_text(encoding="utf-8"))
#: The analyst's first task of a case (bpmn/case.bpmn; "Open bron toevoegen" appears beside it, so count this one).
FIRST_CASE_TASK = "Task_HalfOpenSources"


def signal_run(bench: BenchEngine, n: int, concurrency: int = 8, prefix: str = "BENCH", timeout: float = 900) -> dict:
    from riec.runtime.variables import to_camunda_map

    engine = bench.engine
    s = bench.settings
    log_path = bench.base / "signal-worker.log"
    env = engine.env(RIEC_ENGINE_USER=s.worker_user, RIEC_ENGINE_PASSWORD=s.worker_password,
                     RIEC_CONCURRENCY=str(concurrency), RIEC_LONG_POLL_MS="20000")
    with open(log_path, "ab") as log:
        worker = subprocess.Popen([sys.executable, "-m", "riec", "worker"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while "serving" not in log_path.read_text(errors="replace") and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)
        rest_kib, _ = rss_kib(worker.pid)
        peak = [rest_kib]
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.wait(0.25):
                try:
                    peak.append(rss_kib(worker.pid)[0])
                except OSError:
                    return

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        admin = bench.admin(8)
        hits = [f"{prefix}-hit-{i}" for i in range(0, n, 2)]
        misses = [f"{prefix}-nohit-{i}" for i in range(1, n, 2)]

        def submit(key: str) -> None:
            variables = to_camunda_map({**(HIT if "-hit-" in key else NO_HIT), "region": "riec-noord"})
            admin.post(f"{bench.url}/message", json={"messageName": "riec-signaal", "businessKey": key,
                                                     "processVariables": variables}, timeout=120).raise_for_status()

        t0 = time.time()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(submit, [k for pair in zip(hits, misses) for k in pair] + hits[len(misses):]))
        submitted = time.time() - t0

        def progress() -> tuple[int, int]:
            at_case = admin.get(f"{bench.url}/task/count", params={"processInstanceBusinessKeyLike": f"{prefix}-hit-%",
                                                                  "taskDefinitionKey": FIRST_CASE_TASK}, timeout=60).json()["count"]
            ended = admin.get(f"{bench.url}/history/process-instance/count", params={
                "processInstanceBusinessKeyLike": f"{prefix}-nohit-%", "processDefinitionKey": "riec-signal", "finished": "true"}, timeout=60).json()["count"]
            return at_case, ended

        at_case = ended = 0
        while time.time() - t0 < timeout:
            at_case, ended = progress()
            if at_case >= len(hits) and ended >= len(misses):
                break
            time.sleep(0.5)
        elapsed = time.time() - t0
        sampling.set()
        sampler.join()
        time.sleep(1)
        incidents = admin.get(f"{bench.url}/incident/count", timeout=60).json()["count"]
        left = admin.get(f"{bench.url}/external-task/count", timeout=60).json()["count"]
        # Nothing done twice: one case per hit, one user task per case.
        cases = admin.get(f"{bench.url}/history/process-instance/count", params={
            "processInstanceBusinessKeyLike": f"{prefix}-hit-%", "processDefinitionKey": "riec-case"}, timeout=60).json()["count"]
        after_kib, hwm_kib = rss_kib(worker.pid)
        admin.close()
        return {"signals": n, "hits": len(hits), "no_hits": len(misses), "submitted_s": submitted, "elapsed_s": elapsed,
                "signals_per_s": n / elapsed if elapsed else float("nan"), "at_case_task": at_case, "no_hit_ended": ended,
                "cases": cases, "incidents": incidents, "external_tasks_left": left,
                "complete": at_case == len(hits) and ended == len(misses) and cases == len(hits) and incidents == 0 and left == 0,
                "worker_concurrency": concurrency, "rss_rest_mib": rest_kib / 1024, "rss_load_max_mib": max(peak) / 1024,
                "rss_hwm_mib": hwm_kib / 1024, "rss_after_mib": after_kib / 1024}
    finally:
        worker.terminate()
        try:
            worker.wait(60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
