"""The record of each hit/no-hit check: which partners had a hit, nothing else.

Recording is the check's side effect and is idempotent on the task key, so a
task delivered twice (a worker died before completing) records once and
answers the same both times. The table lives in the registers' database and
is created by its migrations (riec.compliance.db).
"""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from riec.compliance import db
from riec.compliance.db import hit_check


class HitChecks:
    def __init__(self, url: str):
        self.engine = db.get_engine(url)
        db.migrate(self.engine)  # idempotent, and serialised under the writers' lock

    def record_once(self, task_key: str, business_key: str | None, partners: list[str], now: dt.datetime) -> tuple[list[str], bool]:
        """Store the outcome unless this task already did; return (the stored partners, whether this call stored them)."""
        try:
            with db.write_transaction(self.engine) as conn:
                conn.execute(insert(hit_check).values(task_key=task_key, business_key=business_key, checked_at=now, hit_partners=json.dumps(partners)))
            return partners, True
        except IntegrityError:
            return self.get(task_key), False

    def get(self, task_key: str) -> list[str]:
        with self.engine.connect() as conn:
            stored = conn.execute(select(hit_check.c.hit_partners).where(hit_check.c.task_key == task_key)).scalar_one()
        return json.loads(stored)

    def count(self, task_key: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(hit_check).where(hit_check.c.task_key == task_key)).scalar_one()
