"""Deploy bpmn/ and forms/ to the engine.

One deployment per diagram, holding the diagram and exactly the forms it
references, named after the diagram. With the engine's duplicate filtering an
unchanged diagram creates no new version, and a changed one is deployed with
its forms, so ``camunda:formRefBinding="deployment"`` always finds them.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from riec.runtime.engine import CamundaClient

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"


@dataclass(frozen=True)
class DeploymentResult:
    name: str
    created: bool
    process_keys: list[str]


def forms_by_id(forms_dir: Path) -> dict[str, Path]:
    return {json.loads(p.read_text(encoding="utf-8"))["id"]: p for p in sorted(forms_dir.glob("**/*.form"))}


def referenced_forms(diagram: Path) -> set[str]:
    refs = {el.get(f"{{{CAMUNDA_NS}}}formRef") for el in ET.parse(diagram).getroot().iter()}
    return {r for r in refs if r and not r.startswith("${")}


def deploy_all(client: CamundaClient, home: Path) -> list[DeploymentResult]:
    forms = forms_by_id(home / "forms")
    results = []
    for diagram in sorted((home / "bpmn").glob("**/*.bpmn")):
        referenced = referenced_forms(diagram)
        missing = referenced - forms.keys()
        if missing:
            raise ValueError(f"{diagram.name} refers to forms that forms/ does not define: {', '.join(sorted(missing))}")
        files = [diagram] + [forms[f] for f in sorted(referenced)]
        name = f"riec-{diagram.stem}"
        answer = client.rest(
            "POST",
            "deployment/create",
            data={"deployment-name": name, "enable-duplicate-filtering": "true", "deployment-source": "riec-cli"},
            files=[(f.name, (f.name, f.read_bytes(), "application/octet-stream")) for f in files],
        )
        defs = answer.get("deployedProcessDefinitions") or {}
        results.append(DeploymentResult(name, bool(defs), sorted(d["key"] for d in defs.values())))
    return results
