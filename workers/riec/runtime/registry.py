"""Topics and their handlers, checked when the module is imported.

A handler is a plain function of exactly one pydantic model. The model's field
aliases name the process variables to fetch (nothing else is fetched); two
reserved field names are filled from the task itself instead:
``business_key`` and ``task_key`` (stable across redeliveries of one task, the
key for idempotent side effects).
"""
from __future__ import annotations

import inspect
import typing
from dataclasses import dataclass
from typing import Any, Callable

from pydantic import BaseModel

TASK_FIELDS = frozenset({"business_key", "task_key"})


@dataclass(frozen=True)
class Topic:
    name: str
    handler: Callable[[Any], BaseModel | None]
    input_model: type[BaseModel]
    lock_duration_ms: int | None

    @property
    def variable_names(self) -> list[str]:
        return [
            field.alias or name
            for name, field in self.input_model.model_fields.items()
            if name not in TASK_FIELDS
        ]


class Registry:
    def __init__(self) -> None:
        self._topics: dict[str, Topic] = {}

    def topic(self, name: str, *, lock_duration_ms: int | None = None):
        """Register ``handler`` for ``name``; fails loudly on a second registration or a wrong signature."""

        def register(handler):
            if name in self._topics:
                raise ValueError(f"topic {name!r} is registered twice ({self._topics[name].handler.__qualname__} and {handler.__qualname__})")
            self._topics[name] = Topic(name, handler, _input_model(name, handler), lock_duration_ms)
            return handler

        return register

    def include(self, other: "Registry") -> None:
        for topic in other:
            if topic.name in self._topics:
                raise ValueError(f"topic {topic.name!r} is registered twice")
            self._topics[topic.name] = topic

    def __getitem__(self, name: str) -> Topic:
        return self._topics[name]

    def __iter__(self):
        return iter(self._topics.values())

    def __len__(self) -> int:
        return len(self._topics)

    def names(self) -> list[str]:
        return sorted(self._topics)


def _input_model(name: str, handler) -> type[BaseModel]:
    params = list(inspect.signature(handler).parameters.values())
    hints = typing.get_type_hints(handler)
    if len(params) != 1:
        raise TypeError(f"handler {handler.__qualname__} for topic {name!r} must take exactly one pydantic model, takes {len(params)} parameters")
    model = hints.get(params[0].name)
    if not (inspect.isclass(model) and issubclass(model, BaseModel)):
        raise TypeError(f"handler {handler.__qualname__} for topic {name!r} must annotate its parameter with a pydantic model")
    return model
