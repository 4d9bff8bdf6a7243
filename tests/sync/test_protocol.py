"""Protocol edges with a real server: slips, blobs, auth, resets, rescue, bad replies."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select, update

from fieldkit.domain.enums import SignerRole
from fieldkit.domain.slip import SlipDraft
from fieldkit.protocol import HEADER_PROTOCOL
from fieldkit.services import device_key, jobs
from fieldkit.store import models as m
from fieldkit.sync import session
from fieldkit.sync.errors import AuthRequired, BadReply, ServerRefused
from fieldkit.sync.rescue import export_outbox
from fieldkit.sync.transport import Transport
from tests.support.flow import arrive_and_diagnose, record_all_evidence
from tests.support.server import Client, Office, Server


def token_of(client: Client) -> str:
    acct = session.account(client.ctx)
    assert acct is not None
    token = session.credentials().load(acct.server_url, acct.username)
    assert token
    return token


def raw(server: Server, client: Client) -> requests.Session:
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token_of(client)}"
    return http


def push(server: Server, client: Client, mutations: list[dict]) -> requests.Response:
    return raw(server, client).post(
        server.url + "/sync/push",
        timeout=10,
        json={"device_time": datetime.now(UTC).isoformat(), "mutations": mutations},
    )


def next_seq(client: Client) -> int:
    with client.ctx.db.write() as s:
        dev = s.get(m.LocalDevice, 1)
        assert dev is not None
        dev.next_seq += 1
        return dev.next_seq - 1


def slip_content(
    text: str, roles: tuple[str, ...] = ("customer", "engineer"), number: str = "S-1"
) -> dict:
    """A ``fieldkit.slip/2`` payload as the app's domain code builds it."""
    at = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    return {
        "job": {"number": "SO-1"},
        "customer": {"name": "上海示例大厦物业"},
        "site": {"name": "主楼", "timezone": "Asia/Shanghai"},
        "engineer": {"username": "wang", "name": "王工"},
        "times": {"arrived": at, "started": None, "finished": at},
        "work_performed": text,
        "satisfaction": 5,
        "customer_absent": None,
        "signatures": [
            {"role": r, "name": "李经理", "at": at, "strokes_sha256": "0" * 64} for r in roles
        ],
        "number": number,
    }


def slip_mutation(
    client: Client,
    job_id: str,
    slip_id: str,
    text: str,
    number: str = "S-1",
    content: dict | None = None,
) -> dict:
    signed = SlipDraft(slip_id, job_id, content or slip_content(text, number=number)).sign(
        datetime.now(UTC)
    )
    sig, eng = (
        {
            "id": str(uuid.uuid4()),
            "role": role.value,
            "signer_name": name,
            "signed_at": datetime.now(UTC).isoformat(),
            "canvas_width": 600,
            "canvas_height": 200,
            "strokes": [[[1, 2, 0.5, 0]]],
        }
        for role, name in ((SignerRole.CUSTOMER, "李经理"), (SignerRole.ENGINEER, "王工"))
    )
    return {
        "mutation_id": str(uuid.uuid4()),
        "device_id": client.ctx.device_id,
        "seq": next_seq(client),
        "name": "slip.sign.v1",
        "entity_type": "slip",
        "entity_id": slip_id,
        "base_version": None,
        "created_at": datetime.now(UTC).isoformat(),
        "args": {
            "slip_id": slip_id,
            "job_id": job_id,
            "number": number,
            "canonical": signed.canonical,
            "sha256": signed.sha256,
            "signed_at": signed.signed_at.isoformat(),
            "supersedes": None,
            "customer_signature_id": sig["id"],
            "engineer_signature_id": eng["id"],
            "signatures": [sig, eng],
            "device_signature": device_key.sign_hash(client.ctx, signed.sha256)[0],
            "device_public_key": device_key.known_public_key(client.ctx),
        },
    }


