"""Issue 15's "Done means", on the real stack: a member goes through a request, case work and
an administrative act, then is erased (crypto-shredding). Then nothing of their personal data
is found anywhere Relais stores data (every topic, every projection and BI view, the services'
logs), every service's rebuild is identical to its live projection, and another member's data
is intact."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from rich.console import Console

from ops.verify import verify
from relais_cli.erase import erase, retain, verify_member
from shared.envelope import ERASED
from shared.settings import Settings
from tests.support.auth import CHANNEL
from tests.support.polling import body_has, until
from tests.support.processes import ServiceProcess
from tests.support.staff import ADA, ANN, act, liege_request, submit

SERVICES = ("intake", "routing", "advisory", "admin")


def words(who: str) -> dict[str, str]:
    """Personal values no other test writes, so a hit can only be this member's."""
    tag = uuid.uuid4().hex[:12]
    return {
        k: f"{k}-{who}-{tag}"
        for k in ("name", "subject", "body", "reply", "note", "wait", "message", "resolution")
    } | {"done": f"done-{who}-{tag}"}


def request_of(seed: int, w: dict[str, str]) -> dict[str, Any]:
    body = liege_request(seed)
    body["member"] = {**body["member"], "name": w["name"]}
    body["subject"], body["body"] = w["subject"], w["body"]
    return body


async def worked(
    desk: httpx.AsyncClient,
    channel: httpx.AsyncClient,
    case_id: str,
    member: str,
    w: dict[str, str],
) -> None:
    """Claimed, answered, noted, waited on, answered by the member, resolved with an act."""
    case = f"/cases/{case_id}"
    await until(lambda: desk.get(case, headers=ANN), body_has(status="queued"))
    await act(desk, f"{case}/claim", ANN)
    await act(desk, f"{case}/replies", ANN, {"text": w["reply"]})
    await act(desk, f"{case}/notes", ANN, {"note": w["note"]})
    await act(desk, f"{case}/waiting", ANN, {"note": w["wait"]})
    posted = await channel.post(
        f"/requests/{case_id}/messages",
        json={"member_id": member, "channel": "email", "body": w["message"]},
    )
    assert posted.status_code == 202, posted.text
    await until(lambda: desk.get(case, headers=ANN), body_has(status="claimed"))
    resolution = {"outcome": "solved", "admin_act": "member_file_update", "note": w["resolution"]}
    await act(desk, f"{case}/resolution", ANN, resolution)


async def test_an_erased_member_leaves_no_plaintext_and_the_projections_rebuild_identical(
    intake: ServiceProcess,
    routing: ServiceProcess,
    advisory: ServiceProcess,
    admin: ServiceProcess,
    settings: Settings,
) -> None:
    erased_words, kept_words = words("gone"), words("kept")
    gone = request_of(1501, erased_words)
    kept = request_of(1502, kept_words)
    gone_id, kept_id = gone["member"]["member_id"], kept["member"]["member_id"]
    gone_case, kept_case = await submit(intake, gone), await submit(intake, kept)
    async with (
        httpx.AsyncClient(base_url=advisory.url, timeout=10) as desk,
        httpx.AsyncClient(base_url=admin.url, timeout=10) as office,
        httpx.AsyncClient(base_url=intake.url, headers=CHANNEL, timeout=10) as channel,
    ):
        # Given a member's case worked through to an administrative act, which the
        # administrative team completes with a note
        await worked(desk, channel, gone_case, gone_id, erased_words)
        tasks = await until(
            lambda: office.get(f"/cases/{gone_case}", headers=ADA),
            lambda a: a.status_code == 200 and bool(a.json()["tasks"]),
        )
        task = tasks.json()["tasks"][0]["task_id"]
        await act(office, f"/tasks/{task}/claim", ADA)
        await act(office, f"/tasks/{task}/completion", ADA, {"note": erased_words["done"]})
        # And another member's case answered, noted and resolved
        other = f"/cases/{kept_case}"
        await until(lambda: desk.get(other, headers=ANN), body_has(status="queued"))
        await act(desk, f"{other}/claim", ANN)
        await act(desk, f"{other}/replies", ANN, {"text": kept_words["reply"]})
        await act(desk, f"{other}/notes", ANN, {"note": kept_words["note"]})
        resolution = {"outcome": "answered", "admin_act": None, "note": kept_words["resolution"]}
        await act(desk, f"{other}/resolution", ANN, resolution)
        # And the log carries their personal data sealed, the projections show it opened
        shown = await desk.get(f"/cases/{gone_case}", headers=ANN)
        assert shown.json()["request"]["subject"] == erased_words["subject"]
        await until(
            lambda: office.get(f"/members/{gone_id}", headers=ADA),
            lambda a: a.status_code == 200 and a.json().get("name") == erased_words["name"],
        )
        # When ops erase the first member
        console = Console(record=True, width=200)
        left = await erase(
            settings, console, gone_id, "GDPR request e2e", "request", yes=True,
            intake_url=intake.url,
        )  # fmt: skip
        # Then nothing of their personal data is found anywhere: every topic (dead-letter and
        # redrive topics included), every table and BI view, the services' logs
        assert left == 0, console.export_text()
        assert "0 hits" in console.export_text()
        # And the proof kept (hashes, no plaintext) finds nothing either, later
        assert await verify_member(settings, Console(), gone_id) == 0
        # And the services show the erased member's case masked, the other member's intact
        masked = (await desk.get(f"/cases/{gone_case}", headers=ANN)).json()
        request = masked["request"]
        assert (request["member"]["name"], request["subject"], request["body"]) == (
            ERASED, ERASED, ERASED,
        )  # fmt: skip
        notes = [h["event"].get("note") for h in masked["history"] if h["type"] == "NoteAdded"]
        assert notes == [ERASED]
        intact = (await desk.get(f"/cases/{kept_case}", headers=ANN)).json()
        assert intact["request"]["subject"] == kept_words["subject"]
        assert intact["request"]["member"]["name"] == kept_words["name"]
        history = {h["type"]: h["event"] for h in intact["history"]}
        assert history["NoteAdded"]["note"] == kept_words["note"]
        assert history["ReplySent"]["text"] == kept_words["reply"]
        assert (await office.get(f"/members/{kept_id}", headers=ADA)).json()["name"] == kept_words[
            "name"
        ]
        # And the erased member's case work (not personal) is still there: status, act, counts
        assert masked["case"]["status"] == intact["case"]["status"] == "resolved"
    # And `relais verify` still finds every service's projection identical to the one rebuilt
    # from the log: a rebuild after the erasure writes the masked values
    for service in SERVICES:
        verdict = await verify(settings, service)
        assert verdict.identical, (service, [t.table for t in verdict.tables if not t.same])
    # And retention (its members are erased by the same `erase`, with the same proof) picks,
    # among these two, the one whose cases are all closed and who was not erased already
    chosen = Console(record=True, width=200)
    await retain(settings, chosen, 0, {gone_id, kept_id}, dry_run=True, yes=True)
    listed = chosen.export_text()
    assert "2 members" not in listed
    assert kept_id in listed
    assert gone_id not in listed
