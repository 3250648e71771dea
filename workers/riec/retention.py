"""Retention terms (art. 7, R-7.1 / R-7.2): the one place that turns settings into dates.

Everything that schedules, warns about or sweeps destruction asks this module:
the intervention process (variables ``destructionDueOn`` …), the destruction
step and sweep (riec.destruction), ``riec retention status`` and the managers'
figures (riec.stats). The rule functions themselves stay pure in
``riec.compliance.rules``; this module only supplies the configured terms.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from riec.compliance.rules import r_7_1_destruction_due, r_7_1_retention, r_7_2_anonymisation_deadline
from riec.compliance.decisions import Decision
from riec.settings import Settings

@dataclass(frozen=True)
class RetentionTerms:
    """The configured terms, in days (see the ``RIEC_*`` settings of the same names)."""

    destruction_grace_days: int = 14
    max_retention_days: int = 365
    retention_warning_days: int = 30
    anonymisation_lead_days: int = 7
    no_case_retention_days: int = 28
    register_retention_years: int = 5

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionTerms:
        return cls(
            destruction_grace_days=settings.destruction_grace_days,
            max_retention_days=settings.max_retention_days,
            retention_warning_days=settings.retention_warning_days,
            anonymisation_lead_days=settings.anonymisation_lead_days,
            no_case_retention_days=settings.no_case_retention_days,
            register_retention_years=settings.register_retention_years,
        )

    # -- a case with provided data (R-7.1) ------------------------------------------------

    def destruction_due_on(self, intervention_carried_out_on: date) -> date:
        """R-7.1: the day the case's police data are destroyed once the intervention was carried out."""
        return r_7_1_destruction_due(intervention_carried_out_on, self.destruction_grace_days)

    def keep(self, intervention_carried_out_on: date | None, on: date) -> Decision:
        """R-7.1: may the data still be kept on ``on``? Refused means destroy now."""
        return r_7_1_retention(intervention_carried_out_on, on, self.destruction_grace_days)

    def max_retention_until(self, provided_on: date) -> date:
        """R-7.1: the last day a case's data may exist, whether or not an intervention was recorded."""
        return provided_on + timedelta(days=self.max_retention_days)

    def retention_warning_on(self, provided_on: date) -> date:
        """The day analysts and the privacy officer are warned that the maximum retention is ending."""
        return self.max_retention_until(provided_on) - timedelta(days=self.retention_warning_days)

    def destroy_on(self, provided_on: date, intervention_carried_out_on: date | None) -> date:
        """The earlier of the R-7.1 date after the intervention and the maximum retention."""
        latest = self.max_retention_until(provided_on)
        if intervention_carried_out_on is None:
            return latest
        return min(latest, self.destruction_due_on(intervention_carried_out_on))

    # -- the anonymisation decision (R-7.2) -------------------------------------------------

    def anonymisation_due_on(self, destruction_due_on: date) -> date:
        """R-7.2: the decision's deadline, before the destruction date (at the latest the day before)."""
        return r_7_2_anonymisation_deadline(destruction_due_on, self.anonymisation_lead_days)

    # -- signals that end without a case ------------------------------------------------------

    def no_case_destroy_on(self, ended_on: date) -> date:
        """The day a signal's personal data go when it ended without a case (no hit, withdrawn, closed)."""
        return ended_on + timedelta(days=self.no_case_retention_days)

    # -- what is kept -----------------------------------------------------------------------------

    def register_keep_until(self, recorded_on: date) -> date:
        """Necessity assessments and register entries: kept this long (they reference, never contain, destroyed data)."""
        try:
            return recorded_on.replace(year=recorded_on.year + self.register_retention_years)
        except ValueError:  # 29 February
            return recorded_on.replace(year=recorded_on.year + self.register_retention_years, day=28)

    # -- the engine's own history clean-up (the second line behind destruction, R-7.1) ------------

    def history_ttl_days(self) -> dict[str, int]:
        """Each process's ``camunda:historyTimeToLive`` in days (removal time = end of the root instance + this).

        Processes that hold a case's or a signal's data keep their history at most the maximum retention: even if
        the destruction step and the sweep never ran, nothing outlives it. The intervention process ends with the
        destruction, so what is left of it goes the next night; the sweep's runs hold counts only (a month of them).
        A process not listed here must not keep its history longer than ``max_retention_days``.
        """
        return {
            "riec-signal": self.max_retention_days,
            "riec-case": self.max_retention_days,
            "police-request": self.max_retention_days,
            "riec-onward-provision": self.max_retention_days,
            "riec-intervention": 1,
            "riec-retention-sweep": 30,
        }
