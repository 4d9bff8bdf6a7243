"""Hostile devices against rescue bundles, synced device ids and the remote wipe, each with a
real center: the attacks of the December 2026 security review (H1, L3 signatures, M7, M8)."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from fieldkit.domain.enums import QuoteLineKind
from fieldkit.protocol import rescue as fmt
from fieldkit.server import tables as t
from fieldkit.services import device_key, jobs, quotes
from fieldkit.services.settings import set_setting
from fieldkit.store import models as m
from fieldkit.sync import session
from fieldkit.sync.center import SERVER_URL_SETTING
from fieldkit.sync.errors import DeviceWiped, SyncError
from fieldkit.sync.rescue import export_outbox
from tests.support.keyrings import MemoryKeyring
from tests.support.server import Client, Office, Server
from tests.sync.test_protocol import next_seq, push, raw, token_of


def center_notes(server: Server, like: str) -> list[tuple[str, str]]:
    engine = server.engine()
    try:
        with engine.connect() as conn:
            wl = t.ENTITY["work_log"]
            return [
                (r.by, r.note)
                for r in conn.execute(select(wl.c.by, wl.c.note).where(wl.c.note.like(like)))
            ]
    finally:
        engine.dispose()


def last_seq(server: Server, device_id: str) -> int:
    engine = server.engine()
    try:
        with engine.connect() as conn:
            return int(
                conn.scalar(
                    select(t.client_devices.c.last_seq).where(
                        t.client_devices.c.device_id == device_id
                    )
                )
                or 0
            )
    finally:
        engine.dispose()


def forged_bundle(victim: Client, job: str, fmt_name: str = fmt.FORMAT) -> dict[str, Any]:
    """The review's bundle: 39 notes on the victim's job, seq 1..39, naming its device."""
    now = datetime.now(UTC).isoformat()
    return {
        "format": fmt_name,
        "device_id": victim.ctx.device_id,
        "engineer": victim.username,
        "exported_at": now,
        "mutations": [
            {
                "mutation_id": str(uuid.uuid4()),
                "device_id": victim.ctx.device_id,
                "seq": seq,
                "name": "worklog.add.v1",
                "entity_type": "job",
                "entity_id": job,
                "base_version": None,
                "args": {"id": str(uuid.uuid4()), "at": now, "note": f"FORGED by wang {seq}"},
                "created_at": now,
                "blob_refs": [],
            }
            for seq in range(1, 40)
        ],
        "refused": [],
        "blobs": {},
    }


def write(path: Path, bundle: dict[str, Any]) -> str:
    path.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_h1_forged_rescue_bundle_is_refused(
    server: Server, office: Office, wang: Client, li: Client, tmp_path: Path
) -> None:
    job = office.new_job("li")
    li.sync()
    unsigned = forged_bundle(li, job)
    # Signed, but by the attacker's own registered key: the bundle still names li's device.
    by_wang = forged_bundle(li, job)
    by_wang["signature"] = {
        "algorithm": "ed25519",
        "public_key": device_key.known_public_key(wang.ctx),
        "value": device_key.sign_hash(wang.ctx, fmt.digest(by_wang))[0],
    }
    legacy = forged_bundle(li, job, fmt.LEGACY_FORMAT)  # exactly what the review imported
    del legacy["refused"], legacy["engineer"]
    for name, bundle, why in (
        ("legacy", legacy, "older FieldKit and is not signed"),
        ("unsigned", unsigned, "was not signed by device"),
        ("by-wang", by_wang, "was not signed by device"),
    ):
        result = server.admin("import-outbox", write(tmp_path / f"{name}.json", bundle))
        assert result.returncode == 2, (name, result.stdout)
        assert why in result.stderr and "Nothing was imported." in result.stderr, name
    assert center_notes(server, "FORGED%") == []
    assert last_seq(server, li.ctx.device_id) == 0  # no sequence number of li's was used
    jobs.add_note(li.ctx, job, "真的记录 li's genuine note")
    report = li.sync()
    assert (report.pushed, report.rejected) == (1, 0)
    assert center_notes(server, "真的记录%") == [("li", "真的记录 li's genuine note")]


def test_h1_altered_or_replayed_bundle_changes_nothing(
    server: Server, office: Office, li: Client, tmp_path: Path
) -> None:
    job = office.new_job("li")
    li.sync()
    jobs.add_note(li.ctx, job, "U盘 rescued note")
    genuine = tmp_path / "genuine.json"
    assert export_outbox(li.ctx, genuine) == 1
    bundle = json.loads(genuine.read_text(encoding="utf-8"))
    bundle["mutations"][0]["args"]["note"] = "U盘 altered note"
    altered = server.admin("import-outbox", write(tmp_path / "altered.json", bundle))
    assert altered.returncode == 2 and "altered after it was signed" in altered.stderr
    assert center_notes(server, "U盘%") == [] and last_seq(server, li.ctx.device_id) == 0

    li.sync()  # the tablet got through after all: the bundle's seq is now past
    replayed = server.admin("import-outbox", str(genuine))
    assert replayed.returncode == 0, replayed.stderr
    assert "of which 1 use sequence numbers the center already has" in replayed.stdout
    assert json.loads(replayed.stdout.splitlines()[-1])["results"] == {"duplicate": 1}
    assert center_notes(server, "U盘%") == [("li", "U盘 rescued note")]
    assert last_seq(server, li.ctx.device_id) == 1


def test_h1_import_shows_engineer_device_and_counts_before_applying(
    server: Server, office: Office, li: Client, tmp_path: Path
) -> None:
    job = office.new_job("li")
    li.sync()
    jobs.add_note(li.ctx, job, "先看后导 shown first")
    jobs.add_note(li.ctx, job, "先看后导 second")
    bundle = tmp_path / "rescue.json"
    assert export_outbox(li.ctx, bundle) == 2
    shown = server.admin("import-outbox", str(bundle), "--dry-run")
    assert shown.returncode == 0, shown.stderr
    assert f"signed by device {li.ctx.device_id}" in shown.stdout
    assert "of engineer li" in shown.stdout
    assert "2 unsynced change(s) (seq 1-2)" in shown.stdout
    assert "dry run: nothing was imported" in shown.stdout
    assert center_notes(server, "先看后导%") == [] and last_seq(server, li.ctx.device_id) == 0
    applied = server.admin("import-outbox", str(bundle))
    assert applied.returncode == 0, applied.stderr
    assert json.loads(applied.stdout.splitlines()[-1])["results"] == {"applied": 2}
    assert len(center_notes(server, "先看后导%")) == 2


def pulled_text(server: Server, client: Client, log: bool = False) -> str:
    """Every page a full pull gives ``client`` (a snapshot, or the whole change log), as the
    raw JSON the center sends."""
    http = raw(server, client)
    pages: list[str] = []
    params: dict[str, Any] = {"limit": 2000, **({"cursor": 0} if log else {})}
    while True:
        reply = http.get(server.url + "/sync/pull", params=params, timeout=30)
        assert reply.status_code == 200, reply.text
        pages.append(reply.text)
        body = reply.json()
        if body.get("snapshot"):
            params = {"limit": 2000, "snapshot": body["snapshot"]}
        elif body.get("has_more"):
            params = {"limit": 2000, "cursor": body["next_cursor"]}
        else:
            return "\n".join(pages)


def test_l3_synced_signatures_carry_no_device_id(
    server: Server, office: Office, wang: Client, li: Client
) -> None:
    job = office.new_job("li")
    li.sync()
    jobs.accept_job(li.ctx, job)
    quote_id = quotes.create_quote(li.ctx, job).entity_id
    assert quote_id is not None
    quotes.add_quote_line(
        li.ctx,
        quote_id,
        QuoteLineKind.TRAVEL,
        1,
        description="路费",
        unit_price="150",
        tax_rate="0.06",
    )
    li.sync()
    with li.ctx.db.read() as s:
        version = s.get(m.Quote, quote_id).version  # type: ignore[union-attr]
    now = datetime.now(UTC).isoformat()
    signature = {
        "id": str(uuid.uuid4()),
        "role": "customer",
        "signer_name": "李经理",
        "signed_at": now,
        "device_id": wang.ctx.device_id,  # a false claim, as an older app's field
        "canvas_width": 600,
        "canvas_height": 200,
        "strokes": [[[1, 2, 0.5, 0], [40, 30, 0.5, 10]]],
    }
    mutation = {
        "mutation_id": str(uuid.uuid4()),
        "device_id": li.ctx.device_id,
        "seq": next_seq(li),
        "name": "quote.approve.v1",
        "entity_type": "quote",
        "entity_id": quote_id,
        "base_version": version,
        "created_at": now,
        "args": {"at": now, "signer_name": "李经理", "signature": signature},
    }
    result = push(server, li, [mutation]).json()["results"][0]
    assert result["status"] == "applied", result
    engine = server.engine()
    try:
        with engine.connect() as conn:
            recorded = conn.scalars(select(t.ENTITY["signatures"].c.device_id)).all()
    finally:
        engine.dispose()
    assert li.ctx.device_id in recorded  # the center records the pushing device, not the claim
    assert wang.ctx.device_id not in recorded

    wang.sync()
    office.assign(job, "wang")  # the job, its approved quote and the signature go to wang
    wang.sync()
    with wang.ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.Signature)) >= 1
    assert li.ctx.device_id not in json.dumps(list(wang.replica().values()), ensure_ascii=False)
    snapshot, log = pulled_text(server, wang), pulled_text(server, wang, log=True)
    assert "李经理" in snapshot and "李经理" in log  # the signature rows are there...
    assert li.ctx.device_id not in snapshot and li.ctx.device_id not in log  # ...no device id
    li.sync()
    assert li.ctx.device_id not in pulled_text(server, li)


def test_m7_wipe_keeps_refused_work_in_the_rescue_bundle(
    server: Server, office: Office, wang: Client
) -> None:
    job = office.new_job("wang")
    wang.sync()
    jobs.accept_job(wang.ctx, job)
    office.assign(job, "li")  # the office re-assigns first: the center refuses the change
    report = wang.sync()
    assert report.rejected == 1
    assert server.admin("revoke", "wang", "--wipe").returncode == 0
    with pytest.raises(DeviceWiped) as raised:
        wang.sync()
    with wang.ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.OutboxMutation)) == 0
    rescue = Path(str(raised.value).split("kept in ")[1].rstrip("."))
    bundle = json.loads(rescue.read_text(encoding="utf-8"))
    assert bundle["mutations"] == []
    assert [(r["name"], r["entity_id"], r["args"]["action"]) for r in bundle["refused"]] == [
        ("job.transition.v1", job, "accept")
    ]
    assert "re-assigned" in bundle["refused"][0]["reason"]

    imported = server.admin("import-outbox", str(rescue))
    assert imported.returncode == 0, imported.stderr
    shown = f"refused, kept for the office (not applied): job.transition.v1 on job {job}: The job"
    assert shown in imported.stdout
    assert '"action": "accept"' in imported.stdout
    assert json.loads(imported.stdout.splitlines()[-1])["refused_kept"] == 1
    assert [j["status"] for j in office.jobs("li") if j["id"] == job] == ["assigned"]
    engine = server.engine()
    try:
        with engine.connect() as conn:
            kept = conn.execute(
                select(t.conflicts.c.engineer, t.conflicts.c.client_value).where(
                    t.conflicts.c.kind == "rescued_refused"
                )
            ).all()
    finally:
        engine.dispose()
    assert [(e, v["args"]["action"]) for e, v in kept] == [("wang", "accept")]
    again = server.admin("import-outbox", str(rescue))  # kept once, not twice
    assert json.loads(again.stdout.splitlines()[-1])["refused_kept"] == 0


class _WipeEverything(BaseHTTPRequestHandler):
    """An on-path party: answers every request with the center's wipe instruction."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = json.dumps({"code": "auth.wipe", "message": "reported lost or stolen"}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = _answer

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def on_path() -> Iterator[str]:
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), _WipeEverything)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{proxy.server_address[1]}"
    proxy.shutdown()
    proxy.server_close()


