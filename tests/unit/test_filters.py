"""Tasklist filters (issue 8): the one with work first, kept up to date idempotently."""
from __future__ import annotations

import copy
import itertools

from riec.identity import FILTERS, ensure_filters


class FakeEngine:
    """The three filter calls ensure_filters makes, with the engine's habit of adding empty query fields."""

    def __init__(self, filters=()):
        self.filters = {f["id"]: f for f in filters}
        self.calls: list[tuple[str, str]] = []
        self._ids = itertools.count(100)

    def get(self, path, **params):
        assert path == "filter" and params == {"resourceType": "Task"}
        return [copy.deepcopy(f) for f in self.filters.values()]

    def post(self, path, body=None, **kwargs):
        assert path == "filter/create"
        self.calls.append(("POST", body["name"]))
        fid = str(next(self._ids))
        stored = copy.deepcopy(body)
        stored["query"] = {**stored["query"], "taskVariables": [], "orQueries": [], "includeAssignedTasks": None}
        self.filters[fid] = {"id": fid, **stored}

    def rest(self, method, path, **kwargs):
        assert method == "PUT" and path.startswith("filter/")
        fid = path.split("/")[1]
        self.calls.append(("PUT", kwargs["json"]["name"]))
        self.filters[fid] = {"id": fid, **copy.deepcopy(kwargs["json"])}


def ordered_names(engine: FakeEngine) -> list[str]:
    return [f["name"] for f in sorted(engine.filters.values(), key=lambda f: f["properties"]["priority"])]


def test_filters_put_the_role_work_queue_first_then_mine_then_overdue():
    engine = FakeEngine()
    ensure_filters(engine)
    assert ordered_names(engine) == ["Werkvoorraad van mijn rol", "Mijn taken", "Verlopen"]
    queue = next(f for f in engine.filters.values() if f["name"] == "Werkvoorraad van mijn rol")
    assert queue["query"]["candidateGroupsExpression"] == "${currentUserGroups()}"
    assert queue["query"]["sorting"][0] == {"sortBy": "priority", "sortOrder": "desc"}
    assert all(f["properties"]["description"] for f in engine.filters.values())


def test_filters_second_run_changes_nothing():
    engine = FakeEngine()
    ensure_filters(engine)
    engine.calls.clear()
    ensure_filters(engine)
    assert engine.calls == []


def test_filters_update_an_older_installation_in_place():
    old = [
        {"id": "1", "name": "Mijn taken", "owner": None, "query": {"assigneeExpression": "${currentUser()}"},
         "properties": {"priority": -10, "description": "Mijn taken", "refresh": True}},
        {"id": "2", "name": "Taken van mijn groepen", "owner": None,
         "query": {"candidateGroupsExpression": "${currentUserGroups()}", "includeAssignedTasks": False},
         "properties": {"priority": 0, "description": "Taken van mijn groepen", "refresh": True}},
    ]
    engine = FakeEngine(old)
    ensure_filters(engine)
    assert sorted(engine.calls) == [("POST", "Verlopen"), ("PUT", "Mijn taken"), ("PUT", "Werkvoorraad van mijn rol")]
    assert engine.filters["2"]["name"] == "Werkvoorraad van mijn rol"  # same id: permissions and links stay
    assert ordered_names(engine) == [name for name, *_ in FILTERS]
