"""Signature strokes to smooth, variable-width vector segments (no Qt: pure geometry).

Points are smoothed with quadratic Bézier curves through segment midpoints (the approach of
the best web signature pads); width follows pen pressure when the device reports it, else
writing speed (fast = thin, like ink).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import NamedTuple

Stroke = Sequence[Sequence[float]]  # [x, y, pressure, t_ms]


class Curve(NamedTuple):  # a tuple: a signature is hundreds of them, built per render
    start: tuple[float, float]
    control: tuple[float, float]
    end: tuple[float, float]
    width: float  # relative: 1.0 is the nominal pen width


def _width(a: Sequence[float], b: Sequence[float], use_pressure: bool) -> float:
    if use_pressure:
        return 0.35 + 1.3 * max(0.0, min(1.0, (a[2] + b[2]) / 2))
    dt = max(1.0, b[3] - a[3])
    speed = math.dist(a[:2], b[:2]) / dt  # px per ms
    return max(0.35, min(1.6, 1.6 - 0.9 * speed))


def curves(strokes: Sequence[Stroke]) -> list[Curve]:
    pressures = {round(p[2], 3) for s in strokes for p in s}
    use_pressure = len(pressures) > 1  # a mouse or finger reports one constant value
    out: list[Curve] = []
    for stroke in strokes:
        pts = [
            p for i, p in enumerate(stroke) if i == 0 or tuple(p[:2]) != tuple(stroke[i - 1][:2])
        ]
        if len(pts) == 1:
            x, y = pts[0][0], pts[0][1]
            out.append(Curve((x, y), (x, y), (x + 0.1, y), 1.0))  # a dot
            continue
        mids = [((a[0] + b[0]) / 2, (a[1] + b[1]) / 2) for a, b in itertools.pairwise(pts)]
        start = (pts[0][0], pts[0][1])
        for i in range(1, len(pts) - 1):
            out.append(
                Curve(
                    start,
                    (pts[i][0], pts[i][1]),
                    mids[i],
                    _width(pts[i - 1], pts[i + 1], use_pressure),
                )
            )
            start = mids[i]
        out.append(
            Curve(start, start, (pts[-1][0], pts[-1][1]), _width(pts[-2], pts[-1], use_pressure))
        )
    return out
