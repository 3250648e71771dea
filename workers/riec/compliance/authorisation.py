"""The authorisation register (R-1, R-5.1b, R-5.1c).

Partner organisations per RIEC region, and the persons they designated to
receive police data, each with the data categories they are authorised for and
the date and expiry of their security screening. :func:`check` is the check at
the moment of provision. Every change is written to the provision register.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection, Engine

from . import db
from .decisions import Decision
from .models import DataCategory, DesignatedPerson, Partner
from .provision_register import EntryKind, RegisterEntry, append_in
from .rules import check_recipient


class UnknownPartner(LookupError):
    pass


def _partner(row) -> Partner:  # noqa: ANN001
    return Partner(id=row.id, name=row.name, region=row.region, kind=row.kind, active=row.active)


def _person(row) -> DesignatedPerson:  # noqa: ANN001
    return DesignatedPerson(
        id=row.id, partner_id=row.partner_id, name=row.name,
        scopes=frozenset(DataCategory(s) for s in row.scopes.split(",") if s),
        screening_date=row.screening_date, screening_valid_until=row.screening_valid_until, active=row.active,
    )


def _audit(conn: Connection, actor: str, region: str, **refs: str) -> None:
    append_in(conn, RegisterEntry(kind=EntryKind.AUTHORISATION_CHANGED, occurred_at=datetime.now(UTC), actor=actor,
                                  region=region, rule_ids=("R-1", "R-5.1b", "R-5.1c"), references=refs))


def _insert_or_update(conn: Connection, table: Table, key: str, values: dict[str, Any], *, exists: bool) -> str:
    if exists:
        conn.execute(table.update().where(table.c.id == key).values(**values))
        return "updated"
    conn.execute(table.insert().values(id=key, **values))
    return "added"


def upsert_partner(database: Engine, partner: Partner, *, actor: str) -> str:
    """Add or update a partner; returns 'added', 'updated' or 'unchanged'."""
    t = db.partner
    with db.write_transaction(database) as conn:
        row = conn.execute(select(t).where(t.c.id == partner.id)).first()
        if row is not None and _partner(row) == partner:
            return "unchanged"
        values = partner.model_dump(exclude={"id"}) | {"updated_at": datetime.now(UTC)}
        result = _insert_or_update(conn, t, partner.id, values, exists=row is not None)
        _audit(conn, actor, partner.region, change=f"partner_{result}", partner=partner.id,
               active=str(partner.active).lower())
        return result


def upsert_person(database: Engine, person: DesignatedPerson, *, actor: str) -> str:
    """Designate (or update) a person; the partner must exist. Returns 'added', 'updated' or 'unchanged'."""
    t = db.designated_person
    with db.write_transaction(database) as conn:
        prow = conn.execute(select(db.partner).where(db.partner.c.id == person.partner_id)).first()
        if prow is None:
            raise UnknownPartner(f"unknown partner {person.partner_id!r}")
        row = conn.execute(select(t).where(t.c.id == person.id)).first()
        if row is not None and _person(row) == person:
            return "unchanged"
        values = person.model_dump(exclude={"id", "scopes"}) | {
            "scopes": ",".join(sorted(person.scopes)), "updated_at": datetime.now(UTC)}
        result = _insert_or_update(conn, t, person.id, values, exists=row is not None)
        _audit(conn, actor, prow.region, change=f"person_{result}", person=person.id, partner=person.partner_id,
               scopes="/".join(sorted(person.scopes)) or "none", active=str(person.active).lower(),
               screening_valid_until=person.screening_valid_until.isoformat() if person.screening_valid_until else "none")
        return result


def withdraw_person(database: Engine, person_id: str, *, actor: str) -> bool:
    person = get_person(database, person_id)
    if person is None or not person.active:
        return False
    upsert_person(database, person.model_copy(update={"active": False}), actor=actor)
    return True


def get_partner(database: Engine, partner_id: str) -> Partner | None:
    with db.read_transaction(database) as conn:
        row = conn.execute(select(db.partner).where(db.partner.c.id == partner_id)).first()
    return _partner(row) if row else None


def get_person(database: Engine, person_id: str) -> DesignatedPerson | None:
    t = db.designated_person
    with db.read_transaction(database) as conn:
        row = conn.execute(select(t).where(t.c.id == person_id)).first()
    return _person(row) if row else None


def list_partners(database: Engine, region: str | None = None) -> list[Partner]:
    t = db.partner
    q = select(t).order_by(t.c.region, t.c.id)
    if region:
        q = q.where(t.c.region == region)
    with db.read_transaction(database) as conn:
        return [_partner(r) for r in conn.execute(q)]


def list_persons(database: Engine, *, region: str | None = None, partner_id: str | None = None) -> list[DesignatedPerson]:
    t, p = db.designated_person, db.partner
    q = select(t).join(p, p.c.id == t.c.partner_id).order_by(p.c.region, t.c.partner_id, t.c.id)
    if region:
        q = q.where(p.c.region == region)
    if partner_id:
        q = q.where(t.c.partner_id == partner_id)
    with db.read_transaction(database) as conn:
        return [_person(r) for r in conn.execute(q)]


def check(database: Engine, person_id: str, categories: Iterable[DataCategory], on: date) -> Decision:
    """R-1, R-5.1b, R-5.1c at the moment of provision ``on``, against the register's current content."""
    person = get_person(database, person_id)
    partner = get_partner(database, person.partner_id) if person else None
    return check_recipient(person, partner, list(categories), on)
