"""The demo reads like a real service center's data (the first-use review's demo-data
findings): each fault on its kind of device and graded at a level that fits it, each site in
a district of its own city, drawing titles legible in Chinese."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

from fieldkit.demo import vocabulary as v
from fieldkit.demo.generator import DemoSize, build_demo
from fieldkit.store import models as m
from fieldkit.store.blobs import BlobStore

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_faults_fit_their_device_and_severity_and_sites_their_city(tmp_path: Path) -> None:
    rows, _ = build_demo(BlobStore(tmp_path / "blobs"), DemoSize(jobs=120), now=NOW)
    devices = {d["id"]: d for d in rows[m.Device]}
    faults = {f"{zh}。{en}.": (kind, levels) for zh, en, kind, levels, _ in v.FAULTS}
    seen = set()
    for job in rows[m.Job]:
        if job["job_type"] not in ("corrective_repair", "remote_resolution"):
            continue
        kind, levels = faults[job["fault_description"]]
        seen.add(job["fault_description"])
        assert job["severity"] in levels, job["fault_description"]
        device = devices.get(job["device_id"] or "")
        assert device is None or kind in device["name"], (job["fault_description"], device)
    assert len(seen) == len(faults)  # every fault is used, each on its own kind of device
    enrol = next(f for f in faults if "enrol new cards" in f)
    assert {j["severity"] for j in rows[m.Job] if j["fault_description"] == enrol} == {4}
    cities = {zh: dzh for (zh, _), (dzh, _), _street in v.CITIES}
    for site in rows[m.Site]:
        city = next(c for c in cities if site["address"].startswith(c))
        assert site["address"].startswith(city + "市" + cities[city]), site["address"]


def test_drawing_titles_are_legible_in_chinese(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    rows, _ = build_demo(blobs, DemoSize(jobs=12, devices_per_site=2), now=NOW)
    pdfs = [d for d in rows[m.Document] if d["mime"] == "application/pdf"]
    assert pdfs
    for doc in {d["blob_sha256"]: d for d in pdfs}.values():
        text = subprocess.run(
            ["pdftotext", "-l", "1", str(blobs.path(doc["blob_sha256"])), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert "■" not in text
        assert ("平面图" in text) or ("布线图" in text), text[:200]
