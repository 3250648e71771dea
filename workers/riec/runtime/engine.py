"""The one place that speaks the engine's REST protocol.

pycamunda builds the external-task requests; this module gives them a shared
``requests`` session with authentication and time-outs (pycamunda has neither
of its own), and retries transient faults (engine restarting, connection
refused, 5xx such as the optimistic-locking 500 on complete) with tenacity.
"""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import pycamunda
import pycamunda.externaltask as ext
import requests
from requests.adapters import HTTPAdapter
from tenacity import RetryCallState, retry, retry_if_exception, stop_after_delay, wait_exponential

from riec.settings import Settings

log = logging.getLogger("riec.engine")


class TimeoutSession(requests.Session):
    """A session that never waits forever: every request gets the configured time-outs."""

    def __init__(self, timeout: tuple[float, float]):
        super().__init__()
        self._timeout = timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self._timeout)
        return super().request(method, url, *args, **kwargs)


def is_transient(exc: BaseException) -> bool:
    """Connection trouble or a 5xx: worth retrying. 4xx answers are final."""
    if isinstance(exc, (requests.ConnectionError, requests.Timeout)):
        return True
    if isinstance(exc, EngineError):
        return exc.status >= 500
    if isinstance(exc, (pycamunda.BadRequest, pycamunda.Unauthorized, pycamunda.Forbidden, pycamunda.NotFound)):
        return False  # subclasses of NoSuccess in pycamunda, but final answers: a lost lock, a wrong password
    if isinstance(exc, pycamunda.NoSuccess):
        return True  # every other status pycamunda has no class for: 5xx in practice
    # pycamunda wraps requests' own exceptions in its base class.
    return type(exc) is pycamunda.PyCamundaException


class EngineError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


@dataclass
class LockedTask:
    id: str
    topic: str
    business_key: str | None
    process_instance_id: str
    activity_id: str
    activity_instance_id: str
    retries: int | None
    variables: dict[str, dict[str, Any]]
    #: The region (Camunda tenant, R-6.1) of the task's process instance.
    tenant_id: str | None = None
    #: time.monotonic() when the fetch that locked it was sent: its lock runs from (after) then.
    locked_at: float | None = None

    @classmethod
    def from_pycamunda(cls, task: ext.ExternalTask) -> "LockedTask":
        return cls(
            id=task.id_,
            topic=task.topic_name,
            business_key=task.business_key,
            process_instance_id=task.process_instance_id,
            activity_id=task.activity_id,
            activity_instance_id=task.activity_instance_id,
            retries=task.retries,
            variables={
                name: {"value": var.value, "type": var.type_, "valueInfo": var.value_info}
                for name, var in (task.variables or {}).items()
            },
            tenant_id=getattr(task, "tenant_id", None),
        )


class OutageLog:
    """Logs an outage once when it starts and once when it ends, not per attempt."""

    def __init__(self) -> None:
        self.since: float | None = None

    def failed(self, state: RetryCallState) -> None:
        if self.since is None:
            self.since = time.monotonic()
            exc = state.outcome.exception() if state.outcome else None
            log.warning("engine unreachable (%s); retrying quietly until it answers", type(exc).__name__ if exc else "?")

    def recovered(self) -> None:
        if self.since is not None:
            log.warning("engine reachable again after %.0f s", time.monotonic() - self.since)
            self.since = None


class CamundaClient:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.url = settings.engine_url.rstrip("/")
        self.session = TimeoutSession((settings.http_connect_timeout_s, settings.http_read_timeout_s))
        self.session.auth = (settings.engine_user, settings.engine_password)
        # One kept-alive connection per handler slot, plus the long poll and the lock keeper: requests'
        # default pool keeps 10, so 16 slots would open (and close) a new connection per call (issue 13).
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=max(10, settings.concurrency + 2))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        # With trust_env, requests reads the proxy variables of the environment on every request, a tenth
        # of the client's CPU per task (issue 13, measured with yappi). The engine's URL never changes:
        # its proxy (honouring NO_PROXY) and the CA bundle are read from the environment once, here.
        self.session.proxies = requests.utils.get_environ_proxies(self.url)
        self.session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        self.session.trust_env = False
        self.outage = OutageLog()

    def close(self) -> None:
        self.session.close()

    # -- external tasks (pycamunda) ------------------------------------------------

    def _send(self, request: Any) -> Any:
        request.session = self.session
        request.auth = self.session.auth  # pycamunda drops session auth unless set per request
        return request()

    def fetch_and_lock(self, worker_id: str, topics: Iterable[tuple[str, int, list[str]]], max_tasks: int, long_poll_ms: int) -> list[LockedTask]:
        request = ext.FetchAndLock(self.url, worker_id=worker_id, max_tasks=max_tasks, async_response_timeout=long_poll_ms)
        for name, lock_ms, variables in topics:
            request.add_topic(name, lock_duration=lock_ms, variables=variables)
        asked = time.monotonic()
        tasks = [LockedTask.from_pycamunda(t) for t in self._send(request)]
        for task in tasks:
            task.locked_at = asked
        self.outage.recovered()
        return tasks

    def complete(self, task: LockedTask, worker_id: str, variables: dict[str, dict[str, Any]]) -> None:
        request = ext.Complete(self.url, id_=task.id, worker_id=worker_id)
        request.variables = variables
        self._with_retries(lambda: self._send(request))

    def bpmn_error(self, task: LockedTask, worker_id: str, code: str, message: str, variables: dict[str, dict[str, Any]]) -> None:
        request = ext.HandleBPMNError(self.url, id_=task.id, worker_id=worker_id, error_code=code, error_message=message)
        request.variables = variables
        self._with_retries(lambda: self._send(request))

    def failure(self, task: LockedTask, worker_id: str, message: str, details: str, retries: int, retry_timeout_ms: int) -> None:
        request = ext.HandleFailure(self.url, id_=task.id, worker_id=worker_id, error_message=message[:600], error_details=details, retries=retries, retry_timeout=retry_timeout_ms)
        self._with_retries(lambda: self._send(request))

    def extend_lock(self, task: LockedTask, worker_id: str, duration_ms: int) -> None:
        self._send(ext.ExtendLock(self.url, id_=task.id, new_duration=duration_ms, worker_id=worker_id))

    def unlock(self, task: LockedTask) -> None:
        self._send(ext.Unlock(self.url, id_=task.id))

    def _with_retries(self, call: Callable[[], Any]) -> Any:
        # Bounded: if the engine stays away, the lock expires and the task is
        # delivered again (at least once), so giving up here loses nothing.
        return retry(
            retry=retry_if_exception(is_transient),
            wait=wait_exponential(multiplier=0.5, max=10),
            stop=stop_after_delay(120),
            before_sleep=self.outage.failed,
            reraise=True,
        )(call)()

    # -- plain REST for the command line and tests -----------------------------------

    def rest(self, method: str, path: str, *, expect: Iterable[int] = (200, 204), **kwargs: Any) -> Any:
        response = self.session.request(method, f"{self.url}/{path.lstrip('/')}", **kwargs)
        if response.status_code not in expect:
            try:
                message = response.json().get("message", response.text)
            except ValueError:
                message = response.text
            raise EngineError(response.status_code, message)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    def get(self, path: str, **params: Any) -> Any:
        return self.rest("GET", path, params=params)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.rest("POST", path, json=body, **kwargs)