def test_signed_slip_same_hash_once_other_hash_refused_tampered_refused(
    server: Server, office: Office, wang: Client, tmp_path: Path
) -> None:
    job = office.new_job("wang")
    wang.sync()
    arrive_and_diagnose(wang.ctx, job)  # a slip is signed for a resolved job only
    record_all_evidence(wang.ctx, job, tmp_path, b"config")
    jobs.confirm_backup(wang.ctx, job)
    jobs.start_repair(wang.ctx, job)
    jobs.resolve(wang.ctx, job, "更换电源")
    wang.sync()
    with wang.ctx.db.read() as s:
        row = s.get(m.Job, job)
        assert row is not None and row.status == "resolved"
        number = f"{row.number}-S1"
    slip_id = str(uuid.uuid4())
    first = push(server, wang, [slip_mutation(wang, job, slip_id, "更换电源", number)]).json()
    assert first["results"][0]["status"] == "applied"
    again = push(server, wang, [slip_mutation(wang, job, slip_id, "更换电源", number)]).json()
    assert again["results"][0]["status"] == "applied"  # acknowledged; nothing new stored
    other = push(server, wang, [slip_mutation(wang, job, slip_id, "别的内容", number)]).json()
    assert other["results"][0]["status"] == "rejected"
    assert other["results"][0]["code"] == "slip.conflict"
    forged = slip_mutation(wang, job, str(uuid.uuid4()), "伪造")
    other_key = device_key.Ed25519PrivateKey.generate()
    forged["args"]["device_signature"] = base64.b64encode(
        other_key.sign(bytes.fromhex(forged["args"]["sha256"]))
    ).decode()
    refused = push(server, wang, [forged]).json()
    assert refused["results"][0]["code"] == "slip.device_signature"  # unknown signer
    # The rule the app signs by: no slip without the engineer's signature.
    unsigned = slip_mutation(
        wang, job, str(uuid.uuid4()), "", number, slip_content("无", ("customer",), number)
    )
    refused = push(server, wang, [unsigned]).json()
    assert refused["results"][0]["code"] == "slip.content"
    assert "engineer signs" in refused["results"][0]["reason"]
    tampered = slip_mutation(wang, job, str(uuid.uuid4()), "原文")
    tampered["args"]["canonical"] = tampered["args"]["canonical"].replace("原文", "篡改")
    bad = push(server, wang, [tampered]).json()
    assert bad["results"][0]["code"] == "slip.hash"
    wang.sync()
    with wang.ctx.db.read() as s:
        assert [x.id for x in s.scalars(select(m.Slip).where(m.Slip.job_id == job))] == [slip_id]


def test_replayed_push_is_applied_once(server: Server, office: Office, wang: Client) -> None:
    job = office.new_job("wang")
    wang.sync()
    jobs.add_note(wang.ctx, job, "只记一次 once")
    with wang.ctx.db.read() as s:
        mut = s.scalars(select(m.OutboxMutation).where(m.OutboxMutation.state == "pending")).one()
        body = {
            "mutation_id": mut.mutation_id,
            "device_id": mut.device_id,
            "seq": mut.seq,
            "name": mut.name,
            "entity_type": mut.entity_type,
            "entity_id": mut.entity_id,
            "base_version": mut.base_version,
            "args": mut.args,
            "created_at": mut.created_at.isoformat(),
            "blob_refs": [],
        }
    # The response to the first push is "lost": the client sends the same batch again.
    assert push(server, wang, [body]).json()["results"][0]["status"] == "applied"
    assert push(server, wang, [body]).json()["results"][0]["status"] == "duplicate"
    report = wang.sync()
    assert report.duplicates == 1
    with wang.ctx.db.read() as s:
        notes = s.scalars(
            select(m.WorkLogEntry).where(m.WorkLogEntry.note == "只记一次 once")
        ).all()
    assert len(notes) == 1


def test_seq_gap_is_refused_until_filled(server: Server, wang: Client) -> None:
    wang.sync()
    job = sorted(r for r in jobs_of(wang))[0]
    jobs.add_note(wang.ctx, job, "one")
    with wang.ctx.db.read() as s:
        mut = s.scalars(select(m.OutboxMutation)).one()
    body = {
        "mutation_id": str(uuid.uuid4()),
        "device_id": wang.ctx.device_id,
        "seq": mut.seq + 5,
        "name": "worklog.add.v1",
        "entity_type": "job",
        "entity_id": job,
        "args": {},
        "created_at": datetime.now(UTC).isoformat(),
    }
    reply = push(server, wang, [body]).json()
    assert (reply["stopped"], reply["expected_seq"], reply["results"]) == ("gap", mut.seq, [])


def jobs_of(client: Client) -> list[str]:
    with client.ctx.db.read() as s:
        return list(s.scalars(select(m.Job.id)))


