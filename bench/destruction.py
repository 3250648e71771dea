"""Benchmark: destroying N cases' worth of data (issue 11; art. 7, R-7.1). Not a test: a measurement.

    python -m bench.destruction [--cases 10000] [--mode sweep|parallel] [--threads 8] [--package-kib 16]
                                [--instances-per-case 1] [--database-url URL] [--json FILE]

What it does:

1. starts an engine of its own (as the integration tests do: a private copy of engine/target/riec-engine.jar on a free
   port, H2 in a temporary folder) and a registers database of its own (SQLite in the same folder, or ``--database-url``);
2. creates N cases' worth of data, all overdue: per case a vault package (random bytes of ``--package-kib`` KiB under its
   own key), a PROVISION entry in the provision register (hash chain), an intervention carried out long ago, a
   notification, an outbox message and a hit-check record; in the engine ``--instances-per-case`` finished process
   instances under the case key, each with the case's variables (name, address, date of birth, summary);
3. destroys them with riec.destruction: ``--mode sweep`` runs the daily sweep once (riec.destruction.sweep, sequential,
   as ``riec retention sweep`` does); ``--mode parallel`` calls destroy_case for every case from ``--threads`` threads
   (as the ``case-destruction`` topic does with that many worker slots);
4. checks the result (every case has its destruction row, the vault is empty, no history instance left, the
   register's chain verifies) and prints the figures (markdown and JSON): set-up time, destruction time, cases per
   second and per-case latency.

Run it when the machine is quiet; docs/performance.md ("Destruction") has the figures and the machine.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Engine as SqlEngine

from riec.compliance import db
from riec.compliance.provision_register import EntryKind, RegisterEntry, append_in, verify_chain
from riec.destruction.core import Trigger, destroy_case
from riec.destruction.sweep import sweep
from riec.retention import RetentionTerms
from tests.integration.engine import Engine

PROCESS = "riec-bench-case"
REGION = "riec-noord"
BENCH_BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  id="BenchDestruction" targetNamespace="http://riec.example/bench">
  <bpmn:process id="{PROCESS}" name="Benchmark: a finished case" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>
"""


def case_variables(key: str, n: int) -> dict[str, Any]:
    """What a case's instance carries in history (fictional, unique per case so nothing is shared)."""
    values = {
        "caseKey": key, "region": REGION, "subjectName": f"Bench Persoon {n}", "street": f"Benchstraat {n % 300 + 1}",
        "postcode": f"{1000 + n % 9000} AB", "city": "Groningen", "birthDate": f"19{50 + n % 50}-0{1 + n % 9}-1{n % 10}",
        "summary": f"Samenvatting van casus {key}: " + "x" * 200,
    }
    return {name: {"value": value, "type": "String"} for name, value in values.items()}


def seed_registers(database: SqlEngine, keys: list[str], package_bytes: int, provided_on: dt.date) -> None:
    """Per case: package + key, PROVISION entry, intervention long ago, notification, outbox message, hit check."""
    provided_at = dt.datetime.combine(provided_on, dt.time(10), tzinfo=dt.UTC)
    for start in range(0, len(keys), 500):
        with db.write_transaction(database) as conn:
            for key in keys[start:start + 500]:
                key_id, package_id = str(uuid.uuid4()), str(uuid.uuid4())
                conn.execute(db.vault_key.insert().values(id=key_id, key=os.urandom(32), created_at=provided_at))
                conn.execute(db.vault_package.insert().values(
                    id=package_id, case_key=key, region=REGION, process_instance_id=f"pi-{key}", key_id=key_id,
                    nonce=os.urandom(12), ciphertext=os.urandom(package_bytes), name_nonce=os.urandom(12),
                    name_ciphertext=os.urandom(32), content_type="application/pdf", size=package_bytes,
                    uploaded_by="politie", uploaded_at=provided_at, provided_at=provided_at, person_refs='["P-1"]'))
                append_in(conn, RegisterEntry(kind=EntryKind.PROVISION, occurred_at=provided_at, actor="provision",
                                              case_id=key, region=REGION, recipient_id="nn-groningen-analist",
                                              person_refs=("P-1",), outcome="allowed", rule_ids=("R-5.1b",),
                                              references={"package": package_id}),
                          idempotency_key=f"bench:{key}")
                conn.execute(db.intervention.insert().values(
                    case_key=key, region=REGION, measures='["bestuurlijk"]', strategy="Bestuurlijke aanpak (bench).",
                    carried_out_on=provided_on + dt.timedelta(days=30), recorded_at=provided_at + dt.timedelta(days=30)))
                conn.execute(db.notification.insert().values(
                    key=f"bench:{key}", kind="provided", recipient_group="riec-partner", business_key=key, task_ref="vault",
                    text_nl=f"Er zijn politiegegevens aan u verstrekt bij casus {key}.", created_at=provided_at))
                conn.execute(db.hit_check.insert().values(
                    task_key=f"bench:{key}", business_key=key, checked_at=provided_at, hit_partners='["bd-noord"]',
                    reporting_partner="gem-groningen", region=REGION))
                conn.execute(db.mail_outbox.insert().values(
                    id=str(uuid.uuid4()), dedupe_key=f"bench:{key}", message_id=f"<bench.{key}@riec.example>", kind="provided",
                    recipient_group="riec-partner", region=REGION, business_key=key, subject="Gegevens verstrekt",
                    body=f"Casus {key}", status="sent", attempts=1, next_attempt_at=provided_at, created_at=provided_at,
                    sent_at=provided_at))


