"""Tier 2: the worker runtime, checked by what it would send to the engine.

A ``FakeEngine`` (tests/unit/conftest.py) replaces the CamundaClient and records
every call: complete, bpmn_error, failure, extend_lock, unlock, fetch_and_lock.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import threading
import time

import pycamunda
import pytest
import requests
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_none

import riec.runtime.engine as engine_module
import riec.runtime.worker as worker_module
from riec.runtime import BpmnError, Registry, TaskInputError, Worker
from riec.runtime.engine import CamundaClient, EngineError, OutageLog, is_transient
from riec.runtime.worker import build_input, describe_failure

NAME = "Jan de Vries"


class Person(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    subject_name: str
    street: str
    partners: list[str] = []
    business_key: str | None = None
    task_key: str | None = None


class Result(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    hit_count: int
    checked: bool
    task_key: str | None = None


class Dated(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    date_of_birth: dt.date


class AliasOnly(BaseModel):
    """Aliases without populate_by_name: a model a handler author may well write."""

    model_config = ConfigDict(alias_generator=to_camel)

    subject_name: str
    task_key: str


PERSON_VARS = {
    "subjectName": {"value": NAME, "type": "String"},
    "street": {"value": "Herestraat", "type": "String"},
    "partners": {"value": '["kmar"]', "type": "Json"},
}


class Handlers:
    """A registry whose handlers record what they received; behaviour set per test."""

    def __init__(self):
        self.registry = Registry()
        self.received: list[BaseModel] = []
        self.behaviour = lambda data: Result(hit_count=len(data.partners), checked=True)

        @self.registry.topic("person")
        def person(data: Person):
            self.received.append(data)
            return self.behaviour(data)

        @self.registry.topic("dated")
        def dated(data: Dated):
            self.received.append(data)
            return None

        @self.registry.topic("slow", lock_duration_ms=2_000)
        def slow(data: Person):
            return None


@pytest.fixture
def handlers():
    return Handlers()


@pytest.fixture
def worker_for(handlers, fake_engine, make_settings):
    def build(**overrides) -> Worker:
        return Worker(handlers.registry, make_settings(**overrides), client=fake_engine)

    return build


@pytest.fixture
def worker(worker_for):
    return worker_for()


def person_task(make_task, **kwargs):
    return make_task("person", dict(PERSON_VARS), **kwargs)


# --------------------------------------------------------------------------- return means complete


def test_return_completes_with_camel_case_typed_variables(worker, handlers, fake_engine, make_task):
    task = person_task(make_task)
    worker.handle(task)
    assert [name for name, _ in fake_engine.calls] == ["complete"]
    [call] = fake_engine.named("complete")
    assert call["task"] is task
    assert call["worker_id"] == "worker-test"
    # task_key is a reserved input field: never written back to the process.
    assert call["variables"] == {"hitCount": {"value": 1, "type": "Integer"}, "checked": {"value": True, "type": "Boolean"}}


def test_handler_receives_converted_variables_and_task_fields(worker, handlers, make_task):
    worker.handle(person_task(make_task, business_key="BK-7", process_instance_id="pi-9", activity_instance_id="Task_Test:ai-3"))
    [data] = handlers.received
    assert data.subject_name == NAME
    assert data.partners == ["kmar"]  # Json became a list
    assert data.business_key == "BK-7"
    assert data.task_key == "pi-9/Task_Test:ai-3"


def test_task_key_is_stable_across_redeliveries_and_new_per_visit(worker, handlers, make_task):
    worker.handle(person_task(make_task, task_id="t-1", activity_instance_id="ai-1"))
    worker.handle(person_task(make_task, task_id="t-2", activity_instance_id="ai-1"))  # same task, delivered again
    worker.handle(person_task(make_task, task_id="t-3", activity_instance_id="ai-2"))  # activity visited again
    keys = [d.task_key for d in handlers.received]
    assert keys[0] == keys[1] != keys[2]


def test_returning_none_completes_without_variables(worker, handlers, fake_engine, make_task):
    handlers.behaviour = lambda data: None
    worker.handle(person_task(make_task))
    assert fake_engine.named("complete")[0]["variables"] == {}


def test_returning_a_dict_completes_with_its_typed_values(worker, handlers, fake_engine, make_task):
    handlers.behaviour = lambda data: {"outcome": "geen_hit", "hit": False}
    worker.handle(person_task(make_task))
    assert fake_engine.named("complete")[0]["variables"] == {
        "outcome": {"value": "geen_hit", "type": "String"},
        "hit": {"value": False, "type": "Boolean"},
    }


# --------------------------------------------------------------------------- BpmnError means a BPMN error


def test_bpmn_error_is_thrown_with_code_message_and_typed_variables(worker, handlers, fake_engine, make_task):
    def refuse(data):
        raise BpmnError("SIGNAL_INVALID", "signal rejected: 1 problem(s)", {"signalValid": False, "validationMessage": "- Vul de melder in."})

    handlers.behaviour = refuse
    task = person_task(make_task)
    worker.handle(task)
    assert [name for name, _ in fake_engine.calls] == ["bpmn_error"]
    [call] = fake_engine.named("bpmn_error")
    assert (call["task"], call["worker_id"], call["code"], call["message"]) == (task, "worker-test", "SIGNAL_INVALID", "signal rejected: 1 problem(s)")
    assert call["variables"] == {
        "signalValid": {"value": False, "type": "Boolean"},
        "validationMessage": {"value": "- Vul de melder in.", "type": "String"},
    }


def test_bpmn_error_with_model_variables_and_without_any(worker, handlers, fake_engine, make_task):
    handlers.behaviour = lambda data: (_ for _ in ()).throw(BpmnError("NO_HIT", variables=Result(hit_count=0, checked=True, task_key="x")))
    worker.handle(person_task(make_task))
    handlers.behaviour = lambda data: (_ for _ in ()).throw(BpmnError("BARE"))
    worker.handle(person_task(make_task))
    first, second = fake_engine.named("bpmn_error")
    assert first["variables"] == {"hitCount": {"value": 0, "type": "Integer"}, "checked": {"value": True, "type": "Boolean"}}
    assert (second["code"], second["message"], second["variables"]) == ("BARE", "", {})


# --------------------------------------------------------------------------- anything else means failure with retries


def fail(data):
    raise RuntimeError(f"no register entry for {data.subject_name} at {data.street}")


@pytest.mark.parametrize(
    "configured, backoff_ms, task_retries, expected_retries, expected_backoff",
    [
        (3, 1000, None, 2, 1000),  # first failure: the engine sends no retries, the worker owns the count
        (3, 1000, 2, 1, 2000),
        (3, 1000, 1, 0, 0),  # last attempt: incident, no back-off
        (5, 500, None, 4, 500),
        (5, 500, 4, 3, 1000),
        (5, 500, 3, 2, 2000),
        (5, 500, 2, 1, 4000),
        (5, 500, 1, 0, 0),
        (0, 1000, None, 0, 0),  # retries switched off: incident at once
    ],
)
def test_failure_decrements_retries_with_doubling_backoff(worker_for, handlers, fake_engine, make_task, configured, backoff_ms, task_retries, expected_retries, expected_backoff):
    handlers.behaviour = fail
    worker_for(retries=configured, retry_backoff_ms=backoff_ms).handle(person_task(make_task, retries=task_retries))
    assert [name for name, _ in fake_engine.calls] == ["failure"]
    [call] = fake_engine.named("failure")
    assert (call["retries"], call["retry_timeout_ms"]) == (expected_retries, expected_backoff)
    assert call["worker_id"] == "worker-test"


def test_failure_report_carries_no_exception_text(worker, handlers, fake_engine, make_task, caplog):
    handlers.behaviour = fail
    with caplog.at_level(logging.DEBUG):
        worker.handle(person_task(make_task))
    [call] = fake_engine.named("failure")
    for text in (call["message"], call["details"], caplog.text):
        assert NAME not in text
        assert "Herestraat" not in text
    # ... but enough to find the fault: the type and where it was raised.
    assert call["message"].startswith("RuntimeError at test_worker.py:")
    assert call["details"].endswith("builtins.RuntimeError")
    assert "in fail" in call["details"]


def test_missing_required_variable_fails_naming_the_field_not_the_values(worker, handlers, fake_engine, make_task):
    task = make_task("person", {"subjectName": {"value": NAME, "type": "String"}})  # no street
    worker.handle(task)
    assert handlers.received == []  # the handler never ran
    [call] = fake_engine.named("failure")
    assert "street (missing)" in call["message"]
    assert "Person" in call["message"] and "person" in call["message"]
    assert NAME not in call["message"] and NAME not in call["details"]
    assert call["retries"] == 2


def test_malformed_variable_fails_naming_the_field_not_the_value(worker_for, handlers, fake_engine, make_task):
    worker_for().handle(make_task("dated", {"dateOfBirth": {"value": f"{NAME} 1980", "type": "String"}}))
    [call] = fake_engine.named("failure")
    assert "dateOfBirth" in call["message"]
    assert NAME not in call["message"] and "1980" not in call["message"]


def test_build_input_raises_task_input_error_without_values(handlers, make_task):
    with pytest.raises(TaskInputError) as caught:
        build_input(handlers.registry["person"], make_task("person", {"subjectName": {"value": 12345, "type": "Integer"}}))
    text = str(caught.value)
    assert "subjectName (string_type)" in text and "street (missing)" in text
    assert "12345" not in text
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_describe_failure_of_an_exception_never_raised():
    message, details = describe_failure(KeyError(NAME))
    assert message == "KeyError"
    assert NAME not in details and details.endswith("builtins.KeyError")


def test_task_key_is_filled_for_a_model_with_aliases_only(make_task):
    registry = Registry()
    received = []

    @registry.topic("alias-only")
    def handler(data: AliasOnly):
        received.append(data)

    model = build_input(registry["alias-only"], make_task("alias-only", {"subjectName": {"value": "x", "type": "String"}}))
    assert model.task_key == "pi-1/ai-1"


# --------------------------------------------------------------------------- "not yours any more" is not a crash


@pytest.mark.parametrize("error", [pycamunda.BadRequest("lock lost"), pycamunda.NotFound("task gone")], ids=["400", "404"])
@pytest.mark.parametrize("call", ["complete", "bpmn_error", "failure"])
def test_lost_task_answers_are_swallowed_and_logged(worker, handlers, fake_engine, make_task, caplog, error, call):
    if call == "bpmn_error":
        handlers.behaviour = lambda data: (_ for _ in ()).throw(BpmnError("X"))
    elif call == "failure":
        handlers.behaviour = fail
    fake_engine.raises[call] = error
    with caplog.at_level(logging.WARNING, logger="riec.worker"):
        worker.handle(person_task(make_task))  # must not raise
    assert [name for name, _ in fake_engine.calls] == [call]  # reported once; not turned into a failure
    assert "no longer locked by this worker" in caplog.text


def test_complete_failing_otherwise_is_not_reported_as_a_handler_failure(worker, fake_engine, make_task, caplog):
    fake_engine.raises["complete"] = requests.ConnectionError("engine down")
    with caplog.at_level(logging.ERROR, logger="riec.worker"):
        worker.handle(person_task(make_task))
    assert [name for name, _ in fake_engine.calls] == ["complete"]
    assert "could not report result (ConnectionError)" in caplog.text


# --------------------------------------------------------------------------- lock extension


def test_long_handler_gets_its_lock_extended(worker_for, handlers, fake_engine, make_task):
    handlers.behaviour = lambda data: time.sleep(1.3)
    worker = worker_for(lock_duration_ms=1000)
    worker.handle(person_task(make_task))
    names = [name for name, _ in fake_engine.calls]
    extensions = fake_engine.named("extend_lock")
    assert len(extensions) >= 1
    assert all(e["duration_ms"] == 1000 and e["worker_id"] == "worker-test" for e in extensions)
    assert names[-1] == "complete" and set(names[:-1]) == {"extend_lock"}
    assert worker.keeper.tracked() == 0  # released before the outcome was reported


def test_quick_handler_needs_no_extension(worker_for, fake_engine, make_task):
    worker_for(lock_duration_ms=1000).handle(person_task(make_task))
    assert fake_engine.named("extend_lock") == []


def test_failing_extension_does_not_stop_the_handler(worker_for, handlers, fake_engine, make_task, caplog):
    handlers.behaviour = lambda data: time.sleep(0.7)
    fake_engine.raises["extend_lock"] = requests.ConnectionError()
    with caplog.at_level(logging.WARNING, logger="riec.worker"):
        worker_for(lock_duration_ms=1000).handle(person_task(make_task))
    assert len(fake_engine.named("extend_lock")) >= 1
    assert len(fake_engine.named("complete")) == 1
    assert "could not extend lock (ConnectionError)" in caplog.text


@pytest.mark.parametrize("error", [pycamunda.BadRequest("lock lost"), pycamunda.NotFound("task gone")], ids=["400", "404"])
def test_a_refused_extension_stops_extending_and_says_the_lock_is_lost(worker_for, handlers, fake_engine, make_task, caplog, error):
    handlers.behaviour = lambda data: time.sleep(1.4)  # three extension rounds at 1000 ms locks
    fake_engine.raises["extend_lock"] = error
    with caplog.at_level(logging.WARNING, logger="riec.worker"):
        worker = worker_for(lock_duration_ms=1000)
        worker.handle(person_task(make_task))
    assert len(fake_engine.named("extend_lock")) == 1, "a final refusal is not asked again"
    assert f"lock lost ({type(error).__name__})" in caplog.text
    assert worker.keeper.tracked() == 0


# --------------------------------------------------------------------------- fetching


def test_fetch_asks_for_the_named_variables_with_each_topics_lock(worker, fake_engine, make_task):
    task = person_task(make_task)
    fake_engine.fetch_script = [[task]]
    assert worker._fetch(2) == [task]
    [call] = fake_engine.named("fetch_and_lock")
    assert call["worker_id"] == "worker-test"
    assert call["max_tasks"] == 2 and call["long_poll_ms"] == 0
    assert call["topics"] == [
        ("person", 60_000, ["subjectName", "street", "partners"]),
        ("dated", 60_000, ["dateOfBirth"]),
        ("slow", 2_000, ["subjectName", "street", "partners"]),
    ]


def test_worker_serves_only_the_configured_topics(worker_for, fake_engine):
    worker = worker_for(topics="dated, slow")
    worker._fetch(1)
    assert [t[0] for t in fake_engine.named("fetch_and_lock")[0]["topics"]] == ["dated", "slow"]


def test_unknown_configured_topic_is_refused(worker_for):
    with pytest.raises(ValueError, match="no handler serves: nope"):
        worker_for(topics="person,nope")


def test_fetch_survives_transient_errors(worker, fake_engine, monkeypatch, caplog):
    monkeypatch.setattr(worker_module, "wait_exponential", lambda **kwargs: wait_none())
    fake_engine.fetch_script = [requests.ConnectionError("refused"), requests.ConnectionError("refused"), []]
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        assert worker._fetch(1) == []
    assert time.monotonic() - started < 1
    assert len(fake_engine.named("fetch_and_lock")) == 3
    outage = [r.getMessage() for r in caplog.records if r.name == "riec.engine"]
    assert len(outage) == 2
    assert "engine unreachable (ConnectionError)" in outage[0]
    assert "reachable again" in outage[1]
    assert not worker.stopping.is_set()


def test_fetch_gives_up_retrying_when_stopping(worker, fake_engine):
    worker.stopping.set()
    fake_engine.fetch_script = [requests.ConnectionError("refused"), []]
    started = time.monotonic()
    assert worker._fetch(1) == []
    assert time.monotonic() - started < 1
    assert len(fake_engine.named("fetch_and_lock")) == 1


class RecordingEvent(threading.Event):
    def __init__(self):
        super().__init__()
        self.waits: list[float] = []

    def wait(self, timeout=None):
        self.waits.append(timeout)
        return self.is_set()


def test_fetch_refused_is_not_retried_but_pauses(worker, fake_engine, caplog):
    worker.stopping = RecordingEvent()
    fake_engine.fetch_script = [EngineError(401, "Unauthorized")]
    with caplog.at_level(logging.ERROR, logger="riec.worker"):
        assert worker._fetch(1) == []
    assert len(fake_engine.named("fetch_and_lock")) == 1
    assert worker.stopping.waits == [5]
    assert "fetch-and-lock refused (EngineError)" in caplog.text


def test_fetch_refused_by_the_engine_is_reported_not_retried(worker, fake_engine, monkeypatch, caplog):
    monkeypatch.setattr(worker_module, "wait_exponential", lambda **kwargs: wait_none())
    worker.stopping = RecordingEvent()

    def refused_again():
        worker.stopping.set()  # ends the otherwise endless retry loop
        return pycamunda.Unauthorized("")

    fake_engine.fetch_script = [pycamunda.Unauthorized(""), refused_again]
    with caplog.at_level(logging.WARNING):
        assert worker._fetch(1) == []
    assert len(fake_engine.named("fetch_and_lock")) == 1
    assert "fetch-and-lock refused (Unauthorized)" in caplog.text


# --------------------------------------------------------------------------- the loop and a clean stop


def test_run_handles_fetched_tasks_then_stops_cleanly(worker, fake_engine, make_task):
    task = person_task(make_task)

    def stop_and_return_nothing():
        worker.stopping.set()
        return []

    fake_engine.fetch_script = [[task], stop_and_return_nothing]
    worker.run()
    assert fake_engine.named("complete")[0]["task"] is task
    assert fake_engine.named("fetch_and_lock")[0]["max_tasks"] == 6  # every free place: 2 slots and 4 fetched ahead
    assert len(fake_engine.named("fetch_and_lock")) == 2
    assert fake_engine.closed


def test_tasks_fetched_after_a_stop_request_are_handed_back(worker, handlers, fake_engine, make_task):
    tasks = [person_task(make_task, task_id="t-1"), person_task(make_task, task_id="t-2")]

    def stop_during_fetch():
        worker.stopping.set()
        return tasks

    fake_engine.fetch_script = [stop_during_fetch]
    fake_engine.raises["unlock"] = requests.ConnectionError()  # unlocking is best effort
    worker.run()
    assert [c["task"].id for c in fake_engine.named("unlock")] == ["t-1", "t-2"]
    assert handlers.received == []
    assert fake_engine.named("complete") == []
    assert fake_engine.closed


@pytest.fixture
def restore_signal_handlers():
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    yield
    for s, handler in saved.items():
        signal.signal(s, handler)


def test_sigterm_abandons_an_idle_long_poll(worker, fake_engine, restore_signal_handlers):
    worker.install_signal_handlers()

    def long_poll():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the signal handler interrupts this
        return ["never"]

    fake_engine.fetch_script = [long_poll]
    started = time.monotonic()
    assert worker._fetch(1) == []
    assert time.monotonic() - started < 2
    assert worker.stopping.is_set()


def test_sigterm_while_working_only_sets_stopping(worker, restore_signal_handlers):
    worker.install_signal_handlers()
    os.kill(os.getpid(), signal.SIGTERM)  # not fetching: must not raise here
    time.sleep(0.01)
    assert worker.stopping.is_set()


# --------------------------------------------------------------------------- transient or final


@pytest.mark.parametrize(
    "exc, transient",
    [
        (requests.ConnectionError(), True),
        (requests.Timeout(), True),
        (EngineError(503, "restarting"), True),
        (EngineError(500, "OptimisticLockingException"), True),
        (EngineError(400, "bad"), False),
        (EngineError(404, "gone"), False),
        (pycamunda.NoSuccess("500"), True),
        (pycamunda.PyCamundaException(requests.ConnectionError()), True),
        (ValueError("x"), False),
        (RuntimeError("x"), False),
    ],
    ids=lambda v: type(v).__name__ + (f"-{v.status}" if isinstance(v, EngineError) else "") if isinstance(v, BaseException) else str(v),
)
def test_is_transient(exc, transient):
    assert is_transient(exc) is transient


@pytest.mark.parametrize("exc", [pycamunda.BadRequest("lock lost"), pycamunda.NotFound("gone"), pycamunda.Unauthorized(""), pycamunda.Forbidden("")], ids=["400", "404", "401", "403"])
def test_is_transient_pycamunda_4xx_is_final(exc):
    assert is_transient(exc) is False


# --------------------------------------------------------------------------- outage logging


def test_outage_is_logged_once_and_recovery_once(caplog):
    outage = OutageLog()
    attempts = []

    def flaky():
        attempts.append(1)
        if len(attempts) <= 3:
            raise requests.ConnectionError("refused")
        return "ok"

    retrying = Retrying(retry=retry_if_exception(is_transient), wait=wait_none(), stop=stop_after_attempt(10), before_sleep=outage.failed, reraise=True)
    with caplog.at_level(logging.WARNING, logger="riec.engine"):
        assert retrying(flaky) == "ok"
        outage.recovered()
        outage.recovered()  # nothing to recover from any more
    messages = [r.getMessage() for r in caplog.records]
    assert len(attempts) == 4
    assert messages[0] == "engine unreachable (ConnectionError); retrying quietly until it answers"
    assert messages[1].startswith("engine reachable again after")
    assert len(messages) == 2


def test_a_new_outage_is_logged_again(caplog):
    outage = OutageLog()

    def always_down():
        raise requests.ConnectionError()

    with caplog.at_level(logging.WARNING, logger="riec.engine"):
        for _ in range(2):
            with pytest.raises(requests.ConnectionError):
                Retrying(wait=wait_none(), stop=stop_after_attempt(3), before_sleep=outage.failed, reraise=True)(always_down)
            outage.recovered()
    messages = [r.getMessage() for r in caplog.records]
    assert [m.split(" (")[0].split(" after")[0] for m in messages] == [
        "engine unreachable", "engine reachable again", "engine unreachable", "engine reachable again",
    ]


def test_recovery_without_an_outage_logs_nothing(caplog):
    with caplog.at_level(logging.DEBUG, logger="riec.engine"):
        OutageLog().recovered()
    assert caplog.records == []


# --------------------------------------------------------------------------- CamundaClient: what goes over the wire


def response(status: int, body=None) -> requests.Response:
    answer = requests.Response()
    answer.status_code = status
    answer._content = b"" if body is None else json.dumps(body).encode()
    answer.headers["Content-Type"] = "application/json"
    return answer


class WireSession:
    """Stands in for the client's requests session: records requests, answers from a script."""

    def __init__(self, *answers: requests.Response):
        self.auth = None
        self.answers = list(answers)
        self.sent: list[dict] = []

    def request(self, method, url, **kwargs):
        self.sent.append({"method": method, "url": url, **kwargs})
        return self.answers.pop(0) if self.answers else response(204)

    def close(self):
        pass


