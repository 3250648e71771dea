"""Issue 10: the mail sender is killed between the SMTP server's "250" and its "sent" mark.

A real `riec mail send` process delivers the outbox to a real SMTP server started by
the test (riec.mail.mailbox on aiosmtpd). When the server has stored the first message it
SIGKILLs the sender before answering. A new sender process takes over when the lease has
lapsed: every message is stored exactly once, the interrupted one is transmitted a second
time with the same Message-ID and recognised as a repeat (docs/mail.md). No engine needed.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from riec.compliance import db
from riec.mail import outbox
from riec.mail.mailbox import Mailbox, start_server
from riec.mail.outbox import OutboxNotifier
from tests.unit.test_mail_outbox import LINK, note

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, timeout_s: float, what: str):  # noqa: ANN001, ANN201
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def setup(tmp_path):
    url = f"sqlite:///{tmp_path / 'riec.sqlite'}"
    registers = db.open_database(url)
    db.migrate(registers)
    addresses = tmp_path / "addresses.json"
    addresses.write_text(json.dumps({"riec-analyst@riec-noord": ["analist@riec.example"]}))
    port = free_port()
    env = {**os.environ, "RIEC_DATA_DIR": str(tmp_path), "RIEC_DATABASE_URL": url, "RIEC_SMTP_HOST": "127.0.0.1",
           "RIEC_SMTP_PORT": str(port), "RIEC_MAIL_ADDRESSES_FILE": str(addresses), "RIEC_MAIL_LEASE_S": "2",
           "RIEC_MAIL_RETRY_S": "0.2", "RIEC_HOME": str(ROOT)}
    yield registers, port, env, tmp_path
    db.close_databases()


def start_sender(env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "-m", "riec", "mail", "send", "--interval", "0.2"], env=env,
                                stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)


def test_killed_between_sending_and_marking_every_message_arrives_exactly_once(setup):
    registers, port, env, tmp = setup
    notifier = OutboxNotifier(registers, link=LINK)
    for n in range(3):
        notifier.notify(note(f"overdue:kill-{n}", case=f"SIG-KILL-{n}"))
    mailbox = Mailbox(tmp / "mailbox.sqlite")
    victim: dict[str, subprocess.Popen] = {}
    kills: list[str] = []

    def kill_after_first_store(message_id: str, new: bool) -> None:
        if not kills:  # the server has the message; the sender has not read "250" yet
            kills.append(message_id)
            victim["sender"].send_signal(signal.SIGKILL)
            victim["sender"].wait(10)

    server = start_server(mailbox, "127.0.0.1", port, after_store=kill_after_first_store)
    try:
        victim["sender"] = first = start_sender(env, tmp / "sender.log")
        wait_until(lambda: first.poll() is not None, 60, "the first sender to be killed")
        assert first.returncode == -signal.SIGKILL
        assert len(mailbox.messages()) == 1
        interrupted = [r for r in outbox.rows(registers) if r.message_id == kills[0]]
        assert interrupted[0].status == "sending"  # sent, but not marked

        second = start_sender(env, tmp / "sender.log")
        try:
            wait_until(lambda: all(r.status == "sent" for r in outbox.rows(registers)), 60, "every row sent")
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(20)
        assert second.returncode == 0
    finally:
        server.stop()

    rows = outbox.rows(registers)
    received = mailbox.messages()
    assert sorted(m.message_id for m in received) == sorted(r.message_id for r in rows)  # each one, once
    assert {m.message_id: m.duplicates for m in received} == {r.message_id: (1 if r.message_id == kills[0] else 0) for r in rows}
    assert [r.attempts for r in rows if r.message_id == kills[0]] == [2]
    assert all(m.rcpt_tos == ["analist@riec.example"] for m in received)
