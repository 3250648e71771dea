"""What handlers talk to besides the engine, built once per process from settings."""
from __future__ import annotations

import functools

from riec.hitnohit.checks import HitChecks
from riec.hitnohit.registers import LocalRegisters
from riec.settings import get_settings


@functools.lru_cache(maxsize=1)
def hit_checks() -> HitChecks:
    return HitChecks(get_settings().effective_database_url)


@functools.lru_cache(maxsize=1)
def partner_registers() -> LocalRegisters:
    return LocalRegisters(get_settings().data_dir / "partner-registers.sqlite")