def seed_engine(engine: Engine, keys: list[str], per_case: int, threads: int) -> None:
    from riec.identity import ensure_regions

    client = engine.client()
    ensure_regions(client)  # every instance belongs to a region (R-6.1, a Camunda tenant)
    client.rest("POST", "deployment/create", data={"deployment-name": "riec-bench-destruction", "enable-duplicate-filtering": "true"},
                files=[("bench-destruction.bpmn", ("bench-destruction.bpmn", BENCH_BPMN.encode(), "application/octet-stream"))])
    local = threading.local()

    def one(item: tuple[int, str]) -> None:
        if not hasattr(local, "client"):
            local.client = engine.client()
        n, key = item
        for _ in range(per_case):
            local.client.post(f"process-definition/key/{PROCESS}/start", {"businessKey": key, "variables": case_variables(key, n)})

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, enumerate(keys)))


def count(database: SqlEngine, table: Table) -> int:
    with db.read_transaction(database) as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def machine() -> dict[str, Any]:
    def run(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return "?"
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    return {"nproc": run("nproc"), "free_g": run("free", "-g").splitlines()[1:2], "python": platform.python_version(),
            "java": java[0] if java else "?", "load_avg": os.getloadavg()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.destruction", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--mode", choices=("sweep", "parallel"), default="sweep")
    parser.add_argument("--threads", type=int, default=8, help="destroy_case threads in --mode parallel; engine seeding threads")
    parser.add_argument("--package-kib", type=int, default=16)
    parser.add_argument("--instances-per-case", type=int, default=1)
    parser.add_argument("--database-url", help="registers database (default: SQLite in the benchmark's folder)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark's folder")
    args = parser.parse_args(argv)

    base = Path(tempfile.mkdtemp(prefix="riec-bench-destruction-"))
    engine = Engine(base / "engine")
    result: dict[str, Any] = {"cases": args.cases, "mode": args.mode, "threads": args.threads, "package_kib": args.package_kib,
                              "instances_per_case": args.instances_per_case, "machine": machine()}
    try:
        database = db.open_database(args.database_url or f"sqlite:///{base / 'registers.sqlite'}")
        db.migrate(database)
        result["registers"] = "PostgreSQL" if db.is_postgresql(database) else "SQLite"
        terms = RetentionTerms()
        today = dt.date.today()
        provided_on = today - dt.timedelta(days=terms.max_retention_days + 30)  # every case overdue
        keys = [f"BENCH-{n:05d}" for n in range(args.cases)]

        t0 = time.monotonic()
        seed_registers(database, keys, args.package_kib * 1024, provided_on)
        result["seed_registers_s"] = round(time.monotonic() - t0, 1)
        t0 = time.monotonic()
        engine.start(timeout=600)
        result["engine_start_s"] = round(time.monotonic() - t0, 1)
        t0 = time.monotonic()
        seed_engine(engine, keys, args.instances_per_case, min(args.threads, 4))
        result["seed_engine_s"] = round(time.monotonic() - t0, 1)
        client = engine.client()
        result["history_instances_before"] = client.get("history/process-instance/count", processDefinitionKey=PROCESS)["count"]
        result["history_variables_before"] = client.get("history/variable-instance/count", processDefinitionKey=PROCESS)["count"]
        print(f"seeded {args.cases} cases in {result['seed_registers_s']} s (registers) + {result['seed_engine_s']} s (engine); "
              f"destroying ({args.mode}) ...", file=sys.stderr, flush=True)

        latencies: list[float] = []
        now = dt.datetime.now(dt.UTC)
        t0 = time.monotonic()
        if args.mode == "sweep":
            report = sweep(database=database, camunda=client, terms=terms, today=today, now=now)
            result["failed"] = len(report.failed)
            result["destroyed_reported"] = len(report.cases_destroyed)
        else:
            local = threading.local()

            def one(key: str) -> None:
                if not hasattr(local, "client"):
                    local.client = engine.client()
                started = time.monotonic()
                destroy_case(key, REGION, database=database, camunda=local.client, trigger=Trigger.SWEEP, now=now, actor="bench")
                latencies.append(time.monotonic() - started)

            with ThreadPoolExecutor(args.threads) as pool:
                list(pool.map(one, keys))
        total = time.monotonic() - t0
        result["destroy_s"] = round(total, 1)
        result["cases_per_s"] = round(args.cases / total, 1) if total else None
        result["ms_per_case"] = round(1000 * total / args.cases, 1)
        if latencies:
            ordered = sorted(latencies)
            result["latency_ms"] = {"median": round(1000 * statistics.median(ordered), 1),
                                    "p90": round(1000 * ordered[int(0.9 * (len(ordered) - 1))], 1),
                                    "max": round(1000 * ordered[-1], 1)}

        # The result: complete, registered once, nothing left.
        chain = verify_chain(database)
        result["check"] = {
            "destruction_rows": count(database, db.destruction),
            "vault_packages_left": count(database, db.vault_package),
            "vault_keys_left": count(database, db.vault_key),
            "history_instances_left": client.get("history/process-instance/count", processDefinitionKey=PROCESS)["count"],
            "history_variables_left": client.get("history/variable-instance/count", processDefinitionKey=PROCESS)["count"],
            "chain_ok": chain.ok, "register_entries": chain.checked,
        }
        ok = (result["check"]["destruction_rows"] == args.cases and result["check"]["vault_packages_left"] == 0
              and result["check"]["history_instances_left"] == 0 and chain.ok)
        result["ok"] = ok
    finally:
        engine.stop()
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
        else:
            result["folder"] = str(base)

    print(markdown(result))
    print(json.dumps(result, indent=2, default=str))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    return 0 if result.get("ok") else 1


def markdown(r: dict[str, Any]) -> str:
    c = r.get("check", {})
    lines = [
        "| Cases | Mode | Engine instances | Package | Registers | Set-up (registers + engine) | Destruction | Cases/s | ms/case | Check |",
        "|---|---|---|---|---|---|---|---|---|---|",
        f"| {r['cases']:,} | {r['mode']}{' x' + str(r['threads']) if r['mode'] == 'parallel' else ''} | "
        f"{r.get('history_instances_before', '?'):,} ({r.get('history_variables_before', '?'):,} variables) | "
        f"{r['package_kib']} KiB | {r.get('registers', '?')} | {r.get('seed_registers_s')} s + {r.get('seed_engine_s')} s | "
        f"{r.get('destroy_s')} s | {r.get('cases_per_s')} | {r.get('ms_per_case')} | "
        f"{'complete' if r.get('ok') else 'INCOMPLETE'}: {c.get('destruction_rows')} rows, {c.get('vault_packages_left')} packages "
        f"and {c.get('history_instances_left')} instances left, chain {'ok' if c.get('chain_ok') else 'BROKEN'} |",
    ]
    if r.get("latency_ms"):
        lines.append(f"\nPer case (parallel): median {r['latency_ms']['median']} ms, p90 {r['latency_ms']['p90']} ms, "
                     f"max {r['latency_ms']['max']} ms.")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
