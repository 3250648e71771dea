"""Onward grants (issue 12, R-6.2): the vault's one exception to the region boundary (R-6.1).

A package belongs to its case's region; a user of another region neither sees nor opens it -- unless a
consented onward provision (process ``riec-onward-provision``, ``riec.handlers.onward``) made it available
to that user's partner. :func:`onward_grant` is the lookup the vault's access check asks; :func:`grant`
writes the row, in the transaction of the ONWARD_PROVISION register entry, and only the onward-provision
step calls it (after the providing unit's consent: ``r_6_onward``).
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from riec.compliance import db
from riec.compliance.db import onward_grant as onward_grant_table

__all__ = ["grant", "grants_for_partner", "onward_grant", "onward_grant_table"]


def _run(conn_or_database: Connection | Engine, fn: Any) -> Any:
    if isinstance(conn_or_database, Connection):
        return fn(conn_or_database)
    with db.read_transaction(conn_or_database) as conn:
        return fn(conn)


def onward_grant(conn_or_database: Connection | Engine, package_ref: str, partner_id: str) -> str | None:
    """R-6.2: the onward reference when a consented onward provision makes ``package_ref`` available to
    ``partner_id`` (a partner of another region than the package's); None otherwise."""
    if not package_ref or not partner_id:
        return None
    t = onward_grant_table
    query = select(t.c.id).where(t.c.package_id == package_ref, t.c.partner_id == partner_id).order_by(t.c.granted_at).limit(1)
    row = _run(conn_or_database, lambda conn: conn.execute(query).first())
    return row.id if row else None


def grants_for_partner(conn_or_database: Connection | Engine, partner_id: str) -> list[dict[str, Any]]:
    """Every grant to ``partner_id`` (package, case, providing region, onward reference), oldest first."""
    t = onward_grant_table
    query = select(t).where(t.c.partner_id == partner_id).order_by(t.c.granted_at)
    rows = _run(conn_or_database, lambda conn: conn.execute(query).all())
    return [{"onward_ref": r.id, "package_id": r.package_id, "case_key": r.case_key, "region": r.region,
             "receiving_region": r.receiving_region} for r in rows]


def grant(conn: Connection, *, package_id: str, case_key: str, region: str, partner_id: str, receiving_region: str,
          requested_by: str, process_instance_id: str, consent_refs: Sequence[str], at: dt.datetime) -> str:
    """Record the grant in ``conn`` (a write transaction); idempotent on the process instance: returns its reference."""
    t = onward_grant_table
    existing = conn.execute(select(t.c.id).where(t.c.process_instance_id == process_instance_id)).first()
    if existing is not None:
        return str(existing.id)
    if receiving_region == region:
        raise ValueError("an onward grant goes to a partner of another region (R-6.2)")
    ref = str(uuid.uuid4())
    conn.execute(t.insert().values(id=ref, package_id=package_id, case_key=case_key, region=region, partner_id=partner_id,
                                   receiving_region=receiving_region, requested_by=requested_by,
                                   process_instance_id=process_instance_id, consent_refs=json.dumps(sorted(consent_refs)),
                                   granted_at=at))
    return ref
