"""Topic ``signal-validate``: is the signal complete and within the decree? Rules: R-3.1, R-3.2."""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from riec.handlers import registry
from riec.hit_no_hit.catalogue import PartnerCatalogue
from riec.runtime import BpmnError
from riec.signals import SignalVariables, check_signal


class SignalAccepted(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    signal_valid: bool = True
    validation_message: str = ""


@registry.topic("signal-validate")
def validate_signal(signal: SignalVariables, *, partners: PartnerCatalogue) -> SignalAccepted:
    """Reads the signal's form fields. Sets ``signalValid``; on problems throws
    ``SIGNAL_INVALID`` with ``validationMessage`` (Dutch, one problem per line)
    so the analyst can correct the signal without retyping it. The reporting
    partner must be in the partner catalogue (R-4.1 leaves it out of the hits)."""
    problems = check_signal(signal, today=dt.date.today(), partner_ids=partners.ids())
    if problems:
        raise BpmnError(
            "SIGNAL_INVALID",
            f"signal rejected: {len(problems)} problem(s)",
            {"signalValid": False, "validationMessage": "\n".join(f"- {p}" for p in problems)},
        )
    return SignalAccepted()
