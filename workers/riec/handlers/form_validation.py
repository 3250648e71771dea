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

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from riec import casework
from riec.formcheck import INPUT_INVALID, as_message, dutch_problems, submitted_model, validation_handler
from riec.handlers import registry
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

for _topic, (_model, _check, _region_check, _message) in VALIDATIONS.items():
    registry.topic(_topic)(validation_handler(_model, check=_check, region_check=_region_check, message_variable=_message))


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
