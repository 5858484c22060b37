"""R13, pure: designating a unit's custodian — the first, the same again, or an explicit replacement."""

from __future__ import annotations

import pytest

from services.contracts import domain
from shared.errors import Conflict, InvalidInput

CURRENT = {"user_id": "u-old", "name": "老档案员", "cabinet": "柜 1"}


def test_a_unit_s_first_custodian_and_the_same_designation_again():
    assert domain.custodian_designation("FIN", None, CURRENT, None, None) == "first"
    assert domain.custodian_designation("FIN", CURRENT, dict(CURRENT), None, None) == "same"
    with pytest.raises(InvalidInput):  # nothing to replace
        domain.custodian_designation("FIN", None, CURRENT, "u-old", "调离")


@pytest.mark.parametrize("change", [{"user_id": "u-new"}, {"cabinet": "柜 2"}, {"name": "新名字"}])
def test_another_custodian_or_cabinet_is_never_a_silent_overwrite(change):
    with pytest.raises(Conflict) as refused:
        domain.custodian_designation("FIN", CURRENT, {**CURRENT, **change}, None, None)
    assert "u-old" in refused.value.message and refused.value.details["replaces"] == ["u-old"]
    assert domain.custodian_designation("FIN", CURRENT, {**CURRENT, **change}, "u-old", "调离") == "replacement"


def test_a_replacement_names_the_current_custodian_and_why_they_go():
    new = {**CURRENT, "user_id": "u-new"}
    with pytest.raises(Conflict):
        domain.custodian_designation("FIN", CURRENT, new, "u-else", "调离")
    for reason in (None, "  "):
        with pytest.raises(InvalidInput) as refused:
            domain.custodian_designation("FIN", CURRENT, new, "u-old", reason)
        assert "reason" in refused.value.details
