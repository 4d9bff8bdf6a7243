"""The center takes a slip's satisfaction only as the app does: a rating the customer chose
(1 to 5) or "declined"; a slip pushed with no rating or a made-up one is refused."""

from __future__ import annotations

import pytest

from fieldkit.domain.enums import SignerRole
from fieldkit.domain.errors import InvalidValue
from fieldkit.domain.slip_payload import DECLINED
from fieldkit.services import slips
from fieldkit.services.context import ServiceContext
from tests.server.center import Center
from tests.server.hostile import two_engineers
from tests.services.fixtures import signature as capture


@pytest.mark.parametrize("rating", [None, 0, 6, "great", True])
def test_center_refuses_a_slip_without_a_chosen_rating(
    ctx: ServiceContext, center: Center, rating: object
) -> None:
    f = two_engineers(ctx, center, j2="resolved")
    forged = f.li.slip(slip_id="s-rated", job_id="j2", number="SO-j2-S1", satisfaction=rating)
    result = center.send(f.li.who, forged, "s-rated")
    assert (result.status, result.code) == ("rejected", "slip.content"), rating
    assert "rated 1 to 5" in (result.reason or "")
    assert center.rows("slips", id="s-rated") == []


def test_declined_rating_goes_through_app_and_center(ctx: ServiceContext, center: Center) -> None:
    f = two_engineers(ctx, center, j1="resolved", j2="resolved")
    declined = f.li.slip(
        slip_id="s-declined", job_id="j2", number="SO-j2-S1", satisfaction=DECLINED
    )
    assert center.send(f.li.who, declined, "s-declined").status == "applied"
    with pytest.raises(InvalidValue, match="rated 1 to 5, or the customer declines"):
        slips.sign_slip(ctx, "j1", capture(), capture(SignerRole.ENGINEER, "王工"), 0)
    slips.sign_slip(ctx, "j1", capture(), capture(SignerRole.ENGINEER, "王工"), DECLINED)
    results = center.push_outbox(f.wang, ctx)
    assert all(r.status == "applied" for r in results), [r.reason for r in results]
    [row] = center.rows("slips", job_id="j1")
    assert '"satisfaction":"declined"' in row["canonical"]
