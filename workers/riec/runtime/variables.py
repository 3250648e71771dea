"""Python values <-> Camunda typed variables, in one table (after django-camunda).

Camunda's REST API wants ``{"value": ..., "type": ...}``; objects and lists
travel as Json (needs the Spin plugin on the engine, which ours has).
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import BaseModel

_JAVA_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"


def to_camunda(value: Any) -> dict[str, Any]:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", by_alias=True)
    if value is None:
        return {"value": None, "type": "Null"}
    if isinstance(value, bool):
        return {"value": value, "type": "Boolean"}
    if isinstance(value, int):
        return {"value": value, "type": "Long" if abs(value) > 2**31 - 1 else "Integer"}
    if isinstance(value, float):
        return {"value": value, "type": "Double"}
    if isinstance(value, str):
        return {"value": value, "type": "String"}
    if isinstance(value, dt.datetime):
        stamp = value.astimezone(dt.timezone.utc) if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        return {"value": stamp.strftime(_JAVA_DATE_FORMAT)[:-3] + "+0000", "type": "Date"}
    if isinstance(value, dt.date):
        # Forms send dates as ISO strings; keep that shape so forms can show them again.
        return {"value": value.isoformat(), "type": "String"}
    if isinstance(value, (list, tuple, dict)):
        return {"value": json.dumps(value, default=str), "type": "Json"}
    raise TypeError(f"no Camunda variable type for {type(value).__name__}")


def from_camunda(variable: dict[str, Any]) -> Any:
    kind = (variable.get("type") or "").lower()
    value = variable.get("value")
    if value is None:
        return None
    if kind == "json" and isinstance(value, str):
        return json.loads(value)
    if kind == "date" and isinstance(value, str):
        return dt.datetime.strptime(value.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z")
    return value


def to_camunda_map(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: to_camunda(value) for name, value in values.items()}
