"""deploy/: the committed Kubernetes manifests are what the catalogue makes, the image's lock
pins what pyproject pins, compose.yaml runs every process of the catalogue."""

from __future__ import annotations

from pathlib import Path

import yaml

from services.catalog import BUILDERS
from shared import provision
from tools import k8s_manifests, runtime_lock
from tools.deploy_check import check, schemas

ROOT = Path(__file__).resolve().parents[2]


def test_generated_manifests_are_up_to_date() -> None:
    for name, docs in k8s_manifests.files().items():
        committed = (k8s_manifests.OUT / name).read_text()
        assert committed == k8s_manifests.render(docs), (
            f"deploy/k8s/generated/{name} is out of date: python -m tools.k8s_manifests"
        )


def test_every_service_writes_only_what_it_owns() -> None:
    users = {u["metadata"]["name"]: u for u in k8s_manifests.files()["users.yaml"]}
    writers: dict[str, set[str]] = {}
    for name, user in users.items():
        for acl in user["spec"]["authorization"]["acls"]:
            if "Write" in acl["operations"] and acl["resource"]["type"] == "topic":
                writers.setdefault(acl["resource"]["name"], set()).add(name)
    for topic, owner in k8s_manifests.owners().items():
        assert writers[topic] == {owner}, topic
    assert writers["routing.redrive"] == {"routing", "ops"}


def test_every_contract_topic_is_a_kafka_topic_with_rf3() -> None:
    topics = k8s_manifests.files()["topics.yaml"]
    assert {t["spec"]["topicName"] for t in topics} == set(provision.contract_topics())
    assert {
        (t["spec"]["replicas"], t["spec"]["config"]["min.insync.replicas"]) for t in topics
    } == {(3, "2")}


def test_lock_pins_what_pyproject_pins() -> None:
    lock = (ROOT / "deploy" / "requirements.lock").read_text().splitlines()
    pins = dict(line.split("==") for line in lock if line and not line.startswith("#"))
    for requirement in runtime_lock.runtime_requirements():
        (spec,) = requirement.specifier
        assert pins.get(runtime_lock._key(requirement.name)) == spec.version, requirement


def test_lock_has_no_dev_tool() -> None:
    lock = (ROOT / "deploy" / "requirements.lock").read_text()
    for tool in ("pytest", "mypy", "ruff", "schemathesis", "playwright"):
        assert f"\n{tool}==" not in lock


def test_compose_runs_every_process_after_provisioning() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    for name in [*BUILDERS, "console"]:
        assert services[name]["command"] == [name]
        assert services[name]["healthcheck"]["test"][0] == "CMD"
    for name in BUILDERS:
        assert services[name]["depends_on"]["provision"]["condition"] == (
            "service_completed_successfully"
        )
    assert services["kafka"]["image"].startswith("apache/kafka:")


def test_kustomization_deploys_every_manifest() -> None:
    listed = {str(p.relative_to(ROOT)) for p in check.manifests()}
    on_disk = {
        str(p.relative_to(ROOT))
        for p in (ROOT / "deploy" / "k8s").rglob("*.yaml")
        if p.name != "kustomization.yaml"
    }
    assert listed == on_disk


def test_crd_schemas_are_strict() -> None:
    schema = schemas.strict(
        {
            "type": "object",
            "properties": {
                "spec": {"type": "object", "properties": {"port": {"format": "int-or-string"}}},
                "free": {
                    "type": "object",
                    "x-kubernetes-preserve-unknown-fields": True,
                    "properties": {"a": {"type": "string"}},
                },
            },
        }
    )
    assert schema["additionalProperties"] is False
    assert schema["properties"]["spec"]["additionalProperties"] is False
    assert schema["properties"]["spec"]["properties"]["port"]["oneOf"] == [
        {"type": "string"},
        {"type": "integer"},
    ]
    assert "additionalProperties" not in schema["properties"]["free"]


def test_kubernetes_schemas_carry_the_definitions_they_reach() -> None:
    definitions = {
        "A": {"properties": {"b": {"$ref": "/api/_definitions.json#/$defs/B"}}},
        "B": {"type": "string"},
        "C": {"type": "integer"},
    }
    schema = schemas.standalone('{"$ref": "/api/_definitions.json#/$defs/A"}', definitions)
    assert schema["$ref"] == "#/$defs/A"
    assert set(schema["$defs"]) == {"A", "B"}
    assert schema["$defs"]["A"]["properties"]["b"]["$ref"] == "#/$defs/B"


def test_image_copies_every_package() -> None:
    """A package added to pyproject.toml must reach the image, or its process fails there."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = {p.rstrip("*") for p in config["tool"]["setuptools"]["packages"]["find"]["include"]}
    dockerfile = (ROOT / "Dockerfile").read_text()
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    for package in packages:
        assert f"COPY {package} /app/{package}" in dockerfile, package
        assert f"!{package}/" in ignore, package


def test_compose_database_has_the_roles_of_the_cluster() -> None:
    """compose.yaml's PostgreSQL and the CloudNativePG cluster make the same roles and schemas."""
    sql = (ROOT / "deploy" / "sql" / "compose-roles.sql").read_text()
    cluster = k8s_manifests.database_cluster()
    for role in cluster["spec"]["managed"]["roles"]:
        assert f"CREATE ROLE {role['name']} LOGIN" in sql, role["name"]
    for statement in cluster["spec"]["bootstrap"]["initdb"]["postInitApplicationSQL"]:
        if statement.startswith(("CREATE SCHEMA", "ALTER ROLE", "GRANT")):
            assert f"{statement};" in sql, statement
