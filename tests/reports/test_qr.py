"""Our QR encoder against ReportLab's (same version, level M, mask 0: the matrices must be
identical module for module) for every version in both modes, and real codes scanned by zbar."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from reportlab.graphics.barcode import qrencoder

from fieldkit.reports import qr

if shutil.which("zbarimg") is None:
    raise RuntimeError("zbarimg missing: install zbar-tools (.ci/run does)")

# ReportLab picks numeric or Kanji mode when the text allows it; these alphabets never do,
# so both encoders are in alphanumeric or byte mode alike.
ALNUM_TEXT = "FIELDKIT:SLIP:3F2504E0-4F89-41D3-9A0C-0305E82C3301 $%*+./"
BYTE_TEXT = "slip ok; verify at the center. é"


def reportlab_matrix(data: str, version: int) -> list[list[bool]]:
    code = qrencoder.QRCode(version, qrencoder.QRErrorCorrectLevel.M)
    code.addData(data)
    code.makeImpl(False, 0)
    n = code.getModuleCount()
    return [[bool(code.isDark(r, c)) for c in range(n)] for r in range(n)]


def fill(version: int, alphabet: str, alphanumeric: bool) -> str:
    """The longest text of ``alphabet`` that still fits ``version``: the version's edge."""
    capacity = qr._data_codewords(version) * 8 - 4 - qr._count_bits(alphanumeric, version)
    text = ""
    while True:
        longer = text + alphabet[len(text) % len(alphabet)]
        size = (
            len(longer.encode()) * 8
            if not alphanumeric
            else 11 * (len(longer) // 2) + 6 * (len(longer) % 2)
        )
        if size > capacity:
            return text
        text = longer


@pytest.mark.parametrize("version", range(1, 41))
def test_every_version_matches_reportlab_module_for_module(version: int) -> None:
    for text, alphanumeric in ((ALNUM_TEXT, True), (BYTE_TEXT, False)):
        data = fill(version, text, alphanumeric)
        ours = qr.qr_matrix(data)
        assert len(ours) == 4 * version + 17, "the smallest version that holds the text"
        assert ours == reportlab_matrix(data, version)


def scan(matrix: list[list[bool]], path: Path) -> str:
    n, scale = len(matrix), 6
    image = Image.new("L", ((n + 8) * scale, (n + 8) * scale), 255)
    for row, line in enumerate(matrix):
        for col, dark in enumerate(line):
            if dark:
                x, y = (col + 4) * scale, (row + 4) * scale
                image.paste(0, (x, y, x + scale, y + scale))
    image.save(path)
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(path)],
        check=True,
        capture_output=True,
    ).stdout
    return out.decode("utf-8").rstrip("\n")


@pytest.mark.parametrize(
    "data",
    [
        "FIELDKIT:SLIP:3F2504E0-4F89-41D3-9A0C-0305E82C3301:" + "9F2C" * 16,  # a slip: v5
        "A",
        "服务单 SO-202611-000137 已签字，验证码 2KO3-6QT3-FXQ4",  # byte mode, UTF-8
        "X" * 400,  # version 10, with version information blocks
    ],
)
def test_codes_scan_back_to_their_text(data: str, tmp_path: Path) -> None:
    assert scan(qr.qr_matrix(data), tmp_path / "code.png") == data


def test_text_too_long_for_any_version_is_refused() -> None:
    with pytest.raises(ValueError, match="do not fit"):
        qr.qr_matrix("x" * 3000)
