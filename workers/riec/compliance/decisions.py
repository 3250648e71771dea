"""The decision object every rule returns.

A :class:`Decision` is what a form shows, what the provision register stores and
what a refusal letter quotes: the outcome, the rule IDs of ``DOMAIN.md`` that were
applied, a reason in Dutch for officers and letters, a reason in English for logs
and operators, and machine-readable codes (one per finding, prefixed with the
rule ID) so that processes can branch without parsing prose.
"""
from __future__ import annotations

from enum import StrEnum
from typing import Iterable

from pydantic import BaseModel, ConfigDict, Field


class Outcome(StrEnum):
    ALLOWED = "allowed"
    REFUSED = "refused"
    NEEDS_STEP = "needs_step"


class Decision(BaseModel):
    """Outcome of one rule (or of several rules combined with :func:`combine`)."""

    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    rule_ids: tuple[str, ...] = Field(min_length=1)
    reason_nl: str = Field(min_length=1, description="Dutch, fit for a form or a refusal letter.")
    reason_en: str = Field(min_length=1, description="English, for logs and operators.")
    codes: tuple[str, ...] = Field((), description="Machine-readable findings, e.g. 'R-5.1c:screening_expired'.")
    steps: tuple[str, ...] = Field((), description="What still has to happen when the outcome is needs_step.")
    legal_basis_id: str | None = Field(None, description="The legal basis the decision relied on (R-8), if any.")

    @property
    def allowed(self) -> bool:
        return self.outcome is Outcome.ALLOWED

    @property
    def refused(self) -> bool:
        return self.outcome is Outcome.REFUSED

    @property
    def needs_step(self) -> bool:
        return self.outcome is Outcome.NEEDS_STEP

    # Small constructors keep the rules readable.
    @classmethod
    def allow(cls, rule_ids: str | Iterable[str], nl: str, en: str, **kw) -> "Decision":
        return cls(outcome=Outcome.ALLOWED, rule_ids=_ids(rule_ids), reason_nl=nl, reason_en=en, **kw)

    @classmethod
    def refuse(cls, rule_ids: str | Iterable[str], nl: str, en: str, **kw) -> "Decision":
        return cls(outcome=Outcome.REFUSED, rule_ids=_ids(rule_ids), reason_nl=nl, reason_en=en, **kw)

    @classmethod
    def step(cls, rule_ids: str | Iterable[str], nl: str, en: str, **kw) -> "Decision":
        return cls(outcome=Outcome.NEEDS_STEP, rule_ids=_ids(rule_ids), reason_nl=nl, reason_en=en, **kw)

    def to_record(self) -> dict:
        """JSON-ready dict (what the register and process variables carry)."""
        return self.model_dump(mode="json")


def _ids(rule_ids: str | Iterable[str]) -> tuple[str, ...]:
    return (rule_ids,) if isinstance(rule_ids, str) else tuple(rule_ids)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def combine(*decisions: Decision) -> Decision:
    """Combine decisions: refused beats needs_step beats allowed.

    The reasons of the decisions that determine the outcome are kept (all refusals,
    or all open steps), so a refusal letter names every ground; the rule IDs of all
    decisions are kept, because all of them were applied.
    """
    if not decisions:
        raise ValueError("combine() needs at least one decision")
    if any(d.refused for d in decisions):
        outcome = Outcome.REFUSED
    elif any(d.needs_step for d in decisions):
        outcome = Outcome.NEEDS_STEP
    else:
        outcome = Outcome.ALLOWED
    deciding = [d for d in decisions if d.outcome is outcome]
    bases = [d.legal_basis_id for d in decisions if d.legal_basis_id]
    return Decision(
        outcome=outcome,
        rule_ids=_unique(r for d in decisions for r in d.rule_ids),
        reason_nl=" ".join(_unique(d.reason_nl for d in deciding)),
        reason_en=" ".join(_unique(d.reason_en for d in deciding)),
        codes=_unique(c for d in decisions for c in d.codes),
        steps=_unique(s for d in deciding for s in d.steps),
        legal_basis_id=bases[0] if bases else None,
    )
