"""The worker runtime: the one owner of retries and of the engine's external-task protocol."""
from riec.runtime.errors import BpmnError, TaskInputError
from riec.runtime.registry import Registry
from riec.runtime.worker import Worker

__all__ = ["BpmnError", "Registry", "TaskInputError", "Worker"]
