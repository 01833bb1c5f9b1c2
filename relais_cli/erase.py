"""`relais erase`: erase a member's personal data (crypto-shredding) and prove it.

- `relais erase member M --reason "GDPR request DPO-2026-041"`: gathers what Relais holds of
  M's personal data, asks for confirmation (`--yes` for scripts), asks intake to erase M (their
  keys destroyed, `MemberErased` published, every service masks its projection), keeps the
  proof (salted hashes of the values, no plaintext) in the key store, then scans the log, the
  projections, the BI views and the services' logs until nothing of it is found (or says where).
- `relais erase --verify M`: the same scan, later, from the proof kept.
- `relais erase --retention`: erases the members whose cases are all closed and the last one
  longer ago than RELAIS_RETENTION_YEARS (or `--years`); schedule it daily (docs/security.md)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated

import asyncpg
import httpx
import typer
from rich.console import Console
from rich.markup import escape

from ops import erasure
from ops.erasure import ErasureFailed, Needles, Report
from relais_cli.errors import run
from relais_cli.tokens import OPS, token_for
from shared import keys
from shared.settings import Settings

app = typer.Typer(
    help="Erase a member's personal data (crypto-shredding) and prove it: `erase member M "
    "--reason ...`, `erase --verify M`, `erase --retention`. See docs/security.md.",
    rich_markup_mode="markdown",
    invoke_without_command=True,
)

SETTLE_S = 60.0  # how long the proof waits for the services to read the erasure
SETTLE_AFTER_S = 5.0  # then how long it scans again while something is found


@app.callback()
def main(
    ctx: typer.Context,
    verify: Annotated[
        str | None,
        typer.Option("--verify", metavar="MEMBER", help="Scan for an erased member's data."),
    ] = None,
    retention: Annotated[
        bool, typer.Option("--retention", help="Erase the members past the retention period.")
    ] = False,
    years: Annotated[
        int | None, typer.Option(help="Retention period in years (RELAIS_RETENTION_YEARS).")
    ] = None,
    only: Annotated[
        str | None,
        typer.Option(help="Retention: only among these members (comma-separated), e.g. a trial."),
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Retention: list, erase nothing.")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    console = Console()
    settings = Settings()
    if verify:
        found = run(console, verify_member(settings, console, verify), cancelled="nothing done")
        raise typer.Exit(1 if found else 0)
    if retention:
        chosen = set(only.split(",")) if only else None
        period = years if years is not None else settings.retention_years
        left = run(
            console,
            retain(settings, console, period, chosen, dry_run=dry_run, yes=yes),
            cancelled="members erased so far stay erased",
        )
        raise typer.Exit(1 if left else 0)
    console.print(ctx.get_help())


@app.command()
def member(
    member_id: Annotated[str, typer.Argument(help="The member's number, e.g. M-10293.")],
    reason: Annotated[
        str, typer.Option(help="Why, in the cooperative's words (published: no personal data).")
    ],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase a member's personal data: their keys are destroyed (nothing of theirs in the log
    opens again), every service masks its copy, and the proof scan says where anything is left
    (exit 1 if something is)."""
    console = Console()
    settings = Settings()
    left = run(
        console,
        erase(settings, console, member_id, reason, "request", yes=yes),
        cancelled="nothing erased unless intake answered",
    )
    raise typer.Exit(1 if left else 0)


async def erase(
    settings: Settings,
    console: Console,
    member_id: str,
    reason: str,
    cause: str,
    *,
    yes: bool,
    settle_s: float = SETTLE_S,
    intake_url: str | None = None,
) -> int:
    """Erases one member and proves it; how many places still hold their data."""
    values = await erasure.collect(settings, member_id)
    console.print(
        f"member {escape(member_id)}: {len(values)} personal values found (names, subjects, "
        "questions, notes, replies, messages)"
    )
    if not yes and not typer.confirm(
        f"Erase {member_id}'s personal data for good? It cannot be undone", default=False
    ):
        console.print("nothing erased")
        raise typer.Exit(1)
    url = intake_url or f"http://{settings.http_host}:{settings.port('intake')}"
    erased = await _ask_intake(settings, url, member_id, reason, cause)
    needles = erasure.Needles.of(values)
    salt, hashes = needles.record()
    await (await keys.store()).record(
        keys.ErasureRecord(
            erasure_id=uuid.UUID(erased["erasure_id"]),
            member_id=member_id,
            cause=cause,
            reason=reason,
            erased_by=OPS.subject,
            erased_at=datetime.fromisoformat(erased["erased_at"]),
            salt=salt,
            value_hashes=hashes,
        )
    )
    keys_gone = ", ".join(erased["key_ids"]) or "none left"
    console.print(f"keys destroyed: {escape(keys_gone)}; MemberErased published")
    copies = await erasure.mask_copies(settings, member_id)
    if copies:
        console.print(f"masked in the projections' kept copies: {escape(', '.join(copies))}")
    if not await erasure.wait_applied(settings, member_id, settle_s):
        console.print("[yellow]the services have not all read the erasure yet[/yellow]")
    report = await _settled(settings, needles, SETTLE_AFTER_S)
    return _print(console, member_id, report)


