"""``riec``: one entry point for operators, analysts' scripts and the tests.

Messages for operators are in English; what an officer reads (signal problems)
is in Dutch. Every command returns an exit code: 0 done, 1 failed, 2 refused input.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
from pathlib import Path

from riec.settings import DEV_ADMIN_PASSWORD, Settings, get_settings


def _client(settings: Settings):
    from riec.runtime.engine import EngineClient

    return EngineClient(settings)


def cmd_up(args, settings: Settings) -> int:
    from riec import system

    print(f"Engine: building and starting (logs: {settings.data_dir / 'logs' / 'engine.log'}) ...", flush=True)
    if not system.engine_ready(settings):
        system.start_engine(settings)
    system.wait_for_engine(settings)
    cmd_deploy(args, settings)
    cmd_seed_demo(args, settings)
    system.start_workers(settings)
    root = system.engine_root(settings)
    print(f"""
RIEC casusanalyse is running.
  Tasklist : {root}/camunda/app/tasklist/
  Cockpit  : {root}/camunda/app/cockpit/
  Admin    : {root}/camunda/app/admin/
  REST API : {settings.engine_url}

Logins (development only):
  {settings.engine_user:<14} / {settings.engine_password if settings.engine_password == DEV_ADMIN_PASSWORD else '(RIEC_ENGINE_PASSWORD)'}  (beheerder)""")
    from riec.identity import ROLES

    for role in ROLES:
        print(f"  {role.user:<14} / {settings.demo_password}  {role.name}")
    print("  (these work in riec-noord; the same users with -limburg, e.g. analist-limburg, in riec-limburg)")
    print(f"  {settings.worker_user:<14} (service user of the workers; may only work external tasks)")
    print("\nStop everything with: .venv/bin/riec down")
    return 0


def cmd_down(args, settings: Settings) -> int:
    from riec import system

    for name in ("worker", "engine"):
        print(f"{name}: {'stopped' if system.stop(settings, name) else 'not running'}")
    return 0


def cmd_deploy(args, settings: Settings) -> int:
    from riec.deployment import deploy_all

    for result in deploy_all(_client(settings), settings.home):
        state = f"new version of {', '.join(result.process_keys)}" if result.created else "unchanged"
        print(f"deployed {result.name}: {state}")
    return 0


def cmd_seed_demo(args, settings: Settings) -> int:
    from riec.hitnohit.registers import LocalRegisters
    from riec.identity import ensure_demo

    ensure_demo(_client(settings), settings.worker_user, settings.worker_password, settings.demo_password)
    count = LocalRegisters(settings.data_dir / "partner-registers.sqlite").seed(settings.hit_key)
    print(f"demo users, groups, authorizations and filters in place; {count} partner registers seeded")
    from riec.compliance.cli import seed_demo_registers

    seed_demo_registers(settings.effective_database_url)
    print("legal-basis and authorisation registers seeded")
    return 0


def cmd_identities(args, settings: Settings) -> int:
    from riec.identity import ensure_production

    ensure_production(_client(settings), settings.worker_user, settings.worker_password)
    print(f"role groups, authorizations, Tasklist filters and worker user '{settings.worker_user}' in place")
    return 0


def cmd_worker(args, settings: Settings) -> int:
    import importlib

    from riec.runtime.worker import Worker, configure_logging

    configure_logging(settings.log_level)
    module, _, attr = args.registry.partition(":")
    registry = getattr(importlib.import_module(module), attr or "registry")
    worker = Worker(registry, settings)
    worker.install_signal_handlers()
    worker.run()
    return 0


def cmd_signal_submit(args, settings: Settings) -> int:
    from riec.cases import SignalRejected, submit_signal

    try:
        data = json.loads(Path(args.file).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"Het bestand {args.file} is geen leesbaar JSON-bestand: {exc}", file=sys.stderr)
        return 2
    if not isinstance(data, dict):
        print(f"Het bestand {args.file} moet één JSON-object met de velden van het signaal bevatten.", file=sys.stderr)
        return 2
    try:
        key, instance = submit_signal(_client(settings), data, args.business_key, dt.date.today(), args.region or settings.region)
    except SignalRejected as exc:
        print("Signaal niet gestart:", file=sys.stderr)
        for problem in exc.problems:
            print(f"- {problem}", file=sys.stderr)
        return 2
    print(json.dumps({"businessKey": key, "processInstanceId": instance}))
    return 0


def cmd_case_show(args, settings: Settings) -> int:
    from riec.cases import case_view, format_case

    views = case_view(_client(settings), args.business_key)
    print(json.dumps(views, indent=2, default=str) if args.json else format_case(views))
    return 0 if views else 1


def cmd_engine_wait(args, settings: Settings) -> int:
    from riec import system

    system.wait_for_engine(settings, args.timeout)
    print("engine ready")
    return 0


def cmd_config(args, settings: Settings) -> int:
    print("| Variable | Default | Meaning |\n|---|---|---|")
    for name, field in Settings.model_fields.items():
        default = "host and pid" if name == "worker_id" else ("" if field.default is None else f"`{field.default}`")
        print(f"| `RIEC_{name.upper()}` | {default} | {field.description} |")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="riec", description="RIEC integral case analysis on Camunda 7.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("up", help="build and start engine and workers, deploy, create demo users; prints where to log in").set_defaults(func=cmd_up)
    sub.add_parser("down", help="stop the workers and the engine started by `up`").set_defaults(func=cmd_down)
    sub.add_parser("deploy", help="deploy bpmn/ and forms/ (unchanged diagrams create no new version)").set_defaults(func=cmd_deploy)
    sub.add_parser("identities", help="create role groups, their authorizations, Tasklist filters and the workers' service user (no people; idempotent)").set_defaults(func=cmd_identities)
    sub.add_parser("seed-demo", help="create demo users, groups, authorizations, filters and registers (idempotent)").set_defaults(func=cmd_seed_demo)
    worker = sub.add_parser("worker", help="run external-task workers in the foreground (stop with SIGTERM or Ctrl-C)")
    worker.add_argument("--registry", default="riec.handlers:registry", help="module:attribute of the topic registry to serve")
    worker.set_defaults(func=cmd_worker)
    signal_cmd = sub.add_parser("signal", help="signals").add_subparsers(dest="signal_command", required=True)
    submit = signal_cmd.add_parser("submit", help="check a signal from a JSON file and start it (nothing starts when it is invalid)")
    submit.add_argument("file")
    submit.add_argument("--business-key", help="the signal's reference; generated when omitted")
    submit.add_argument("--region", help="the signal's region (tenant id, R-6.1), e.g. riec-limburg; default RIEC_REGION")
    submit.set_defaults(func=cmd_signal_submit)
    case = sub.add_parser("case", help="cases").add_subparsers(dest="case_command", required=True)
    show = case.add_parser("show", help="a signal's or case's state and history")
    show.add_argument("business_key")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=cmd_case_show)
    engine = sub.add_parser("engine", help="engine").add_subparsers(dest="engine_command", required=True)
    wait = engine.add_parser("wait", help="wait until the engine answers its health check")
    wait.add_argument("--timeout", type=float, default=180)
    wait.set_defaults(func=cmd_engine_wait)
    sub.add_parser("config", help="print the configuration table (environment variables)").set_defaults(func=cmd_config)
    from riec.compliance.cli import add_commands

    add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from pydantic import ValidationError

    from riec.runtime.engine import EngineError

    try:
        settings = get_settings()
    except ValidationError as exc:
        for error in exc.errors():
            field = "RIEC_" + "_".join(map(str, error["loc"])).upper() if error["loc"] else "configuration"
            print(f"error: invalid configuration: {field}: {error['msg']}", file=sys.stderr)
        return 1
    try:
        return args.func(args, settings)
    except EngineError as exc:
        print(f"error: the engine refused the request: {exc}", file=sys.stderr)
        return 1
    except (TimeoutError, RuntimeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
