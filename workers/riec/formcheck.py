"""Server-side re-validation of what an officer submits in a user task.

Tasklist checks a Camunda Form in the browser only; a REST caller completes a
task with whatever variables it likes. So every user task is followed by an
external task that validates the submitted variables again with the pydantic
model the form mirrors (``riec.casework``). A rejection is a business outcome:
the handler throws a BPMN error whose boundary event leads back to the same
user task, with the reasons in Dutch in ``validationMessage``; the case does not
move on.

:func:`dutch_problems` turns pydantic's errors into Dutch sentences that name the
field by its form label (the model field's ``title``) and, for formats, repeat
the field's Dutch ``description``. Values are never quoted: they may be
personal data, and the message is stored in the engine's history.
:func:`validation_handler` builds the topic handler for one model.
"""
from __future__ import annotations

from typing import Any, Callable

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model
from pydantic.alias_generators import to_camel
from pydantic_core import ErrorDetails

from riec.runtime import BpmnError

#: The BPMN error every validation topic throws; the diagram's boundary event catches it.
INPUT_INVALID = "INPUT_INVALID"


class FormModel(BaseModel):
    """Base of the models user-task forms mirror: camelCase variables, extra form fields ignored."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True, extra="ignore",
                              str_strip_whitespace=True)


def _label(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """The Dutch label of the field at ``loc``: titles joined, list positions counted from 1."""
    parts: list[str] = []
    current: Any = model
    for step in loc:
        if isinstance(step, int):
            parts.append(f"nr. {step + 1}")
            continue
        field = None
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = current.model_fields
            field = fields.get(step) or next((f for n, f in fields.items() if f.alias == step), None)
        if field is None:
            parts.append(str(step))
            current = None
            continue
        parts.append(field.title or str(step))
        current = _inner_model(field.annotation)
    text = ""
    for part in parts:
        text = part if not text else (f"{text} {part}" if part.startswith("nr. ") else f"{text}, {part}")
    return text or "het formulier"


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside ``list[Model]``, ``tuple[Model, ...]`` or ``Model | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _description(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    current: Any = model
    description = ""
    for step in loc:
        if isinstance(step, int) or not (isinstance(current, type) and issubclass(current, BaseModel)):
            continue
        fields = current.model_fields
        field = fields.get(step) or next((f for n, f in fields.items() if f.alias == step), None)
        if field is None:
            return ""
        description = field.description or ""
        current = _inner_model(field.annotation)
    return description


def _sentence(model: type[BaseModel], error: ErrorDetails) -> str:
    loc = tuple(error.get("loc", ()))
    label = _label(model, loc)
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    description = _description(model, loc)
    if kind in {"missing", "none_required"} or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return f"Vul '{label}' in."
    if kind == "too_short" and ctx.get("min_length") == 1:
        return f"Geef bij '{label}' ten minste één waarde op."
    if kind == "string_too_short":
        return f"'{label}' moet ten minste {ctx.get('min_length')} tekens bevatten."
    if kind == "string_too_long":
        return f"'{label}' mag ten hoogste {ctx.get('max_length')} tekens bevatten."
    if kind == "too_short":
        return f"Geef bij '{label}' ten minste {ctx.get('min_length')} waarden op."
    if kind == "too_long":
        return f"Geef bij '{label}' ten hoogste {ctx.get('max_length')} waarden op."
    if kind in {"enum", "literal_error"}:
        return f"Kies bij '{label}' een van de aangeboden mogelijkheden."
    if kind == "string_pattern_mismatch":
        return f"'{label}' heeft niet de juiste vorm" + (f": {description.rstrip('.')}." if description else ".")
    if kind in {"bool_parsing", "bool_type"}:
        return f"Kies bij '{label}' ja of nee."
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"'{label}' is geen geldige datum: gebruik de vorm JJJJ-MM-DD."
    if kind in {"int_parsing", "int_type", "int_from_float", "float_parsing", "float_type"}:
        return f"'{label}' moet een getal zijn."
    if kind in {"greater_than_equal", "greater_than"}:
        return f"'{label}' moet ten minste {ctx.get('ge', ctx.get('gt'))} zijn."
    if kind in {"less_than_equal", "less_than"}:
        return f"'{label}' mag ten hoogste {ctx.get('le', ctx.get('lt'))} zijn."
    if kind in {"list_type", "tuple_type", "set_type", "frozen_set_type"}:
        return f"'{label}' moet een lijst zijn."
    if kind in {"string_type", "model_type", "model_attributes_type", "dict_type"}:
        return f"'{label}' heeft een ongeldige waarde."
    if kind == "value_error":
        # Our own validators raise ValueError with a Dutch sentence.
        text = str(error.get("msg", "")).removeprefix("Value error, ").strip()
        return text if not loc else f"{label}: {text}"
    if kind == "assertion_error":
        return str(error.get("msg", "")).removeprefix("Assertion failed, ").strip()
    return f"'{label}' is ongeldig."


def dutch_problems(model: type[BaseModel], values: dict[str, Any]) -> tuple[BaseModel | None, list[str]]:
    """Validate ``values`` (process variables by their names) against ``model``.

    Returns the validated model and no problems, or ``None`` and one Dutch
    sentence per problem (in field order, without duplicates).
    """
    try:
        return model.model_validate(values), []
    except ValidationError as exc:
        problems = list(dict.fromkeys(_sentence(model, e) for e in exc.errors(include_url=False, include_input=False)))
        return None, problems


def as_message(problems: list[str]) -> str:
    """The text an officer reads in the form: one problem per line."""
    return "\n".join(f"- {p}" for p in problems)


def submitted_model(model: type[BaseModel]) -> type[BaseModel]:
    """A model that accepts anything under ``model``'s variable names.

    The validation topic's handler takes this one, so that the runtime fetches
    exactly the form's variables and a missing or malformed value reaches
    :func:`dutch_problems` instead of failing the task with an incident. It also
    carries the task's ``tenant_id`` (its region) for checks against the registers.
    """
    fields: dict[str, Any] = {
        name: (Any, Field(None, alias=field.alias or name))
        for name, field in model.model_fields.items()
    }
    fields["tenant_id"] = (str | None, None)
    return create_model(f"{model.__name__}Submitted", __config__=ConfigDict(populate_by_name=True, extra="ignore"), **fields)


#: ``check(valid)``: problems the model cannot see alone, e.g. a rule of riec.compliance.rules.
Check = Callable[[Any], list[str]]
#: ``check(valid, database, region)``: problems found in the registers of the task's region (R-1, R-6.1).
RegionCheck = Callable[[Any, Any, "str | None"], list[str]]


def validation_handler(model: type[BaseModel], *, check: Check | None = None, region_check: RegionCheck | None = None,
                       message_variable: str = "validationMessage",
                       error_code: str = INPUT_INVALID) -> Callable[..., dict[str, Any]]:
    """The handler of a validation topic for ``model``.

    ``check`` adds problems the model cannot see alone (for example a rule of
    ``riec.compliance.rules`` applied to the validated input); ``region_check``
    looks in the registers (the handler then takes the ``database`` dependency).
    Reads the form's variables; sets ``inputValid`` and an empty
    ``message_variable``, or throws ``error_code`` with ``inputValid`` false and
    the Dutch reasons in ``message_variable`` (parallel tasks each have their
    own, so messages do not cross).
    """
    submitted = submitted_model(model)

    def problems_of(form: BaseModel, database: Any) -> dict[str, Any]:
        values = {(f.alias or n): getattr(form, n) for n, f in type(form).model_fields.items() if n != "tenant_id"}
        values = {k: v for k, v in values.items() if v is not None}
        valid, problems = dutch_problems(model, values)
        if valid is not None:
            problems = (check(valid) if check else []) + (
                region_check(valid, database, getattr(form, "tenant_id", None)) if region_check else [])
        if problems:
            raise BpmnError(error_code, f"input rejected by {model.__name__}: {len(problems)} problem(s)",
                            {"inputValid": False, message_variable: as_message(problems)})
        return {"inputValid": True, message_variable: ""}

    if region_check is None:
        def validate(form: BaseModel) -> dict[str, Any]:
            return problems_of(form, None)
        validate.__annotations__ = {"form": submitted, "return": dict}
    else:
        def validate(form: BaseModel, *, database: Any) -> dict[str, Any]:  # type: ignore[misc]
            return problems_of(form, database)
        validate.__annotations__ = {"form": submitted, "database": Any, "return": dict}
    validate.__name__ = validate.__qualname__ = f"validate_{model.__name__}"
    validate.__doc__ = (f"Reads the variables of {model.__name__}. Sets ``inputValid`` and ``{message_variable}`` "
                        f"(empty), or throws {error_code} with the Dutch reasons so the task goes back to the officer.")
    return validate
