"""QR matrices for the verification block (ISO/IEC 18004, error correction level M).

A small encoder of our own: ReportLab's general one did polynomial arithmetic on Python lists
and took a tenth of a slip's render time; this one uses log tables and one pass per module.
Alphanumeric mode for the slip's upper-case payload, byte mode (UTF-8) for anything else,
versions 1-40, and always mask 0: every mask yields a valid code, and the mask search only
tunes contrast patterns that matter to cheap cameras, not to a printed 32 mm code.
Tests compare every version against ReportLab's encoder and scan the printed code with zbar.
"""

from __future__ import annotations

import functools

ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_ALNUM_VALUE = {c: i for i, c in enumerate(ALPHANUMERIC)}
# Level M, by version (index 0 unused): error-correction codewords per block, and blocks.
_ECC_PER_BLOCK = (0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26,
                  26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
                  28, 28, 28)  # fmt: skip
_BLOCKS = (0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18,
           20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49)  # fmt: skip
_FORMAT_LEVEL_M = 0b00

_EXP = [0] * 512
_LOG = [0] * 256
_x = 1
for _i in range(255):
    _EXP[_i] = _x
    _LOG[_x] = _i
    _x <<= 1
    if _x & 0x100:
        _x ^= 0x11D
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]


def _mul(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else _EXP[_LOG[a] + _LOG[b]]


@functools.cache
def _generator_logs(degree: int) -> tuple[int, ...]:
    """Logs of the Reed-Solomon generator's coefficients (leading 1 left out), highest first."""
    coefs = [0] * (degree - 1) + [1]
    root = 1
    for _ in range(degree):
        for j in range(degree):
            coefs[j] = _mul(coefs[j], root)
            if j + 1 < degree:
                coefs[j] ^= coefs[j + 1]
        root = _mul(root, 2)
    return tuple(_LOG[c] for c in coefs)  # no coefficient of this generator is zero


def _ecc(data: list[int], degree: int) -> list[int]:
    logs = _generator_logs(degree)
    rem = [0] * degree
    for byte in data:
        factor = byte ^ rem[0]
        rem = [*rem[1:], 0]
        if factor:
            lf = _LOG[factor]
            rem = [r ^ _EXP[lf + g] for r, g in zip(rem, logs, strict=True)]
    return rem


def _raw_codewords(version: int) -> int:
    modules = (16 * version + 128) * version + 64
    if version >= 2:
        align = version // 7 + 2
        modules -= (25 * align - 10) * align - 55
        if version >= 7:
            modules -= 36
    return modules // 8


def _data_codewords(version: int) -> int:
    return _raw_codewords(version) - _ECC_PER_BLOCK[version] * _BLOCKS[version]


def _count_bits(alphanumeric: bool, version: int) -> int:
    if alphanumeric:
        return 9 if version <= 9 else 11 if version <= 26 else 13
    return 8 if version <= 9 else 16


def _codewords(data: str) -> tuple[int, bytes]:
    """The smallest version that holds ``data``, and its interleaved data + ECC codewords."""
    alnum = all(c in _ALNUM_VALUE for c in data)
    raw = b"" if alnum else data.encode("utf-8")
    length = len(data) if alnum else len(raw)
    payload = 11 * (length // 2) + 6 * (length % 2) if alnum else 8 * length
    for version in range(1, 41):
        used = 4 + _count_bits(alnum, version) + payload
        capacity = _data_codewords(version) * 8
        if used <= capacity:
            break
    else:
        raise ValueError(f"{len(data)} characters do not fit in a QR code")
    # The bit stream as one integer: mode, count, data, terminator, zero bits to a byte.
    value = (0b0010 if alnum else 0b0100) << _count_bits(alnum, version) | length
    if alnum:
        for i in range(0, length - 1, 2):
            value = value << 11 | _ALNUM_VALUE[data[i]] * 45 + _ALNUM_VALUE[data[i + 1]]
        if length % 2:
            value = value << 6 | _ALNUM_VALUE[data[-1]]
    else:
        value = value << (8 * length) | int.from_bytes(raw, "big")
    tail = min(4, capacity - used)
    tail += -(used + tail) % 8
    total = used + tail
    words = list((value << tail).to_bytes(total // 8, "big"))
    pad = 0xEC
    while len(words) < capacity // 8:
        words.append(pad)
        pad ^= 0xEC ^ 0x11
    blocks, ecc_len = _BLOCKS[version], _ECC_PER_BLOCK[version]
    raw_words = _raw_codewords(version)
    short = blocks - raw_words % blocks
    short_data = raw_words // blocks - ecc_len
    data_blocks: list[list[int]] = []
    at = 0
    for b in range(blocks):
        n = short_data + (0 if b < short else 1)
        data_blocks.append(words[at : at + n])
        at += n
    ecc_blocks = [_ecc(block, ecc_len) for block in data_blocks]
    out: list[int] = []
    for i in range(short_data + 1):
        out.extend(block[i] for block in data_blocks if i < len(block))
    for i in range(ecc_len):
        out.extend(block[i] for block in ecc_blocks)
    return version, bytes(out)


def _alignment_positions(version: int) -> list[int]:
    if version == 1:
        return []
    count = version // 7 + 2
    step = 26 if version == 32 else (version * 4 + count * 2 + 1) // (count * 2 - 2) * 2
    positions = [version * 4 + 10 - i * step for i in range(count - 1)]
    return [6, *reversed(positions)]


def _bch(value: int, bits: int, poly: int) -> int:
    rem = value
    for _ in range(bits):
        rem = (rem << 1) ^ ((rem >> (bits - 1)) * poly)
    return rem


@functools.cache
def _layout(version: int) -> tuple[tuple[tuple[bool, ...], ...], tuple[tuple[int, int], ...]]:
    """What is the same in every code of a version (mask 0 fixes the format bits too): the
    function patterns, and the data modules in placement order."""
    size = version * 4 + 17
    dark = [[False] * size for _ in range(size)]
    fixed = [[False] * size for _ in range(size)]

    def put(row: int, col: int, value: bool) -> None:
        dark[row][col] = value
        fixed[row][col] = True

    for i in range(size):  # timing patterns
        put(6, i, i % 2 == 0)
        put(i, 6, i % 2 == 0)
    for r0, c0 in ((0, 0), (0, size - 7), (size - 7, 0)):  # finders with their separators
        for dr in range(-1, 8):
            for dc in range(-1, 8):
                row, col = r0 + dr, c0 + dc
                if 0 <= row < size and 0 <= col < size:
                    ring = max(abs(dr - 3), abs(dc - 3))
                    put(row, col, ring != 2 and ring != 4)
    align = _alignment_positions(version)
    last = len(align) - 1
    for i, row in enumerate(align):
        for j, col in enumerate(align):
            if (i, j) in ((0, 0), (0, last), (last, 0)):
                continue  # under a finder pattern
            for dr in range(-2, 3):
                for dc in range(-2, 3):
                    put(row + dr, col + dc, max(abs(dr), abs(dc)) != 1)

    fmt = (_FORMAT_LEVEL_M << 3) | 0  # mask 0
    fmt_bits = ((fmt << 10) | _bch(fmt, 10, 0x537)) ^ 0x5412

    def fbit(i: int) -> bool:
        return bool((fmt_bits >> i) & 1)

    for i in range(6):
        put(i, 8, fbit(i))
    put(7, 8, fbit(6))
    put(8, 8, fbit(7))
    put(8, 7, fbit(8))
    for i in range(9, 15):
        put(8, 14 - i, fbit(i))
    for i in range(8):
        put(8, size - 1 - i, fbit(i))
    for i in range(8, 15):
        put(size - 15 + i, 8, fbit(i))
    put(size - 8, 8, True)  # the dark module
    if version >= 7:
        ver_bits = (version << 12) | _bch(version, 12, 0x1F25)
        for i in range(18):
            bit = bool((ver_bits >> i) & 1)
            a, b = size - 11 + i % 3, i // 3
            put(b, a, bit)
            put(a, b, bit)

    order: list[tuple[int, int]] = []
    right = size - 1
    while right >= 1:  # the zigzag of two-module columns, right to left, skipping column 6
        if right == 6:
            right = 5
        upward = ((right + 1) & 2) == 0
        for vert in range(size):
            row = size - 1 - vert if upward else vert
            order.extend((row, col) for col in (right, right - 1) if not fixed[row][col])
        right -= 2
    return tuple(tuple(r) for r in dark), tuple(order)


def qr_matrix(data: str) -> list[list[bool]]:
    """Dark modules row by row, error correction M (readable with a crease or a smudge)."""
    version, words = _codewords(data)
    template, order = _layout(version)
    dark = [list(row) for row in template]
    bits = format(int.from_bytes(words, "big"), f"0{len(words) * 8}b")
    bits += "0" * (len(order) - len(bits))  # remainder bits
    for (row, col), bit in zip(order, bits, strict=True):
        dark[row][col] = (bit == "1") != ((row + col) % 2 == 0)  # mask 0: invert (r + c) even
    return dark
