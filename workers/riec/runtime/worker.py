"""The worker loop: fetch-and-lock with long polling, run handlers, report outcomes.

Retries are split on purpose. tenacity retries *engine calls* that failed for
transient reasons (see engine.py). A *handler* that fails is reported to the
engine with a decremented retry count and a back-off, so the engine hands the
task out again later and raises an incident in Cockpit when retries run out.
"""
from __future__ import annotations

import contextvars
import logging
import math
import signal
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import FrameType
from typing import Any

import pycamunda
from pydantic import BaseModel, ValidationError
from tenacity import Retrying, retry_if_exception, wait_exponential

from riec.runtime.engine import CamundaClient, LockedTask, is_transient
from riec.runtime.errors import BpmnError, TaskInputError
from riec.runtime.registry import TASK_FIELDS, Registry, Topic
from riec.runtime.variables import from_camunda, to_camunda_map
from riec.settings import Settings

log = logging.getLogger("riec.worker")

#: Logging context (worker, topic, task, business key), set once per task here.
task_context: contextvars.ContextVar[str] = contextvars.ContextVar("task_context", default="-")


class _Interrupted(Exception):
    """Raised from the signal handler to abandon an idle long poll at once."""


def build_input(topic: Topic, task: LockedTask) -> BaseModel:
    values = {name: from_camunda(var) for name, var in task.variables.items()}
    fields = topic.input_model.model_fields
    # Filled under the alias when there is one: a model need not set populate_by_name.
    if "business_key" in fields:
        values[fields["business_key"].alias or "business_key"] = task.business_key
    if "tenant_id" in fields:
        values[fields["tenant_id"].alias or "tenant_id"] = task.tenant_id
    if "task_key" in fields:
        # Same for every delivery of this task, different for a later visit of the activity.
        values[fields["task_key"].alias or "task_key"] = f"{task.process_instance_id}/{task.activity_instance_id}"
    try:
        return topic.input_model.model_validate(values)
    except ValidationError as exc:
        # Name the fields and what is wrong, never the values: they may be personal data.
        problems = ", ".join(f"{'.'.join(map(str, e['loc']))} ({e['type']})" for e in exc.errors())
        raise TaskInputError(f"variables for topic {topic.name} rejected by {topic.input_model.__name__}: {problems}") from None


def output_variables(result: BaseModel | Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    if result is None:
        return {}
    if isinstance(result, BaseModel):
        result = result.model_dump(mode="json", by_alias=True, exclude=set(TASK_FIELDS) & set(type(result).model_fields))
    return to_camunda_map(dict(result))


def describe_failure(exc: BaseException) -> tuple[str, str]:
    """A readable message and details for Cockpit, without exception text that could carry data.

    Only our own TaskInputError messages are known to be free of personal data;
    for anything else the type and the place it was raised are shown.
    """
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}" if frames else ""
    if isinstance(exc, TaskInputError):
        message = str(exc)
    else:
        message = f"{type(exc).__name__}{where}"
    details = "".join(traceback.format_list(frames)) + f"{type(exc).__module__}.{type(exc).__name__}"
    return message, details


@dataclass
class _Held:
    task: LockedTask
    lock_ms: int
    due: float
    context: str
    extending: bool = False
    lost: bool = False
    released: bool = False


