"""The record of each hit/no-hit check: the reporter and which partners had a hit, nothing else.

Recording is the check's side effect and is idempotent on the task key, so a
task delivered twice (a worker died before completing) records once and
answers the same both times. The table lives in the registers' database and
is created by its migrations (riec.compliance.db); the composition root
migrates before it builds this store.
"""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from riec.compliance import db
from riec.compliance.db import hit_check


class HitChecks:
    def __init__(self, database: Engine):
        self.database = database

    def record_once(self, task_key: str, business_key: str | None, partners: list[str], now: dt.datetime,
                    *, reporting_partner: str | None = None, region: str | None = None) -> tuple[list[str], bool]:
        """Store the outcome unless this task already did; return (the stored partners, whether this call stored them)."""
        try:
            with db.write_transaction(self.database) as conn:
                conn.execute(insert(hit_check).values(task_key=task_key, business_key=business_key, checked_at=now,
                                                      reporting_partner=reporting_partner, region=region,
                                                      hit_partners=json.dumps(partners)))
            return partners, True
        except IntegrityError:
            return self.get(task_key), False

    def get(self, task_key: str) -> list[str]:
        with self.database.connect() as conn:
            stored: str = conn.execute(select(hit_check.c.hit_partners).where(hit_check.c.task_key == task_key)).scalar_one()
        return list(json.loads(stored))

    def reporter(self, task_key: str) -> str | None:
        """The reporting partner recorded with the check (R-4.1: never counted as a hit)."""
        with self.database.connect() as conn:
            value: str | None = conn.execute(select(hit_check.c.reporting_partner).where(hit_check.c.task_key == task_key)).scalar_one()
        return str(value) if value is not None else None

    def count(self, task_key: str) -> int:
        with self.database.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(hit_check).where(hit_check.c.task_key == task_key)).scalar_one())
