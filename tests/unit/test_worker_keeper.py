"""Tier 2: the runtime's shared lock keeper and its connection pool (issue 13).

One thread extends the locks of every running task (it replaced a thread per task); a task's
outcome is reported only after any extension of it has finished, so the outcome is its last call.
"""
from __future__ import annotations

import threading
import time

from pydantic import BaseModel

from riec.runtime import Registry, Worker
from riec.runtime.engine import CamundaClient
from riec.runtime.worker import LockKeeper


def keepers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "riec-lock-keeper" and t.is_alive()]


def test_one_keeper_thread_extends_every_running_task(fake_engine, make_task):
    keeper = LockKeeper(fake_engine, "worker-test")
    tasks = [make_task("person", task_id=f"t-{i}") for i in range(6)]
    before = len(keepers())
    for task in tasks:
        keeper.track(task, 200)
    time.sleep(0.35)
    assert len(keepers()) == before + 1
    extended = {call["task"].id for call in fake_engine.named("extend_lock")}
    assert extended == {t.id for t in tasks}
    assert all(call["duration_ms"] == 200 and call["worker_id"] == "worker-test" for call in fake_engine.named("extend_lock"))
    for task in tasks:
        keeper.release(task)
    count = len(fake_engine.named("extend_lock"))
    time.sleep(0.25)
    assert len(fake_engine.named("extend_lock")) == count, "a released task is not extended any more"
    keeper.close()
    assert len(keepers()) == before


def test_first_extension_is_due_half_a_lock_after_the_fetch_not_the_handler_start(fake_engine, make_task):
    keeper = LockKeeper(fake_engine, "worker-test")
    task = make_task("person")
    task.locked_at = time.monotonic() - 0.9  # fetched 0.9 s ago; the handler starts only now
    keeper.track(task, 2000)
    time.sleep(0.3)
    keeper.release(task)
    keeper.close()
    assert len(fake_engine.named("extend_lock")) == 1, "extended at once: half its lock had nearly passed"


def test_release_waits_for_an_extension_on_the_wire(fake_engine, make_task):
    order: list[str] = []
    extending = threading.Event()

    class SlowEngine(type(fake_engine)):
        def extend_lock(self, task, worker_id, duration_ms):
            extending.set()
            time.sleep(0.3)
            order.append("extended")

    keeper = LockKeeper(SlowEngine(), "worker-test")
    task = make_task("person")
    keeper.track(task, 100)  # first extension due after 50 ms
    assert extending.wait(2)
    keeper.release(task)
    order.append("released")
    keeper.close()
    assert order == ["extended", "released"]


def test_a_lost_lock_is_not_extended_again_but_others_are(fake_engine, make_task):
    import pycamunda

    class LosesOne(type(fake_engine)):
        def extend_lock(self, task, worker_id, duration_ms):
            super().extend_lock(task, worker_id, duration_ms)
            if task.id == "lost":
                raise pycamunda.BadRequest("lock lost")

    engine = LosesOne()
    keeper = LockKeeper(engine, "worker-test")
    lost, kept = make_task("person", task_id="lost"), make_task("person", task_id="kept")
    keeper.track(lost, 100)
    keeper.track(kept, 100)
    time.sleep(0.4)
    keeper.close()
    ids = [c["task"].id for c in engine.named("extend_lock")]
    assert ids.count("lost") == 1
    assert ids.count("kept") >= 3


class Nothing(BaseModel):
    pass


def test_run_serves_many_tasks_over_few_slots_and_closes_the_keeper(fake_engine, make_task, make_settings):
    registry = Registry()
    busy = [0, 0]  # now, most at once
    guard = threading.Lock()

    @registry.topic("noop")
    def noop(data: Nothing) -> None:
        with guard:
            busy[0] += 1
            busy[1] = max(busy)
        time.sleep(0.02)
        with guard:
            busy[0] -= 1

    worker = Worker(registry, make_settings(concurrency=4), client=fake_engine)
    tasks = [make_task("noop", {}, task_id=f"t-{i}") for i in range(20)]

    def batch():
        asked = fake_engine.named("fetch_and_lock")[-1]["max_tasks"]
        out = tasks[:asked]
        del tasks[:asked]
        if not out:
            worker.stopping.set()
        return out

    fake_engine.fetch_script = [batch] * 100
    before = len(keepers())
    worker.run()
    assert len(fake_engine.named("complete")) == 20
    assert all(1 <= f["max_tasks"] <= 4 for f in fake_engine.named("fetch_and_lock"))
    assert busy[1] <= 4
    assert worker.keeper.tracked() == 0
    assert len(keepers()) <= before


def test_connection_pool_holds_a_connection_per_slot(make_settings):
    client = CamundaClient(make_settings(concurrency=16))
    adapter = client.session.get_adapter("http://engine/engine-rest")
    assert adapter._pool_maxsize >= 16 + 2
    client.close()