@pytest.fixture
def wire(make_settings):
    client = CamundaClient(make_settings(engine_url="http://engine:8080/engine-rest/", engine_user="worker", engine_password="s3cret"))
    real = client.session
    client.session = WireSession()
    client.session.auth = real.auth
    yield client
    real.close()


def test_engine_session_has_time_outs_and_authentication(make_settings, monkeypatch):
    client = CamundaClient(make_settings(http_connect_timeout_s=2.5, http_read_timeout_s=30.0, engine_user="worker", engine_password="s3cret"))
    seen = {}
    monkeypatch.setattr(requests.Session, "request", lambda self, method, url, **kwargs: seen.update(kwargs) or response(204))
    client.session.request("GET", "http://engine/engine-rest/version")
    client.close()
    assert seen["timeout"] == (2.5, 30.0)
    assert client.session.auth == ("worker", "s3cret")


def test_complete_posts_typed_variables_with_authentication(wire, make_task):
    wire.complete(make_task("person", task_id="t-1"), "worker-test", {"hit": {"value": True, "type": "Boolean"}})
    [sent] = wire.session.sent
    assert (sent["method"], sent["url"]) == ("POST", "http://engine:8080/engine-rest/external-task/t-1/complete")
    assert sent["json"]["workerId"] == "worker-test"
    assert sent["json"]["variables"] == {"hit": {"value": True, "type": "Boolean"}}
    assert not sent["json"].get("localVariables")
    assert sent["auth"] == ("worker", "s3cret")  # pycamunda would drop the session's auth