def test_blob_upload_resumes_verifies_and_downloads_by_range(
    server: Server, wang: Client, li: Client
) -> None:
    data = os.urandom(3 * 1024 * 1024 + 123)
    sha = hashlib.sha256(data).hexdigest()
    http = raw(server, wang)
    url = f"{server.url}/blobs/{sha}"
    declared = http.post(url + "/declare", json={"size": len(data)}, timeout=10)
    assert declared.status_code == 200 and declared.json()["offset"] == 0
    first = http.patch(
        url,
        data=data[:1_000_000],
        timeout=10,
        headers={"Upload-Offset": "0", "Upload-Length": str(len(data))},
    )
    assert first.json()["offset"] == 1_000_000 and not first.json()["complete"]
    status = http.get(url + "/status", timeout=10).json()
    assert (status["offset"], status["complete"]) == (1_000_000, False)
    wrong = http.patch(
        url,
        data=data[:10],
        timeout=10,
        headers={"Upload-Offset": "0", "Upload-Length": str(len(data))},
    )
    assert wrong.status_code == 409 and wrong.json()["detail"]["offset"] == 1_000_000
    done = http.patch(
        url,
        data=data[1_000_000:],
        timeout=10,
        headers={"Upload-Offset": "1000000", "Upload-Length": str(len(data))},
    )
    assert done.json()["complete"]
    part = http.get(url, headers={"Range": "bytes=100-199"}, timeout=10)
    assert part.status_code == 206 and part.content == data[100:200]
    assert http.get(url, timeout=10).content == data
    # Another engineer may not read it: nothing in their scope references it.
    assert raw(server, li).get(url, timeout=10).status_code == 404
    # Bytes that do not match their name are discarded.
    fake = hashlib.sha256(b"other").hexdigest()
    http.post(f"{server.url}/blobs/{fake}/declare", json={"size": 9}, timeout=10)
    bad = http.patch(
        f"{server.url}/blobs/{fake}",
        data=b"not other",
        timeout=10,
        headers={"Upload-Offset": "0", "Upload-Length": "9"},
    )
    assert bad.status_code == 422 and bad.json()["code"] == "blob.hash_mismatch"
    assert not http.get(f"{server.url}/blobs/{fake}/status", timeout=10).json()["complete"]


def test_engineers_cannot_reach_other_jobs_or_office_endpoints(
    server: Server, office: Office, wang: Client, li: Client
) -> None:
    li_job = office.new_job("li")
    wang.sync()
    assert li_job not in jobs_of(wang)
    body = {
        "mutation_id": str(uuid.uuid4()),
        "device_id": wang.ctx.device_id,
        "seq": next_seq(wang),
        "name": "worklog.add.v1",
        "entity_type": "job",
        "entity_id": li_job,
        "created_at": datetime.now(UTC).isoformat(),
        "args": {"id": str(uuid.uuid4()), "at": datetime.now(UTC).isoformat(), "note": "x"},
    }
    reply = push(server, wang, [body]).json()
    assert reply["results"][0]["status"] == "rejected"
    assert reply["results"][0]["code"] == "job.reassigned"
    for method, path in (
        ("GET", "/dispatch/jobs"),
        ("POST", f"/dispatch/jobs/{li_job}/assign"),
        ("GET", "/dispatch/escalations"),
    ):
        r = raw(server, wang).request(
            method, server.url + path, json={"engineer": "wang"}, timeout=10
        )
        assert r.status_code == 403 and r.json()["code"] == "auth.role"
    other_device = dict(body, device_id=str(uuid.uuid4()), mutation_id=str(uuid.uuid4()))
    assert push(server, wang, [other_device]).status_code == 403


