"""QR matrices for the verification block, from ReportLab's encoder.

Two costs of the stock encoder are avoidable on a printed slip: the search over all eight
masks (any mask is a valid code) and rebuilding the Reed-Solomon generator polynomial, a
constant per error-correction length, for every code. Together they were a fifth of a
slip's render time.
"""

from __future__ import annotations

import functools
from typing import Any

from reportlab.graphics.barcode import qrencoder

# The generator polynomial depends only on its length, and QRPolynomial is never mutated
# (multiply and mod return new objects), so one instance per length can be shared.
_generator = functools.lru_cache(maxsize=None)(qrencoder.QRUtil.getErrorCorrectPolynomial)
qrencoder.QRUtil.getErrorCorrectPolynomial = staticmethod(_generator)


def qr_matrix(data: str) -> list[list[bool]]:
    """Dark modules row by row, error correction M (readable with a crease or a smudge)."""
    code: Any = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)  # None: smallest fit
    code.addData(data)
    code.version = code.calculate_version()
    code.makeImpl(False, 0)
    n = code.getModuleCount()
    return [[bool(code.isDark(row, col)) for col in range(n)] for row in range(n)]
