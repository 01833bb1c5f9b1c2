"""Where the check gets what it needs, kept in a cache so that only the first run downloads:
files from the Go module proxy, Go commands built from their modules."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "relais" / "deploy-check"


class CheckFailed(RuntimeError):
    """A manifest does not validate, or a tool or schema could not be obtained."""


def say(text: str) -> None:
    print(f"[deploy-check] {text}", file=sys.stderr)


def run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, check=False, text=True, capture_output=True, **kwargs)  # noqa: S603


def download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=300) as answer:  # noqa: S310 - fixed https URLs
        data: bytes = answer.read()
        return data


def goproxy() -> str:
    for entry in os.environ.get("GOPROXY", "https://proxy.golang.org").split(","):
        if entry.startswith("http"):
            return entry.rstrip("/")
    return "https://proxy.golang.org"


def module_zip(module: str, version: str) -> zipfile.ZipFile:
    path = CACHE / "modules" / f"{module.replace('/', '_')}@{version}.zip"
    if not path.exists():
        say(f"downloading {module}@{version} from the Go module proxy")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(download(f"{goproxy()}/{module}/@v/{version}.zip"))
    return zipfile.ZipFile(path)


def go_tool(package: str, name: str) -> Path:
    """A Go command built from its module (Go module proxy), kept in the cache."""
    binary = CACHE / "bin" / name
    if not binary.exists():
        if shutil.which("go") is None:
            raise CheckFailed(f"missing prerequisite 'go' ({binary.name} is built from its module)")
        say(f"installing {package}")
        done = run(["go", "install", package], env={**os.environ, "GOBIN": str(binary.parent)})
        if done.returncode != 0:
            raise CheckFailed(f"go install {package} failed:\n{done.stderr}")
    return binary
