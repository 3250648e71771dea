"""docker-compose.yml cannot run here (no Docker engine), so its promises are checked statically."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from riec.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
ENGINE_VARIABLES = set(re.findall(r"\$\{(RIEC_[A-Z_]+)", (ROOT / "engine/src/main/resources/application.yaml").read_text(encoding="utf-8")))


ENGINES = {name: service for name, service in COMPOSE["services"].items() if name.startswith("engine")}


def test_engine_runs_on_postgresql_in_compose():
    for engine in ENGINES.values():
        assert engine["environment"]["RIEC_ENGINE_DB_URL"].startswith("jdbc:postgresql://postgres:")


def test_engine_is_a_two_node_cluster_on_one_database():
    """Issue 13: a homogeneous cluster, the same image and configuration on one database, any node serving REST."""
    assert len(ENGINES) == 2
    first, second = ENGINES["engine-1"], ENGINES["engine-2"]
    assert first["build"] == second["build"] and first["environment"] == second["environment"], "the same jar, the same configuration"
    assert first["depends_on"]["postgres"]["condition"] == "service_healthy"
    # On an empty database the first node creates the schema and the administrator; the second joins afterwards.
    assert second["depends_on"] == {"engine-1": {"condition": "service_healthy"}}
    for engine in ENGINES.values():
        assert engine["networks"]["default"]["aliases"] == ["engine"], "one name for every node: workers spread and fail over by DNS"
        assert engine["restart"] == "unless-stopped" and "healthcheck" in engine
        assert "RIEC_ENGINE_JOB_EXECUTION" not in str(engine), "the job executor runs on every node"
    assert {p.split(":")[0] for e in ENGINES.values() for p in e["ports"]} == {"8080", "8081"}
    for name in ("workers", "deploy"):
        service = COMPOSE["services"][name]
        assert service["environment"]["RIEC_ENGINE_URL"].startswith("http://engine:"), f"{name} reaches whichever node answers"
        assert service["depends_on"]["engine-1"]["condition"] == "service_healthy"
    assert set(COMPOSE["services"]["workers"]["depends_on"]) == {"engine-1", "engine-2"}
    # A long poll is woken only by tasks its own node creates: bounded, so a task from the other node waits seconds, not 20.
    assert int(COMPOSE["services"]["workers"]["environment"]["RIEC_LONG_POLL_MS"]) <= 5000


def test_engine_configuration_runs_job_executors_on_every_node():
    config = yaml.safe_load((ROOT / "engine/src/main/resources/application.yaml").read_text(encoding="utf-8"))["camunda"]["bpm"]
    assert config["job-execution"]["enabled"] is True and config["job-execution"]["deployment-aware"] is False
    assert config["id-generator"] == "strong", "UUIDs: two nodes never hand out the same id"


def test_workers_are_replicas_with_registers_in_postgresql():
    workers = COMPOSE["services"]["workers"]
    assert workers["deploy"]["replicas"] >= 2
    assert workers["environment"]["RIEC_DATABASE_URL"].startswith("postgresql+psycopg://")


def test_workers_do_not_run_as_the_administrator():
    workers = COMPOSE["services"]["workers"]["environment"]
    assert workers["RIEC_ENGINE_USER"] == Settings.model_fields["worker_user"].default
    assert "RIEC_ENGINE_PASSWORD" in workers and "RIEC_WORKER_PASSWORD" in workers["RIEC_ENGINE_PASSWORD"]
    assert "riec identities" in " ".join(COMPOSE["services"]["deploy"]["entrypoint"])


def test_every_variable_compose_sets_is_one_the_code_reads():
    known = {f"RIEC_{name.upper()}" for name in Settings.model_fields} | ENGINE_VARIABLES
    for name, service in COMPOSE["services"].items():
        for variable in service.get("environment", {}):
            if variable.startswith("RIEC_"):
                assert variable in known, f"{name} sets {variable}, which nothing reads"


def test_secrets_have_no_default_in_compose():
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for secret in ("RIEC_ENGINE_PASSWORD", "RIEC_WORKER_PASSWORD", "POSTGRES_PASSWORD", "RIEC_HIT_KEY"):
        assert f"${{{secret}:?" in text, f"{secret} must be required, not defaulted"
