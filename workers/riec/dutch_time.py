"""Dutch calendar days: the decree's dates and terms are days in the Netherlands, not in UTC.

The one zone and the one "which day is it" for every module that dates something: decisions, provisions,
the vault's opening checks, the intervention's timers, the retention terms, the sweep and the figures. Near
midnight a UTC date is the wrong day for an hour or two; one definition keeps them from disagreeing.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def amsterdam_day(moment: datetime) -> date:
    """The calendar day of ``moment`` in the Netherlands (a naive moment is UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(AMSTERDAM).date()


def today() -> date:
    """Today in the Netherlands."""
    return amsterdam_day(datetime.now(UTC))