def test_m8_wipe_answer_over_plain_http_to_another_host_is_ignored(
    server: Server,
    office: Office,
    wang: Client,
    on_path: str,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job = office.new_job("wang")
    wang.sync()
    jobs.add_note(wang.ctx, job, "不能被抹掉 must survive")
    blobs = sorted(wang.ctx.blobs)
    assert blobs  # the job's drawings were fetched
    # The tablet talks plain http:// to a center on another host; the network path (here
    # an HTTP proxy) answers "auth.wipe".
    remote = "http://center.example.com:8750"
    session.credentials().save(remote, "wang", token_of(wang))
    set_setting(wang.ctx, SERVER_URL_SETTING, remote)
    for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", on_path)
    monkeypatch.setenv("http_proxy", on_path)
    with pytest.raises((SyncError, ValueError)) as raised:
        wang.sync()
    assert not isinstance(raised.value, DeviceWiped)
    with wang.ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.Job)) > 0
        outbox = s.scalars(select(m.OutboxMutation)).all()
        assert [(o.state in ("pending", "sent"), o.args["note"]) for o in outbox] == [
            (True, "不能被抹掉 must survive")
        ]
    assert any("device-key" in account for _service, account in memory_keyring.secrets)
    assert sorted(wang.ctx.blobs) == blobs


def test_m8_wipe_answer_from_a_proxy_in_front_of_a_loopback_center_is_ignored(
    server: Server, office: Office, wang: Client, on_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = office.new_job("wang")
    wang.sync()
    jobs.add_note(wang.ctx, job, "代理 relayed")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", on_path)  # plain HTTP to 127.0.0.1, through a relay
    monkeypatch.setenv("http_proxy", on_path)
    with pytest.raises(SyncError, match="nothing was erased") as raised:
        wang.sync()
    assert not isinstance(raised.value, DeviceWiped)
    with wang.ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.Job)) > 0
        assert [o.args["note"] for o in s.scalars(select(m.OutboxMutation))] == ["代理 relayed"]
