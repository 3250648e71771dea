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
        if not out:  # all fetched: stop once they are done (a stop hands back what has not started)
            deadline = time.monotonic() + 10
            while len(fake_engine.named("complete")) < 20 and time.monotonic() < deadline:
                time.sleep(0.01)
            worker.stopping.set()
        return out

    fake_engine.fetch_script = [batch] * 100
    before = len(keepers())
    worker.run()
    assert len(fake_engine.named("complete")) == 20
    # A fetch waits until a slot's worth of places (4) is free, then asks for every free place (at most 12).
    assert all(4 <= f["max_tasks"] <= 12 for f in fake_engine.named("fetch_and_lock"))
    assert busy[1] <= 4, "never more handlers at once than slots, however many are fetched ahead"
    assert worker.keeper.tracked() == 0
    assert len(keepers()) <= before


def test_connection_pool_holds_a_connection_per_slot(make_settings):
    client = CamundaClient(make_settings(concurrency=16))
    adapter = client.session.get_adapter("http://engine/engine-rest")
    assert adapter._pool_maxsize >= 16 + 2
    client.close()


def test_without_fetching_ahead_a_fetch_asks_only_for_free_slots(fake_engine, make_task, make_settings):
    """RIEC_MAX_TASKS equal to RIEC_CONCURRENCY: other worker processes get every task not yet running."""
    registry = Registry()

    @registry.topic("noop")
    def noop(data: Nothing) -> None:
        time.sleep(0.01)

    worker = Worker(registry, make_settings(concurrency=3, max_tasks=3), client=fake_engine)
    tasks = [make_task("noop", {}, task_id=f"t-{i}") for i in range(9)]

    def batch():
        asked = fake_engine.named("fetch_and_lock")[-1]["max_tasks"]
        out = tasks[:asked]
        del tasks[:asked]
        if not out:
            worker.stopping.set()
        return out

    fake_engine.fetch_script = [batch] * 100
    worker.run()
    assert len(fake_engine.named("complete")) == 9
    assert all(1 <= f["max_tasks"] <= 3 for f in fake_engine.named("fetch_and_lock"))


def test_tasks_fetched_ahead_keep_their_lock_while_they_wait_for_a_slot(fake_engine, make_task, make_settings):
    registry = Registry()
    release = threading.Event()

    @registry.topic("noop", lock_duration_ms=1000)
    def slow(data: Nothing) -> None:
        release.wait(5)

    worker = Worker(registry, make_settings(concurrency=1, max_tasks=2), client=fake_engine)
    first, waiting = make_task("noop", {}, task_id="running"), make_task("noop", {}, task_id="waiting")

    def stop_later():
        time.sleep(0.8)  # the waiting task's lock (1 s) is half gone twice over meanwhile
        release.set()
        worker.stopping.set()
        return []

    fake_engine.fetch_script = [[first, waiting], stop_later]
    worker.run()
    extended = {call["task"].id for call in fake_engine.named("extend_lock")}
    assert "waiting" in extended, "the task fetched ahead was kept locked while the slot was busy"


def test_a_stop_hands_back_the_tasks_fetched_ahead_instead_of_starting_them(fake_engine, make_task, make_settings):
    registry = Registry()
    started: list[str] = []
    running = threading.Event()

    @registry.topic("noop")
    def slow(data: Nothing) -> None:
        started.append("x")
        running.set()
        time.sleep(0.3)

    worker = Worker(registry, make_settings(concurrency=1, max_tasks=3), client=fake_engine)
    tasks = [make_task("noop", {}, task_id=f"t-{i}") for i in range(3)]

    def stop_while_the_first_runs():  # as SIGTERM does, from outside the loop
        running.wait(5)
        worker.stopping.set()

    fake_engine.fetch_script = [tasks]
    threading.Thread(target=stop_while_the_first_runs, daemon=True).start()
    worker.run()
    assert len(started) == 1 and [c["task"].id for c in fake_engine.named("complete")] == ["t-0"]
    assert sorted(c["task"].id for c in fake_engine.named("unlock")) == ["t-1", "t-2"]
    assert worker.keeper.tracked() == 0
