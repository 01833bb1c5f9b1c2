"""The layout of a service (docs/development.md): the same files doing the same jobs in every
service, and a module's name telling whether it is pure or does I/O."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "services"
# The modules that read or write the world; every other module of a service is pure.
IO_NAMES = {"app", "api", "handlers", "commands", "queries", "projection", "store", "tick"}
IO_SUFFIXES = ("_store",)  # tables a service keeps beside its projection, and their reads
IO_PACKAGES = {"bulk"}  # routing's bulk loader for rebuilds (services/routing/bulk/)
NOT_MODULES = {"__init__", "__main__"}
# Where each service keeps the files of its second ring (routing's API is its organisation's).
RING = {
    "intake": ("", ("commands", "queries", "views")),
    "routing": ("organisation/", ("decisions", "commands", "queries", "views")),
    "advisory": ("", ("decisions", "commands", "queries", "views")),
    "admin": ("", ("decisions", "commands", "queries", "views")),
}


def pure_modules() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    (pure,) = [c for c in contracts if c["name"] == "Pure modules import no I/O library"]
    return set(pure["source_modules"])


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


@pytest.mark.parametrize("service", sorted(RING))
def test_every_service_has_the_same_files(service: str) -> None:
    home = SERVICES / service
    folder, ring = RING[service]
    outer = [f"{name}.py" for name in ("app", "handlers", "domain", "projection", "api")]
    wanted = [*outer, "migrations", *(f"{folder}{name}.py" for name in ring)]
    assert [w for w in wanted if not (home / w).exists()] == []


@pytest.mark.parametrize("service", sorted(RING))
def test_a_module_is_named_as_io_or_held_pure_by_the_import_contract(service: str) -> None:
    pure = pure_modules()
    unsorted = [
        module_name(path)
        for path in sorted((SERVICES / service).rglob("*.py"))
        if path.stem not in NOT_MODULES
        and path.stem not in IO_NAMES
        and not IO_PACKAGES & set(path.parent.parts)
        and not path.stem.endswith(IO_SUFFIXES)
        and module_name(path) not in pure
    ]
    assert unsorted == []


def test_the_contract_names_only_modules_that_exist() -> None:
    assert [m for m in pure_modules() if not module_exists(m)] == []


def module_exists(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()
