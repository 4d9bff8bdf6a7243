"""Signature strokes as captured, and the rule that a scribble is not a signature."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from fieldkit.domain.enums import SignerRole
from fieldkit.domain.errors import InvalidValue

Point = tuple[float, float, float, float]  # x, y (canvas px), pressure 0..1, t (ms)

MIN_POINTS = 10
MIN_EXTENT_FRACTION = 0.08  # of the canvas width: a dot or a short tick is refused
MIN_INK_FRACTION = 0.25  # total pen travel, as a fraction of the canvas width


@dataclass(frozen=True, slots=True)
class SignatureCapture:
    role: SignerRole
    signer_name: str
    canvas_width: int
    canvas_height: int
    strokes: tuple[tuple[Point, ...], ...]

    def validate(self) -> None:
        if not self.signer_name.strip():
            raise InvalidValue("Enter the signer's name")
        if self.canvas_width <= 0 or self.canvas_height <= 0:
            raise InvalidValue("Signature canvas has no size")
        points = [p for stroke in self.strokes for p in stroke]
        if len(points) < MIN_POINTS:
            raise InvalidValue("The signature is empty or too short: please sign again")
        for x, y, pressure, _t in points:
            if not all(math.isfinite(v) for v in (x, y, pressure)):
                raise InvalidValue("Signature contains invalid points")
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        extent = max(max(xs) - min(xs), max(ys) - min(ys))
        ink = sum(
            math.dist(a[:2], b[:2])
            for stroke in self.strokes
            for a, b in itertools.pairwise(stroke)
        )
        if (
            extent < MIN_EXTENT_FRACTION * self.canvas_width
            or ink < MIN_INK_FRACTION * self.canvas_width
        ):
            raise InvalidValue("The signature is too small to be recognisable: please sign again")

    def as_lists(self) -> list[list[list[float]]]:
        return [[list(p) for p in stroke] for stroke in self.strokes]
