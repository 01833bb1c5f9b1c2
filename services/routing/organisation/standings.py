"""A pool of advisers kept in the policies' order of preference (``policies.preference``), so
the best few for a language are read off its front instead of weighing every adviser again.

The order is ``preference`` with the language set aside: available advisers first, then, within
each, the most free capacity (room first: free > 0 is "most free" too), the least loaded, the
smallest id. The advisers who speak the language come first in ``preference``, each group in
that same order, so ``top`` walks the order once and keeps speakers, then the other available
advisers, then the unavailable ones. A live decision sorts its office's pools once; a
simulation that changes one adviser's load at a time (the lab) tells the pools with ``moved``
and each stays in order at the cost of a binary search, not a sort."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable

from services.routing.organisation.model import Adviser

# (unavailable, open cases - capacity, open cases, adviser id, position in the pool)
Key = tuple[bool, int, int, str, int]


def key(a: Adviser, position: int) -> Key:
    load = a.open_cases
    return (not a.available, load - a.capacity, load, a.adviser_id, position)


class Standings:
    def __init__(self, advisers: Iterable[Adviser]) -> None:
        self.advisers = tuple(advisers)
        self._order = sorted(key(a, p) for p, a in enumerate(self.advisers))
        self._keys = {k[3]: k for k in self._order}  # what ``moved`` looks up

    def __len__(self) -> int:
        return len(self.advisers)

    def top(self, language: str, n: int) -> list[Adviser]:
        """The first ``n`` advisers of the pool in ``preference`` order for ``language``."""
        advisers = self.advisers
        speakers: list[Adviser] = []
        others: list[Adviser] = []
        for entry in self._order:
            a = advisers[entry[4]]
            if entry[0]:  # the unavailable ones, after every available adviser
                if len(speakers) + len(others) >= n:
                    break
                others.append(a)
            elif language in a.languages:
                speakers.append(a)
                if len(speakers) == n:
                    break
            elif len(others) < n:
                others.append(a)
        # ``others`` holds the available non-speakers, then the unavailable, each in order
        return (speakers + others)[:n]

    def first(self, language: str) -> Adviser | None:
        """``top(language, 1)``'s adviser (None: an empty pool): the first available speaker,
        else the first available adviser, else the first of the unavailable ones."""
        advisers = self.advisers
        other = None
        for entry in self._order:
            a = advisers[entry[4]]
            if entry[0]:
                return a if other is None else other
            if language in a.languages:
                return a
            if other is None:
                other = a
        return other

    def moved(self, a: Adviser) -> None:
        """``a``'s load or availability changed (an adviser of another pool: nothing to do)."""
        before = self._keys.get(a.adviser_id)
        if before is None:
            return
        order = self._order
        del order[bisect_left(order, before)]
        load = a.open_cases  # ``key``, inlined: a simulation moves advisers millions of times
        after = (not a.available, load - a.capacity, load, before[3], before[4])
        self._keys[before[3]] = after
        insort(order, after)
