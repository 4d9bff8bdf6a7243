"""A slip carries only the rating the customer chose: 1 to 5, or "declined"; no rating at
all is refused by the rule the app signs by and the center checks again."""

from __future__ import annotations

import pytest

from fieldkit.domain.errors import InvalidValue
from fieldkit.domain.slip_payload import DECLINED, check_satisfaction


@pytest.mark.parametrize("value", [1, 3, 5, DECLINED])
def test_chosen_ratings_pass(value: object) -> None:
    assert check_satisfaction(value) == value


@pytest.mark.parametrize("value", [None, 0, 6, True, "5", "", "not given"])
def test_anything_else_is_refused(value: object) -> None:
    with pytest.raises(InvalidValue, match="rated 1 to 5, or the customer declines"):
        check_satisfaction(value)
