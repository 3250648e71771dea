"""Tier 2: Python values <-> Camunda typed variables (the one conversion table)."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from riec.runtime.variables import from_camunda, to_camunda, to_camunda_map

CET_SUMMER = dt.timezone(dt.timedelta(hours=2))


@pytest.mark.parametrize(
    "value, expected",
    [
        (True, {"value": True, "type": "Boolean"}),
        (False, {"value": False, "type": "Boolean"}),
        (0, {"value": 0, "type": "Integer"}),
        (2**31 - 1, {"value": 2**31 - 1, "type": "Integer"}),
        (2**31, {"value": 2**31, "type": "Long"}),
        (-(2**31) - 1, {"value": -(2**31) - 1, "type": "Long"}),
        (1.5, {"value": 1.5, "type": "Double"}),
        ("Groningen", {"value": "Groningen", "type": "String"}),
        ("", {"value": "", "type": "String"}),
        (None, {"value": None, "type": "Null"}),
        (dt.date(2024, 3, 15), {"value": "2024-03-15", "type": "String"}),
    ],
    ids=["true", "false", "zero", "int-max", "long", "negative-long", "double", "string", "empty-string", "null", "date"],
)
def test_to_camunda_types(value, expected):
    converted = to_camunda(value)
    assert converted == expected
    assert type(converted["value"]) is type(expected["value"])  # True must not become 1


@pytest.mark.parametrize("value", [["a", "b"], ("a", "b"), {"hitPartners": ["kmar"], "n": 1}, []])
def test_lists_and_objects_travel_as_json(value):
    converted = to_camunda(value)
    assert converted["type"] == "Json"
    assert isinstance(converted["value"], str)
    assert json.loads(converted["value"]) == (list(value) if isinstance(value, tuple) else value)


def test_aware_datetime_is_sent_in_utc_with_milliseconds():
    stamp = dt.datetime(2024, 3, 15, 10, 30, 5, 123456, tzinfo=CET_SUMMER)
    assert to_camunda(stamp) == {"value": "2024-03-15T08:30:05.123+0000", "type": "Date"}


def test_naive_datetime_is_taken_as_utc():
    assert to_camunda(dt.datetime(2024, 3, 15, 10, 30)) == {"value": "2024-03-15T10:30:00.000+0000", "type": "Date"}


def test_model_is_sent_as_json_by_alias():
    class Outcome(BaseModel):
        model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)
        hit_partners: list[str]

    converted = to_camunda(Outcome(hit_partners=["kmar"]))
    assert converted["type"] == "Json"
    assert json.loads(converted["value"]) == {"hitPartners": ["kmar"]}


@pytest.mark.parametrize("value", [{1, 2}, object(), b"bytes"])
def test_unsupported_values_are_refused(value):
    with pytest.raises(TypeError, match="no Camunda variable type"):
        to_camunda(value)


@pytest.mark.parametrize(
    "value",
    [True, False, 0, 42, -7, 2**40, 3.25, "tekst met é", "", None, ["a", 1, None], {"a": {"b": [True, 2.5]}}, []],
    ids=repr,
)
def test_round_trip(value):
    assert from_camunda(to_camunda(value)) == value
    if value is not None:
        assert type(from_camunda(to_camunda(value))) is type(value)


def test_datetime_round_trip_keeps_the_instant_to_the_millisecond():
    stamp = dt.datetime(2024, 3, 15, 10, 30, 5, 123000, tzinfo=CET_SUMMER)
    back = from_camunda(to_camunda(stamp))
    assert back == stamp
    assert back.utcoffset() == dt.timedelta(0)


def test_datetime_round_trip_truncates_microseconds():
    stamp = dt.datetime(2024, 3, 15, 10, 30, 5, 123999, tzinfo=dt.timezone.utc)
    assert from_camunda(to_camunda(stamp)) == stamp.replace(microsecond=123000)


def test_from_camunda_reads_the_engine_date_format_and_zulu():
    assert from_camunda({"value": "2024-03-15T10:00:00.000+0100", "type": "Date"}) == dt.datetime(2024, 3, 15, 9, 0, tzinfo=dt.timezone.utc)
    assert from_camunda({"value": "2024-03-15T10:00:00.000Z", "type": "Date"}) == dt.datetime(2024, 3, 15, 10, 0, tzinfo=dt.timezone.utc)


def test_from_camunda_type_names_are_case_insensitive():
    assert from_camunda({"value": '["kmar"]', "type": "json"}) == ["kmar"]
    assert from_camunda({"value": '["kmar"]', "type": "JSON"}) == ["kmar"]


def test_json_looking_strings_stay_strings():
    assert from_camunda({"value": '["kmar"]', "type": "String"}) == '["kmar"]'


def test_null_and_missing_values_are_none():
    assert from_camunda({"value": None, "type": "Json"}) is None
    assert from_camunda({"type": "String"}) is None


def test_to_camunda_map_converts_every_value():
    assert to_camunda_map({"hit": False, "outcome": "geen_hit", "hitPartners": []}) == {
        "hit": {"value": False, "type": "Boolean"},
        "outcome": {"value": "geen_hit", "type": "String"},
        "hitPartners": {"value": "[]", "type": "Json"},
    }
