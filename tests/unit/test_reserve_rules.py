"""The project reserve's rules of the plan year and of the public catalog (R8, R9), pure."""

from __future__ import annotations

import pytest

from services.intake import reserve
from shared.errors import Conflict, InvalidInput


def test_a_reserve_project_stays_in_its_plan_year():
    reserve.check_same_year(2026, {"project_name": "示例"})
    reserve.check_same_year(2026, {"year": 2026})
    with pytest.raises(InvalidInput) as refused:
        reserve.check_same_year(2026, {"year": 2027})
    assert list(refused.value.details) == ["year"]


def test_a_project_enters_the_public_catalog_once_and_leaves_it_while_in_it():
    out, shown = {"ref": "CB2026-0001", "published": False}, {"ref": "CB2026-0001", "published": True}
    reserve.check_can_publish(out)
    reserve.check_can_withdraw(shown)
    with pytest.raises(Conflict) as twice:
        reserve.check_can_publish(shown)
    assert twice.value.details == {"published": ["true"]}
    with pytest.raises(Conflict) as absent:
        reserve.check_can_withdraw(out)
    assert absent.value.details == {"published": ["false"]}
