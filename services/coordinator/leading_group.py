"""The coordinator's part of the Leading Group's work: the roster's copy (the ledger names the leaders) and the
target assessment (R14) — score, rank and mark per unit per quarter and year (``scoring.py``), the notice as a 公文
and the assessment as Excel (``assessment_notice.py``).  ``CoordinatorService`` inherits these entrypoints."""

from __future__ import annotations

import base64

from services.coordinator import assessment_notice, ledger_store, models, scoring
from shared import gongwen, roster
from shared.actor import Actor, authorize
from shared.bus import on_event
from shared.clock import to_shanghai
from shared.db import handled_once
from shared.errors import InvalidInput
from shared.i18n import _
from shared.rpc import rpc

TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class LeadingGroupWork:
    @on_event("leadership.roster_changed")
    @handled_once
    def on_roster_changed(self, event, uow):
        roster.keep(uow.session, models.roster_copy, event)

    @rpc
    def assessment(self, actor, period):
        """Each unit's score, rank and mark for a quarter (``2026-Q2``: the year so far) or a year (``2026``)."""
        actor = Actor.load(actor)
        authorize(actor, "coordinator.read_assessment", self.policy.authority)
        return self._assess(period)

    @rpc
    def assessment_document(self, actor, period, kind="docx"):
        """The assessment notice (通报, a 公文 in Word or PDF; its 文号 issued once per period) or the assessment as an
        Excel workbook."""
        actor = Actor.load(actor)
        authorize(actor, "coordinator.read_assessment", self.policy.authority)
        if kind not in TYPES:
            raise InvalidInput.for_field("kind", _("must be one of: {choices:list}", choices=list(TYPES)))
        result = self._assess(period)
        if kind == "xlsx":
            content = assessment_notice.render_xlsx(result, self.policy)
        else:
            routing = gongwen.routing(self.policy, "assessment_notice")
            self.db.session.rollback()  # no read transaction held into the write (SQLite: a stale read cannot write)
            with self.db.unit_of_work() as uow:
                number = gongwen.allocate(
                    uow.session,
                    models.document_numbers,
                    routing.issuer,
                    f"assessment_notice:{result['period']}",
                    to_shanghai(self.clock()).date(),
                )
            document = assessment_notice.notice(result, self.policy, number, routing)
            content = (assessment_notice.render_docx if kind == "docx" else assessment_notice.render_pdf)(document)
        return {
            "filename": f"assessment-{result['period']}.{kind}",
            "content_type": TYPES[kind],
            "content_base64": base64.b64encode(content).decode(),
        }

    def _assess(self, period) -> dict:
        key = str(period)
        year = scoring.assessment_period(key).year
        session = self.db.session
        rows = list(ledger_store.all_rows(session).values())
        return scoring.assess(
            key,
            rows,
            ledger_store.targets_of(session, year),
            to_shanghai(self.clock()).date(),
            self.policy,
            self._units_order(),
        )

    def _roster(self) -> list[dict]:
        return roster.kept_entries(self.db.session, models.roster_copy)