class LockKeeper:
    """One thread extends the lock of every task held (running or fetched ahead) at half its duration, so none loses its lock.

    It replaced a thread per task (issue 13): one thread, woken at the earliest due extension,
    whatever the number of handler slots. A refused extension (400: the lock went to another
    worker; 404: the task is gone) is final and not asked again; the result of that run is
    dropped when it is reported. Any other error (engine away) is logged and tried again at the
    next half period, while the handler keeps working.
    """

    def __init__(self, client: CamundaClient, worker_id: str):
        self.client = client
        self.worker_id = worker_id
        self._held: dict[str, _Held] = {}
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False
        # When the keeper wakes next (-inf while it is awake and will look again anyway): a task is tracked
        # and released per fetch and per completion, and waking the keeper for each only to find nothing due
        # costs two thread switches per task on a busy worker (issue 13).
        self._wakes_at = -math.inf

    def track(self, task: LockedTask, lock_ms: int, context: str = "-") -> None:
        # Half the lock counted from the fetch that took it, not from the handler's start: on a busy
        # machine the two are apart, and the first extension must come before the lock runs out.
        # Tracking a task already kept (fetched ahead, now starting) keeps its schedule.
        locked_at = task.locked_at if task.locked_at is not None else time.monotonic()
        with self._cond:
            if (held := self._held.get(task.id)) is not None and not held.released:
                held.context = context
                return
            held = self._held[task.id] = _Held(task, lock_ms, locked_at + lock_ms / 2000, context)
            if self._thread is None or not self._thread.is_alive():
                self._closed = False
                self._thread = threading.Thread(target=self._run, daemon=True, name="riec-lock-keeper")
                self._thread.start()
            if held.due < self._wakes_at:
                self._cond.notify_all()

    def release(self, task: LockedTask) -> None:
        """Stop extending ``task``; waits for an extension of it that is under way."""
        with self._cond:
            if (held := self._held.get(task.id)) is not None:
                # Never extended again from here on: an extension slower than half the lock would otherwise be
                # due again the moment it returns, and the keeper (holding the condition) would start the next
                # one before this thread could take the task out - release would wait forever.
                held.released = True
            while (held := self._held.get(task.id)) is not None and held.extending:
                self._cond.wait()
            self._held.pop(task.id, None)  # the keeper need not wake for this: it finds nothing due and sleeps on

    def tracked(self) -> int:
        with self._cond:
            return len(self._held)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        with self._cond:
            while not self._closed:
                now = time.monotonic()
                waiting = [h for h in self._held.values() if not h.lost and not h.released]
                due = [h for h in waiting if h.due <= now]
                if not due:
                    self._wakes_at = min(h.due for h in waiting) if waiting else math.inf
                    self._cond.wait(self._wakes_at - now if waiting else None)
                    self._wakes_at = -math.inf
                    continue
                for held in due:
                    held.extending = True
                    held.due = now + held.lock_ms / 2000  # the new lock runs from (after) this request
                self._cond.release()
                try:
                    for held in due:
                        self._extend(held)
                finally:
                    self._cond.acquire()
                for held in due:
                    held.extending = False
                self._cond.notify_all()

    def _extend(self, held: _Held) -> None:
        token = task_context.set(held.context)
        try:
            self.client.extend_lock(held.task, self.worker_id, held.lock_ms)
            log.debug("lock extended by %d ms", held.lock_ms)
        except (pycamunda.BadRequest, pycamunda.NotFound) as exc:
            # A final answer: the lock expired and went to another worker, or the task is gone.
            # Asking again cannot win it back; the result of this run will be dropped on report.
            held.lost = True
            log.warning("lock lost (%s): another worker may be running this task; not extending any more", type(exc).__name__)
        except Exception as exc:  # noqa: BLE001 - transient (engine away): keep trying while the handler works
            log.warning("could not extend lock (%s)", type(exc).__name__)
        finally:
            task_context.reset(token)


