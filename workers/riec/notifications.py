"""Notifications to a role's group (overdue tasks), behind one small interface.

Issue 9 *records* a notification: who should be told (a candidate group),
about which case and task, and why. Issue 10's :class:`riec.mail.outbox.OutboxNotifier`
implements :class:`Notifier` the same way and also queues a mail in the same
transaction; the composition root uses it, the handlers do not change.

A notification names a case reference and a task, never personal or police data.
Recording is idempotent on ``key`` (at-least-once delivery of external tasks).
"""
from __future__ import annotations

import datetime as dt
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from riec.compliance import db
from riec.compliance.db import notification


class Notification(BaseModel):
    """One message to a group. ``text_nl`` is what an officer reads: a case number and a task name only."""

    model_config = ConfigDict(frozen=True)

    key: str = Field(min_length=1, max_length=200, description="Idempotency key, e.g. process instance / timer activity.")
    kind: str = Field(min_length=1, max_length=40)
    recipient_group: str = Field(min_length=1, max_length=80)
    business_key: str | None = Field(None, max_length=200)
    task_ref: str = Field(min_length=1, max_length=200)
    text_nl: str = Field(min_length=1, max_length=2000)
    created_at: dt.datetime
    region: str | None = Field(None, max_length=80, description="Region (tenant id) whose group members are told; mail only.")


class Notifier(Protocol):
    def notify(self, message: Notification) -> bool:
        """Record or send ``message`` once; ``True`` when this call did it, ``False`` when it was done before."""


class RecordedNotifications:
    """The issue-9 notifier: a row per notification in the registers' database."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def notify(self, message: Notification) -> bool:
        try:
            with db.write_transaction(self.engine) as conn:
                conn.execute(insert(notification).values(**message.model_dump(exclude={"region"})))
            return True
        except IntegrityError:
            return False

    def for_case(self, business_key: str) -> list[Notification]:
        with db.read_transaction(self.engine) as conn:
            rows = conn.execute(select(notification).where(notification.c.business_key == business_key)
                                .order_by(notification.c.created_at)).mappings().all()
        return [Notification(**{**row, "created_at": _aware(row["created_at"])}) for row in rows]


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
