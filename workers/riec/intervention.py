"""The case analysis and intervention (issue 10, deliverable 5; process ``riec-intervention``). Rule: R-7.1.

After the decision ("provided" or "without police data") the RIEC partners decide
together how to intervene; the case director (riec-analyst) records that joint
strategy, and later that it was carried out and on which date. That date is what
destruction (art. 7(1), R-7.1, issue 11) starts from: it is stored in the
intervention register (table ``intervention``, one row per case) and set as the
variable ``interventionCarriedOutOn``.

The two models below are what the forms ``intervention-strategy`` and
``intervention-carried-out`` mirror; the topics ``validate-…`` check them again on
the server (riec.handlers.intervention).
"""
from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field, model_validator
from sqlalchemy import select
from sqlalchemy.engine import Engine

from riec import dutch_time
from riec.casework import Motivation, OptionalText, json_text
from riec.compliance import db
from riec.formcheck import FormModel


class InterventionMeasure(StrEnum):
    ADMINISTRATIVE = "bestuurlijk"
    FISCAL = "fiscaal"
    CRIMINAL = "strafrechtelijk"
    OTHER = "anders"


MEASURE_LABELS_NL = {
    InterventionMeasure.ADMINISTRATIVE: "Bestuurlijk (bijv. sluiting, vergunning intrekken, Bibob)",
    InterventionMeasure.FISCAL: "Fiscaal (bijv. naheffing, beslag door de Belastingdienst)",
    InterventionMeasure.CRIMINAL: "Strafrechtelijk (opsporing en vervolging)",
    InterventionMeasure.OTHER: "Anders",
}

Measures = Annotated[list[InterventionMeasure], BeforeValidator(json_text), Field(min_length=1)]


class InterventionStrategy(FormModel):
    """``Task_InterventionStrategy``: the partners' joint intervention strategy. R-7.1."""

    intervention_measures: Measures = Field(title="Interventies")
    intervention_other_description: OptionalText = Field("", title="Omschrijving van de andere interventie",
                                                          description="Verplicht bij 'Anders'; ten minste 10 tekens.")
    intervention_strategy: Motivation = Field(title="Gezamenlijke interventiestrategie",
                                              description="Wie doet wat en wanneer; 10 tot 2000 tekens.")

    @model_validator(mode="after")
    def _other_described(self) -> "InterventionStrategy":
        if InterventionMeasure.OTHER in self.intervention_measures and len(self.intervention_other_description) < 10:
            raise ValueError("Omschrijf bij 'Anders' de andere interventie in ten minste 10 tekens.")
        return self


class InterventionCarriedOut(FormModel):
    """``Task_InterventionCarriedOut``: the intervention was carried out, on this date. R-7.1.

    The date is checked against today and against the case's start by the
    validation topic (:func:`date_problems`): the model alone does not know them.
    """

    intervention_carried_out_on: dt.date = Field(title="Datum uitgevoerd",
                                                 description="Datum in de vorm JJJJ-MM-DD, niet in de toekomst.")


def date_problems(carried_out_on: dt.date, case_started_on: dt.date | None, today: dt.date | None = None) -> list[str]:
    """Dutch reasons why the carried-out date cannot be right: in the future, or before the case began. R-7.1."""
    today = today or dt.date.today()
    problems = []
    if carried_out_on > today:
        problems.append("'Datum uitgevoerd' ligt in de toekomst: vul de datum in waarop de interventie is uitgevoerd.")
    if case_started_on is not None and carried_out_on < case_started_on:
        problems.append(f"'Datum uitgevoerd' ligt vóór de start van de casus ({case_started_on.isoformat()}).")
    return problems


class InterventionRecord(BaseModel):
    """One row of the intervention register."""

    case_key: str
    region: str | None
    measures: list[InterventionMeasure]
    other_description: str
    strategy: str
    carried_out_on: dt.date
    recorded_at: dt.datetime


def record(database: Engine, rec: InterventionRecord) -> InterventionRecord:
    """Stores the case's intervention once (keyed by case key): a redelivery returns the stored row. R-7.1."""
    t = db.intervention
    with db.write_transaction(database) as conn:
        row = conn.execute(select(t).where(t.c.case_key == rec.case_key)).first()
        if row is None:
            conn.execute(t.insert().values(
                case_key=rec.case_key, region=rec.region, measures=json.dumps([m.value for m in rec.measures]),
                other_description=rec.other_description or None, strategy=rec.strategy,
                carried_out_on=rec.carried_out_on, recorded_at=rec.recorded_at))
            return rec
    return _model(row)


def _model(row) -> InterventionRecord:  # noqa: ANN001
    return InterventionRecord(case_key=row.case_key, region=row.region, measures=json.loads(row.measures),
                              other_description=row.other_description or "", strategy=row.strategy,
                              carried_out_on=row.carried_out_on, recorded_at=row.recorded_at)


def get(database: Engine, case_key: str) -> InterventionRecord | None:
    t = db.intervention
    with db.read_transaction(database) as conn:
        row = conn.execute(select(t).where(t.c.case_key == case_key)).first()
    return _model(row) if row else None


def timer_at(day: dt.date, *, end_of_day: bool = False) -> str:
    """A date as the engine's timer or due date reads it: the start (or the last minute) of that day in
    Europe/Amsterdam, ISO 8601 with its offset, e.g. ``2026-12-13T00:00:00+01:00``. Formatting only: the
    date itself comes from riec.retention.RetentionTerms."""
    moment = dt.time(23, 59) if end_of_day else dt.time(0, 0)
    return dt.datetime.combine(day, moment, dutch_time.AMSTERDAM).isoformat()
