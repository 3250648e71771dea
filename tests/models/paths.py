"""The diagrams as one graph, for proofs of the kind "no path reaches X without passing Y".

Reads BPMN files (or their text) into a directed graph of flow nodes. Edges:

- sequence flows, with their condition (JUEL) and whether they are a default flow;
- host activity -> each attached boundary event (an activity may leave through them);
- embedded sub-process -> its blank start event, its end events -> ``<id>/done``,
  which carries the sub-process's outgoing flows;
- call activity -> the blank start events of the called process (when loaded), the
  called process's end events -> ``<id>/done``;
- message flows between pools (the sending task or event -> the receiving one).

Every start event of every process is a start, including message start events and
the starts of event sub-processes: a message can be correlated by any caller
allowed to, so a process must enforce its rules from each of its starts.

Reachability is an over-approximation of what the engine can do, with two
refinements that keep proofs honest rather than lax:

- a parallel join is reached only once all its incoming flows are;
- a *scenario* fixes some variables (e.g. ``art9Requested=True``): a conditional
  flow whose condition is false for every value of the other variables is not
  taken, and a gateway's default flow is not taken when a sibling's condition is
  true for every value.

A requirement is a set of edges of which every path to the target must use at
least one (e.g. the normal exits of the automated checks, or the gateway flows
whose condition tests a consent). When it does not hold, the proof names a
witness path from a start to the target that avoids them all.
"""
from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
Q = f"{{{BPMN}}}"
FLOW_NODES = {
    "task", "userTask", "serviceTask", "scriptTask", "businessRuleTask", "sendTask", "receiveTask", "manualTask",
    "callActivity", "subProcess", "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
    "boundaryEvent", "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway",
}
UNKNOWN = object()
OTHER = "<other>"


@dataclass(frozen=True)
class Edge:
    id: str
    source: str
    target: str
    kind: str  # sequence, boundary, side-boundary (non-interrupting), enter, exit, call, return, message
    condition: str | None = None
    default: bool = False


@dataclass
class Node:
    id: str
    kind: str
    name: str
    process: str


