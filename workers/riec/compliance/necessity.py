"""The necessity assessment record (R-5.1a).

A written judgement of necessity, proportionality and subsidiarity per case,
with its author, time and the data (categories and persons) it covers. It is
required before any provision (:func:`riec.compliance.rules.r_5_1a_necessity`)
and kept as long as R-7 allows: :func:`destroy_for_case` removes it together with
the case's provided data, leaving only the register entries (references).
"""
from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from . import db
from .decisions import Decision
from .models import DataCategory, NecessityAssessment
from .provision_register import EntryKind, RegisterEntry, append_in
from .rules import r_5_1a_necessity


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _model(row) -> NecessityAssessment:  # noqa: ANN001
    return NecessityAssessment(
        id=row.id, case_id=row.case_id, author=row.author, assessed_at=_aware(row.assessed_at),
        necessity=row.necessity, proportionality=row.proportionality, subsidiarity=row.subsidiarity,
        necessary=row.necessary,
        data_categories=frozenset(DataCategory(c) for c in row.data_categories.split(",") if c),
        person_refs=frozenset(json.loads(row.person_refs)),
    )


def record(database: Engine, assessment: NecessityAssessment) -> NecessityAssessment:
    """Store an assessment (new id) and register that it was made; returns it with its id."""
    stored = assessment.model_copy(update={"id": assessment.id or f"na-{uuid.uuid4()}"})
    with db.write_transaction(database) as conn:
        conn.execute(db.necessity_assessment.insert().values(
            id=stored.id, case_id=stored.case_id, author=stored.author, assessed_at=stored.assessed_at.astimezone(UTC),
            necessity=stored.necessity, proportionality=stored.proportionality, subsidiarity=stored.subsidiarity,
            necessary=stored.necessary, data_categories=",".join(sorted(stored.data_categories)),
            person_refs=json.dumps(sorted(stored.person_refs)), recorded_at=datetime.now(UTC)))
        append_in(conn, RegisterEntry(
            kind=EntryKind.NECESSITY_ASSESSMENT, occurred_at=stored.assessed_at, actor=stored.author,
            case_id=stored.case_id, data_categories=tuple(stored.data_categories), person_refs=tuple(stored.person_refs),
            assessment_id=stored.id, rule_ids=("R-5.1a",), references={"conclusion": "necessary" if stored.necessary else "not_necessary"}))
    return stored


def latest(database: Engine, case_id: str) -> NecessityAssessment | None:
    t = db.necessity_assessment
    with db.read_transaction(database) as conn:
        row = conn.execute(select(t).where(t.c.case_id == case_id)
                           .order_by(t.c.assessed_at.desc(), t.c.recorded_at.desc()).limit(1)).first()
    return _model(row) if row else None


def decide(database: Engine, case_id: str, categories, person_refs, on: date) -> Decision:  # noqa: ANN001
    """R-5.1a against the case's latest stored assessment."""
    return r_5_1a_necessity(latest(database, case_id), case_id, categories, person_refs, on)


def destroy_for_case(database: Engine, case_id: str, *, actor: str, occurred_at: datetime) -> int:
    """R-7.1: delete the case's assessments (with its provided data); the register keeps the fact."""
    t = db.necessity_assessment
    with db.write_transaction(database) as conn:
        ids = [r.id for r in conn.execute(select(t.c.id).where(t.c.case_id == case_id))]
        if not ids:
            return 0
        conn.execute(delete(t).where(t.c.case_id == case_id))
        append_in(conn, RegisterEntry(kind=EntryKind.DESTRUCTION, occurred_at=occurred_at, actor=actor, case_id=case_id,
                                      rule_ids=("R-7.1",), references={"object": "necessity_assessment", "count": str(len(ids))}))
    return len(ids)
