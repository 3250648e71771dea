"""``riec``: one entry point for operators, analysts' scripts and the tests.

One parser; every command is ``(args, app) -> int``, where ``app`` is the
composition root (riec.app.App) built once from the environment. Messages for
operators are in English; what an officer reads (signal problems) is in Dutch.
Exit codes, for every command: 0 done, 1 failed (or a check answered "no"),
2 input refused, with the reasons (riec.cli_support.Refused, a malformed
argument, a malformed configuration or input file).
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import logging
import sys
from pathlib import Path

from pydantic import ValidationError

from riec.app import App
from riec.cli_support import FAILED, REFUSED, Refused, add_command, add_group, valid_date
from riec.settings import DEV_ADMIN_PASSWORD, Settings


def cmd_up(args: argparse.Namespace, app: App) -> int:
    from riec import system

    settings = app.settings
    print(f"Engine: building and starting (logs: {settings.data_dir / 'logs' / 'engine.log'}) ...", flush=True)
    if not system.engine_ready(settings):
        system.start_engine(settings, app.environ)
    system.wait_for_engine(settings)
    cmd_deploy(args, app)
    seed_demo(app, dt.date.today())
    system.start_workers(settings, app.environ)
    from riec.mail.cli import start_mail  # the local SMTP server and the outbox's sender (docs/mail.md)
    start_mail(app)
    system.start_vault(settings, app.environ)
    root = system.engine_root(settings)
    print(f"""
RIEC casusanalyse is running.
  Tasklist : {root}/camunda/app/tasklist/
  Cockpit  : {root}/camunda/app/cockpit/
  Admin    : {root}/camunda/app/admin/
  REST API : {settings.engine_url}
  Mail     : .venv/bin/riec mail list  (local SMTP server on port {settings.smtp_port})
  Datakluis: {settings.vault_url}/  (upload and open provided police data)

