"""How the lab's report writes a figure: hours, percentages, a mean with its interval."""

from __future__ import annotations

import math
from typing import Any


def fmt(measure: str, value: float | None, labels: dict[str, Any]) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    unit = labels.get(measure, ("", ""))[1]
    if unit == "%":
        return f"{value * 100:.1f} %"
    if unit == "h":
        return f"{value:.2f} h"
    return f"{value:.2f}"


def band(m: str, x: dict[str, Any], labels: dict[str, Any]) -> str:
    """A mean and its 95 % interval."""
    return f"{fmt(m, x['mean'], labels)} [{fmt(m, x['low'], labels)}, {fmt(m, x['high'], labels)}]"