class Worker:
    def __init__(self, registry: Registry, settings: Settings, client: CamundaClient):
        """Serve the topics of a *bound* registry (see Registry.bind; riec.app.App.worker builds one)."""
        self.settings = settings
        self.client = client
        unbound = [f"{t.name} ({', '.join(t.dependencies)})" for t in registry if t.dependencies]
        if unbound:
            raise ValueError(f"handlers still need their dependencies; bind the registry first (riec.app): {'; '.join(unbound)}")
        wanted = settings.topic_list
        unknown = set(wanted) - set(registry.names())
        if unknown:
            raise ValueError(f"RIEC_TOPICS names topics no handler serves: {', '.join(sorted(unknown))}")
        self.topics = [t for t in registry if not wanted or t.name in wanted]
        if not self.topics:
            raise ValueError("no topics to serve")
        self.worker_id = settings.worker_id
        self.stopping = threading.Event()
        self._fetching = False
        # Places for tasks held locked: the handler slots plus the tasks fetched ahead for the next free slot
        # (RIEC_MAX_TASKS). A fetch waits until a slot's worth of places is free (or all that fetching ahead
        # allows), so it asks for a batch, and what is still held keeps the slots busy while it is on the wire (issue 13: one task per fetch made the fetch cost
        # as much as the work; the batch loop it is measured against fetches ten at a time).
        self._held_limit = settings.tasks_held
        self._fetch_at = max(1, min(settings.concurrency, self._held_limit - settings.concurrency))
        self._slots = threading.BoundedSemaphore(self._held_limit)
        self._running = 0
        self._lock = threading.Lock()
        self.keeper = LockKeeper(client, self.worker_id)

    # -- lifecycle ---------------------------------------------------------------

    def install_signal_handlers(self) -> None:
        def on_signal(signum: int, _frame: FrameType | None) -> None:
            if not self.stopping.is_set():
                log.info("received %s: finishing the task at hand, fetching nothing new", signal.Signals(signum).name)
            self.stopping.set()
            if self._fetching:
                raise _Interrupted()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)

    def run(self) -> None:
        log.info("worker %s serving %s at %s", self.worker_id, ", ".join(t.name for t in self.topics), self.settings.engine_url)
        with ThreadPoolExecutor(max_workers=self.settings.concurrency, thread_name_prefix="handler") as pool:
            while not self.stopping.is_set():
                free = self._acquire_free_slots()
                if free == 0:
                    continue
                tasks = self._fetch(free)
                for _ in range(free - len(tasks)):
                    self._slots.release()
                for task in tasks:
                    if self.stopping.is_set():
                        self._hand_back(task)
                        self._slots.release()
                        continue
                    # Kept from the fetch on: a task waiting for a slot must not lose its lock meanwhile.
                    self.keeper.track(task, self._lock_ms(task), self._context(task))
                    ctx = contextvars.copy_context()
                    pool.submit(ctx.run, self._run_task, task)
            log.info("waiting for %d running task(s) to finish", self._running)
        self._hand_back_orphans()
        self.keeper.close()
        self.client.close()
        log.info("worker %s stopped", self.worker_id)

    def _acquire_free_slots(self) -> int:
        """Block until enough places are free to fetch a batch (at least one), then take every free place.

        Returns 0 (holding nothing) when a stop is requested while waiting.
        """
        free = 0
        while free < self._fetch_at:
            if self._slots.acquire(timeout=1.0):
                free += 1
            elif self.stopping.is_set():
                for _ in range(free):
                    self._slots.release()
                return 0
        while free < self._held_limit and self._slots.acquire(blocking=False):
            free += 1
        return free

    def _lock_ms(self, task: LockedTask) -> int:
        topic = next(t for t in self.topics if t.name == task.topic)
        return topic.lock_duration_ms or self.settings.lock_duration_ms

    def _context(self, task: LockedTask) -> str:
        return f"worker={self.worker_id} topic={task.topic} task={task.id} businessKey={task.business_key or '-'}"

    def _fetch(self, max_tasks: int) -> list[LockedTask]:
        topics = [(t.name, t.lock_duration_ms or self.settings.lock_duration_ms, t.variable_names) for t in self.topics]
        retrying = Retrying(
            retry=retry_if_exception(is_transient),
            wait=wait_exponential(multiplier=0.5, min=1, max=15),
            stop=lambda _state: self.stopping.is_set(),
            before_sleep=self.client.outage.failed,
            sleep=self._pause,
            reraise=True,
        )
        try:
            self._fetching = True
            for attempt in retrying:
                with attempt:
                    return self.client.fetch_and_lock(self.worker_id, topics, max_tasks, self.settings.long_poll_ms)
        except _Interrupted:
            return []
        except Exception as exc:  # noqa: BLE001 - the loop must survive anything the engine answers
            if self.stopping.is_set():
                return []
            log.error("fetch-and-lock refused (%s); pausing before the next poll", type(exc).__name__)
            self.stopping.wait(5)
            return []
        finally:
            self._fetching = False
        return []

    def _pause(self, seconds: float) -> None:
        self.stopping.wait(seconds)

    def _hand_back_orphans(self) -> None:
        """After the last handler finished: hand back whatever the engine still has locked to this worker.

        A stop signal during a fetch-and-lock that was already returning tasks abandons that answer, but the
        engine has locked them; without this they would wait out the whole lock duration. Every handler has
        finished here, so a task still locked to this worker id is one of those. (Worker ids must be unique
        per process, which the default ``host-pid`` is.)
        """
        try:
            orphans = self.client.get("external-task", workerId=self.worker_id, locked="true")
        except Exception:  # noqa: BLE001 - best effort: the locks expire by themselves anyway
            log.warning("could not ask the engine which tasks are still locked to this worker; they are free again when their locks expire")
            return
        for task in orphans:
            try:
                self.client.rest("POST", f"external-task/{task['id']}/unlock")
            except Exception:  # noqa: BLE001
                log.warning("could not unlock task %s; it is free again when its lock expires", task["id"])
        if orphans:
            log.info("handed back %d task(s) locked by an interrupted fetch", len(orphans))

    def _hand_back(self, task: LockedTask) -> None:
        try:
            self.client.unlock(task)
        except Exception:  # noqa: BLE001 - the lock expires by itself anyway
            log.warning("could not unlock task %s; it is free again when its lock expires", task.id)

    # -- one task ------------------------------------------------------------------

    def _run_task(self, task: LockedTask) -> None:
        if self.stopping.is_set():
            # Fetched ahead and not started before the stop: handed back, not begun (a clean stop
            # finishes only the tasks at hand).
            self.keeper.release(task)
            self._hand_back(task)
            self._slots.release()
            return
        with self._lock:
            self._running += 1
        task_context.set(self._context(task))
        try:
            self.handle(task)
        finally:
            with self._lock:
                self._running -= 1
            task_context.set("-")
            self._slots.release()

    def handle(self, task: LockedTask) -> None:
        topic = next(t for t in self.topics if t.name == task.topic)
        self.keeper.track(task, self._lock_ms(task), task_context.get())  # already kept since its fetch: only the context
        started = time.monotonic()
        try:
            try:
                result = topic.handler(build_input(topic, task))
            finally:
                # Returns only when no extension of this task is on the wire: the outcome is the task's last call.
                self.keeper.release(task)
            self._report(lambda: self.client.complete(task, self.worker_id, output_variables(result)), task)
            log.info("completed in %.2f s", time.monotonic() - started)
        except BpmnError as err:
            error = err  # bound for the lambda: the except name is unbound after the block
            self._report(lambda: self.client.bpmn_error(task, self.worker_id, error.code, error.message, output_variables(error.variables)), task)
            log.info("business outcome %s", error.code)
        except Exception as exc:  # noqa: BLE001 - every other failure goes to the engine
            self._report_failure(task, exc)

    def _report_failure(self, task: LockedTask, exc: Exception) -> None:
        configured = self.settings.retries
        # The first failure arrives with retries unset: the worker owns the count.
        remaining = max((task.retries if task.retries is not None else configured) - 1, 0)
        attempt = max(configured - remaining, 1)
        backoff = self.settings.retry_backoff_ms * 2 ** (attempt - 1) if remaining else 0
        message, details = describe_failure(exc)
        self._report(lambda: self.client.failure(task, self.worker_id, message, details, remaining, backoff), task)
        if remaining:
            log.warning("failed (%s); %d retr%s left, next in %d ms", message, remaining, "y" if remaining == 1 else "ies", backoff)
        else:
            log.error("failed (%s); no retries left: incident raised", message)

    def _report(self, call: Callable[[], object], task: LockedTask) -> None:
        try:
            call()
        except (pycamunda.BadRequest, pycamunda.NotFound):
            # 400: the lock went to another worker; 404: the task is gone. Not ours any more.
            log.warning("task %s is no longer locked by this worker; its result was dropped", task.id)
        except Exception as exc:  # noqa: BLE001
            log.error("could not report result (%s); the task is delivered again after its lock expires", type(exc).__name__)


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.task = task_context.get()
        return True


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.addFilter(ContextFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(task)s] %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("urllib3").setLevel(logging.ERROR)
