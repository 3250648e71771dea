"""Compliance core: the decree's rules as decisions, and the registers that prove them.

Modules:

* :mod:`.decisions` -- the :class:`Decision` every rule returns, and :func:`combine`.
* :mod:`.models` -- validated inputs (pydantic) shared by rules and registers.
* :mod:`.rules` -- one pure function per rule of ``shared/DOMAIN.md``; :func:`decide_provision`.
* :mod:`.legal_basis` -- legal-basis register (R-8).
* :mod:`.authorisation` -- partners and designated persons (R-1, R-5.1b, R-5.1c).
* :mod:`.necessity` -- necessity assessment record (R-5.1a).
* :mod:`.provision_register` -- append-only, hash-chained provision register.
* :mod:`.db` -- tables, engines, locking, Alembic migrations.
* :mod:`.demo` / :mod:`.cli` -- demo seed and command line.
"""
from .decisions import Decision, Outcome, combine

__all__ = ["Decision", "Outcome", "combine"]
