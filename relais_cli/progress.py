"""Progress bars for long ops work: one bar per phase, with events/s and the time left."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class RateColumn(ProgressColumn):
    """Events per second of the phase so far."""

    def render(self, task: Task) -> Text:
        rate = task.speed
        return Text(f"{rate:,.0f} ev/s" if rate else "— ev/s", style="progress.data.speed")


class Bars:
    """An ops.progress.Observer drawn with rich; a context manager around the work."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description:<34}"),
            BarColumn(),
            MofNCompleteColumn(),
            RateColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TimeElapsedColumn(),
            console=console,
            speed_estimate_period=10,
        )
        self._task: TaskID | None = None

    def phase(self, name: str, total: int | None = None) -> None:
        self._close_task()
        self._task = self._progress.add_task(name, total=total)

    def advance(self, count: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, count)

    def _close_task(self) -> None:
        if self._task is not None:
            task = self._progress.tasks[-1]
            # A phase with nothing (or no count) to do shows as complete when it ends.
            self._progress.update(self._task, total=task.total or task.completed or 1)
            self._progress.update(self._task, completed=task.total)

    def __enter__(self) -> Bars:
        self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None:
            self._close_task()
        self._progress.stop()
