"""The authorization table walked whole: every operation with a permitted and a forbidden position,
the table in docs/ current, and the operations in the code the same as those in the policy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shared import vocabulary
from services.coordinator import attachments
from services.supervision import figures
from shared.actor import Actor, authorize, is_allowed
from shared.errors import NotAllowed
from shared.policy import load_policy
from zhaoshang.authorization import CONTEXT, render, rows

ROOT = Path(__file__).resolve().parents[2]
POLICY = load_policy()
ROWS = rows(POLICY)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.operation)
def test_every_operation_admits_its_positions_and_refuses_others(row):
    authorize(row.permitted, row.operation, POLICY.authority, **CONTEXT)
    if row.forbidden is not None:
        with pytest.raises(NotAllowed) as refused:
            authorize(row.forbidden, row.operation, POLICY.authority, **CONTEXT)
        assert refused.value.details == {
            "operation": row.operation,
            "position": row.forbidden.position,
            "unit": row.forbidden.unit,
        }  # the codes, as data
        said = refused.value.msg.render("zh-CN")  # the names, as a person reads them
        assert vocabulary.operation_name(row.operation, "zh-CN") in said
        assert vocabulary.position_name(row.forbidden.position, "zh-CN") in said


def test_a_bureau_never_acts_on_another_bureau_s_record():
    project = {"responsible_unit": "PARK:hengdong"}
    assert is_allowed(Actor("u", "staff", "PARK:hengdong"), "contracts.record_progress", POLICY.authority, **project)
    assert not is_allowed(Actor("u", "staff", "PARK:hexi"), "contracts.record_progress", POLICY.authority, **project)
    lead = {"owner_unit": "TOWN:xintang"}
    assert not is_allowed(Actor("u", "staff", "TOWN:shiwan"), "intake.read_lead", POLICY.authority, **lead)


def test_an_operation_missing_from_the_policy_is_refused():
    with pytest.raises(NotAllowed):
        authorize(Actor("u", "ipb_director", "IPB"), "intake.delete_everything", POLICY.authority)


def test_the_table_in_docs_is_current():
    assert (ROOT / "docs" / "AUTHORIZATION.md").read_text(encoding="utf-8") == render(POLICY), (
        "regenerate it: zhaoshang authz-table > docs/AUTHORIZATION.md"
    )


def test_the_operations_checked_in_the_code_are_exactly_those_in_the_policy():
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "services").rglob("*.py"))
    used = set(re.findall(r'(?:authorize|is_allowed|need_to_know\.\w+)\(\s*[^,]+,\s*"([a-z_]+\.[a-z_]+)"', code))
    # each kind of attachment of the project's file is its own operation (services/coordinator/attachments.py)
    used |= {attachments.operation(kind) for kind in attachments.kinds(POLICY)}
    # and each kind of an enterprise's yearly figure (services/supervision/figures.py)
    used |= {figures.operation(kind) for kind in figures.KINDS}
    assert used == set(POLICY.authority)


PROJECT_READS = (
    "coordinator.read_project",
    "review.read",
    "negotiation.read",
    "contracts.read_register",
    "accounting.read",
    "supervision.read_tracking",
    "intake.read_reserve",
    "coordinator.read_attachments",
)


@pytest.mark.parametrize("operation", PROJECT_READS)
def test_a_park_or_town_reads_only_its_own_projects_and_a_bureau_those_it_takes_part_in(operation):
    """Need-to-know (R15): every read of a project's records names {project_units}, never every park or town."""
    from shared.need_to_know import project_units, readable

    rule = POLICY.authority[operation]
    assert "{project_units}" in rule["units"] and not {"PARK:*", "TOWN:*"} & set(rule["units"]), rule
    hengdong_project = project_units("PARK:hengdong", "FIN", location=("park", "hengdong"))
    for unit, allowed in (
        ("PARK:hengdong", True),
        ("PARK:hexi", False),
        ("TOWN:xintang", False),
        ("FIN", True),
        ("EPB", False),
    ):
        actor = Actor("u", "staff", unit)
        assert readable(actor, operation, POLICY.authority, hengdong_project) is allowed, (unit, operation)
    for reader in (Actor("u", "ipb_clerk", "IPB"), Actor("u", "county_magistrate", "LG")):
        assert readable(reader, operation, POLICY.authority, frozenset()), (reader, operation)
