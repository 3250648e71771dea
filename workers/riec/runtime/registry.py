"""Topics and their handlers, checked when the module is imported.

A handler is a plain function of exactly one pydantic model, passed positionally.
The model's field aliases name the process variables to fetch (nothing else is
fetched); three reserved field names are filled from the task itself instead:
``business_key``, ``task_key`` (stable across redeliveries of one task, the
key for idempotent side effects) and ``tenant_id`` (the instance's region, R-6.1).

Everything else a handler uses (the partner catalogue, the hit-check record,
the hit key, later the mail outbox and the data store) is a keyword-only
parameter, a *dependency*, named after what the composition root
(:mod:`riec.app`) provides::

    @registry.topic("hit-no-hit")
    def hit_no_hit(subject: HitNoHitInput, *, partners: PartnerCatalogue, hit_checks: HitChecks) -> HitNoHitOutcome: ...

:meth:`Registry.bind` returns a registry whose handlers have their dependencies
filled in; the worker only runs bound handlers. A test calls the function
directly and passes fakes or real stores as keyword arguments.
"""
from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel

TASK_FIELDS = frozenset({"business_key", "task_key", "tenant_id"})

#: A handler returns a model, a mapping of variables, or nothing.
Handler = Callable[..., BaseModel | Mapping[str, Any] | None]


@dataclass(frozen=True)
class Topic:
    name: str
    handler: Handler
    input_model: type[BaseModel]
    lock_duration_ms: int | None
    #: Keyword-only parameters still to be provided by the composition root; empty once bound.
    dependencies: tuple[str, ...] = ()

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

    def topic(self, name: str, *, lock_duration_ms: int | None = None) -> Callable[[Handler], Handler]:
        """Register ``handler`` for ``name``; fails loudly on a second registration or a wrong signature."""

        def register(handler: Handler) -> Handler:
            if name in self._topics:
                raise ValueError(f"topic {name!r} is registered twice ({self._topics[name].handler.__qualname__} and {handler.__qualname__})")
            model, dependencies = _signature(name, handler)
            self._topics[name] = Topic(name, handler, model, lock_duration_ms, dependencies)
            return handler

        return register

    def include(self, other: Registry) -> None:
        for topic in other:
            if topic.name in self._topics:
                raise ValueError(f"topic {topic.name!r} is registered twice")
            self._topics[topic.name] = topic

    def bind(self, provide: Callable[[str], Any]) -> Registry:
        """A registry whose handlers get their dependencies from ``provide(name)``.

        Fails loudly, naming topic and dependency, when ``provide`` does not know a name.
        """
        bound = Registry()
        for topic in self:
            values = {}
            for dependency in topic.dependencies:
                try:
                    values[dependency] = provide(dependency)
                except LookupError:
                    raise LookupError(f"handler {topic.handler.__qualname__} for topic {topic.name!r} needs {dependency!r}, which the app does not provide") from None
            handler = functools.partial(topic.handler, **values) if values else topic.handler
            bound._topics[topic.name] = replace(topic, handler=handler, dependencies=())
        return bound

    def __getitem__(self, name: str) -> Topic:
        return self._topics[name]

    def __iter__(self) -> Iterator[Topic]:
        return iter(self._topics.values())

    def __len__(self) -> int:
        return len(self._topics)

    def names(self) -> list[str]:
        return sorted(self._topics)


def _signature(name: str, handler: Handler) -> tuple[type[BaseModel], tuple[str, ...]]:
    """The handler's input model (its one positional parameter) and its dependencies (keyword-only)."""
    params = list(inspect.signature(handler).parameters.values())
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    others = [p for p in params if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    if len(positional) != 1 or others:
        raise TypeError(f"handler {handler.__qualname__} for topic {name!r} must take exactly one pydantic model, "
                        f"takes {len(positional)} parameters (dependencies are keyword-only, after *)")
    hints = typing.get_type_hints(handler)
    model = hints.get(positional[0].name)
    if not (inspect.isclass(model) and issubclass(model, BaseModel)):
        raise TypeError(f"handler {handler.__qualname__} for topic {name!r} must annotate its parameter with a pydantic model")
    dependencies = tuple(p.name for p in params if p.kind is p.KEYWORD_ONLY and p.default is p.empty)
    return model, dependencies
