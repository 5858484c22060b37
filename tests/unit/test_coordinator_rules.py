"""The coordinator's rules of who reads which ledger rows, of importing a workbook and of replacing an attachment,
pure: no nameko, no database."""

from __future__ import annotations

import pytest

from services.coordinator import attachments, ledger, workbook
from shared.errors import Conflict, InvalidInput, NotAllowed
from shared.i18n import _, text


def test_ipb_and_the_lg_list_every_unit_s_rows_a_park_only_its_own():
    assert ledger.ledger_scope("IPB", None) is None
    assert ledger.ledger_scope("LG", "PARK:hd-industrial") == "PARK:hd-industrial"
    assert ledger.ledger_scope("PARK:hd-industrial", None) == "PARK:hd-industrial"
    assert ledger.ledger_scope("PARK:hd-industrial", "PARK:hd-industrial") == "PARK:hd-industrial"
    with pytest.raises(NotAllowed) as refused:
        ledger.ledger_scope("PARK:hd-industrial", "IPB")
    assert refused.value.details == {"unit": ["IPB"]}


def test_a_row_is_read_by_ipb_the_lg_and_its_responsible_unit_only():
    row = {"ref": "HD-2026-0001", "responsible_unit": "PARK:hd-industrial"}
    for unit in ("IPB", "LG", "PARK:hd-industrial"):
        assert ledger.check_reads_row(unit, row, "p1") is row
    with pytest.raises(NotAllowed) as refused:
        ledger.check_reads_row("TOWN:xintang", row, "p1")
    assert refused.value.details == {"project_id": "p1"}
    assert "HD-2026-0001" in text(refused.value.msg, "en")


def test_one_invalid_row_imports_nothing_unless_the_import_is_partial():
    problems = [
        workbook.RowProblem("签约项目", 3, "name", "项目名称", _("is required")),
        workbook.RowProblem("签约项目", 3, "sector", "行业", _("is required")),
        workbook.RowProblem("在谈项目", 5, "name", "项目名称", _("is required")),
    ]
    ledger.check_importable([], "all_or_nothing")
    ledger.check_importable(problems, "partial")
    with pytest.raises(InvalidInput) as refused:
        ledger.check_importable(problems, "all_or_nothing")
    assert sorted(refused.value.details) == ["在谈项目!5.name", "签约项目!3.name", "签约项目!3.sector"]
    assert text(refused.value.msg, "en").startswith("2 row(s) of the workbook are invalid")


def test_only_the_current_version_of_an_attachment_of_the_same_kind_is_replaced():
    current = {"id": 7, "kind": "site_photo", "replaced_by": None}
    assert attachments.check_replaces(None, "site_photo", None) is None
    assert attachments.check_replaces(current, "site_photo", 7) is current
    for old in ({**current, "kind": "contract_scan"}, {**current, "replaced_by": 9}):
        with pytest.raises(Conflict) as refused:
            attachments.check_replaces(old, "site_photo", 7)
        assert refused.value.details == {"replaces": ["7"]}


def test_a_copy_waiting_for_the_next_state_change_waits_only_on_the_events_that_move_the_project_from_its_state():
    from services.coordinator import domain

    assert domain.moving_events("filed_copies") == ("contracts.handed_over",)
    assert domain.moving_events("construction") == ("accounting.opened",)
    assert domain.moving_events("accounting") == ("accounting.closed",)
    assert set(domain.moving_events("negotiating")) >= {"negotiation.decided", "negotiation.escalated"}
    assert domain.moving_events("archived") == ()  # an ended project moves no more (termination is a command)
    for state in domain.STATES:
        assert set(domain.moving_events(state)) <= domain.EVENT_TRIGGERS