@dataclass
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    starts: set[str] = field(default_factory=set)
    _completions: list[tuple[str, list[str], list[str], str]] = field(default_factory=list, repr=False)
    _domains: dict[str, set[object]] | None = field(default=None, repr=False)

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(cls, sources: Iterable[Path | str]) -> "Graph":
        """Build the graph of several diagrams; a source is a path or the XML text itself."""
        g = cls()
        roots = []
        for src in sources:
            text = src.read_text(encoding="utf-8") if isinstance(src, Path) else src
            roots.append(ET.fromstring(text))
        processes = {p.get("id"): p for root in roots for p in root.iter(f"{Q}process")}
        for root in roots:
            for process in root.iter(f"{Q}process"):
                g._scope(process, process.get("id"), top=True)
        for root in roots:
            for element in root.iter():
                if element.tag == f"{Q}callActivity" and element.get("calledElement") in processes:
                    called = processes[element.get("calledElement")]
                    starts = [c.get("id") for c in called if c.tag == f"{Q}startEvent" and c.find(f"{Q}messageEventDefinition") is None]
                    for start in starts:
                        g._edge(Edge(f"call:{element.get('id')}", element.get("id"), start, "call"))
                    g._completions.append((element.get("id") + "/done", starts, [c.get("id") for c in called if c.tag == f"{Q}endEvent"], "return"))
            for flow in root.iter(f"{Q}messageFlow"):
                if flow.get("sourceRef") in g.nodes and flow.get("targetRef") in g.nodes:
                    g._edge(Edge(flow.get("id"), flow.get("sourceRef"), flow.get("targetRef"), "message"))
        g._complete_scopes()
        return g

    def _complete_scopes(self) -> None:
        """A scope (sub-process, called process) completes at the end events its own tokens reach.

        A token spawned by a non-interrupting boundary event (an overdue notice)
        ends on its own while the activity it left stays active: its end event
        does not complete the scope. Message flows leave the scope and do not count.
        """
        for done, starts, ends, kind in self._completions:
            seen, queue = set(starts), deque(starts)
            while queue:
                node = queue.popleft()
                for e in self.out(node):
                    if e.kind in {"side-boundary", "message"} or e.target in seen:
                        continue
                    seen.add(e.target)
                    queue.append(e.target)
            for end in ends:
                if end in seen:
                    self._edge(Edge(f"{kind}:{end}", end, done, kind))

    def _scope(self, scope: ET.Element, process: str, top: bool) -> None:
        has_done: set[str] = set()
        for el in scope:
            kind = el.tag.removeprefix(Q)
            if kind not in FLOW_NODES:
                continue
            nid = el.get("id")
            self.nodes[nid] = Node(nid, kind, el.get("name") or "", process)
            if kind == "startEvent" and (top or scope.get("triggeredByEvent") == "true"):
                self.starts.add(nid)
            if kind == "boundaryEvent":
                interrupting = el.get("cancelActivity", "true") != "false"
                self._edge(Edge(f"boundary:{nid}", el.get("attachedToRef"), nid, "boundary" if interrupting else "side-boundary"))
            if kind in {"subProcess", "callActivity"}:
                done = nid + "/done"
                self.nodes[done] = Node(done, kind + "/done", el.get("name") or "", process)
                has_done.add(nid)
            if kind == "subProcess":
                triggered = el.get("triggeredByEvent") == "true"
                self._scope(el, process, top=False)
                if not triggered:
                    starts = [c.get("id") for c in el if c.tag == f"{Q}startEvent" and c.find(f"{Q}messageEventDefinition") is None]
                    for start in starts:
                        self._edge(Edge(f"enter:{nid}", nid, start, "enter"))
                    self._completions.append((nid + "/done", starts, [c.get("id") for c in el if c.tag == f"{Q}endEvent"], "exit"))
        for el in scope:
            if el.tag != f"{Q}sequenceFlow":
                continue
            source = el.get("sourceRef")
            source_el = scope.find(f"*[@id='{source}']")
            default = source_el is not None and source_el.get("default") == el.get("id")
            if source in has_done:
                source += "/done"
            cond = el.find(f"{Q}conditionExpression")
            self._edge(Edge(el.get("id"), source, el.get("targetRef"), "sequence",
                            cond.text.strip() if cond is not None and cond.text else None, default))

    def _edge(self, edge: Edge) -> None:
        self.edges.append(edge)

    # ------------------------------------------------------------------ queries

    def out(self, node: str) -> list[Edge]:
        return [e for e in self.edges if e.source == node]

    def exits(self, node: str) -> set[str]:
        """The normal exits of an activity: its outgoing sequence flows (not its boundary events)."""
        source = node + "/done" if node + "/done" in self.nodes else node
        found = {e.id for e in self.out(source) if e.kind == "sequence"}
        if not found:
            raise KeyError(f"{node} has no outgoing sequence flow")
        return found

    def guards(self, variable: str, allowed: Iterable[object], scenario: Mapping[str, object] | None = None) -> set[str]:
        """Conditional flows that are closed whenever ``variable`` has a value outside ``allowed``.

        Only these count as "the condition tests it": a flow whose condition merely
        mentions the variable, or can be true for a disallowed value, is not a guard.
        """
        allowed = set(allowed)
        scenario = dict(scenario or {})
        domain = self.domains().get(variable, {True, False, None})
        guards = set()
        for e in self.edges:
            if not e.condition or variable not in variables_of(e.condition):
                continue
            if all(self.evaluate(e.condition, {**scenario, variable: v}) is False for v in domain - allowed):
                guards.add(e.id)
        return guards

    def domains(self) -> dict[str, set[object]]:
        """Booleans and null for every variable; for one compared with literals, those and 'another value' too."""
        if self._domains is not None:
            return self._domains
        found: dict[str, set[object]] = {}
        for e in self.edges:
            if not e.condition:
                continue
            body = to_python(e.condition)
            if body is None:
                continue
            for name in variables_of(e.condition):
                found.setdefault(name, {True, False, None})
            for name, literal in re.findall(r"(\w+)\s*[!=]=\s*('[^']*'|True|False|None)", body):
                found.setdefault(name, {True, False, None}).update({eval(literal), OTHER})  # noqa: S307 - a literal
        self._domains = found
        return found

    def evaluate(self, condition: str, scenario: Mapping[str, object]) -> object:
        """True / False when the condition has that value for every value of the variables the scenario leaves open."""
        body = to_python(condition)
        if body is None:
            return UNKNOWN
        names = sorted(variables_of(condition))
        domains = self.domains()
        open_names = [n for n in names if n not in scenario]
        results = set()
        for values in itertools.product(*(sorted(domains.get(n, {True, False, None}), key=repr) for n in open_names)):
            env = {**{n: scenario[n] for n in names if n in scenario}, **dict(zip(open_names, values))}
            try:
                results.add(bool(eval(body, {"__builtins__": {}}, env)))  # noqa: S307 - our own diagrams
            except Exception:  # noqa: BLE001 - an expression we cannot evaluate is "could be anything"
                return UNKNOWN
            if len(results) > 1:
                return UNKNOWN
        return results.pop() if results else UNKNOWN

    def allowed_edges(self, scenario: Mapping[str, object]) -> set[str]:
        """The edges the scenario leaves possible."""
        allowed = set()
        by_source: dict[str, list[Edge]] = {}
        for e in self.edges:
            by_source.setdefault(e.source, []).append(e)
        for source, edges in by_source.items():
            values = {e.id: self.evaluate(e.condition, scenario) for e in edges if e.condition}
            some_true = any(v is True for v in values.values())
            for e in edges:
                if e.condition and values[e.id] is False:
                    continue
                if e.default and some_true:
                    continue
                allowed.add(e.id)
        return allowed

    def witness(self, target: str, avoiding: Iterable[str] = (), scenario: Mapping[str, object] | None = None,
                starts: Iterable[str] | None = None) -> list[str] | None:
        """A path from a start to ``target`` that uses none of the ``avoiding`` edges, or None when there is none."""
        if target not in self.nodes:
            raise KeyError(target)
        usable = self.allowed_edges(scenario or {}) - set(avoiding)
        joins = {n.id: {e.id for e in self.edges if e.target == n.id and e.kind == "sequence"}
                 for n in self.nodes.values() if n.kind == "parallelGateway"}
        joins = {k: v for k, v in joins.items() if len(v) > 1}
        arrived: dict[str, list[tuple[str, str]]] = {k: [] for k in joins}
        parent: dict[str, list[tuple[str, str]]] = {}
        queue = deque()
        for s in sorted(starts if starts is not None else self.starts):
            parent[s] = []
            queue.append(s)
        while queue:
            node = queue.popleft()
            if node == target:
                break
            for e in self.out(node):
                if e.id not in usable or e.target in parent:
                    continue
                if e.target in joins:
                    arrived[e.target].append((node, e.id))
                    if {edge for _, edge in arrived[e.target]} != joins[e.target]:
                        continue
                    parent[e.target] = arrived[e.target]
                else:
                    parent[e.target] = [(node, e.id)]
                queue.append(e.target)
        if target not in parent:
            return None
        return self._trace(target, parent)

    def _trace(self, node: str, parent: dict[str, list[tuple[str, str]]]) -> list[str]:
        """The path back to a start; a parallel join shows its branches as ``[a → b | c → d]``."""
        before = parent[node]
        if not before:
            return [node]
        if len(before) == 1:
            return self._trace(before[0][0], parent) + [node]
        branches = [self._trace(src, parent) for src, _ in before]
        common = 0
        while all(len(b) > common and b[common] == branches[0][common] for b in branches):
            common += 1
        inner = " | ".join(" → ".join(b[common:]) for b in branches)
        return branches[0][:common] + [f"[{inner}]", node]