Logins (development only):
  {settings.engine_user:<14} / {settings.engine_password if settings.engine_password == DEV_ADMIN_PASSWORD else '(RIEC_ENGINE_PASSWORD)'}  (beheerder)""")
    from riec.identity import ROLES

    for role in ROLES:
        print(f"  {role.user:<14} / {settings.demo_password}  {role.name}")
    print("  (these work in riec-noord; the same users with -limburg, e.g. analist-limburg, in riec-limburg)")
    print(f"  {settings.worker_user:<14} (service user of the workers; may only work external tasks)")
    print("\nStop everything with: .venv/bin/riec down")
    return 0


def cmd_down(args: argparse.Namespace, app: App) -> int:
    from riec import system

    for name in ("vault", "mail-sender", "mail-server", "worker", "engine"):
        print(f"{name}: {'stopped' if system.stop(app.settings, name) else 'not running'}")
    return 0


def cmd_deploy(args: argparse.Namespace, app: App) -> int:
    from riec.deployment import deploy_all

    for result in deploy_all(app.camunda, app.settings.home):
        state = f"new version of {', '.join(result.process_keys)}" if result.created else "unchanged"
        print(f"deployed {result.name}: {state}")
    return 0


def seed_demo(app: App, today: dt.date, *, registers_only: bool = False) -> None:
    """Demo users, groups, grants and filters in the engine (unless ``registers_only``), the registers'
    demo content (legal bases, the partner catalogue, designated persons) and the partners' demo
    hit/no-hit registers. Idempotent."""
    from riec.compliance.registers import seed_demo as seed_registers
    from riec.hit_no_hit.registers import LocalRegisters

    if not registers_only:
        from riec.identity import ensure_demo

        s = app.settings
        ensure_demo(app.camunda, s.worker_user, s.worker_password, s.demo_password)
        print("demo users, groups, authorizations and filters in place")
    added = seed_registers(app.database, today, app.settings.legal_bases_file)
    print("demo registers ready: added " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in added.items()))
    if isinstance(app.partner_registers, LocalRegisters):
        count = app.partner_registers.seed(app.hit_key)
        print(f"{count} partners' demo hit/no-hit registers seeded")


def cmd_seed_demo(args: argparse.Namespace, app: App) -> int:
    seed_demo(app, args.today or dt.date.today(), registers_only=args.registers_only)
    return 0


def cmd_identities(args: argparse.Namespace, app: App) -> int:
    from riec.identity import ensure_production

    s = app.settings
    ensure_production(app.camunda, s.worker_user, s.worker_password)
    print(f"role groups, authorizations, Tasklist filters and worker user '{s.worker_user}' in place")
    return 0


def cmd_worker(args: argparse.Namespace, app: App) -> int:
    from riec.runtime.worker import configure_logging

    configure_logging(app.settings.log_level)
    module, _, attr = args.registry.partition(":")
    registry = getattr(importlib.import_module(module), attr or "registry")
    worker = app.worker(registry)
    worker.install_signal_handlers()
    worker.run()
    return 0


def cmd_signal_submit(args: argparse.Namespace, app: App) -> int:
    from riec.cases import SignalRejected, submit_signal

    try:
        data = json.loads(Path(args.file).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise Refused(f"Het bestand {args.file} is geen leesbaar JSON-bestand: {exc}") from None
    if not isinstance(data, dict):
        raise Refused(f"Het bestand {args.file} moet één JSON-object met de velden van het signaal bevatten.")
    try:
        key, instance = submit_signal(app.camunda, data, args.business_key, dt.date.today(), args.region or app.settings.region)
    except SignalRejected as exc:
        raise Refused(*(f"- {p}" for p in exc.problems), heading="Signaal niet gestart:") from None
    print(json.dumps({"businessKey": key, "processInstanceId": instance}))
    return 0


def cmd_case_show(args: argparse.Namespace, app: App) -> int:
    from riec.cases import case_view, format_case

    views = case_view(app.camunda, args.business_key)
    print(json.dumps(views, indent=2, default=str) if args.json else format_case(views))
    return 0 if views else FAILED


def cmd_engine_wait(args: argparse.Namespace, app: App) -> int:
    from riec import system

    system.wait_for_engine(app.settings, args.timeout)
    print("engine ready")
    return 0


def cmd_config(args: argparse.Namespace, app: App) -> int:
    print(config_table())
    return 0


def config_table() -> str:
    lines = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = "host and pid" if name == "worker_id" else ("" if field.default is None else f"`{field.default}`")
        lines.append(f"| `RIEC_{name.upper()}` | {default} | {field.description} |")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    from riec import cli_registers

    parser = argparse.ArgumentParser(prog="riec", description="RIEC integral case analysis on Camunda 7.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_command(sub, "up", cmd_up, "build and start engine and workers, deploy, create demo users and registers; prints where to log in")
    add_command(sub, "down", cmd_down, "stop the workers and the engine started by `up`")
    add_command(sub, "deploy", cmd_deploy, "deploy bpmn/ and forms/ (unchanged diagrams create no new version)")
    add_command(sub, "identities", cmd_identities, "create role groups, their authorizations, Tasklist filters and the workers' service user (no people; idempotent)")
    seed = add_command(sub, "seed-demo", cmd_seed_demo, "demo users, groups, authorizations, filters, registers and partner catalogue (idempotent)")
    seed.add_argument("--today", type=valid_date, default=None, help="reference date for demo screening dates (default: today)")
    seed.add_argument("--registers-only", action="store_true", help="only the registers and the partners' demo registers; no engine needed")
    worker = add_command(sub, "worker", cmd_worker, "run external-task workers in the foreground (stop with SIGTERM or Ctrl-C)")
    worker.add_argument("--registry", default="riec.handlers:registry", help="module:attribute of the topic registry to serve")
    signal_group = add_group(sub, "signal", "signals")
    submit = add_command(signal_group, "submit", cmd_signal_submit, "check a signal from a JSON file and start it (nothing starts when it is invalid)")
    submit.add_argument("file")
    submit.add_argument("--business-key", help="the signal's reference; generated when omitted")
    submit.add_argument("--region", help="the signal's region (tenant id, R-6.1), e.g. riec-limburg; default RIEC_REGION")
    case = add_group(sub, "case", "cases")
    show = add_command(case, "show", cmd_case_show, "a signal's or case's state and history")
    show.add_argument("business_key")
    show.add_argument("--json", action="store_true")
    engine = add_group(sub, "engine", "the Camunda engine")
    wait = add_command(engine, "wait", cmd_engine_wait, "wait until the engine answers its health check")
    wait.add_argument("--timeout", type=float, default=180)
    add_command(sub, "config", cmd_config, "print the configuration table (environment variables)")
    cli_registers.add_commands(sub)
    from riec.letters import cli as letter_cli
    from riec.mail import cli as mail_cli

    mail_cli.add_commands(sub)
    letter_cli.add_commands(sub)
    from riec import regions

    regions.add_commands(sub)
    from riec import stats

    stats.add_commands(sub)
    from riec.vault import cli as vault_cli

    vault_cli.add_commands(sub)
    from riec import cli_retention

    cli_retention.add_commands(sub)
    from riec import cli_bench

    cli_bench.add_commands(sub)
    return parser


def _invalid(exc: ValidationError, prefix: str = "") -> list[str]:
    return [f"{prefix}{'_'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in exc.errors()]


def main(argv: list[str] | None = None, app: App | None = None) -> int:
    """Run one command; ``app`` is built from the environment unless a test passes its own."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from riec.runtime.engine import EngineError

    if app is None:
        try:
            app = App.from_environment()
        except ValidationError as exc:
            for line in _invalid(exc):
                print(f"error: invalid configuration: RIEC_{line.upper().split(':')[0]}:{line.split(':', 1)[1]}", file=sys.stderr)
            return REFUSED
    try:
        return int(args.func(args, app))
    except Refused as exc:
        if exc.heading:
            print(exc.heading, file=sys.stderr)
        for reason in exc.reasons:
            print(reason if exc.heading else f"error: {reason}", file=sys.stderr)
        return REFUSED
    except ValidationError as exc:
        for line in _invalid(exc):
            print(f"error: {line}", file=sys.stderr)
        return REFUSED
    except EngineError as exc:
        print(f"error: the engine refused the request: {exc}", file=sys.stderr)
        return FAILED
    except (TimeoutError, RuntimeError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return FAILED