def test_failure_sends_retries_and_timeout_even_when_zero_and_caps_the_message(wire, make_task):
    wire.failure(make_task("person", task_id="t-1"), "worker-test", "x" * 700, "details", 0, 0)
    [sent] = wire.session.sent
    assert sent["url"].endswith("/external-task/t-1/failure")
    body = sent["json"]
    assert len(body["errorMessage"]) == 600
    assert (body["errorDetails"], body["retries"], body["retryTimeout"], body["workerId"]) == ("details", 0, 0, "worker-test")


def test_bpmn_error_posts_code_message_and_variables(wire, make_task):
    wire.bpmn_error(make_task("person", task_id="t-1"), "worker-test", "SIGNAL_INVALID", "signal rejected: 1 problem(s)", {"signalValid": {"value": False, "type": "Boolean"}})
    [sent] = wire.session.sent
    assert sent["url"].endswith("/external-task/t-1/bpmnError")
    assert sent["json"] == {
        "workerId": "worker-test", "errorCode": "SIGNAL_INVALID", "errorMessage": "signal rejected: 1 problem(s)",
        "variables": {"signalValid": {"value": False, "type": "Boolean"}},
    }


def test_extend_lock_and_unlock(wire, make_task):
    task = make_task("person", task_id="t-1")
    wire.extend_lock(task, "worker-test", 60_000)
    wire.unlock(task)
    extend, unlock = wire.session.sent
    assert extend["url"].endswith("/external-task/t-1/extendLock")
    assert extend["json"] == {"newDuration": 60_000, "workerId": "worker-test"}
    assert unlock["url"].endswith("/external-task/t-1/unlock")


