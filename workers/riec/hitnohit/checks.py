"""The record of each hit/no-hit check: which partners had a hit, nothing else.

Recording is the check's side effect and is idempotent on the task key, so a
task delivered twice (a worker died before completing) records once and
answers the same both times.
"""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Column, DateTime, MetaData, String, Table, Text, create_engine, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

metadata = MetaData()

hit_check = Table(
    "hit_check",
    metadata,
    Column("task_key", String(200), primary_key=True),
    Column("business_key", String(200), nullable=True),
    Column("checked_at", DateTime(timezone=True), nullable=False),
    Column("hit_partners", Text, nullable=False),
)


class HitChecks:
    def __init__(self, url: str):
        self.engine: Engine = create_engine(url)
        metadata.create_all(self.engine)

    def record_once(self, task_key: str, business_key: str | None, partners: list[str], now: dt.datetime) -> tuple[list[str], bool]:
        """Store the outcome unless this task already did; return (the stored partners, whether this call stored them)."""
        try:
            with self.engine.begin() as db:
                db.execute(insert(hit_check).values(task_key=task_key, business_key=business_key, checked_at=now, hit_partners=json.dumps(partners)))
            return partners, True
        except IntegrityError:
            return self.get(task_key), False

    def get(self, task_key: str) -> list[str]:
        with self.engine.connect() as db:
            stored = db.execute(select(hit_check.c.hit_partners).where(hit_check.c.task_key == task_key)).scalar_one()
        return json.loads(stored)

    def count(self, task_key: str) -> int:
        with self.engine.connect() as db:
            return len(db.execute(select(hit_check.c.task_key).where(hit_check.c.task_key == task_key)).all())