@dataclass(frozen=True)
class Requirement:
    """Every path from a start to ``target`` uses one of ``edges`` (under ``scenario``)."""

    rules: str
    what: str
    edges: frozenset[str]
    scenario: tuple[tuple[str, object], ...] = ()

    def check(self, graph: Graph, target: str) -> str | None:
        """None when it holds; else a sentence naming the rule IDs and the path that breaks it."""
        scenario = dict(self.scenario)
        path = graph.witness(target, self.edges, scenario)
        if path is None:
            return None
        when = (" when " + ", ".join(f"{k}={v!r}" for k, v in self.scenario)) if self.scenario else ""
        guard = "" if self.edges else " (no flow tests it)"
        return f"{self.rules}: {target} is reachable without {self.what}{guard}{when}: " + " → ".join(path)


def prove(graph: Graph, target: str, requirements: Iterable[Requirement]) -> list[str]:
    """Every requirement that does not hold, each with its path."""
    return [failure for r in requirements if (failure := r.check(graph, target))]


# ---------------------------------------------------------------------- JUEL conditions


def _strip_strings(text: str) -> str:
    return re.sub(r"'[^']*'", "''", text)


def to_python(condition: str) -> str | None:
    """The small subset of JUEL our diagrams use, as a Python expression; None when it is something else."""
    text = condition.strip()
    if not (text.startswith(("${", "#{")) and text.endswith("}")):
        return None
    body = text[2:-1]
    body = re.sub(r"execution\.getVariable\('(\w+)'\)", r"\1", body)
    if re.search(r"[\w.]\s*\(", _strip_strings(body)):
        return None  # a method call we do not model
    body = body.replace("&&", " and ").replace("||", " or ")
    body = re.sub(r"!(?!=)", " not ", body)
    body = re.sub(r"\btrue\b", "True", body)
    body = re.sub(r"\bfalse\b", "False", body)
    body = re.sub(r"\bnull\b", "None", body)
    body = re.sub(r"\beq\b", "==", body)
    body = re.sub(r"\bne\b", "!=", body)
    try:
        compile(body, "<condition>", "eval")
    except SyntaxError:
        return None
    return body


def variables_of(condition: str) -> set[str]:
    body = to_python(condition)
    if body is None:
        return set()
    names = set(re.findall(r"\b[A-Za-z_]\w*\b", _strip_strings(body)))
    return names - {"and", "or", "not", "True", "False", "None", "in", "is"}
