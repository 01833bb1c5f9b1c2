"""The checks: what kustomize renders of deploy/k8s, every resource by kubeconform against its
schema, -strict; compose.yaml against the Compose specification's schema."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import yaml

from tools.deploy_check.operators import operator_schemas
from tools.deploy_check.schemas import kubernetes_schemas
from tools.deploy_check.sources import CheckFailed, go_tool, module_zip, run, say

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUBECONFORM = "github.com/yannh/kubeconform/cmd/kubeconform@v0.7.0"
KUSTOMIZE = "sigs.k8s.io/kustomize/kustomize/v5@v5.7.1"
COMPOSE_SPEC = ("github.com/compose-spec/compose-go/v2", "v2.9.0", "schema/compose-spec.json")


def manifests() -> list[Path]:
    """Every file kustomization.yaml lists (and so every file that is deployed)."""
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    return [K8S / name for name in kustomization["resources"]]


def validate_manifests() -> None:
    """What `kubectl apply -k deploy/k8s` would send (kustomize's output: the namespace and
    the image set), every resource against its schema."""
    kubernetes = kubernetes_schemas()
    operators = operator_schemas()
    built = run([str(go_tool(KUSTOMIZE, "kustomize")), "build", str(K8S)])
    if built.returncode != 0:
        raise CheckFailed(f"kustomize build deploy/k8s failed:\n{built.stderr}")
    args = [
        str(go_tool(KUBECONFORM, "kubeconform")),
        "-strict",
        "-summary",
        "-output",
        "text",
        "-schema-location",
        f"{kubernetes}/{{{{ .ResourceKind }}}}{{{{ .KindSuffix }}}}.json",
        "-schema-location",
        f"{operators}/{{{{ .Group }}}}/{{{{ .ResourceKind }}}}_{{{{ .ResourceAPIVersion }}}}.json",
        "-",
    ]
    done = run(args, input=built.stdout)
    print(done.stdout.strip(), file=sys.stderr)
    if done.returncode != 0:
        raise CheckFailed(f"the Kubernetes manifests do not validate\n{done.stderr}")


def validate_compose() -> None:
    import jsonschema_rs  # schemathesis's validator, already in the dev dependencies

    module, version, path = COMPOSE_SPEC
    with module_zip(module, version) as archive:
        schema = json.loads(archive.read(f"{module}@{version}/{path}"))
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    errors = [
        f"{'/'.join(map(str, e.instance_path))}: {e.message}"
        for e in jsonschema_rs.validator_for(schema).iter_errors(compose)
    ]
    if errors:
        raise CheckFailed(
            "compose.yaml does not follow the Compose specification:\n" + "\n".join(errors)
        )
    say(f"compose.yaml follows the Compose specification ({module}@{version})")


def main() -> None:
    started = time.monotonic()
    try:
        validate_manifests()
        validate_compose()
    except CheckFailed as failure:
        say(str(failure))
        raise SystemExit(1) from None
    say(f"done in {time.monotonic() - started:.1f} s")
