"""Sizes as the engineer reads them, on the checklist, the site pack and the dossier."""

from __future__ import annotations

from fieldkit.labels import size_label


def test_sizes_read_in_the_unit_that_fits() -> None:
    assert size_label(0) == "1 KB"  # never "0 KB" for a file that exists
    assert size_label(820 << 10) == "820 KB"
    assert size_label((1 << 20) - 1) == "1023 KB"
    assert size_label(int(3.4 * (1 << 20))) == "3.4 MB"
    assert size_label(int(1.25 * (1 << 30))) == "1.2 GB"
