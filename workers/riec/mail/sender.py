"""The mail sender: claims outbox rows with a lease, delivers them over SMTP, marks them sent.

Guarantee (docs/mail.md):

* **Never lost.** A row leaves ``pending`` only for ``sending`` (committed before any byte goes
  out, with ``lease_until``) and leaves ``sending`` only for ``sent`` (after the server's 250) or
  back to ``pending`` (after a failure, with a doubling back-off). A sender that dies while a row
  is ``sending`` leaves it to be claimed again when the lease has run out.
* **Never twice, with the same Message-ID.** Every attempt of a row carries the row's own
  Message-ID. The one window no sender can close on its own is a crash after the server said
  250 and before the row is marked: the row is sent again, with the same Message-ID, and the
  receiving server (riec.mail.mailbox; in production a relay with duplicate suppression on
  Message-ID) keeps it once. Rows whose lease ran out are counted as ``resent`` in the log.
* Only one sender delivers a row at a time: claiming is a write transaction under the registers'
  writer lock, and marking checks the lease owner.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import smtplib
import threading
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Engine

from riec.compliance import db
from riec.compliance.db import mail_outbox
from riec.mail.outbox import PENDING, SENDING, SENT, OutboxRow, _aware, row_from

log = logging.getLogger(__name__)


class Directory(Protocol):
    def addresses(self, group: str, region: str | None) -> list[str]:
        """E-mail addresses of the members of ``group`` in ``region`` (a Camunda tenant)."""


class EngineDirectory:
    """Addresses from the engine's identity service: the ``email`` of each user of the role group
    (and of the region's tenant when the row names one). Needs a login that may read users."""

    def __init__(self, camunda: Any):
        self.camunda = camunda

    def addresses(self, group: str, region: str | None) -> list[str]:
        params = {"memberOfGroup": group}
        if region:
            params["memberOfTenant"] = region
        users = self.camunda.get("/user", **params) or []
        return sorted({u["email"] for u in users if u.get("email")})


class StaticDirectory:
    """Fixed addresses per group (tests, or a deployment with team mailboxes)."""

    def __init__(self, by_group: dict[str, list[str]]):
        self.by_group = by_group

    @classmethod
    def from_file(cls, path: Path) -> StaticDirectory:
        """JSON: ``{"group@region": [addresses], "group": [addresses]}``; the region-specific entry wins."""
        return cls({str(k): [str(a) for a in v] for k, v in json.loads(Path(path).read_text(encoding="utf-8")).items()})

    def addresses(self, group: str, region: str | None) -> list[str]:
        return list(self.by_group.get(f"{group}@{region}", self.by_group.get(group, [])))


class NoRecipients(Exception):
    """Nobody to send to (yet): the row waits and is tried again."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class MailSender:
    def __init__(self, database: Engine, directory: Directory, *, host: str, port: int, from_address: str, owner: str,
                 lease_s: float = 120.0, retry_base_s: float = 30.0, retry_max_s: float = 3600.0, batch: int = 20,
                 smtp_timeout_s: float = 30.0, clock: Callable[[], dt.datetime] = _now):
        self.database = database
        self.directory = directory
        self.host, self.port = host, port
        self.from_address = from_address
        self.owner = owner
        self.lease = dt.timedelta(seconds=lease_s)
        self.retry_base_s, self.retry_max_s = retry_base_s, retry_max_s
        self.batch = batch
        self.smtp_timeout_s = smtp_timeout_s
        self.clock = clock

    # -- claiming and marking -----------------------------------------------------------

    def claim(self) -> list[OutboxRow]:
        """Take due rows (pending and due, or sending with a lapsed lease) under a lease, committed before sending."""
        now = self.clock()
        due = or_(and_(mail_outbox.c.status == PENDING, mail_outbox.c.next_attempt_at <= now),
                  and_(mail_outbox.c.status == SENDING, mail_outbox.c.lease_until < now))
        with db.write_transaction(self.database) as conn:
            found = conn.execute(select(mail_outbox).where(due).order_by(mail_outbox.c.created_at).limit(self.batch)).mappings().all()
            claimed = []
            for row in found:
                if row["status"] == SENDING:
                    log.warning("mail %s: lease of %s lapsed; sending again with the same Message-ID", row["id"], row["lease_owner"])
                conn.execute(update(mail_outbox).where(mail_outbox.c.id == row["id"]).values(
                    status=SENDING, lease_owner=self.owner, lease_until=now + self.lease, attempts=row["attempts"] + 1))
                claimed.append(row_from(row, status=SENDING, lease_owner=self.owner, attempts=row["attempts"] + 1))
        return claimed

    def claim_one(self, row_id: str) -> OutboxRow:
        """Claim one row now, due or not (tests, and an operator's retry of one message)."""
        now = self.clock()
        with db.write_transaction(self.database) as conn:
            row = conn.execute(select(mail_outbox).where(mail_outbox.c.id == row_id)).mappings().one()
            if row["status"] == SENT:
                raise RuntimeError(f"mail {row_id} was sent already")
            if row["status"] == SENDING and row["lease_until"] is not None and _aware(row["lease_until"]) >= now:
                raise RuntimeError(f"mail {row_id} is being sent by {row['lease_owner']}")
            conn.execute(update(mail_outbox).where(mail_outbox.c.id == row_id).values(
                status=SENDING, lease_owner=self.owner, lease_until=now + self.lease, attempts=row["attempts"] + 1))
        return row_from(row, status=SENDING, lease_owner=self.owner, attempts=row["attempts"] + 1)

    def _mark_sent(self, row: OutboxRow) -> None:
        with db.write_transaction(self.database) as conn:
            conn.execute(update(mail_outbox).where(and_(mail_outbox.c.id == row.id, mail_outbox.c.lease_owner == self.owner,
                                                        mail_outbox.c.status == SENDING))
                         .values(status=SENT, sent_at=self.clock(), lease_owner=None, lease_until=None, last_error=None))

    def _mark_failed(self, row: OutboxRow, error: BaseException) -> None:
        wait = min(self.retry_base_s * 2 ** max(row.attempts - 1, 0), self.retry_max_s)
        with db.write_transaction(self.database) as conn:
            conn.execute(update(mail_outbox).where(and_(mail_outbox.c.id == row.id, mail_outbox.c.lease_owner == self.owner,
                                                        mail_outbox.c.status == SENDING))
                         .values(status=PENDING, lease_owner=None, lease_until=None,
                                 next_attempt_at=self.clock() + dt.timedelta(seconds=wait),
                                 last_error=type(error).__name__))  # the type only: texts may echo addresses

    # -- delivering -------------------------------------------------------------------

    def message(self, row: OutboxRow, recipients: list[str]) -> EmailMessage:
        msg = EmailMessage()
        msg["Message-ID"] = row.message_id
        msg["Date"] = format_datetime(row.created_at)
        msg["From"] = self.from_address
        msg["To"] = ", ".join(recipients)
        msg["Subject"] = row.subject
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(row.body)
        return msg

    def deliver(self, row: OutboxRow) -> bool:
        try:
            recipients = self.directory.addresses(row.recipient_group, row.region)
            if not recipients:
                raise NoRecipients(row.recipient_group)
            with smtplib.SMTP(self.host, self.port, timeout=self.smtp_timeout_s) as smtp:
                smtp.send_message(self.message(row, recipients), from_addr=self.from_address, to_addrs=recipients)
        except Exception as error:  # noqa: BLE001 -- any failure: the row waits and is tried again
            log.warning("mail %s (%s, case %s): not delivered (%s), attempt %d", row.id, row.kind, row.business_key or "-",
                        type(error).__name__, row.attempts)
            self._mark_failed(row, error)
            return False
        # The window of docs/mail.md: the server has the message, the row is not yet marked.
        self._mark_sent(row)
        log.info("mail %s (%s, case %s): sent to %d address(es)", row.id, row.kind, row.business_key or "-", len(recipients))
        return True

    def run_once(self) -> int:
        """Deliver what is due now; the number of rows sent."""
        return sum(self.deliver(row) for row in self.claim())

    def run(self, stop: threading.Event, interval_s: float = 2.0) -> None:
        log.info("mail sender %s: delivering to %s:%d", self.owner, self.host, self.port)
        while not stop.is_set():
            try:
                if self.run_once():
                    continue
            except Exception:  # noqa: BLE001 -- the registers' database away: try again later
                log.exception("mail sender: outbox not readable; trying again")
            stop.wait(interval_s)
