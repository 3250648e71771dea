"""Destruction of provided data and of signals that ended without a case (issue 11, art. 7, R-7.1). docs/destruction.md."""
from riec.destruction.core import DestructionResult, Trigger, destroy_case, existing
from riec.destruction.sweep import SweepReport, sweep

__all__ = ["DestructionResult", "SweepReport", "Trigger", "destroy_case", "existing", "sweep"]