async def _ask_intake(
    settings: Settings, url: str, member_id: str, reason: str, cause: str
) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token_for(settings, OPS)}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        try:
            answer = await client.post(
                f"/members/{member_id}/erasure", json={"reason": reason, "cause": cause}
            )
        except httpx.HTTPError as exc:
            raise ErasureFailed(f"intake is not reachable at {url}: {exc}") from None
    if answer.status_code != 202:
        raise ErasureFailed(f"intake refused the erasure ({answer.status_code}): {answer.text}")
    body: dict[str, str] = answer.json()
    return body


async def _settled(settings: Settings, needles: Needles, settle_s: float) -> Report:
    """The scan once the services have read the erasure (or the last one before the time)."""
    deadline = asyncio.get_running_loop().time() + settle_s
    while True:
        report = await erasure.scan(settings, needles, erasure.log_dirs())
        if report.total == 0 or asyncio.get_running_loop().time() > deadline:
            return report
        await asyncio.sleep(1.0)


def _print(console: Console, member_id: str, report: Report) -> int:
    console.print(f"looked in: {escape('; '.join(report.looked))}")
    if report.total == 0:
        console.print(f"[green]0 hits[/green]: nothing of {escape(member_id)}'s data remains")
        return 0
    console.print(f"[red]{report.total} hits[/red] of {escape(member_id)}'s data remain:")
    for place, count in sorted(report.hits.items()):
        legacy = (
            " (legacy plaintext, written before encryption)" if place.startswith("topic") else ""
        )
        console.print(f"  {escape(place)}: {count}{legacy}")
    return len(report.hits)


async def verify_member(settings: Settings, console: Console, member_id: str) -> int:
    """Scans for an erased member's data from the proofs kept; places still holding any."""
    records = await (await keys.store()).erasures(member_id)
    if not records:
        raise ErasureFailed(f"no erasure of {member_id} is recorded: nothing to verify")
    found = 0
    for record in records:
        needles = erasure.Needles.hashed(record.salt, record.value_hashes)
        console.print(
            f"erasure of {record.erased_at:%Y-%m-%d %H:%M} UTC ({record.cause}: "
            f"{escape(record.reason)}), {len(record.value_hashes)} values looked for"
        )
        report = await erasure.scan(settings, needles, erasure.log_dirs())
        found += _print(console, member_id, report)
    return found


CLOSED = """
SELECT member_id, max(resolved_at) AS last_closed FROM advisory.cases
GROUP BY member_id
HAVING bool_and(status = 'resolved') AND max(resolved_at) < $1"""
ERASED = "SELECT DISTINCT member_id FROM keystore.member_keys WHERE destroyed_at IS NOT NULL"
LIVE = "SELECT DISTINCT member_id FROM keystore.member_keys WHERE destroyed_at IS NULL"


async def retain(
    settings: Settings,
    console: Console,
    years: int,
    only: set[str] | None,
    *,
    dry_run: bool,
    yes: bool,
) -> int:
    """Erases every member whose cases are all closed, the last before ``years`` ago; the
    number of members whose proof still finds something."""
    before = datetime.now(UTC) - timedelta(days=round(365.25 * years))
    conn = await asyncpg.connect(settings.ops_dsn())
    try:
        rows = await conn.fetch(CLOSED, before)
        erased = {r["member_id"] for r in await conn.fetch(ERASED)}
        live = {r["member_id"] for r in await conn.fetch(LIVE)}
    finally:
        await conn.close()
    # Erased already, and nothing of theirs sealed since: nothing left to erase.
    due = sorted(
        r["member_id"]
        for r in rows
        if (only is None or r["member_id"] in only)
        and not (r["member_id"] in erased and r["member_id"] not in live)
    )
    console.print(
        f"retention {years} years: {len(due)} members whose last case closed before "
        f"{before:%Y-%m-%d}"
    )
    if dry_run or not due:
        for member_id in due:
            console.print(f"  {escape(member_id)}")
        return 0
    if not yes and not typer.confirm(f"Erase these {len(due)} members?", default=False):
        console.print("nothing erased")
        raise typer.Exit(1)
    left = 0
    reason = f"retention: every case closed, the last before {before:%Y-%m-%d} ({years} years)"
    for member_id in due:
        left += bool(await erase(settings, console, member_id, reason, "retention", yes=True))
    return left
