"""The validation topics ``validate-…``: every user task's input checked again on the server.

Tasklist validates a Camunda Form in the browser only; a REST caller bypasses
it. Each user task of the case and police-request processes is followed by one
of these topics, which validates the submitted variables with the model the
form mirrors (``riec.casework``) and, where a rule applies, with
``riec.compliance.rules``. Invalid input throws ``INPUT_INVALID`` with the
Dutch reasons; the diagram sends the task back, the case does not move on.
One table below, one topic per form (docs/case-process.md).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from riec import casework
from riec.formcheck import INPUT_INVALID, as_message, dutch_problems, submitted_model, validation_handler
from riec.handlers import registry
from riec.handlers.notify_overdue import TASK_NAMES_NL
from riec.notifications import Notification, Notifier
from riec.runtime import BpmnError

#: topic -> (model, extra check, check against the region's registers, message variable).
VALIDATIONS: dict[str, tuple[type[BaseModel], Any, Any, str]] = {
    "validate-case-half-open": (casework.HalfOpenSources, None, None, "validationMessage"),
    "validate-case-closed": (casework.ClosedSources, None, None, "validationMessage"),
    "validate-case-work-up": (casework.WorkUp, casework.work_up_checks, casework.work_up_region_checks,
                              "validationMessage"),
    "validate-case-decision": (casework.CaseDecision, None, None, "validationMessage"),
    "validate-case-request": (casework.RequestForm, casework.request_checks, casework.recipient_region_checks,
                              "validationMessage"),  # R-5.1a, R-1
    "validate-police-own-initiative-details": (casework.OwnInitiativeDetails, None, casework.recipient_region_checks,
                                               "validationMessage"),  # R-5.1a, R-1
    "validate-police-judgement": (casework.PoliceJudgement, casework.judgement_checks, None,
                                  "validationMessage"),  # R-4.1-refuse
    "validate-police-consultation-2-10": (casework.Consultation210, None, None, "validationMessage"),  # R-5.1e
    "validate-police-consent-case-prosecutor": (casework.ConsentCaseProsecutor, None, None,
                                                "caseProsecutorValidationMessage"),  # R-5.1e
    "validate-police-consent-cie-prosecutor": (casework.ConsentCieProsecutor, None, None,
                                               "cieProsecutorValidationMessage"),  # R-5.1e
}

#: Validations whose success creates a task for another role, who is told (issue 10 deliverable 4): registered below.
NOTIFYING = frozenset({"validate-police-judgement", "validate-police-consultation-2-10"})

for _topic, (_model, _check, _region_check, _message) in VALIDATIONS.items():
    if _topic in NOTIFYING:
        continue
    registry.topic(_topic)(validation_handler(_model, check=_check, region_check=_region_check, message_variable=_message))


# --------------------------------------------------------------------------- a consultation or consent is waiting


def _tell(notifier: Notifier, kind: str, group: str, task_id: str, case: str | None, region: str | None) -> None:
    """One notification to ``group`` in ``region`` (R-6.1) that ``task_id`` waits; idempotent per case key + kind
    (+ group). Only the case reference and the task's name: no personal or police data (R-5.2)."""
    name = TASK_NAMES_NL[task_id]
    notifier.notify(Notification(
        key=f"{kind}:{group}:{case or '-'}", kind=kind, recipient_group=group, business_key=case, task_ref=task_id,
        text_nl=f"De taak '{name} · {case or '-'}' wacht op u. Pak haar op in Tasklist.",
        created_at=dt.datetime.now(dt.timezone.utc), region=region))


def _only(base: type[BaseModel], form: BaseModel) -> BaseModel:
    """The form's own variables, without the ones read for the notification (the generic check sees the form only)."""
    return base(**{name: getattr(form, name) for name in base.model_fields})


_JudgementForm = submitted_model(casework.PoliceJudgement)
_validate_judgement = validation_handler(casework.PoliceJudgement, check=casework.judgement_checks)
JudgementSubmission = create_model(
    "JudgementSubmission", __base__=_JudgementForm,
    business_key=(Any, None), case_key=(Any, Field(None, alias="caseKey")))


