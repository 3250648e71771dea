"""The local SMTP server of the demo and the tests: it keeps each message once per Message-ID.

``riec up`` starts it (``riec mail serve``); ``riec mail list`` shows what it received. It is
the receiving half of the outbox's guarantee (docs/mail.md): the sender may transmit a message
a second time after a crash between the server's "250 OK" and its own "sent" mark, always with
the same Message-ID; this server stores the message and answers 250 in one step, and answers a
repeated Message-ID with 250 without storing it again (the repeat is counted). So every outbox
row arrives here exactly once. A production relay (Postfix and the like) does not suppress
duplicates by itself; see docs/mail.md for what that means.
"""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS received (
    message_id TEXT PRIMARY KEY,
    received_at TEXT NOT NULL,
    mail_from TEXT NOT NULL,
    rcpt_tos TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    duplicates INTEGER NOT NULL DEFAULT 0
)
"""


@dataclass(frozen=True)
class ReceivedMail:
    message_id: str
    received_at: str
    mail_from: str
    rcpt_tos: list[str]
    subject: str
    body: str
    duplicates: int


class Mailbox:
    """Received mail in a SQLite file (the SMTP server's side; not the registers' database)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as conn:
            conn.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30)
        conn.execute("PRAGMA journal_mode = WAL")
        return conn

    def store(self, message_id: str, mail_from: str, rcpt_tos: list[str], subject: str, body: str) -> bool:
        """Store once per Message-ID (committed before the server answers); ``False`` for a repeat."""
        with self._lock, self._connect() as conn:
            cur = conn.execute(
                "INSERT INTO received (message_id, received_at, mail_from, rcpt_tos, subject, body) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (message_id) DO NOTHING",
                (message_id, dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), mail_from, ",".join(rcpt_tos), subject, body))
            if cur.rowcount == 0:
                conn.execute("UPDATE received SET duplicates = duplicates + 1 WHERE message_id = ?", (message_id,))
                return False
            return True

    def messages(self) -> list[ReceivedMail]:
        with self._connect() as conn:
            rows = conn.execute("SELECT message_id, received_at, mail_from, rcpt_tos, subject, body, duplicates "
                                "FROM received ORDER BY received_at, message_id").fetchall()
        return [ReceivedMail(r[0], r[1], r[2], [a for a in r[3].split(",") if a], r[4], r[5], r[6]) for r in rows]


class MailboxHandler:
    """aiosmtpd handler: parse, store once per Message-ID, then answer. ``after_store`` is a test hook."""

    def __init__(self, mailbox: Mailbox, after_store: Callable[[str, bool], None] | None = None):
        self.mailbox = mailbox
        self.after_store = after_store

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        parsed = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        message_id = str(parsed.get("Message-ID", "")).strip()
        if not message_id:
            return "550 5.6.0 Message-ID required"
        body_part = parsed.get_body(preferencelist=("plain",))
        body = body_part.get_content() if body_part is not None else ""
        new = self.mailbox.store(message_id, envelope.mail_from, list(envelope.rcpt_tos), str(parsed.get("Subject", "")), body)
        if self.after_store:
            self.after_store(message_id, new)
        return "250 2.0.0 stored" if new else "250 2.0.0 already stored (same Message-ID)"


def start_server(mailbox: Mailbox, host: str, port: int, after_store: Callable[[str, bool], None] | None = None) -> Any:
    """Start an aiosmtpd controller in a thread; call ``.stop()`` on the result."""
    from aiosmtpd.controller import Controller

    controller = Controller(MailboxHandler(mailbox, after_store), hostname=host, port=port)
    controller.start()
    return controller


def serve_forever(mailbox: Mailbox, host: str, port: int, stop: threading.Event) -> None:
    controller = start_server(mailbox, host, port)
    try:
        stop.wait()
    finally:
        controller.stop()
