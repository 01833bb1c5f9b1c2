"""The JSON schemas kubeconform checks against: Kubernetes' own kinds from the PyPI package
kubernetes-validate, and a CRD's kinds converted to strict JSON schemas (as kubeconform's
openapi2jsonschema does)."""

from __future__ import annotations

import json
import re
import shutil
import sys
import zipfile
from pathlib import Path
from typing import Any

import yaml

from tools.deploy_check.sources import CACHE, CheckFailed, run, say

KUBERNETES_SCHEMAS = ("kubernetes-validate==1.37.0", "v1.34.0-local-strict")


def kubernetes_schemas() -> Path:
    package, folder = KUBERNETES_SCHEMAS
    target = CACHE / "schemas" / "kubernetes" / folder
    if target.exists():
        return target
    say(f"downloading {package} from PyPI (Kubernetes' JSON schemas)")
    wheels = CACHE / "wheels"
    done = run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(wheels), package]
    )
    if done.returncode != 0:
        raise CheckFailed(f"pip download {package} failed:\n{done.stderr}")
    (wheel,) = wheels.glob("kubernetes_validate-*.whl")
    prefix = f"kubernetes_validate/kubernetes-json-schema/{folder}/"
    staging = target.with_suffix(".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with zipfile.ZipFile(wheel) as archive:
        texts = {
            name.removeprefix(prefix): archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith(prefix) and name.endswith(".json")
        }
    definitions = json.loads(texts.pop("_definitions.json"))["$defs"]
    for name, text in texts.items():
        (staging / name).write_text(json.dumps(standalone(text, definitions)))
    staging.rename(target)
    return target


DEFINITIONS_REF = "/api/_definitions.json#/$defs/"


def standalone(text: str, definitions: dict[str, Any]) -> dict[str, Any]:
    """A schema of the package with the definitions it reaches inside it (the package resolves
    its references from a root of its own, kubeconform only within a file)."""
    schema: dict[str, Any] = json.loads(text.replace(DEFINITIONS_REF, "#/$defs/"))
    reached: dict[str, Any] = {}
    todo = [schema]
    while todo:
        node = todo.pop()
        for ref in re.findall(r'"\$ref": "#/\$defs/([^"]+)"', json.dumps(node)):
            if ref not in reached:
                reached[ref] = json.loads(
                    json.dumps(definitions[ref]).replace(DEFINITIONS_REF, "#/$defs/")
                )
                todo.append(reached[ref])
    schema["$defs"] = reached
    return schema


def strict(node: Any) -> Any:
    """openapi2jsonschema's strict mode: an object with declared properties takes no other
    (unless the CRD says it keeps unknown fields); int-or-string is either."""
    if isinstance(node, list):
        return [strict(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: strict(v) for k, v in node.items()}
    if node.get("x-kubernetes-int-or-string") or node.get("format") == "int-or-string":
        node.pop("type", None)
        node["oneOf"] = [{"type": "string"}, {"type": "integer"}]
    if (
        "properties" in node
        and "additionalProperties" not in node
        and not node.get("x-kubernetes-preserve-unknown-fields")
    ):
        node["additionalProperties"] = False
    return node


def crd_schemas(crd_text: str, target: Path) -> list[str]:
    """Writes <group>/<kind>_<version>.json for every version a CRD serves."""
    written = []
    for crd in yaml.safe_load_all(crd_text):
        if not crd or crd.get("kind") != "CustomResourceDefinition":
            continue
        group = crd["spec"]["group"]
        kind = crd["spec"]["names"]["kind"].lower()
        for version in crd["spec"]["versions"]:
            schema = strict(version["schema"]["openAPIV3Schema"])
            # metadata is the API server's, not the CRD's: any object.
            schema.setdefault("properties", {})["metadata"] = {"type": "object"}
            path = target / group / f"{kind}_{version['name']}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(schema))
            written.append(f"{group}/{kind}_{version['name']}")
    return written
