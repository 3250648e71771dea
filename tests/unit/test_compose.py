"""docker-compose.yml cannot run here (no Docker engine), so its promises are checked statically."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from riec.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
ENGINE_VARIABLES = set(re.findall(r"\$\{(RIEC_[A-Z_]+)", (ROOT / "engine/src/main/resources/application.yaml").read_text(encoding="utf-8")))


def test_engine_runs_on_postgresql_in_compose():
    engine = COMPOSE["services"]["engine"]
    assert engine["environment"]["RIEC_ENGINE_DB_URL"].startswith("jdbc:postgresql://postgres:")
    assert engine["depends_on"]["postgres"]["condition"] == "service_healthy"


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