def test_fetch_and_lock_names_topics_variables_and_reads_tasks(wire):
    wire.session.answers = [response(200, [{
        "activityId": "Task_HitNoHit", "activityInstanceId": "Task_HitNoHit:ai-1", "errorMessage": None, "executionId": "ex-1",
        "id": "t-1", "processDefinitionId": "pd", "processDefinitionKey": "riec-signal", "processInstanceId": "pi-1",
        "tenantId": None, "retries": None, "workerId": "worker-test", "priority": 0, "topicName": "hit-no-hit",
        "lockExpirationTime": None, "businessKey": "BK-1",
        "variables": {"subjectName": {"type": "String", "value": NAME, "valueInfo": {}}},
    }])]
    [task] = wire.fetch_and_lock("worker-test", [("hit-no-hit", 60_000, ["subjectName", "street"])], 2, 20_000)
    [sent] = wire.session.sent
    assert sent["url"].endswith("/external-task/fetchAndLock")
    body = sent["json"]
    assert (body["workerId"], body["maxTasks"], body["asyncResponseTimeout"]) == ("worker-test", 2, 20_000)
    assert body["topics"] == [{"topicName": "hit-no-hit", "lockDuration": 60_000, "deserializeValues": False, "variables": ["subjectName", "street"]}]
    assert (task.id, task.topic, task.business_key, task.process_instance_id, task.activity_instance_id, task.retries) == (
        "t-1", "hit-no-hit", "BK-1", "pi-1", "Task_HitNoHit:ai-1", None)
    assert task.variables["subjectName"]["value"] == NAME and task.variables["subjectName"]["type"] == "String"


