"""Locating shipped resources (fonts, translations) in a checkout, a wheel or a frozen build."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    candidates = [
        Path(frozen) / "resources" if frozen else None,
        Path(__file__).with_name("resources"),  # installed wheel (force-included)
        Path(__file__).resolve().parents[2] / "resources",  # source checkout / editable
    ]
    for candidate in candidates:
        if candidate is not None and candidate.is_dir():
            return candidate
    raise FileNotFoundError("FieldKit resources folder is missing from this installation")


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
