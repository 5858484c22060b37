"""LAND's record of a parcel after a change of status, pure: valid, or refused naming each field and its rules."""

from __future__ import annotations

import pytest

from services.landreserve import domain
from shared.errors import InvalidInput
from shared.policy import load_policy
from zhaoshang.samples import parcel_workbook

POLICY = load_policy()


def test_a_changed_parcel_is_kept_only_when_its_record_is_valid():
    parcels, problems = domain.read_workbook(parcel_workbook(), POLICY, lambda code: None)
    assert parcels and not problems
    domain.check_parcel_valid(parcels[0], POLICY)
    bad = {**parcels[0], "code": "!", "area_mu": None}
    with pytest.raises(InvalidInput) as refused:
        domain.check_parcel_valid(bad, POLICY)
    assert refused.value.details == domain.check_parcel(bad, POLICY)
    assert {"code", "area_mu"} <= set(refused.value.details)
