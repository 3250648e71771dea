"""``riec mail …``: the outbox, its sender and the local SMTP server of the demo."""
from __future__ import annotations

import argparse
import signal
import threading
from typing import TYPE_CHECKING

from riec.cli_support import add_command, add_group, print_json

if TYPE_CHECKING:
    from riec.app import App


def mailbox_path(app: App):  # noqa: ANN201
    return app.settings.data_dir / "mailbox.sqlite"


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def cmd_mail_send(args: argparse.Namespace, app: App) -> int:
    from riec.runtime.worker import configure_logging

    configure_logging(app.settings.log_level)
    sender = app.mail_sender()
    if args.once:
        print(f"{sender.run_once()} sent")
        return 0
    sender.run(_stop_on_signals(), interval_s=args.interval)
    return 0


def cmd_mail_serve(args: argparse.Namespace, app: App) -> int:
    from riec.mail.mailbox import Mailbox, serve_forever

    s = app.settings
    print(f"SMTP server on {s.smtp_host}:{s.smtp_port}, mail kept in {mailbox_path(app)}", flush=True)
    serve_forever(Mailbox(mailbox_path(app)), s.smtp_host, s.smtp_port, _stop_on_signals())
    return 0


def cmd_mail_list(args: argparse.Namespace, app: App) -> int:
    from riec.mail.mailbox import Mailbox

    messages = Mailbox(mailbox_path(app)).messages()
    if args.json:
        print_json([m.__dict__ for m in messages])
        return 0
    for m in messages:
        print(f"{m.received_at}  {', '.join(m.rcpt_tos)}  {m.subject}" + (f"  (repeat suppressed x{m.duplicates})" if m.duplicates else ""))
        if args.body:
            print("    " + m.body.replace("\n", "\n    "))
    if not messages:
        print("no mail received")
    return 0


def cmd_mail_outbox(args: argparse.Namespace, app: App) -> int:
    from riec.mail.outbox import rows

    found = rows(app.migrated_database(), status=args.status, business_key=args.case)
    if args.json:
        print_json([{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.__dict__.items() if k != "body"} for r in found])
        return 0
    for r in found:
        print(f"{r.created_at:%Y-%m-%d %H:%M}  {r.status:<8} attempts={r.attempts}  {r.recipient_group}@{r.region or '-'}  {r.subject}"
              + (f"  last error: {r.last_error}" if r.last_error and r.status != "sent" else ""))
    if not found:
        print("outbox empty")
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    mail = add_group(sub, "mail", "notification mail: outbox, sender, local SMTP server")
    send = add_command(mail, "send", cmd_mail_send, "deliver the outbox over SMTP, with retries (foreground; stop with SIGTERM)")
    send.add_argument("--once", action="store_true", help="deliver what is due now and stop")
    send.add_argument("--interval", type=float, default=2.0, help="seconds between looks at the outbox")
    add_command(mail, "serve", cmd_mail_serve, "run the local SMTP server that keeps received mail (development; `riec up` starts it)")
    listing = add_command(mail, "list", cmd_mail_list, "mail received by the local SMTP server")
    listing.add_argument("--body", action="store_true")
    listing.add_argument("--json", action="store_true")
    outbox = add_command(mail, "outbox", cmd_mail_outbox, "the outbox: what is waiting, being sent, sent")
    outbox.add_argument("--status", choices=["pending", "sending", "sent"])
    outbox.add_argument("--case", help="only this case's mail (business key)")
    outbox.add_argument("--json", action="store_true")


def start_mail(app: App) -> None:
    """`riec up`: the local SMTP server and the outbox's sender in the background (development set-up).

    The sender looks up recipients' addresses in the engine, so it runs as the administrator of the
    development set-up, not as the workers' service user (which may only work external tasks)."""
    import sys

    from riec import system

    s = app.settings
    system.start_background(s, "mail-server", [sys.executable, "-m", "riec", "mail", "serve"], app.environ)
    env = {"RIEC_ENGINE_USER": s.engine_user, "RIEC_ENGINE_PASSWORD": s.engine_password}
    system.start_background(s, "mail-sender", [sys.executable, "-m", "riec", "mail", "send"], {**app.environ, **env})
