"""Tier 2: the topic registry checks handlers when they are registered.

Models live at module level on purpose: the registry resolves annotations with
``typing.get_type_hints``, as it must for handler modules using postponed
annotations.
"""
import pytest
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from riec.runtime import Registry


class CamelInput(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    subject_name: str
    house_number_suffix: str | None = None
    business_key: str | None = None
    task_key: str


class PlainInput(BaseModel):
    street: str
    city: str = "Groningen"


class ExplicitAlias(BaseModel):
    kvk: str = Field(alias="kvkNummer")
    note: str = ""


class Output(BaseModel):
    ok: bool


def test_register_returns_the_plain_function():
    registry = Registry()

    def handler(data: PlainInput) -> Output:
        return Output(ok=data.street == "Herestraat")

    assert registry.topic("t")(handler) is handler
    assert handler(PlainInput(street="Herestraat")) == Output(ok=True)
    topic = registry["t"]
    assert (topic.name, topic.handler, topic.input_model, topic.lock_duration_ms) == ("t", handler, PlainInput, None)


def test_lock_duration_is_kept_per_topic():
    registry = Registry()

    @registry.topic("slow", lock_duration_ms=300_000)
    def slow(data: PlainInput):
        return None

    assert registry["slow"].lock_duration_ms == 300_000


def test_duplicate_topic_raises():
    registry = Registry()

    @registry.topic("signal-validate")
    def first(data: PlainInput):
        return None

    with pytest.raises(ValueError, match="'signal-validate' is registered twice"):
        @registry.topic("signal-validate")
        def second(data: PlainInput):
            return None

    assert registry["signal-validate"].handler is first
    assert len(registry) == 1


def test_handler_without_parameters_raises_at_registration():
    registry = Registry()
    with pytest.raises(TypeError, match="exactly one pydantic model, takes 0 parameters"):
        @registry.topic("t")
        def handler():
            return None
    assert len(registry) == 0


def test_handler_with_two_parameters_raises_at_registration():
    registry = Registry()
    with pytest.raises(TypeError, match="takes 2 parameters"):
        @registry.topic("t")
        def handler(data: PlainInput, other: PlainInput):
            return None
    assert "t" not in registry.names()


@pytest.mark.parametrize("annotation", [dict, str, "missing"])
def test_handler_whose_parameter_is_not_a_model_raises_at_registration(annotation):
    registry = Registry()

    if annotation == "missing":
        def handler(data):
            return None
    else:
        def handler(data: annotation):  # type: ignore[valid-type]
            return None

    with pytest.raises(TypeError, match="must annotate its parameter with a pydantic model"):
        registry.topic("t")(handler)


def test_variable_names_are_the_camel_case_aliases_without_task_fields():
    registry = Registry()

    @registry.topic("t")
    def handler(data: CamelInput):
        return None

    assert registry["t"].variable_names == ["subjectName", "houseNumberSuffix"]


def test_variable_names_without_aliases_are_the_field_names():
    registry = Registry()

    @registry.topic("plain")
    def plain(data: PlainInput):
        return None

    @registry.topic("explicit")
    def explicit(data: ExplicitAlias):
        return None

    assert registry["plain"].variable_names == ["street", "city"]
    assert registry["explicit"].variable_names == ["kvkNummer", "note"]


def test_include_merges_and_refuses_duplicates():
    main, other, clash = Registry(), Registry(), Registry()

    @main.topic("a")
    def a(data: PlainInput):
        return None

    @other.topic("b")
    def b(data: PlainInput):
        return None

    @clash.topic("a")
    def a_again(data: PlainInput):
        return None

    main.include(other)
    assert main.names() == ["a", "b"]
    assert main["b"].handler is b
    with pytest.raises(ValueError, match="'a' is registered twice"):
        main.include(clash)
    assert main["a"].handler is a


def test_names_are_sorted_and_iteration_yields_topics():
    registry = Registry()

    def handler(data: PlainInput):
        return None

    for name in ("zeta", "alpha", "mid"):
        registry.topic(name)(handler)
    assert registry.names() == ["alpha", "mid", "zeta"]
    assert sorted(t.name for t in registry) == ["alpha", "mid", "zeta"]


def test_the_product_registry_serves_both_signal_topics():
    from riec.handlers import registry

    assert {"hit-no-hit", "signal-validate"} <= set(registry.names())
    # Data minimisation: hit/no-hit fetches the name, the address and the reporter, nothing else.
    assert registry["hit-no-hit"].variable_names == ["subjectName", "street", "houseNumber", "houseNumberSuffix", "city", "reportingPartner"]
    assert "taskKey" not in registry["hit-no-hit"].variable_names


# --------------------------------------------------------------------------- dependencies (riec.app binds them)


class Greeter:
    def __init__(self, word: str):
        self.word = word


def test_keyword_only_parameters_are_dependencies_bound_by_name():
    registry = Registry()

    @registry.topic("t")
    def handler(data: PlainInput, *, greeter: Greeter, optional: int = 3) -> Output:
        return Output(ok=greeter.word == "hallo" and optional == 3)

    assert registry["t"].dependencies == ("greeter",)  # a default makes a parameter no dependency
    assert registry["t"].input_model is PlainInput
    bound = registry.bind({"greeter": Greeter("hallo")}.__getitem__)
    assert bound["t"].dependencies == ()
    assert bound["t"].handler(PlainInput(street="x")) == Output(ok=True)
    assert registry["t"].handler is handler  # the registry itself is left unbound


def test_binding_an_unknown_dependency_fails_loudly_naming_topic_and_name():
    registry = Registry()

    @registry.topic("t")
    def handler(data: PlainInput, *, mailer: Greeter) -> None:
        return None

    with pytest.raises(LookupError, match="topic 't' needs 'mailer'"):
        registry.bind({}.__getitem__)


def test_a_dependency_passed_positionally_is_refused_at_registration():
    registry = Registry()

    def handler(data: PlainInput, greeter: Greeter) -> None:
        return None

    with pytest.raises(TypeError, match="takes 2 parameters"):
        registry.topic("t")(handler)


def test_the_worker_refuses_handlers_whose_dependencies_are_not_bound(make_settings, fake_engine):
    from riec.runtime import Worker

    registry = Registry()

    @registry.topic("t")
    def handler(data: PlainInput, *, greeter: Greeter) -> None:
        return None

    with pytest.raises(ValueError, match=r"bind the registry first .*t \(greeter\)"):
        Worker(registry, make_settings(), fake_engine)


def test_the_app_binds_every_product_handler_and_refuses_unknown_components(make_settings, fake_engine, tmp_path):
    from riec.app import App
    from riec.compliance import db
    from riec.handlers import registry

    app = App(make_settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'r.sqlite'}"), camunda=fake_engine)
    try:
        bound = app.bind(registry)
        assert bound.names() == registry.names()
        assert all(t.dependencies == () for t in bound)
    finally:
        db.close_databases()
    with pytest.raises(TypeError, match="no component"):
        App(make_settings(), mailbox=object())
