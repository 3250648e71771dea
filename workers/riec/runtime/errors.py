"""The three outcomes of a handler: return (complete), BpmnError (business), anything else (failure)."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class BpmnError(Exception):
    """A business outcome the diagram models with an error boundary event.

    ``message`` is stored by the engine with the error: keep personal and police
    data out of it. ``variables`` are set on the process when the error is thrown.
    """

    def __init__(self, code: str, message: str = "", variables: BaseModel | dict[str, Any] | None = None):
        super().__init__(code)
        self.code = code
        self.message = message
        self.variables = variables


class TaskInputError(Exception):
    """The process handed a task variables its input model rejects: a modelling fault, not a business outcome."""
