"""Topic ``necessity-record``: the written necessity assessment into its register. Rule: R-5.1a.

The assessment (necessity, proportionality, subsidiarity, conclusion, the data
categories and persons it covers) is stored in ``compliance/necessity.py`` and
registered in the provision register; only its reference travels on, to the
police with the request.
"""
from __future__ import annotations

import datetime as dt
import hashlib

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from sqlalchemy.engine import Engine

from riec.casework import Categories, Judgement, Persons
from riec.compliance import necessity
from riec.compliance.models import NecessityAssessment
from riec.handlers import registry


class NecessityInput(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    case_key: str = Field(min_length=1, max_length=80)
    necessity: Judgement
    proportionality: Judgement
    subsidiarity: Judgement
    necessity_conclusion: bool
    data_categories: Categories
    persons: Persons
    own_initiative: bool = False
    task_key: str


class NecessityRecorded(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    necessity_assessment_ref: str


def assessment_id(task_key: str) -> str:
    """Stable per task (the same on a redelivery), so the assessment is stored once."""
    return "na-" + hashlib.sha256(task_key.encode("utf-8")).hexdigest()[:32]


@registry.topic("necessity-record")
def record_necessity(assessment: NecessityInput, *, database: Engine) -> NecessityRecorded:
    """Reads ``caseKey``, ``necessity``, ``proportionality``, ``subsidiarity``,
    ``necessityConclusion``, ``dataCategories`` and ``persons`` (their references
    only). Stores the assessment (R-5.1a) and sets ``necessityAssessmentRef``.
    Idempotent on the task: a redelivered task stores nothing new."""
    wanted = assessment_id(assessment.task_key)
    latest = necessity.latest(database, assessment.case_key)
    if latest is not None and latest.id == wanted:
        return NecessityRecorded(necessity_assessment_ref=wanted)
    stored = necessity.record(database, NecessityAssessment(
        id=wanted, case_id=assessment.case_key,
        # The role that wrote it; the person is in the engine's task history.
        author="police-unit" if assessment.own_initiative else "riec-analyst",
        assessed_at=dt.datetime.now(dt.timezone.utc),
        necessity=assessment.necessity, proportionality=assessment.proportionality,
        subsidiarity=assessment.subsidiarity, necessary=assessment.necessity_conclusion,
        data_categories=frozenset(assessment.data_categories),
        person_refs=frozenset(p.ref for p in assessment.persons),
    ))
    return NecessityRecorded(necessity_assessment_ref=stored.id or wanted)
