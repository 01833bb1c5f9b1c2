"""Two advisers on one case, through advisory's HTTP API on the real stack: every command
carries the case version its sender saw (If-Match, the ETag of GET /cases/{id}); one decided
on a stale version is refused 409 with what changed since, and publishes nothing, so a member
never gets two answers."""

from __future__ import annotations

from typing import Any

import httpx

from shared.identity import Role
from tests.support.auth import bearer
from tests.support.polling import body_has, until
from tests.support.processes import ServiceProcess
from tests.support.staff import liege_request, submit

ANN = bearer(Role.ADVISER, "ann", "liege")
BEN = bearer(Role.ADVISER, "ben", "liege")


def seen(version: str) -> dict[str, str]:
    return {"If-Match": version}


async def opened(desk: httpx.AsyncClient, case: str, who: dict[str, str]) -> tuple[str, Any]:
    """The case as its reader sees it, with its ETag."""
    answer = await desk.get(case, headers=who)
    assert answer.status_code == 200, answer.text
    return answer.headers["ETag"], answer.json()


async def test_a_command_on_a_stale_version_is_refused_with_what_changed(
    intake: ServiceProcess, routing: ServiceProcess, advisory: ServiceProcess
) -> None:
    case_id = await submit(intake, liege_request(1701))
    case = f"/cases/{case_id}"
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10) as desk:
        await until(lambda: desk.get(case, headers=ANN), body_has(status="queued"))
        # Given Ann and Ben open the same queued case
        ann_saw, body = await opened(desk, case, ANN)
        ben_saw, _ = await opened(desk, case, BEN)
        assert ann_saw == ben_saw == f'"{body["case"]["version"]}"'
        # When Ann claims it first, Ben's claim on what he saw is refused, naming Ann
        claimed = await desk.post(f"{case}/claim", headers={**ANN, **seen(ann_saw)})
        assert claimed.status_code == 200, claimed.text
        late = await desk.post(f"{case}/claim", headers={**BEN, **seen(ben_saw)})
        assert late.status_code == 409, late.text
        problem = late.json()
        assert problem["error"] == "stale_version"
        assert [c["type"] for c in problem["changes"]] == ["CaseClaimed"]
        assert problem["changes"][0]["actor"] == "ann"
        assert "ann claimed the case" in problem["message"]
        # Ann replies on the version her claim answered; a second reply from a tab still on
        # the old version is refused: the member gets one answer
        now = claimed.headers["ETag"]
        assert now == f'"{claimed.json()["case"]["version"]}"'
        reply = {"text": "Bonjour, voici la facture."}
        sent = await desk.post(f"{case}/replies", json=reply, headers={**ANN, **seen(now)})
        assert sent.status_code == 200, sent.text
        again = await desk.post(f"{case}/replies", json=reply, headers={**ANN, **seen(now)})
        assert (again.status_code, again.json()["error"]) == (409, "stale_version"), again.text
        assert again.json()["changes"][-1]["type"] == "ReplySent"
        _, after = await opened(desk, case, ANN)
        assert [h["type"] for h in after["history"]].count("ReplySent") == 1
        assert after["case"]["replies"] == 1
        # A command without If-Match (a service, a script) acts on the case as it is
        noted = await desk.post(f"{case}/notes", json={"note": "Sent."}, headers=ANN)
        assert noted.status_code == 200, noted.text
        # An If-Match that names no version is a plain 422
        bad = await desk.post(f"{case}/notes", json={"note": "x"}, headers={**ANN, **seen("x")})
        assert (bad.status_code, bad.json()["error"]) == (422, "bad_if_match"), bad.text


async def test_colleagues_see_each_other_on_a_case_and_keep_their_own_drafts(
    intake: ServiceProcess, routing: ServiceProcess, advisory: ServiceProcess
) -> None:
    case_id = await submit(intake, liege_request(1702))
    case = f"/cases/{case_id}"
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10) as desk:
        await until(lambda: desk.get(case, headers=ANN), body_has(status="queued"))
        # Given Ann has the case open and Ben is writing on it, each sees the other
        here = await desk.put(f"{case}/presence", json={"activity": "viewing"}, headers=ANN)
        assert here.status_code == 200, here.text
        both = await desk.put(f"{case}/presence", json={"activity": "replying"}, headers=BEN)
        people = {p["staff_id"]: p["activity"] for p in both.json()["people"]}
        assert people == {"ann": "viewing", "ben": "replying"}
        assert both.json()["ttl_seconds"] == 30
        # When Ben leaves, Ann no longer sees him
        assert (await desk.delete(f"{case}/presence", headers=BEN)).status_code == 204
        alone = await desk.get(f"{case}/presence", headers=ANN)
        assert [p["staff_id"] for p in alone.json()["people"]] == ["ann"]
        # An adviser of another office neither sees nor shows presence there
        namur = bearer(Role.ADVISER, "namur-front-01", "namur")
        assert (await desk.get(f"{case}/presence", headers=namur)).status_code == 403
        # Drafts are per person: Ann's is hers, Ben has none
        draft = {"kind": "reply", "text": "Bonjour, je regarde votre facture."}
        saved = await desk.put(f"{case}/draft", json=draft, headers=ANN)
        assert saved.status_code == 200, saved.text
        mine = await desk.get(f"{case}/draft", headers=ANN)
        assert (mine.json()["text"], mine.json()["staff_id"]) == (draft["text"], "ann")
        none = await desk.get(f"{case}/draft", headers=BEN)
        assert (none.status_code, none.json()["error"]) == (404, "no_draft")
        # A draft is not a fact: the case's version does not move
        _, before = await opened(desk, case, ANN)
        await desk.put(f"{case}/draft", json={**draft, "text": "Bonjour !"}, headers=ANN)
        _, after = await opened(desk, case, ANN)
        assert after["case"]["version"] == before["case"]["version"]
        # Sending the reply takes the draft away
        claimed = await desk.post(f"{case}/claim", headers=ANN)
        assert claimed.status_code == 200, claimed.text
        sent = await desk.post(f"{case}/replies", json={"text": "Bonjour !"}, headers=ANN)
        assert sent.status_code == 200, sent.text
        gone = await desk.get(f"{case}/draft", headers=ANN)
        assert gone.status_code == 404, gone.text
