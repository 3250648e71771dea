"""The mail outbox: one row per message, written in the transaction of the record that causes it.

A row is addressed to a role group in a region (the Camunda group and tenant); the sender
resolves the addresses when it delivers (riec.mail.sender.Directory). Subject and body carry a
case reference, a task name and a link, never personal or police data (R-5.2: mail is no
channel for provided data). Each row has a stable ``Message-ID`` fixed when it is written;
the sender reuses it on every attempt, which is what lets a receiving server recognise a
resend after a crash (docs/mail.md).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from riec.compliance import db
from riec.compliance.db import mail_outbox, notification
from riec.notifications import Notification

#: Dutch subject line per kind of notification; unknown kinds get the generic one.
SUBJECTS_NL = {
    "overdue": "Taak verlopen",
    "task_waiting": "Er wacht een taak",
    "request_arrived": "Verzoek om politiegegevens ontvangen",
    "consultation_waiting": "Advies gevraagd",
    "consent_waiting": "Instemming gevraagd",
    "provided": "Gegevens verstrekt",
    "refused": "Verzoek geweigerd",
    "retention_warning": "Bewaartermijn loopt af",
}
GENERIC_SUBJECT_NL = "Bericht van het RIEC"
MAIL_DOMAIN = "riec.example"

PENDING, SENDING, SENT = "pending", "sending", "sent"


@dataclass(frozen=True)
class OutboxRow:
    id: str
    dedupe_key: str
    message_id: str
    kind: str
    recipient_group: str
    region: str | None
    business_key: str | None
    subject: str
    body: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    lease_owner: str | None
    lease_until: dt.datetime | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    last_error: str | None


def message_id_for(dedupe_key: str) -> str:
    """A Message-ID that depends only on the row's idempotency key: the same on every attempt."""
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]
    return f"<{digest}@outbox.{MAIL_DOMAIN}>"


def compose(message: Notification, link: str) -> tuple[str, str]:
    """Subject and body in Dutch: the notification's text (case number and task only), a link, a footer."""
    subject = SUBJECTS_NL.get(message.kind, GENERIC_SUBJECT_NL)
    if message.business_key:
        subject = f"{subject} · {message.business_key}"
    body = (
        f"{message.text_nl}\n\n"
        f"Open de takenlijst: {link}\n\n"
        "Dit bericht bevat bewust geen persoons- of politiegegevens; u vindt alles in de takenlijst "
        "nadat u bent ingelogd.\n"
    )
    return subject, body


def enqueue(conn: Connection, message: Notification, *, link: str, region: str | None = None) -> bool:
    """Add ``message`` to the outbox inside the caller's transaction; ``False`` when it is there already.

    Use it in the same write transaction as the record the message is about, so either both
    exist or neither does. Idempotent on ``message.key``.
    """
    subject, body = compose(message, link)
    now = message.created_at
    exists = conn.execute(select(mail_outbox.c.id).where(mail_outbox.c.dedupe_key == message.key)).first()
    if exists:
        return False
    conn.execute(insert(mail_outbox).values(
        id=str(uuid.uuid4()), dedupe_key=message.key, message_id=message_id_for(message.key),
        kind=message.kind, recipient_group=message.recipient_group, region=region,
        business_key=message.business_key, subject=subject, body=body, status=PENDING, attempts=0,
        next_attempt_at=now, lease_owner=None, lease_until=None, created_at=now, sent_at=None, last_error=None,
    ))
    return True


class OutboxNotifier:
    """:class:`riec.notifications.Notifier` that records the notification and queues its mail in one transaction."""

    def __init__(self, database: Engine, *, link: str):
        self.database = database
        self.link = link

    def notify(self, message: Notification) -> bool:
        try:
            with db.write_transaction(self.database) as conn:
                if conn.execute(select(notification.c.key).where(notification.c.key == message.key)).first():
                    return False
                conn.execute(insert(notification).values(**message.model_dump(exclude={"region"})))
                enqueue(conn, message, link=self.link, region=message.region)
            return True
        except IntegrityError:  # a concurrent delivery of the same external task got there first
            return False


def rows(database: Engine, *, status: str | None = None, business_key: str | None = None) -> list[OutboxRow]:
    query = select(mail_outbox).order_by(mail_outbox.c.created_at, mail_outbox.c.id)
    if status:
        query = query.where(mail_outbox.c.status == status)
    if business_key:
        query = query.where(mail_outbox.c.business_key == business_key)
    with db.read_transaction(database) as conn:
        return [row_from(r) for r in conn.execute(query).mappings()]


def row_from(mapping: Mapping[Any, Any], **changes: Any) -> OutboxRow:
    values: dict[str, Any] = {k: _aware(v) if isinstance(v, dt.datetime) else v for k, v in mapping.items()}
    return OutboxRow(**{**values, **changes})


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