def test_revoked_expired_and_throttled_logins(server: Server, wang: Client, tmp_path: Path) -> None:
    wang.sync()
    assert server.admin("revoke", "wang").returncode == 0
    with pytest.raises(AuthRequired, match="revoked"):
        wang.sync()
    # A fresh login works again, then expires.
    session.login(wang.ctx, server.url, "wang", "fieldkit-demo")
    wang.sync()
    engine = server.engine()
    from fieldkit.server import tables as t

    with engine.begin() as conn:
        conn.execute(update(t.tokens).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    engine.dispose()
    with pytest.raises(AuthRequired, match="expired"):
        wang.sync()
    device = str(uuid.uuid4())
    for _ in range(5):
        r = requests.post(
            server.url + "/auth/login",
            timeout=10,
            json={"username": "li", "password": "wrong", "device_id": device},
        )
        assert r.status_code == 401
    blocked = requests.post(
        server.url + "/auth/login",
        timeout=10,
        json={"username": "li", "password": "fieldkit-demo", "device_id": device},
    )
    assert blocked.status_code == 429 and blocked.json()["code"] == "auth.throttled"
    # A device registered to wang cannot be used by li.
    stolen = requests.post(
        server.url + "/auth/login",
        timeout=10,
        json={"username": "demo", "password": "fieldkit-demo", "device_id": wang.ctx.device_id},
    )
    assert stolen.status_code == 403 and stolen.json()["code"] == "auth.device"


def test_reset_required_after_pruning_resyncs_and_keeps_outbox(
    server: Server, office: Office, wang: Client
) -> None:
    wang.sync()
    gone = next(j["id"] for j in office.jobs("wang") if j["status"] == "assigned")
    office.assign(gone, "li")  # removal logged, then pruned away: only a reset can reveal it
    keep = next(j for j in sorted(jobs_of(wang)) if j != gone)
    fresh = office.new_job("wang")
    jobs.add_note(wang.ctx, keep, "离线记录 offline note")  # unsynced when the reset happens
    assert server.admin("prune-changes", "--days", "-1").returncode == 0
    with wang.ctx.db.write() as s:  # don't push first: the reset must not touch the outbox
        s.execute(update(m.OutboxMutation).values(state="pending"))
    from fieldkit.sync.engine import SyncEngine, SyncReport

    report = SyncReport()
    SyncEngine(wang.ctx, session.connect(wang.ctx))._pull(report)
    assert report.pulled > 0
    assert gone not in jobs_of(wang) and {keep, fresh} <= set(jobs_of(wang))
    with wang.ctx.db.read() as s:
        assert s.scalars(select(m.OutboxMutation.state)).all() == ["pending"]
    wang.sync()
    with wang.ctx.db.read() as s:
        assert s.scalars(select(m.OutboxMutation.state)).all() == ["acked"]


def test_rescue_bundle_imports_once(server: Server, wang: Client, tmp_path: Path) -> None:
    wang.sync()
    job = sorted(jobs_of(wang))[0]
    jobs.add_note(wang.ctx, job, "U盘带回 carried back on USB")
    bundle = tmp_path / "rescue.json"
    assert export_outbox(wang.ctx, bundle) == 1
    first = server.admin("import-outbox", str(bundle))
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout.splitlines()[-1])["results"] == {"applied": 1}
    second = server.admin("import-outbox", str(bundle))
    assert json.loads(second.stdout.splitlines()[-1])["results"] == {"duplicate": 1}
    report = wang.sync()  # the tablet comes back: its push is recognised, not duplicated
    assert report.duplicates == 1
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text("{not json")
    bad = server.admin("import-outbox", str(corrupt))
    assert bad.returncode == 2 and "cannot import" in bad.stderr


def test_unsupported_protocol_and_non_protocol_replies(server: Server, wang: Client) -> None:
    reply = requests.get(
        server.url + "/sync/pull",
        headers={HEADER_PROTOCOL: "99", "Authorization": f"Bearer {token_of(wang)}"},
        timeout=10,
    )
    assert reply.status_code == 426 and reply.json()["code"] == "protocol.unsupported"
    with Transport(server.url, token=token_of(wang), retries=0) as transport:
        with pytest.raises(ServerRefused, match=r"Not Found \[http\.404\]"):
            transport.request("GET", "/no/such/endpoint")
        from fieldkit.protocol.wire import PullResponse

        wang.sync()
        with wang.ctx.db.read() as s:
            drawing = s.scalars(select(m.Document.blob_sha256)).first()
        assert drawing
        with pytest.raises(BadReply, match="did not answer in the sync protocol"):
            transport.get_model(f"/blobs/{drawing}", PullResponse)  # a PDF, not JSON
        with pytest.raises(BadReply, match="malformed"):
            transport.get_model("/health", PullResponse)  # JSON, but not the right shape


def test_openapi_schema_is_not_published_by_default(server: Server) -> None:
    # The description is served only with FIELDKIT_SERVER_DEBUG (tests/fuzz sets it).
    for path in ("/openapi.json", "/docs", "/redoc"):
        assert requests.get(server.url + path, timeout=10).status_code == 404
