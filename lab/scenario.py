"""A lab scenario: where the requests and the organisation come from, the candidate models,
the swept assumption and the repetitions. A TOML (or JSON) file; every field has a default,
so an empty scenario replays the whole log with the model in force and two alternatives.
``docs/lab.md`` documents the format with worked examples."""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path
from typing import Literal

import orjson
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from lab.models import ModelSpec
from shared.business_calendar import BRUSSELS


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Traffic(_Section):
    source: Literal["log", "generated"] = "log"
    since: AwareDatetime | None = Field(default=None, description="First request (log).")
    until: AwareDatetime | None = Field(default=None, description="After the last (log).")
    cases: int = Field(default=100_000, ge=1, description="How many requests (generated).")
    start: AwareDatetime = Field(
        default=datetime(2026, 1, 1, tzinfo=BRUSSELS), description="Start of the generated year."
    )
    seed: int = 7


class Organisation(_Section):
    source: Literal["log", "file"] = "log"
    as_of: AwareDatetime | None = Field(
        default=None, description="The organisation as the log had it then (default: all)."
    )
    file: Path | None = Field(default=None, description="A seed-format file (source=file).")


class StepSpread(_Section):
    mean_hours: float = Field(ge=0)
    cv: float = Field(default=1.0, ge=0)


class Assumptions(_Section):
    """What the lab cannot measure, made explicit."""

    specialist_speedups: tuple[float, ...] = Field(
        default=(0.0, -0.1, -0.2),
        description="Specialists' handling time relative to polyvalent advisers, swept.",
    )
    clock: Literal["auto", "business", "continuous"] = Field(
        default="auto",
        description="business: office hours and Belgian holidays (advisory's calendar); "
        "continuous: every second counts (compressed logs such as the demo's); auto: "
        "continuous for requests spanning less than a day (a compressed log: a real "
        "office's traffic is counted in days), business otherwise.",
    )
    estimate_from_log: bool = Field(
        default=True, description="Service times from the log; else the defaults below."
    )
    steps: dict[str, StepSpread] = Field(
        default_factory=dict,
        description="Default step durations (pickup, reply, resolve, escalate_after, support, "
        "wait) where the log has too few cases.",
    )
    p_escalate: float | None = Field(default=None, ge=0, le=1)
    p_wait: float | None = Field(default=None, ge=0, le=1)


class Scenario(_Section):
    title: str = "What-if on the cooperative's requests"
    seeds: int = Field(default=10, ge=1, le=1000)
    first_seed: int = 1
    traffic: Traffic = Traffic()
    organisation: Organisation = Organisation()
    assumptions: Assumptions = Assumptions()
    models: tuple[ModelSpec, ...] = Field(
        default=(
            ModelSpec(name="in force", kind="in_force"),
            ModelSpec(name="specialised everywhere", kind="specialised"),
            ModelSpec(name="polyvalent everywhere", kind="polyvalent"),
        ),
        description="The candidates; the first is the reference the others are compared to.",
    )


def load(path: Path | None) -> Scenario:
    """A scenario file (.toml or .json); None: the default scenario."""
    if path is None:
        return Scenario()
    raw = (
        tomllib.loads(path.read_text())
        if path.suffix == ".toml"
        else orjson.loads(path.read_bytes())
    )
    return Scenario.model_validate(raw)
