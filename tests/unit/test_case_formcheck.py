"""Server-side re-validation of user-task input: Dutch reasons, no values quoted, nothing moves on."""
from __future__ import annotations

import datetime as dt

import pytest
from pydantic import Field

from riec.compliance import db
from riec.formcheck import INPUT_INVALID, FormModel, dutch_problems, validation_handler
from riec.notifications import Notification, RecordedNotifications
from riec.runtime import BpmnError, Registry


class Person(FormModel):
    ref: str = Field(title="Referentie", pattern=r"^[A-Za-z0-9-]+$", description="Letters, cijfers en streepjes, bijv. P-1.")
    category: str = Field(title="Categorie")


class Example(FormModel):
    name: str = Field(title="Naam", min_length=1)
    postcode: str = Field(title="Postcode", pattern=r"^[1-9][0-9]{3} ?[A-Z]{2}$",
                          description="Vier cijfers en twee letters, bijv. 9711 AB.")
    agreed: bool = Field(title="Akkoord")
    persons: list[Person] = Field(title="Personen", min_length=1)


def test_missing_and_malformed_fields_are_named_in_dutch_without_their_values():
    _, problems = dutch_problems(Example, {"postcode": "12", "agreed": "misschien", "persons": [{"ref": "a b"}]})
    assert problems == [
        "Vul 'Naam' in.",
        "'Postcode' heeft niet de juiste vorm: Vier cijfers en twee letters, bijv. 9711 AB.",
        "Kies bij 'Akkoord' ja of nee.",
        "'Personen nr. 1, Referentie' heeft niet de juiste vorm: Letters, cijfers en streepjes, bijv. P-1.",
        "Vul 'Personen nr. 1, Categorie' in.",
    ]
    assert not any("misschien" in p or "a b" in p for p in problems)


def test_valid_input_passes():
    valid, problems = dutch_problems(Example, {"name": "x", "postcode": "9711 AB", "agreed": True,
                                               "persons": [{"ref": "P-1", "category": "a"}]})
    assert problems == [] and valid.postcode == "9711 AB"


def test_validation_handler_throws_input_invalid_with_reasons_and_registers_as_a_topic():
    handler = validation_handler(Example)
    registry = Registry()
    registry.topic("example-validate")(handler)
    topic = registry["example-validate"]
    assert topic.variable_names == ["name", "postcode", "agreed", "persons"]
    with pytest.raises(BpmnError) as caught:
        handler(topic.input_model.model_validate({"postcode": "9711 AB"}))
    assert caught.value.code == INPUT_INVALID
    assert caught.value.variables["inputValid"] is False
    assert caught.value.variables["validationMessage"].splitlines()[0] == "- Vul 'Naam' in."
    assert "9711" not in caught.value.message
    ok = handler(topic.input_model.model_validate({"name": "x", "postcode": "9711 AB", "agreed": False,
                                                   "persons": [{"ref": "P-1", "category": "a"}]}))
    assert ok == {"inputValid": True, "validationMessage": ""}


def test_validation_handler_adds_the_checks_a_model_cannot_see():
    handler = validation_handler(Example, check=lambda e: [] if e.agreed else ["Zonder akkoord kan het niet verder."])
    registry = Registry()
    registry.topic("t")(handler)
    with pytest.raises(BpmnError) as caught:
        handler(registry["t"].input_model.model_validate({"name": "x", "postcode": "9711 AB", "agreed": False,
                                                          "persons": [{"ref": "P-1", "category": "a"}]}))
    assert caught.value.variables["validationMessage"] == "- Zonder akkoord kan het niet verder."


def test_notifications_are_recorded_once_per_key(tmp_path):
    engine = (getattr(db, "open_database", None) or db.make_engine)(f"sqlite:///{tmp_path / 'r.sqlite'}")
    db.migrate(engine)
    notifier = RecordedNotifications(engine)
    message = Notification(key="pi/timer", kind="overdue", recipient_group="case-prosecutor", business_key="CASE-1",
                           task_ref="Task_X", text_nl="Taak verlopen · CASE-1", created_at=dt.datetime.now(dt.timezone.utc))
    assert notifier.notify(message) is True
    assert notifier.notify(message) is False
    assert notifier.for_case("CASE-1") == [message]
