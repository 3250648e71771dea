"""Topics ``case-init`` and ``police-init``: due periods from configuration, the region's choices. Rules: R-4.1, R-6.1.

Both run first in their process (docs/case-process.md). The due periods are
ISO-8601 durations the diagrams read for each user task's due date and its
overdue timer; ``case-init`` also offers the analyst the partners and
designated persons of the case's own region (R-6.1, R-1).
"""
from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine

from riec.casework import DuePeriods
from riec.compliance import authorisation
from riec.handlers import registry


class InitInput(BaseModel):
    business_key: str | None = None
    tenant_id: str | None = None


class Option(BaseModel):
    """A choice in a form's select or checklist (form-js ``valuesKey``)."""

    label: str
    value: str


class CaseInitOutput(DuePeriods):
    case_key: str | None
    #: The day the case began (JJJJ-MM-DD): an intervention cannot have been carried out before it (R-7.1).
    case_started_on: str = Field(default_factory=lambda: date.today().isoformat())
    partner_options: list[Option]
    recipient_options: list[Option]


def region_options(database: Engine, region: str | None) -> tuple[list[Option], list[Option]]:
    """The region's active partners, and its active designated persons (R-1, R-6.1)."""
    partners = [p for p in authorisation.list_partners(database, region=region) if p.active]
    names = {p.id: p.name for p in partners}
    persons = [p for p in authorisation.list_persons(database, region=region) if p.active and p.partner_id in names]
    return ([Option(label=p.name, value=p.id) for p in partners],
            [Option(label=f"{p.name} ({names[p.partner_id]})", value=p.id) for p in persons])


@registry.topic("case-init")
def case_init(case: InitInput, *, database: Engine, due_periods: DuePeriods) -> CaseInitOutput:
    """Reads the business key and the tenant (region). Sets ``caseKey`` (the
    signal's business key), ``caseStartedOn``, the five ``due…`` periods and ``partnerOptions`` /
    ``recipientOptions`` (Json lists of ``{label, value}``) of the case's region."""
    partners, recipients = region_options(database, case.tenant_id)
    return CaseInitOutput(case_key=case.business_key, partner_options=partners, recipient_options=recipients,
                          **due_periods.model_dump())


@registry.topic("police-init")
def police_init(request: InitInput, *, due_periods: DuePeriods) -> DuePeriods:
    """Sets the five ``due…`` periods of the police-request process."""
    return due_periods
