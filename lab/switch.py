"""Before and after a real switch: an office that changed its organisation model, compared
with the offices that did not, over the same weeks (difference in differences, as an event
study around the switch), so a season is not mistaken for the model's effect. With one or two
switched offices an ordinary standard error overstates certainty: the p-value comes from
randomization inference, the same statistic computed for placebo offices (each office that did
not switch, as if it had) and placebo dates (every other week with enough weeks around it).

The outcome is the log's measured wait to first response (business hours), per office and
week (or per twelfth of a period shorter than twelve weeks)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from lab.cases import Case
from lab.outcome import Run
from shared.organisation_events import OfficeModelChanged

Grid = dict[str, dict[int, float]]  # office -> bin -> mean wait (hours)
MIN_SIDE = 2  # bins needed on each side of a (placebo) switch


def switches(facts: Sequence[object], start: datetime, end: datetime) -> list[OfficeModelChanged]:
    """Changes of model that took effect inside the period (an office's first setting is not
    a switch)."""
    ordered = sorted(
        (f for f in facts if isinstance(f, OfficeModelChanged)),
        key=lambda f: (f.effective_at, f.occurred_at, f.event_id.int),
    )
    current: dict[str, str] = {}
    found = []
    for f in ordered:
        before = current.get(f.office)
        current[f.office] = f.model.value
        if before is not None and before != f.model.value and start < f.effective_at <= end:
            found.append(f)
    return found


def grid(cases: Sequence[Case], run: Run, origin: datetime, width: timedelta) -> Grid:
    """Mean wait per office and bin, bins counted from ``origin`` (the switch: bin 0 is the
    first after it, -1 the last before it)."""
    sums: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for i, c in enumerate(cases):
        fr = run.first_response[i]
        if fr is not None:
            b = math.floor((c.received_at - origin) / width)
            sums[c.office][b].append((fr - run.arrived[i]) / 3600)
    return {o: {b: sum(v) / len(v) for b, v in bins.items()} for o, bins in sums.items()}


def did(g: Grid, treated: str, controls: Sequence[str], at: int) -> tuple[float, dict[int, float]]:
    """The difference in differences (post mean minus pre mean of treated minus controls),
    and the event study: each bin's gap, relative to the bin before the switch."""
    gaps: dict[int, float] = {}
    for b in sorted(g.get(treated, {})):
        others = [g[c][b] for c in controls if b in g.get(c, {})]
        if others:
            gaps[b] = g[treated][b] - sum(others) / len(others)
    pre = [v for b, v in gaps.items() if b < at]
    post = [v for b, v in gaps.items() if b >= at]
    if len(pre) < MIN_SIDE or len(post) < MIN_SIDE:
        return math.nan, {}
    base = gaps.get(at - 1, pre[-1])
    return sum(post) / len(post) - sum(pre) / len(pre), {b - at: v - base for b, v in gaps.items()}


def analyse(cases: Sequence[Case], run: Run, facts: Sequence[object]) -> list[dict[str, Any]]:
    """One analysis per switch in the period."""
    if len(cases) < 2:
        return []
    start, end = cases[0].received_at, cases[-1].received_at
    span = end - start
    width = timedelta(weeks=1) if span >= timedelta(weeks=12) else (span / 12 or timedelta(1))
    switched = switches(facts, start, end)
    moved = {s.office for s in switched}
    results = []
    for s in switched:
        g, at = grid(cases, run, s.effective_at, width), 0
        controls = sorted(o for o in g if o not in moved)
        estimate, study = did(g, s.office, controls, at)
        placebos = _placebos(g, s.office, controls, at)
        extreme = sum(abs(p) >= abs(estimate) for p in placebos)
        results.append(
            {
                "office": s.office,
                "model": s.model.value,
                "effective_at": s.effective_at.isoformat(),
                "bin_hours": width.total_seconds() / 3600,
                "controls": controls,
                "estimate_h": estimate,
                "event_study": sorted(study.items()),
                "placebos": len(placebos),
                "p_value": (1 + extreme) / (1 + len(placebos)) if placebos else math.nan,
            }
        )
    return results


def _placebos(g: Grid, treated: str, controls: Sequence[str], at: int) -> list[float]:
    """The statistic for every control as if it had switched at the same bin, and for the
    treated office at every earlier bin with enough bins around it, on the weeks before its
    real switch only (later weeks hold the real effect)."""
    found = []
    for c in controls:
        others = [o for o in controls if o != c]
        found.append(did(g, c, others, at)[0])
    before = {o: {b: v for b, v in bins.items() if b < at} for o, bins in g.items()}
    for b in sorted(before.get(treated, {})):
        found.append(did(before, treated, controls, b)[0])
    return [x for x in found if not math.isnan(x)]