@registry.topic("validate-police-judgement")
def validate_judgement(form: JudgementSubmission, *, notifier: Notifier) -> dict[str, Any]:
    """Validates ``Task_Judgement`` (R-4.1-refuse). When the judgement leads on to the 2:10
    consultation (relevant data, no opposing interest: ``Gateway_Judgement``), tells the
    region's ``police-data-officer`` group that ``Task_Consult210`` waits (R-5.1e)."""
    result = _validate_judgement(_only(_JudgementForm, form))
    if form.relevant_data_exist == "yes" and form.opposing_interest == "none":  # type: ignore[attr-defined]
        _tell(notifier, "consultation_waiting", "police-data-officer", "Task_Consult210",
              form.business_key or form.case_key, form.tenant_id)  # type: ignore[attr-defined]
    return result


_ConsultationForm = submitted_model(casework.Consultation210)
_validate_consultation = validation_handler(casework.Consultation210)
ConsultationSubmission = create_model(
    "ConsultationSubmission", __base__=_ConsultationForm,
    business_key=(Any, None), case_key=(Any, Field(None, alias="caseKey")),
    art9_requested=(Any, Field(None, alias="art9Requested")), art10_requested=(Any, Field(None, alias="art10Requested")))


@registry.topic("validate-police-consultation-2-10")
def validate_consultation(form: ConsultationSubmission, *, notifier: Notifier) -> dict[str, Any]:
    """Validates ``Task_Consult210`` (R-5.1e). When the advice is in favour (``Gateway_Advice210``),
    tells the prosecutor of each requested data type that their consent task waits:
    ``case-prosecutor`` for art. 9 (``art9Requested``), ``cie-prosecutor`` for art. 10 (``art10Requested``)."""
    result = _validate_consultation(_only(_ConsultationForm, form))
    f: Any = form
    if f.officer210_advice == "in_favour":
        case = f.business_key or f.case_key
        if f.art9_requested is True:
            _tell(notifier, "consent_waiting", "case-prosecutor", "Task_ConsentCaseProsecutor", case, f.tenant_id)
        if f.art10_requested is True:
            _tell(notifier, "consent_waiting", "cie-prosecutor", "Task_ConsentCieProsecutor", case, f.tenant_id)
    return result


# --------------------------------------------------------------------------- open sources: validated and collected


_OpenSourceSubmitted = submitted_model(casework.OpenSource)


class OpenSourceSubmission(_OpenSourceSubmitted):  # type: ignore[misc,valid-type]
    open_source_findings: Any = Field(None, alias="openSourceFindings")


class OpenSourceAdded(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    input_valid: bool = Field(True, alias="inputValid")
    message: str = Field("", alias="openSourceValidationMessage")
    open_source_findings: list[dict[str, str]] = Field(alias="openSourceFindings")
    # Emptied, so the task offers a blank form for the next source.
    open_source_name: None = Field(None, alias="openSourceName")
    open_source_reference: None = Field(None, alias="openSourceReference")
    open_source_summary: None = Field(None, alias="openSourceSummary")


@registry.topic("validate-case-open-source")
def validate_open_source(form: OpenSourceSubmission) -> OpenSourceAdded:
    """Reads ``openSourceName``, ``openSourceReference``, ``openSourceSummary`` and
    the findings so far. Appends the source to ``openSourceFindings``, or throws
    ``INPUT_INVALID`` with the reasons in ``openSourceValidationMessage``. R-4.1
    (open sources may be added at any point of the gathering)."""
    values = {k: v for k, v in form.model_dump(by_alias=True).items() if v is not None and k != "openSourceFindings"}
    valid, problems = dutch_problems(casework.OpenSource, values)
    if valid is None:
        raise BpmnError(INPUT_INVALID, f"input rejected by OpenSource: {len(problems)} problem(s)",
                        {"inputValid": False, "openSourceValidationMessage": as_message(problems)})
    assert isinstance(valid, casework.OpenSource)
    so_far = form.open_source_findings if isinstance(form.open_source_findings, list) else []
    finding = {"source": valid.open_source_name, "reference": valid.open_source_reference, "summary": valid.open_source_summary}
    return OpenSourceAdded(open_source_findings=[*so_far, finding])