def test_complete_retries_a_server_error_then_succeeds(wire, make_task, monkeypatch, caplog):
    monkeypatch.setattr(engine_module, "wait_exponential", lambda **kwargs: wait_none())
    wire.session.answers = [response(500, {"message": "OptimisticLockingException"}), response(204)]
    with caplog.at_level(logging.WARNING, logger="riec.engine"):
        wire.complete(make_task("person"), "worker-test", {})
    assert len(wire.session.sent) == 2
    assert "engine unreachable (NoSuccess)" in caplog.text


@pytest.mark.parametrize("status, error", [(400, pycamunda.BadRequest), (404, pycamunda.NotFound)])
def test_complete_gives_up_on_a_lost_task_at_once(wire, make_task, monkeypatch, status, error):
    # tenacity bounded to 3 quick attempts so the bug shows as a count, not as a two-minute wait
    monkeypatch.setattr(engine_module, "wait_exponential", lambda **kwargs: wait_none())
    monkeypatch.setattr(engine_module, "stop_after_delay", lambda delay: stop_after_attempt(3))
    wire.session.answers = [response(status, {"message": "Task is locked by a different worker"}) for _ in range(3)]
    with pytest.raises(error):
        wire.complete(make_task("person"), "worker-test", {})
    assert len(wire.session.sent) == 1


def test_the_engine_client_reads_proxy_and_ca_settings_once_not_per_request(make_settings, monkeypatch):
    """requests would read the environment on every call (issue 13); the client reads it once, for the engine's URL."""
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    client = CamundaClient(make_settings(engine_url="http://engine.example/engine-rest"))
    assert client.session.trust_env is False
    assert client.session.proxies.get("http") == "http://proxy.example:3128"
    assert client.session.verify == "/etc/ssl/certs/ca-certificates.crt"
    monkeypatch.setenv("NO_PROXY", "engine.example")
    bypassed = CamundaClient(make_settings(engine_url="http://engine.example/engine-rest"))
    assert "http" not in bypassed.session.proxies, "NO_PROXY still names the engine's host"
