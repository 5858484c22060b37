"""The contracts service (R6, R7, R13, R15, R16) driven through its own methods with real collaborators.

Each call builds a worker with nameko's ``worker_factory`` over a real SQLite
database (outbox and audit trail included), the sample policy, the official
working-day calendar, a document store under ``tmp_path`` and a clock the test
controls.  Projects arrive the way the bus delivers them: ``intake.project_filed``,
``negotiation.unit_assigned`` and ``negotiation.decided`` (or
``negotiation.principals_decided``) envelopes handed to the service's handlers,
the decision route built by negotiation's own ``decision_route`` over the sample
policy.  What the service says goes out is read back from its outbox.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from decimal import Decimal

import chinese_calendar
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from services.contracts import document, domain, models
from services.contracts.service import ContractsService
from services.negotiation.domain import decision_route
from shared.decided_terms import compose
from shared import audit
from shared.actor import Actor
from shared.documents import DocumentStore
from shared.envelope import Envelope
from shared.errors import Conflict, InvalidInput, NotAllowed, NotFound
from shared.i18n import _, read_text, to_wire
from shared.i18n import text as rendered
from shared.policy import load_policy
from shared.workdays import WorkingDayCalendar
from tests.harness import Harness, TestClock, shanghai

POLICY = load_policy()
DRAFT_LINE = document.DEFAULT_TEMPLATE["draft_notice"]

IPB = {"user_id": "u-ipb", "position": "ipb_clerk", "unit": "IPB"}
IPB_DIRECTOR = {"user_id": "u-ipbd", "position": "ipb_director", "unit": "IPB"}
LEGAL = {"user_id": "u-legal", "position": "legal_officer", "unit": "LEGAL"}
LEGAL_DIRECTOR = {"user_id": "u-legald", "position": "legal_director", "unit": "LEGAL"}
GOV_DIRECTOR = {"user_id": "u-govd", "position": "gov_office_director", "unit": "GOV"}
FIN_HEAD = {"user_id": "u-fin", "position": "bureau_head", "unit": "FIN"}
LAND_HEAD = {"user_id": "u-land", "position": "bureau_head", "unit": "LAND"}
IND_HEAD = {"user_id": "u-ind", "position": "bureau_head", "unit": "IND"}
HENGDONG_HEAD = {"user_id": "u-hd", "position": "park_head:hengdong", "unit": "PARK:hengdong"}
HENGDONG_CLERK = {"user_id": "u-hd-clerk", "position": "park_clerk", "unit": "PARK:hengdong"}
HEXI_HEAD = {"user_id": "u-hx", "position": "park_head:hexi", "unit": "PARK:hexi"}
LEADER = {"user_id": "u-lead", "position": "county_leader_in_charge", "unit": "LG"}
DEPUTY = {"user_id": "u-dep", "position": "deputy_magistrate_investment", "unit": "GOV"}
SECRETARY = {"user_id": "u-sec", "position": "party_secretary", "unit": "LG"}
MAGISTRATE = {"user_id": "u-mag", "position": "county_magistrate", "unit": "LG"}
XINTANG = {"user_id": "u-xt", "position": "town_head", "unit": "TOWN:xintang"}

INVESTOR_SIGNATORY = {"name": "张三", "title": "董事长"}

# Each holding unit's head designates its own custodian (R13).
HEADS = {
    "GOV": GOV_DIRECTOR,
    "IPB": IPB_DIRECTOR,
    "FIN": FIN_HEAD,
    "LAND": LAND_HEAD,
    "LEGAL": LEGAL_DIRECTOR,
    "IND": IND_HEAD,
    "PARK:hengdong": HENGDONG_HEAD,
}
CUSTODIAN_USER = {unit: f"u-cust-{unit.lower().replace(':', '-')}" for unit in HEADS}
HOLDERS = ("GOV", "IPB", "FIN", "LAND", "LEGAL", "IND", "PARK:hengdong")

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def at(day: dt.date, hh=10, mm=0) -> dt.datetime:
    return shanghai(day.year, day.month, day.day, hh, mm)


class Contracts(Harness):
    """The contracts service with the sample policy, the official calendar, a document store and a clock the
    test controls; reading back what it stored and said (its events: ``events()``)."""

    def __init__(self, engine, clock: TestClock, documents: DocumentStore):
        self.calendar = WorkingDayCalendar(POLICY.holiday_years)  # its own: a test may load a year into it
        super().__init__(
            ContractsService,
            models.metadata,
            engine,
            policy=POLICY,
            clock=clock,
            calendar=self.calendar,
            documents=documents,
        )
        self.clock, self.documents = clock, documents

    @property
    def landreserve(self):
        """The land reserve's RPC, where a test names a parcel (none otherwise)."""
        return self.dependencies.get("landreserve")

    @landreserve.setter
    def landreserve(self, rpc) -> None:
        if rpc is None:
            self.dependencies.pop("landreserve", None)
        else:
            self.dependencies["landreserve"] = rpc

    def _rows(self, table, *where, order=None) -> list[dict]:
        query = select(table).where(*where)
        if order is not None:
            query = query.order_by(order)
        with Session(self.provider.engine) as s:
            return [dict(r) for r in s.execute(query).mappings()]

    def stored(self, project_id: str) -> dict:
        rows = self._rows(models.projects, models.projects.c.project_id == project_id)
        assert len(rows) == 1
        return rows[0]

    def versions(self, project_id: str) -> list[dict]:
        t = models.versions
        return self._rows(t, t.c.project_id == project_id, order=t.c.version)

    def obligations(self, project_id: str) -> list[dict]:
        t = models.obligations
        return self._rows(t, t.c.project_id == project_id, order=t.c.key)

    def obligation(self, project_id: str, key: str) -> dict:
        t = models.obligations
        (row,) = self._rows(t, t.c.project_id == project_id, t.c.key == key)
        return row

    def copies(self, project_id: str | None = None) -> list[dict]:
        t = models.copies
        where = [] if project_id is None else [t.c.project_id == project_id]
        return self._rows(t, *where, order=t.c.number)

    def custodian_rows(self) -> dict[str, dict]:
        return {r["unit"]: r for r in self._rows(models.custodians)}

    def grants(self) -> list[dict]:
        return self._rows(models.grants, order=models.grants.c.id)

    def audit_rows(self, action: str | None = None) -> list[dict]:
        t = models.audit_trail
        where = [] if action is None else [t.c.action == action]
        return self._rows(t, *where, order=t.c.seq)


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'contracts.db'}")
    models.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock():
    return TestClock(shanghai(2026, 9, 1))


@pytest.fixture
def documents(tmp_path):
    return DocumentStore(tmp_path / "documents", POLICY.documents["documents"])


@pytest.fixture
def c(engine, clock, documents):
    return Contracts(engine, clock, documents)


# -- feeding the service ------------------------------------------------------------------------------
def route_for(unit: str, land_mu: str, exceeding: list[str] | None = None) -> dict:
    return decision_route(unit, exceeding or [], False, Decimal(land_mu), POLICY).dump()


def agreed(c: Contracts, project_id: str, n: int = 1, unit: str = "PARK:hengdong", land_mu: str = "45") -> dict:
    """intake.project_filed, negotiation.unit_assigned and the agreement, as the bus would deliver them."""
    in_park = unit.startswith("PARK:")
    filed = Envelope(
        type="intake.project_filed",
        actor=Actor(**IPB),
        project_id=project_id,
        payload={
            "ref": f"ZS2026-{n:04d}",
            "project_name": f"示例项目{n}",
            "investor_name": f"示例投资有限公司{n}",
            "sector": "C3252" if in_park else "A0111",
            "planned_total_investment": "80000000",
            "planned_fixed_asset_investment": "60000000",
            "land_mu": land_mu,
            "location_kind": "park" if in_park else "town",
            "location_id": unit.split(":", 1)[1],
            "registered_unit": "IPB",
            "reason": "filed",
        },
    )
    c.on_project_filed(filed.dump())
    assigned = Envelope(
        type="negotiation.unit_assigned",
        actor=Actor(**IPB),
        project_id=project_id,
        payload={"unit": unit, "ranking": [], "proposed": unit, "reason": "x"},
    )
    c.on_unit_assigned(assigned.dump())
    return decide(c, project_id, unit=unit, land_mu=land_mu)


def decided(land_mu: str = "45", total: str = "80000000", fixed: str = "60000000", agreed=(), policy_terms=()) -> dict:
    """The terms a decision carries (negotiation's ``decided_terms``)."""
    return compose(land_mu, total, fixed, list(agreed), list(policy_terms))


def decide(
    c: Contracts,
    project_id: str,
    unit: str = "PARK:hengdong",
    land_mu: str = "45",
    outcome: str = "agreed",
    round_: int = 1,
    terms: dict | None = None,
) -> dict:
    """negotiation.decided (or principals_decided, for an escalated route) as the bus delivers it."""
    in_park = unit.startswith("PARK:")
    route = route_for(unit, land_mu)
    base = {"outcome": outcome, "route": route, "round": round_, "reasons": [], "terms": terms or decided(land_mu)}
    if route["escalated"]:  # the principals decide an escalated route
        event = Envelope(
            type="negotiation.principals_decided",
            actor=Actor(**MAGISTRATE),
            project_id=project_id,
            payload={
                **base,
                "decisions": {"party_secretary": "agree", "county_magistrate": "agree"},
                "reason": "the principals agree",
            },
        )
        c.on_principals_decided(event.dump())
    else:
        event = Envelope(
            type="negotiation.decided",
            actor=Actor(**(HENGDONG_HEAD if in_park else LEADER)),
            project_id=project_id,
            payload={**base, "decided_by": route["decides"][0], "decision": "agree", "reason": "agreed"},
        )
        c.on_decided(event.dump())
    return route


def reopen(c: Contracts, project_id: str, round_: int) -> None:
    event = Envelope(
        type="negotiation.reopened",
        actor=Actor(**IPB),
        project_id=project_id,
        payload={
            "round": round_,
            "from_stage": "agreed",
            "cause": "terms_changed",
            "changed": ["land_mu"],
            "reason": "x",
        },
    )
    c.on_reopened(event.dump())


def terms(**over) -> dict:
    base = {
        "total_investment": "80000000",
        "fixed_asset_investment": "60000000",
        "land_mu": "45",
        "construction_start": "2027-03-01",
        "completion": "2028-03-01",
        "production": "2028-06-01",
        "obligations": [
            {"id": "land-fee", "text": "缴清土地出让金", "due": "2027-01-15", "party": "investor"},
            {"id": "handover", "text": "交付净地", "due": "2027-02-01", "party": "county"},
        ],
    }
    base.update(over)
    return base


def approved(
    c: Contracts, project_id: str, n: int = 1, unit: str = "PARK:hengdong", land_mu: str = "45", **over
) -> None:
    agreed(c, project_id, n, unit=unit, land_mu=land_mu)
    c.draft(IPB, project_id, terms(land_mu=land_mu, **over))
    c.submit(IPB, project_id, {"version": 1})
    c.legal_review(LEGAL, project_id, {"version": 1, "decision": "approve"})


def signed(c: Contracts, project_id: str, n: int = 1, **over) -> dict:
    approved(c, project_id, n, **over)
    return c.sign(HENGDONG_HEAD, project_id, {"version": 1, "investor_signatory": INVESTOR_SIGNATORY})


def designate_all(c: Contracts) -> None:
    for unit, head in HEADS.items():
        c.designate_custodian(
            head, unit, {"user_id": CUSTODIAN_USER[unit], "name": f"{unit} 档案员", "cabinet": f"{unit} 机要柜 1"}
        )


def replace_fin_custodian(c: Contracts) -> None:
    """FIN's head names a new custodian in place of the one ``designate_all`` named (u-new-fin, 新档案员)."""
    c.designate_custodian(
        FIN_HEAD,
        "FIN",
        {
            "user_id": "u-new-fin",
            "name": "新档案员",
            "cabinet": "FIN 机要柜 2",
            "replaces": CUSTODIAN_USER["FIN"],
            "reason": "原档案员调离",
        },
    )


def register(units: list[str], numbers: list[int] | None = None) -> dict:
    numbers = numbers or list(range(1, len(units) + 1))
    return {"copies": [{"number": n, "unit": u} for n, u in zip(numbers, units)]}


VALID_EIGHT = ["GOV", "IPB", "FIN", "LAND", "LEGAL", "IND", "PARK:hengdong", "IPB"]


def filed(c: Contracts, project_id: str, n: int = 1) -> None:
    signed(c, project_id, n)
    designate_all(c)
    c.register_copies(IPB, project_id, register(VALID_EIGHT))


def read_version(c: Contracts, project_id: str, number: int) -> dict:
    row = next(v for v in c.versions(project_id) if v["version"] == number)
    return document.read_contract(row["document"])


def text_of(doc: dict) -> str:
    return "\n".join(doc["paragraphs"] + [cell for table in doc["tables"] for row in table for cell in row])


# == 1. versions, LEGAL's approval, the approved latest version (R6) ===================================
def test_legal_approves_the_very_text_it_was_sent(c):
    agreed(c, "p1")
    c.draft(IPB, "p1", terms())
    c.submit(IPB, "p1", {"version": 1})
    sent = read_version(c, "p1", 1)
    c.legal_review(LEGAL, "p1", {"version": 1, "decision": "approve"})
    approved = read_version(c, "p1", 1)
    assert approved["paragraphs"] == [p for p in sent["paragraphs"] if p != DRAFT_LINE]
    assert approved["tables"] == sent["tables"] and DRAFT_LINE in sent["paragraphs"]


def test_a_version_whose_document_is_no_draft_is_refused_and_nothing_changes(c):
    agreed(c, "p1")
    c.draft(IPB, "p1", terms())
    c.submit(IPB, "p1", {"version": 1})
    stored = next(v for v in c.versions("p1") if v["version"] == 1)
    not_a_draft = document.approve(stored["document"])
    with Session(c.provider.engine) as s, s.begin():
        s.execute(models.versions.update().where(models.versions.c.project_id == "p1").values(document=not_a_draft))
    with pytest.raises(Conflict) as refused:
        c.legal_review(LEGAL, "p1", {"version": 1, "decision": "approve"})
    assert refused.value.msg.render() == ("第1稿文档中没有草稿标注，不是报送法制办审核的草稿：请县招商局重新起草合同")
    assert refused.value.details == {"version": ["1"]}
    assert c.versions("p1")[0]["status"] == "submitted" and c.events("contracts.approved") == []


def test_drafts_are_numbered_legal_approves_and_only_the_approved_latest_version_is_signed(c):
    agreed(c, "p1")
    assert c.stored("p1")["state"] == "agreed"

    with pytest.raises(NotAllowed):  # only IPB drafts
        c.draft(FIN_HEAD, "p1", terms())
    with pytest.raises(NotAllowed):
        c.draft(HENGDONG_HEAD, "p1", terms())
    assert c.versions("p1") == [] and c.events("contracts.drafted") == [] and c.stored("p1")["state"] == "agreed"

    got = c.draft(IPB, "p1", terms())
    assert got["state"] == "drafting" and [v["version"] for v in got["versions"]] == [1]
    (v1,) = c.versions("p1")
    assert (v1["version"], v1["status"], v1["drafted_by"]["unit"]) == (1, "draft", "IPB")
    assert v1["terms"]["intensity_wan_per_mu"] == "133.33"  # 6,000 万元 ÷ 45 亩, half-up
    assert v1["terms"]["signatory_position"] == "park_head:hengdong"

    c.submit(IPB, "p1", {"version": 1})
    assert c.stored("p1")["state"] == "legal_review"
    with pytest.raises(InvalidInput) as refused:  # a return needs LEGAL's comments
        c.legal_review(LEGAL, "p1", {"version": 1, "decision": "return"})
    assert "comments" in refused.value.details
    with pytest.raises(InvalidInput) as refused:
        c.legal_review(LEGAL, "p1", {"version": 1, "decision": "return", "comments": []})
    assert "comments" in refused.value.details
    assert c.versions("p1")[0]["status"] == "submitted" and c.events("contracts.returned") == []

    got = c.legal_review(LEGAL, "p1", {"version": 1, "decision": "return", "comments": ["违约责任条款不明确"]})
    assert got["state"] == "drafting"
    v1 = c.versions("p1")[0]
    assert v1["status"] == "returned" and v1["legal_comments"] == ["违约责任条款不明确"]
    assert v1["reviewed_by"]["unit"] == "LEGAL"
    (returned,) = c.events("contracts.returned")
    assert returned["payload"]["version"] == 1 and returned["payload"]["comments"] == ["违约责任条款不明确"]
    assert returned["payload"]["state_change"] is True

    c.draft(IPB, "p1", terms(other_terms=["乙方承诺按期投产"]))
    drafted = c.events("contracts.drafted", "p1")
    assert [(e["payload"]["version"], e["payload"]["state_change"]) for e in drafted] == [(1, True), (2, False)]
    assert [(v["version"], v["status"]) for v in c.versions("p1")] == [(1, "returned"), (2, "draft")]

    with pytest.raises(Conflict) as refused:  # only the latest draft goes to LEGAL
        c.submit(IPB, "p1", {"version": 1})
    assert "not the latest" in refused.value.message
    with pytest.raises(NotAllowed):
        c.submit(LEGAL, "p1", {"version": 2})
    assert c.events("contracts.submitted") and len(c.events("contracts.submitted")) == 1

    c.submit(IPB, "p1", {"version": 2})
    submitted = c.events("contracts.submitted")
    assert [(e["payload"]["version"], e["payload"]["state_change"]) for e in submitted] == [(1, True), (2, True)]
    with pytest.raises(Conflict) as refused:  # submitted, not approved
        c.sign(HENGDONG_HEAD, "p1", {"version": 2, "investor_signatory": INVESTOR_SIGNATORY})
    assert "只有法制办审核通过的文本才能签约" in refused.value.msg.render()

    # the reviewer is LEGAL, by unit
    for outsider in (
        IPB,
        IPB_DIRECTOR,
        FIN_HEAD,
        HENGDONG_HEAD,
        MAGISTRATE,
        {"user_id": "u-x", "position": "legal_officer", "unit": "IPB"},
    ):
        with pytest.raises(NotAllowed):
            c.legal_review(outsider, "p1", {"version": 2, "decision": "approve"})
    assert c.versions("p1")[1]["status"] == "submitted" and c.events("contracts.approved") == []

    # the stored v2 is a draft: the DRAFT line, the terms, the intensity, the obligations
    draft = read_version(c, "p1", 2)
    assert DRAFT_LINE in draft["paragraphs"]
    assert "示例项目1" in draft["title"]
    body = text_of(draft)
    assert "示例投资有限公司1" in body and "衡东工业园" in body
    assert "133.33 万元/亩" in body
    assert "6,000.00 万元" in body and "8,000.00 万元" in body and "45.00 亩" in body
    assert "乙方承诺按期投产" in body
    (table,) = draft["tables"]
    assert table[1:] == [["1", "缴清土地出让金", "2027年1月15日", "乙方"], ["2", "交付净地", "2027年2月1日", "甲方"]]

    got = c.legal_review(LEGAL, "p1", {"version": 2, "decision": "approve"})
    assert got["state"] == "legal_review"
    assert [(v["version"], v["status"]) for v in c.versions("p1")] == [(1, "returned"), (2, "approved")]
    (approval,) = c.events("contracts.approved")
    assert approval["payload"]["version"] == 2 and approval["payload"]["state_change"] is False
    final = read_version(c, "p1", 2)
    assert DRAFT_LINE not in final["paragraphs"] and all("DRAFT" not in p for p in final["paragraphs"])
    assert "133.33 万元/亩" in text_of(final) and final["tables"] == draft["tables"]

    # a new draft after the approval: v2 is no longer the latest, v3 is not approved
    c.draft(IPB, "p1", terms(other_terms=["乙方承诺按期投产", "甲方协助办理规划许可"]))
    assert [(e["payload"]["version"], e["payload"]["state_change"]) for e in c.events("contracts.drafted")] == [
        (1, True),
        (2, False),
        (3, False),
    ]
    with pytest.raises(Conflict) as refused:
        c.sign(HENGDONG_HEAD, "p1", {"version": 2, "investor_signatory": INVESTOR_SIGNATORY})
    assert "须先经法制办审核" in refused.value.msg.render()
    with pytest.raises(Conflict) as refused:
        c.sign(HENGDONG_HEAD, "p1", {"version": 3, "investor_signatory": INVESTOR_SIGNATORY})
    assert "只有法制办审核通过的文本才能签约" in refused.value.msg.render()
    row = c.stored("p1")
    assert row["state"] == "legal_review" and row["signed_version"] is None
    assert c.obligations("p1") == [] and c.events("contracts.signed") == []

    c.submit(IPB, "p1", {"version": 3})
    c.legal_review(LEGAL, "p1", {"version": 3, "decision": "approve"})
    got = c.sign(HENGDONG_HEAD, "p1", {"version": 3, "investor_signatory": INVESTOR_SIGNATORY})
    assert got["state"] == "signed" and got["signed_version"] == 3
    (event,) = c.events("contracts.signed")
    assert event["payload"]["version"] == 3 and event["payload"]["terms"]["land_mu"] == "45"
    assert event["payload"]["terms"]["intensity_wan_per_mu"] == "133.33"  # 6,000 万元 ÷ 45 亩
    assert [(v["version"], v["status"]) for v in c.versions("p1")] == [
        (1, "returned"),
        (2, "approved"),
        (3, "approved"),
    ]


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"construction_start": "2027-03-01", "completion": "2027-02-28"}, "completion"),
        ({"completion": "2028-03-01", "production": "2028-02-01"}, "production"),
        ({"total_investment": "50000000", "fixed_asset_investment": "50000000.01"}, "fixed_asset_investment"),
        ({"land_mu": "0"}, "land_mu"),
        (
            {
                "obligations": [
                    {"id": "a", "text": "x", "due": "2027-01-01"},
                    {"id": "a", "text": "y", "due": "2027-02-01"},
                ]
            },
            "obligations",
        ),
    ],
)
def test_inconsistent_terms_are_refused_naming_the_field_and_nothing_is_drafted(c, bad, field):
    agreed(c, "p1")
    with pytest.raises(InvalidInput) as refused:
        c.draft(IPB, "p1", terms(**bad))
    assert field in refused.value.details
    assert c.versions("p1") == [] and c.events("contracts.drafted") == []
    assert c.stored("p1")["state"] == "agreed"


def test_no_draft_before_an_agreement(c):
    agreed(c, "p1")
    filed_only = Envelope(
        type="intake.project_filed",
        actor=Actor(**IPB),
        project_id="p2",
        payload={
            "ref": "ZS2026-0002",
            "project_name": "示例项目2",
            "investor_name": "示例投资有限公司2",
            "sector": "C3252",
            "planned_total_investment": "80000000",
            "planned_fixed_asset_investment": "60000000",
            "land_mu": "45",
            "location_kind": "park",
            "location_id": "hengdong",
            "registered_unit": "IPB",
            "reason": "filed",
        },
    )
    c.on_project_filed(filed_only.dump())
    with pytest.raises(Conflict):
        c.draft(IPB, "p2", terms())
    assert c.versions("p2") == [] and c.stored("p2")["state"] == "pending"


# == 2. the routed signatory (R5/R6) ===================================================================
def assert_unsigned(c: Contracts, project_id: str, row_version: int) -> None:
    row = c.stored(project_id)
    assert row["state"] == "legal_review" and row["signed_version"] is None and row["signed_by"] is None
    assert row["version"] == row_version
    assert c.obligations(project_id) == [] and c.events("contracts.signed") == []
    assert c.audit_rows("contracts.sign") == []


def test_within_authority_in_a_park_only_the_park_head_signs(c, clock):
    approved(
        c,
        "p1",
        obligations=[
            {"id": "land-fee", "text": "缴清土地出让金", "due": "2027-01-15", "party": "investor"},
            {"id": "start", "text": "开工建设", "due": "2027-03-01", "party": "investor"},
        ],
    )
    assert c.stored("p1")["route"]["signs"] == "park_head:hengdong"
    before = c.stored("p1")["version"]
    for wrong in (MAGISTRATE, SECRETARY, DEPUTY, HEXI_HEAD, IPB_DIRECTOR, LEADER):
        with pytest.raises(NotAllowed) as refused:
            c.sign(wrong, "p1", {"version": 1, "investor_signatory": INVESTOR_SIGNATORY})
        assert (
            "决策路径确定的签约人为衡东工业园管委会主任" in refused.value.msg.render()
        )  # the route's signatory by name
    assert_unsigned(c, "p1", before)

    clock.now = shanghai(2026, 9, 3, 15, 30)
    got = c.sign(HENGDONG_HEAD, "p1", {"version": 1, "investor_signatory": INVESTOR_SIGNATORY})
    assert got["state"] == "signed" and got["signatory"] == "park_head:hengdong"
    row = c.stored("p1")
    assert row["state"] == "signed" and row["signed_version"] == 1
    assert row["signed_by"]["position"] == "park_head:hengdong" and row["investor_signatory"] == INVESTOR_SIGNATORY
    assert row["signed_at"] == clock.now
    obligations = sorted(c.obligations("p1"), key=lambda o: (o["due"], o["key"]))
    assert [(o["key"], o["due"], o["party"], o["status"]) for o in obligations] == [  # R6: the dates are obligations
        ("land-fee", dt.date(2027, 1, 15), "investor", "open"),
        ("START", dt.date(2027, 3, 1), "investor", "open"),
        ("start", dt.date(2027, 3, 1), "investor", "open"),
        ("COMPLETION", dt.date(2028, 3, 1), "investor", "open"),
        ("PRODUCTION", dt.date(2028, 6, 1), "investor", "open"),
    ]

    (event,) = c.events("contracts.signed")
    payload = event["payload"]
    assert payload["signed_by"] == "park_head:hengdong" and payload["version"] == 1
    assert payload["investor_signatory"] == INVESTOR_SIGNATORY
    assert payload["terms"] == {
        "total_investment": "80000000",
        "fixed_asset_investment": "60000000",
        "land_mu": "45",
        "intensity_wan_per_mu": "133.33",
        "construction_start": "2027-03-01",
        "completion": "2028-03-01",
        "production": "2028-06-01",
    }
    assert [(o["key"], o["due"], o["status"]) for o in payload["obligations"]] == [
        ("land-fee", "2027-01-15", "open"),
        ("START", "2027-03-01", "open"),
        ("start", "2027-03-01", "open"),
        ("COMPLETION", "2028-03-01", "open"),
        ("PRODUCTION", "2028-06-01", "open"),
    ]
    (sign_audit,) = c.audit_rows("contracts.sign")
    assert (sign_audit["position"], sign_audit["outcome"], sign_audit["record_id"]) == (
        "park_head:hengdong",
        "done",
        "p1",
    )

    with pytest.raises(Conflict):  # signed once
        c.sign(HENGDONG_HEAD, "p1", {"version": 1, "investor_signatory": INVESTOR_SIGNATORY})
    assert len(c.events("contracts.signed")) == 1 and len(c.obligations("p1")) == 5


def test_an_escalated_park_route_is_signed_by_the_county_magistrate_only(c):
    approved(c, "p1", land_mu="75")
    route = c.stored("p1")["route"]
    assert route["escalated"] is True and route["signs"] == "county_magistrate"
    before = c.stored("p1")["version"]
    for wrong in (HENGDONG_HEAD, SECRETARY, DEPUTY, LEADER, IPB_DIRECTOR):
        with pytest.raises(NotAllowed):
            c.sign(wrong, "p1", {"version": 1, "investor_signatory": INVESTOR_SIGNATORY})
    assert_unsigned(c, "p1", before)

    got = c.sign(MAGISTRATE, "p1", {"version": 1, "investor_signatory": INVESTOR_SIGNATORY})
    assert got["state"] == "signed"
    (event,) = c.events("contracts.signed")
    assert event["payload"]["signed_by"] == "county_magistrate" and event["payload"]["terms"]["land_mu"] == "75"
    assert len(c.obligations("p1")) == 5  # the three dates and the draft's two


def test_outside_parks_within_authority_the_deputy_magistrate_signs(c):
    approved(c, "p1", unit="TOWN:xintang", land_mu="45")
    assert c.stored("p1")["route"]["signs"] == "deputy_magistrate_investment"
    before = c.stored("p1")["version"]
    for wrong in (LEADER, MAGISTRATE, SECRETARY, HENGDONG_HEAD, XINTANG, IPB_DIRECTOR):
        with pytest.raises(NotAllowed):
            c.sign(wrong, "p1", {"version": 1, "investor_signatory": INVESTOR_SIGNATORY})
    assert_unsigned(c, "p1", before)

    got = c.sign(DEPUTY, "p1", {"version": 1, "investor_signatory": INVESTOR_SIGNATORY})
    assert got["state"] == "signed" and got["responsible_unit"] == "TOWN:xintang"
    (event,) = c.events("contracts.signed")
    assert event["payload"]["signed_by"] == "deputy_magistrate_investment"
    assert {o["key"] for o in event["payload"]["obligations"]} == {
        "land-fee",
        "handover",
        "START",
        "COMPLETION",
        "PRODUCTION",
    }


# == 3. the copy register (R13) ==========================================================================
def test_custodians_are_designated_by_their_own_units_head(c):
    with pytest.raises(NotAllowed):  # a head, but of another unit
        c.designate_custodian(FIN_HEAD, "LAND", {"user_id": "u-z", "name": "某人", "cabinet": "柜 9"})
    with pytest.raises(NotAllowed):
        c.designate_custodian(HENGDONG_HEAD, "PARK:hexi", {"user_id": "u-z", "name": "某人", "cabinet": "柜 9"})
    with pytest.raises(NotAllowed):  # not a unit head
        c.designate_custodian(IPB, "IPB", {"user_id": "u-z", "name": "某人", "cabinet": "柜 9"})
    with pytest.raises(NotAllowed):
        c.designate_custodian(LEGAL, "LEGAL", {"user_id": "u-z", "name": "某人", "cabinet": "柜 9"})
    assert c.custodian_rows() == {} and c.audit_rows() == []

    designate_all(c)
    rows = c.custodian_rows()
    assert set(rows) == set(HOLDERS)
    for unit in HOLDERS:
        assert rows[unit]["user_id"] == CUSTODIAN_USER[unit] and rows[unit]["cabinet"] == f"{unit} 机要柜 1"
        assert rows[unit]["designated_by"]["unit"] == unit
    audited = c.audit_rows("contracts.designate_custodian")
    assert [(a["record_type"], a["record_id"], a["user_id"]) for a in audited] == [
        ("unit", unit, HEADS[unit]["user_id"]) for unit in HEADS
    ]
    # a park's or a town's staff see who keeps each unit's copies (to designate their own); nobody outside may
    listed = c.custodians(HENGDONG_CLERK)
    assert {r["unit"]: r["cabinet"] for r in listed}["PARK:hengdong"] == "PARK:hengdong 机要柜 1"
    assert {r["unit"] for r in c.custodians(XINTANG)} == set(HOLDERS)
    with pytest.raises(NotAllowed):
        c.custodians({"user_id": "u-x", "position": "reviewer", "unit": "EPB"})


@pytest.mark.parametrize(
    "units, numbers, problem",
    [
        (["GOV", "IPB", "FIN", "LAND", "LEGAL", "IND", "PARK:hengdong"], None, "7 copies registered; at least 8"),
        (
            ["GOV", "IPB", "IPB", "LAND", "LEGAL", "IND", "PARK:hengdong", "GOV"],
            None,
            "County Finance Bureau holds no copy",
        ),
        (
            ["GOV", "IPB", "LAND", "LEGAL", "IND", "PARK:hengdong", "AUDIT", "IPB"],
            None,
            "County Finance Bureau holds no copy",
        ),
        (
            ["GOV", "IPB", "FIN", "LAND", "LEGAL", "IND", "PARK:hengdong", "AUDIT"],
            None,
            "County Audit Bureau has no designated custodian",
        ),
        (VALID_EIGHT, [1, 2, 3, 4, 5, 6, 7, 9], "numbered 1 to 8"),
        (VALID_EIGHT, [1, 1, 2, 3, 4, 5, 6, 7], "numbered 1 to 8"),
        (VALID_EIGHT, [0, 1, 2, 3, 4, 5, 6, 7], "number"),
    ],
)
def test_an_incomplete_register_is_refused_whole(c, units, numbers, problem):
    signed(c, "p1")
    designate_all(c)
    with pytest.raises(InvalidInput) as refused:
        c.register_copies(IPB, "p1", register(units, numbers))
    listed = refused.value.details
    assert (
        problem in refused.value.message
        or any(problem in str(p) for p in listed.get("copies", []))
        or problem in json.dumps(to_wire(listed), ensure_ascii=False)
    )
    assert c.copies() == [] and c.events("contracts.file_completed") == []
    assert c.stored("p1")["state"] == "signed"
    assert c.audit_rows("contracts.register_copies") == []


def test_every_missing_holder_is_listed(c):
    signed(c, "p1")
    designate_all(c)
    with pytest.raises(InvalidInput) as refused:
        c.register_copies(IPB, "p1", register(["IPB"] * 8))
    problems = [p.render() for p in refused.value.details["copies"]]  # each unit by its name
    for unit in ("县政府办", "县财政局", "县国土资源局", "县法制办", "县工信局", "衡东工业园"):
        assert f"{unit}未持有正本" in problems
    assert "县招商局未持有正本" not in problems
    assert c.copies() == [] and c.events("contracts.file_completed") == []


def test_a_unit_without_a_custodian_cannot_hold_a_copy(c):
    signed(c, "p1")
    for unit, head in HEADS.items():
        if unit != "LEGAL":
            c.designate_custodian(head, unit, {"user_id": CUSTODIAN_USER[unit], "name": "x", "cabinet": "柜"})
    with pytest.raises(InvalidInput) as refused:
        c.register_copies(IPB, "p1", register(VALID_EIGHT))
    assert "County Legal Affairs Office has no designated custodian and cabinet" in refused.value.details["copies"]
    assert c.copies() == [] and c.events("contracts.file_completed") == [] and c.stored("p1")["state"] == "signed"


def test_the_complete_register_files_the_contract_and_it_is_handed_over(c, clock):
    signed(c, "p1")
    designate_all(c)
    with pytest.raises(NotAllowed):  # IPB files the copies
        c.register_copies(FIN_HEAD, "p1", register(VALID_EIGHT))
    assert c.copies() == []

    clock.now = shanghai(2026, 9, 4)
    got = c.register_copies(IPB, "p1", register(VALID_EIGHT))
    assert got["state"] == "filed_copies"
    assert [(k["number"], k["unit"]) for k in got["copies"]] == list(enumerate(VALID_EIGHT, start=1))
    rows = c.copies("p1")
    assert [(r["number"], r["unit"], r["custodian_user_id"], r["cabinet"]) for r in rows] == [
        (n, u, CUSTODIAN_USER[u], f"{u} 机要柜 1") for n, u in enumerate(VALID_EIGHT, start=1)
    ]
    assert all(r["registered_by"]["unit"] == "IPB" and r["registered_at"] == clock.now for r in rows)
    assert c.stored("p1")["state"] == "filed_copies"
    # the record names each copy's custodian, who kept it when it was registered (after a replacement too)
    replace_fin_custodian(c)
    record = c.get_contract(IPB, "p1")["copies"]
    assert [(k["unit"], k["custodian_name"], k["cabinet"]) for k in record] == [
        (u, f"{u} 档案员", f"{u} 机要柜 1") for u in VALID_EIGHT
    ]
    (event,) = c.events("contracts.file_completed")
    assert event["payload"]["copies"] == [{"number": n, "unit": u} for n, u in enumerate(VALID_EIGHT, start=1)]
    (audited,) = c.audit_rows("contracts.register_copies")
    assert audited["outcome"] == "done" and read_text(audited["reason"]).render() == "正本8份"

    with pytest.raises(Conflict):  # filed once
        c.register_copies(IPB, "p1", register(VALID_EIGHT))
    assert len(c.copies("p1")) == 8 and len(c.events("contracts.file_completed")) == 1

    with pytest.raises(NotAllowed):
        c.hand_over(HENGDONG_HEAD, "p1")
    assert c.stored("p1")["state"] == "filed_copies" and c.events("contracts.handed_over") == []
    got = c.hand_over(IPB, "p1")
    assert got["state"] == "construction"
    row = c.stored("p1")
    assert row["state"] == "construction" and row["handed_over_at"] == clock.now
    (handed,) = c.events("contracts.handed_over")
    assert handed["payload"]["responsible_unit"] == "PARK:hengdong"


def test_the_contract_goes_to_the_archives_once_when_the_project_is_closed(c, clock):
    signed(c, "p1")
    designate_all(c)
    c.register_copies(IPB, "p1", register(VALID_EIGHT))
    c.hand_over(IPB, "p1")
    with pytest.raises(Conflict):  # the project is not closed yet
        c.hand_to_archives(IPB, "p1", {"note": "移交县档案局"})
    closed = Envelope(
        type="coordinator.project_state_changed",
        actor=Actor(**IPB),
        project_id="p1",
        payload={
            "ref": "ZS2026-0001",
            "from_state": "accounting",
            "to_state": "closed",
            "trigger": "accounting.closed",
            "seq": 40,
            "reason": "accounting closed",
        },
    )
    c.on_project_state_changed(closed.dump())
    got = c.hand_to_archives(IPB, "p1", {"note": "移交县档案局"})
    assert got["state"] == "archived" and got["archived"]["to"] == "ARCH"
    assert c.events("contracts.archived")[0]["payload"]["state_change"] is True  # closed -> archived
    # the coordinator has not yet heard (its copy of the lifecycle still says closed): a retried call after a
    # lost reply must not hand the contract over a second time
    with pytest.raises(Conflict) as again:
        c.hand_to_archives(IPB, "p1", {"note": "移交县档案局"})
    assert again.value.msg.render() == "合同已于2026年9月1日 10:00移交县档案局"
    assert len(c.events("contracts.archived")) == 1


def terminated(c: Contracts, project_id: str, seq: int = 30) -> None:
    c.on_project_state_changed(
        Envelope(
            type="coordinator.project_state_changed",
            actor=Actor(**IPB_DIRECTOR),
            project_id=project_id,
            payload={
                "ref": "ZS2026-0001",
                "from_state": "construction",
                "to_state": "terminated",
                "trigger": "command:terminate",
                "seq": seq,
                "reason": "投资方撤资，项目无法推进",
            },
        ).dump()
    )


def test_a_terminated_projects_obligations_end_no_lapse_and_no_red_flag(c, clock):
    signed(
        c,
        "p1",
        obligations=[
            {"id": "ob-a", "text": "完成设备安装", "due": "2026-09-30", "party": "investor"},
            {"id": "ob-b", "text": "完成环评验收", "due": "2026-11-30", "party": "investor"},
        ],
    )
    clock.now = at(dt.date(2026, 10, 2))
    assert c.check_obligations() == 1  # ob-a lapsed: its special report is awaited (due 2026-10-12)
    terminated(c, "p1")
    obligations = c.obligations("p1")
    assert {"ob-a", "ob-b"} <= {o["key"] for o in obligations} and {o["status"] for o in obligations} == {"ended"}
    clock.now = at(dt.date(2027, 6, 1))  # every date passed: nothing lapses, no report is late
    assert c.check_obligations() == 0
    assert len(c.events("contracts.obligation_lapsed")) == 1 and c.events("contracts.special_report_late") == []
    assert c.get_contract(IPB, "p1")["red_flag"] is False


def test_a_terminated_signed_projects_contract_goes_to_the_archives_and_the_project_stays_terminated(c):
    filed(c, "p1")
    terminated(c, "p1")
    got = c.hand_to_archives(IPB, "p1", {"note": "项目终止，合同移交县档案局"})
    assert got["state"] == "archived" and got["archived"]["to"] == "ARCH"
    (archived,) = c.events("contracts.archived")
    assert archived["payload"]["state_change"] is False  # the coordinator keeps the project terminated
    agreed(c, "p2", 2)
    terminated(c, "p2")
    with pytest.raises(Conflict, match="terminated before its contract was signed"):
        c.hand_to_archives(IPB, "p2", {"note": "x"})


def test_no_copies_before_signing(c):
    approved(c, "p1")
    designate_all(c)
    with pytest.raises(Conflict):
        c.register_copies(IPB, "p1", register(VALID_EIGHT))
    assert c.copies() == [] and c.stored("p1")["state"] == "legal_review"


# == 4. confidential access and the audit trail (R13, R15) ================================================
def custodian_actor(unit: str) -> dict:
    return {"user_id": CUSTODIAN_USER[unit], "position": f"custodian:{unit}", "unit": unit}


def test_custodians_and_grantees_read_the_contract_and_every_read_is_audited(c, clock):
    T = shanghai(2026, 9, 10, 9, 0)
    filed(c, "p1")
    clock.now = T

    got = c.read_contract(custodian_actor("FIN"), "p1", {"reason": "核对财政承诺"})
    assert got["basis"].render() == "县财政局合同保管人" and got["version"] == 1 and got["ref"] == "ZS2026-0001"
    text = document.read_contract(base64.b64decode(got["document_base64"]))
    assert DRAFT_LINE not in text["paragraphs"] and "示例项目1" in text["title"]
    assert got["terms"]["intensity_wan_per_mu"] == "133.33"

    stranger = {"user_id": "u-rand", "position": "clerk", "unit": "DRB"}
    with pytest.raises(NotAllowed):
        c.read_contract(stranger, "p1", {"reason": "好奇"})
    auditor = {"user_id": "u-auditor", "position": "auditor", "unit": "AUDIT"}
    with pytest.raises(NotAllowed) as refused:  # before any grant
        c.read_contract(auditor, "p1", {"reason": "审计核查"})
    assert "no leader's grant" in refused.value.message

    # who may grant, and until when
    for not_leader in (IPB, FIN_HEAD, HENGDONG_HEAD, custodian_actor("FIN")):
        with pytest.raises(NotAllowed):
            c.grant_access(
                not_leader,
                "p1",
                {
                    "grantee_user_id": "u-auditor",
                    "reason": "审计",
                    "expires_at": (T + dt.timedelta(hours=2)).isoformat(),
                },
            )
    for past in (T - dt.timedelta(minutes=1), T):
        with pytest.raises(InvalidInput) as refused:
            c.grant_access(
                MAGISTRATE, "p1", {"grantee_user_id": "u-auditor", "reason": "审计", "expires_at": past.isoformat()}
            )
        assert "expires_at" in refused.value.details
    assert c.grants() == [] and c.audit_rows("contracts.grant_access") == []

    until = T + dt.timedelta(hours=2)
    grant = c.grant_access(
        MAGISTRATE, "p1", {"grantee_user_id": "u-auditor", "reason": "年度审计抽查", "expires_at": until.isoformat()}
    )
    (stored,) = c.grants()
    assert stored["grantee_user_id"] == "u-auditor" and stored["grantor_position"] == "county_magistrate"
    assert stored["granted_at"] == T and stored["expires_at"] == until and stored["reason"] == "年度审计抽查"
    assert grant["id"] == stored["id"]

    clock.now = T + dt.timedelta(hours=1)
    got = c.read_contract(auditor, "p1", {"reason": "审计核查"})
    assert got["basis"].render() == "县长授权（第1号），有效期至2026年9月10日 11:00"
    with pytest.raises(NotAllowed):  # the grant is for u-auditor only
        c.read_contract(stranger, "p1", {"reason": "顺便看看"})

    clock.now = until  # the grant runs until, not through, its expiry
    with pytest.raises(NotAllowed) as refused:
        c.read_contract(auditor, "p1", {"reason": "审计核查"})
    assert "expired" in refused.value.message
    clock.now = T + dt.timedelta(hours=3)
    with pytest.raises(NotAllowed) as refused:
        c.read_contract(auditor, "p1", {"reason": "补充核查"})
    assert "expired" in refused.value.message
    got = c.read_contract(custodian_actor("PARK:hengdong"), "p1", {"reason": "监管履约"})  # custodians need no grant
    assert got["basis"].render() == "衡东工业园合同保管人"

    reads = c.audit_rows("contracts.read_contract")
    assert [(r["user_id"], r["position"], r["unit"], r["reason"], r["outcome"]) for r in reads] == [
        (CUSTODIAN_USER["FIN"], "custodian:FIN", "FIN", "核对财政承诺", "allowed"),
        ("u-rand", "clerk", "DRB", "好奇", "refused"),
        ("u-auditor", "auditor", "AUDIT", "审计核查", "refused"),
        ("u-auditor", "auditor", "AUDIT", "审计核查", "allowed"),
        ("u-rand", "clerk", "DRB", "顺便看看", "refused"),
        ("u-auditor", "auditor", "AUDIT", "审计核查", "refused"),
        ("u-auditor", "auditor", "AUDIT", "补充核查", "refused"),
        (CUSTODIAN_USER["PARK:hengdong"], "custodian:PARK:hengdong", "PARK:hengdong", "监管履约", "allowed"),
    ]
    assert all(r["record_id"] == "p1" and r["record_type"] == "contract" for r in reads)
    assert rendered(json.loads(reads[0]["details"])["basis"]) == "县财政局合同保管人"  # the basis kept as a message
    assert rendered(json.loads(reads[5]["details"])["basis"]) == "领导授权已过期"
    assert [r["at"] for r in reads][-1] == T + dt.timedelta(hours=3)
    (granted,) = c.audit_rows("contracts.grant_access")
    assert (granted["user_id"], granted["position"], granted["reason"], granted["outcome"]) == (
        "u-mag",
        "county_magistrate",
        "年度审计抽查",
        "done",
    )
    assert json.loads(granted["details"])["grantee"] == "u-auditor"

    with Session(c.provider.engine) as s:
        result = audit.verify(s, models.audit_trail)
    assert result.ok, result.problem
    assert result.entries == len(c.audit_rows()) and result.entries >= len(reads) + 1


def test_nothing_is_read_before_the_contract_is_filed_and_the_refusal_is_audited(c):
    signed(c, "p1")
    designate_all(c)
    with pytest.raises(NotAllowed) as refused:
        c.read_contract(custodian_actor("FIN"), "p1", {"reason": "提前查看"})
    assert "not filed" in refused.value.message
    (row,) = c.audit_rows("contracts.read_contract")
    assert row["outcome"] == "refused" and row["user_id"] == CUSTODIAN_USER["FIN"]


# == 5. obligations and special reports (R7, R16) =========================================================
def official_working_days_after(due: dt.date, n: int) -> tuple[dt.date, bool]:
    """The n-th working day strictly after ``due``: chinese_calendar where it knows the year, else Mon–Fri
    (provisional)."""
    day, counted, provisional = due, 0, False
    while counted < n:
        day += dt.timedelta(days=1)
        try:
            working = chinese_calendar.is_workday(day)
        except NotImplementedError:
            provisional, working = True, day.weekday() < 5
        counted += working
    return day, provisional


def test_the_sample_policy_has_no_2027_schedule():
    # precondition of the provisional case below: 2027 is in neither chinese_calendar nor the sample policy
    assert 2027 not in {int(y) for y in POLICY.holiday_years}
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(dt.date(2027, 1, 4))


@pytest.mark.parametrize(
    "due, report_due, provisional",
    [
        # Wed before National Day: Oct 1–7 off; Thu 8, Fri 9, make-up Sat 10 are the 3 working days
        ("2026-09-30", "2026-10-10", False),
        # a plain Friday: the weekend does not count; Mon 9, Tue 10, Wed 11
        ("2026-11-06", "2026-11-11", False),
        # the Friday before the make-up working Saturday: Sat 10 counts, then Mon 12, Tue 13
        ("2026-10-09", "2026-10-13", False),
        # late in 2026: Thu Dec 31, then 2027 (no schedule, weekends only) Fri Jan 1, Mon Jan 4 — provisional
        ("2026-12-30", "2027-01-04", True),
    ],
)
def test_an_unmet_obligation_lapses_the_day_after_its_due_date_and_a_late_report_flags_red(
    c, clock, due, report_due, provisional
):
    due_day, report_day = dt.date.fromisoformat(due), dt.date.fromisoformat(report_due)
    assert official_working_days_after(due_day, 3) == (report_day, provisional)
    signed(c, "p1", obligations=[{"id": "ob", "text": "完成设备安装", "due": due, "party": "investor"}])

    clock.now = at(due_day, 23, 59)  # on the due date itself nothing happens
    assert c.check_obligations() == 0
    assert c.obligation("p1", "ob")["status"] == "open" and c.events("contracts.obligation_lapsed") == []

    # 00:01 the next day in Shanghai is still the due date in UTC: the county's date counts
    clock.now = at(due_day + dt.timedelta(days=1), 0, 1).astimezone(dt.timezone.utc)
    assert c.check_obligations() == 1
    row = c.obligation("p1", "ob")
    assert row["status"] == "lapsed" and row["report_due"] == report_day
    assert row["report_due_provisional"] is provisional and row["red_flag_at"] is None
    (event,) = c.events("contracts.obligation_lapsed")
    payload = event["payload"]
    assert payload["report_due"] == report_due and payload["provisional"] is provisional
    assert payload["unknown_years"] == ([2027] if provisional else [])
    assert payload["responsible_unit"] == "PARK:hengdong" and payload["notify"] == ["PARK:hengdong"]
    assert payload["obligation"]["key"] == "ob" and payload["obligation"]["report_due_provisional"] is provisional
    assert ("（暂定日期）" in payload["reason"]) is provisional  # the reason as a reader of Chinese sees it
    assert c.check_obligations() == 0  # a second scan says nothing more
    assert len(c.events("contracts.obligation_lapsed")) == 1

    clock.now = at(report_day, 23, 59)  # the report's last day: not late yet
    assert c.check_obligations() == 0
    assert c.obligation("p1", "ob")["red_flag_at"] is None and c.events("contracts.special_report_late") == []
    assert c.get_contract(IPB, "p1")["red_flag"] is False

    clock.now = at(report_day + dt.timedelta(days=1), 0, 1)
    assert c.check_obligations() == 1
    assert c.obligation("p1", "ob")["red_flag_at"] == clock.now
    (late,) = c.events("contracts.special_report_late")
    assert late["payload"]["notify"] == ["IPB", "LG"] and late["payload"]["obligation"]["red_flag"] is True
    due = dt.date.fromisoformat(report_due)
    assert f"{due.year}年{due.month}月{due.day}日" in late["payload"]["reason"]
    assert c.check_obligations() == 0 and len(c.events("contracts.special_report_late")) == 1
    got = c.get_contract(IPB, "p1")
    assert got["red_flag"] is True
    (ob,) = [o for o in got["obligations"] if o["key"] == "ob"]
    assert ob["status"] == "lapsed" and ob["report_due"] == report_due and ob["report_due_provisional"] is provisional


def upload(filename: str = "专项报告.pdf", content: bytes = PDF) -> dict:
    return {"filename": filename, "content_base64": base64.b64encode(content).decode()}


def test_a_special_report_filed_in_time_by_the_responsible_unit_keeps_the_project_off_red(c, clock, documents):
    signed(
        c,
        "p1",
        obligations=[
            {"id": "ob-a", "text": "完成设备安装", "due": "2026-09-30", "party": "investor"},
            {"id": "ob-b", "text": "完成环评验收", "due": "2026-09-30", "party": "investor"},
        ],
    )

    clock.now = shanghai(2026, 9, 30)  # nothing has lapsed: no report is due
    with pytest.raises(Conflict):
        c.file_special_report(HENGDONG_CLERK, "p1", "ob-a", {"summary": "说明", "document": upload()})

    clock.now = shanghai(2026, 10, 1, 8)
    assert c.check_obligations() == 2
    assert {e["payload"]["obligation"]["key"] for e in c.events("contracts.obligation_lapsed")} == {"ob-a", "ob-b"}

    clock.now = shanghai(2026, 10, 9, 16)
    for other in (IPB, IPB_DIRECTOR, HEXI_HEAD, FIN_HEAD, MAGISTRATE):
        with pytest.raises(NotAllowed):
            c.file_special_report(other, "p1", "ob-a", {"summary": "说明", "document": upload()})
    with pytest.raises(InvalidInput) as refused:
        c.file_special_report(
            HENGDONG_CLERK, "p1", "ob-a", {"summary": "说明", "document": upload("report.exe", b"MZ")}
        )
    assert "document.filename" in refused.value.details
    assert c.obligation("p1", "ob-a")["report"] is None and c.events("contracts.special_report_filed") == []
    assert not (documents.root.exists() and any(p.is_file() for p in documents.root.rglob("*")))

    got = c.file_special_report(
        HENGDONG_CLERK, "p1", "ob-a", {"summary": "设备到货延迟，预计10月底完成", "document": upload()}
    )
    digest = hashlib.sha256(PDF).hexdigest()
    report = c.obligation("p1", "ob-a")["report"]
    assert report["document"] == {
        "id": digest,
        "filename": "专项报告.pdf",
        "content_type": "application/pdf",
        "size": len(PDF),
    }
    assert report["late"] is False and report["by"]["unit"] == "PARK:hengdong"
    assert report["summary"] == "设备到货延迟，预计10月底完成"
    assert documents.load(digest) == PDF
    (filed_event,) = c.events("contracts.special_report_filed")
    assert filed_event["payload"]["document"]["id"] == digest and filed_event["payload"]["obligation"]["key"] == "ob-a"
    assert {o["key"]: o["report"] is not None for o in got["obligations"]} == {
        "ob-a": True,
        "ob-b": False,
        "START": False,
        "COMPLETION": False,
        "PRODUCTION": False,
    }
    with pytest.raises(Conflict):  # filed once
        c.file_special_report(HENGDONG_CLERK, "p1", "ob-a", {"summary": "again", "document": upload()})

    clock.now = shanghai(2026, 10, 10, 23, 59)  # report due date of both
    assert c.check_obligations() == 0
    clock.now = shanghai(2026, 10, 11, 9)
    assert c.check_obligations() == 1  # only ob-b, whose report was not filed, is late
    assert c.obligation("p1", "ob-a")["red_flag_at"] is None
    assert c.obligation("p1", "ob-b")["red_flag_at"] == clock.now
    (late,) = c.events("contracts.special_report_late")
    assert late["payload"]["obligation"]["key"] == "ob-b"
    clock.now = shanghai(2026, 10, 20)
    assert c.check_obligations() == 0 and len(c.events("contracts.special_report_late")) == 1

    c.file_special_report(HENGDONG_CLERK, "p1", "ob-b", {"summary": "迟报说明", "document": upload("迟报.pdf")})
    assert c.obligation("p1", "ob-b")["report"]["late"] is True
    assert c.obligation("p1", "ob-a")["report"]["late"] is False


def test_a_met_obligation_never_lapses(c, clock):
    signed(c, "p1", obligations=[{"id": "ob", "text": "缴清土地出让金", "due": "2026-09-30", "party": "investor"}])
    clock.now = shanghai(2026, 9, 29)
    with pytest.raises(NotAllowed):
        c.record_progress(HEXI_HEAD, "p1", "ob", {"note": "已缴清", "met": True})
    c.record_progress(HENGDONG_CLERK, "p1", "ob", {"note": "已缴清", "met": True})
    assert c.obligation("p1", "ob")["status"] == "met"
    clock.now = shanghai(2026, 10, 20)
    assert c.check_obligations() == 0
    assert c.events("contracts.obligation_lapsed") == [] and c.events("contracts.special_report_late") == []


# -- fixes after review: custody follows the register of custodians; lapses keep their report; terms stay confidential


def test_a_replaced_custodian_loses_access_and_the_new_one_reads(c):
    filed(c, "p1")
    old = custodian_actor("FIN")
    assert c.read_contract(old, "p1", {"reason": "核对"})["basis"] == "custodian of County Finance Bureau"
    replace_fin_custodian(c)
    with pytest.raises(NotAllowed):
        c.read_contract(old, "p1", {"reason": "核对"})
    new = {"user_id": "u-new-fin", "position": "archivist", "unit": "FIN"}
    assert c.read_contract(new, "p1", {"reason": "核对"})["basis"] == "custodian of County Finance Bureau"


def test_a_new_custodian_is_an_explicit_replacement_with_the_old_one_s_end_on_record(c, clock):
    designate_all(c)
    before = c.custodian_rows()["FIN"]
    new = {"user_id": "u-new-fin", "name": "新档案员", "cabinet": "FIN 机要柜 2"}
    with pytest.raises(Conflict) as silent:  # no silent overwrite
        c.designate_custodian(FIN_HEAD, "FIN", new)
    assert CUSTODIAN_USER["FIN"] in silent.value.message and "replaces" in silent.value.details
    with pytest.raises(Conflict):  # naming someone who is not the current custodian
        c.designate_custodian(FIN_HEAD, "FIN", {**new, "replaces": "u-somebody", "reason": "调离"})
    with pytest.raises(InvalidInput) as no_reason:
        c.designate_custodian(FIN_HEAD, "FIN", {**new, "replaces": CUSTODIAN_USER["FIN"]})
    assert "reason" in no_reason.value.details
    assert c.custodian_rows()["FIN"] == before and len(c.audit_rows("contracts.designate_custodian")) == len(HEADS)
    again = c.designate_custodian(
        FIN_HEAD, "FIN", {"user_id": CUSTODIAN_USER["FIN"], "name": "FIN 档案员", "cabinet": "FIN 机要柜 1"}
    )  # the same designation again
    assert again["user_id"] == CUSTODIAN_USER["FIN"] and len(c.audit_rows("contracts.designate_custodian")) == len(
        HEADS
    )

    clock.now = shanghai(2026, 9, 15, 16, 30)
    shown = c.designate_custodian(FIN_HEAD, "FIN", {**new, "replaces": CUSTODIAN_USER["FIN"], "reason": "原档案员调离"})
    assert (shown["user_id"], shown["since"]) == ("u-new-fin", "2026-09-15T16:30:00+08:00")
    [ended] = shown["before"]
    assert (ended["user_id"], ended["since"], ended["until"], ended["end_reason"]) == (
        CUSTODIAN_USER["FIN"],
        "2026-09-01T10:00:00+08:00",
        "2026-09-15T16:30:00+08:00",
        "原档案员调离",
    )
    assert ended["ended_by"]["user_id"] == FIN_HEAD["user_id"]
    trail = [a for a in c.audit_rows() if a["record_id"] == "FIN"]
    assert [(a["action"], json.loads(a["details"] or "{}").get("user_id")) for a in trail] == [
        ("contracts.designate_custodian", CUSTODIAN_USER["FIN"]),
        ("contracts.end_custodian", CUSTODIAN_USER["FIN"]),
        ("contracts.designate_custodian", "u-new-fin"),
    ]
    assert (
        json.loads(trail[1]["details"])["until"] == "2026-09-15T16:30:00+08:00" and trail[1]["reason"] == "原档案员调离"
    )
    assert {c_["unit"]: c_["before"] for c_ in c.custodians(IPB)}["FIN"] == [ended]


def test_meeting_a_lapsed_obligation_late_still_owes_the_special_report(c, clock):
    signed(c, "p1", obligations=[{"id": "ob", "text": "完成设备安装", "due": "2026-11-06", "party": "investor"}])
    clock.now = shanghai(2026, 11, 9)
    assert c.check_obligations() == 1
    c.record_progress(HENGDONG_HEAD, "p1", "ob", {"note": "已完成安装", "met": True})
    row = c.obligation("p1", "ob")
    assert row["status"] == "lapsed" and row["met_at"] is not None
    clock.now = shanghai(2026, 11, 12)  # report was due Wed 11 Nov
    assert c.check_obligations() == 1 and len(c.events("contracts.special_report_late")) == 1


def test_the_contract_record_does_not_carry_the_confidential_terms(c):
    signed(c, "p1")
    record = c.get_contract(IPB, "p1")
    assert record["versions"] and all("terms" not in v for v in record["versions"])


def test_a_scoped_position_must_belong_to_the_acting_unit(c):
    with pytest.raises(InvalidInput) as refused:
        c.designate_custodian(
            {"user_id": "u", "position": "park_head:hexi", "unit": "PARK:hengdong"},
            "PARK:hengdong",
            {"user_id": "x", "name": "x", "cabinet": "x"},
        )
    assert "actor.position" in refused.value.details


def test_the_lifecycle_copy_follows_state_changes_once_and_in_order_without_processed_rows(c):
    signed(c, "p1")

    def change(to_state, seq):
        c.on_project_state_changed(
            Envelope(
                type="coordinator.project_state_changed",
                actor=Actor(**IPB),
                project_id="p1",
                payload={
                    "ref": "ZS2026-0001",
                    "from_state": "x",
                    "to_state": to_state,
                    "trigger": "t",
                    "seq": seq,
                    "reason": "r",
                },
            ).dump()
        )

    change("construction", 12)
    change("construction", 12)  # delivered twice
    change("filed_copies", 11)  # an older one, handled late
    row = c.stored("p1")
    assert (row["lifecycle_state"], row["lifecycle_seq"]) == ("construction", 12)
    change("accounting", 13)
    assert c.stored("p1")["lifecycle_state"] == "accounting"
    processed = c.provider.processed
    with Session(c.provider.engine) as s:  # idempotent by the number: no processed-event row is kept for it
        assert s.execute(select(processed.c.id).where(processed.c.handler == "on_project_state_changed")).all() == []
    with pytest.raises(NotFound):  # not known here yet (its project_filed still queued): refused, to be retried
        c.on_project_state_changed(
            Envelope(
                type="coordinator.project_state_changed",
                actor=Actor(**IPB),
                project_id="unknown",
                payload={
                    "ref": "ZS2026-0009",
                    "from_state": "x",
                    "to_state": "closed",
                    "trigger": "t",
                    "seq": 3,
                    "reason": "r",
                },
            ).dump()
        )
    assert c.stored("p1")["lifecycle_state"] == "accounting"


def test_malformed_reads_and_reads_of_no_such_contract_are_recorded_too(c, clock):
    clock.now = shanghai(2026, 9, 10, 9, 0)
    filed(c, "p1")
    probe = {"user_id": "u-probe", "position": "clerk", "unit": "DRB"}
    for attempt in (
        lambda: c.read_contract(probe, "p1", {"reason": "x\x00y"}),
        lambda: c.read_contract(probe, "p1", {}),
        lambda: c.read_contract(probe, "p-none", {"reason": "试探"}),
        lambda: c.read_draft(probe, "p1", 1, {"why": "?"}),
    ):
        with pytest.raises((InvalidInput, NotFound)):
            attempt()
    rows = c.audit_rows("contracts.read_contract") + c.audit_rows("contracts.read_draft")
    assert [(r["user_id"], r["record_id"], r["outcome"], json.loads(r["details"])["problem"]) for r in rows] == [
        ("u-probe", "p1", "refused", "invalid_input"),
        ("u-probe", "p1", "refused", "invalid_input"),
        ("u-probe", "p-none", "refused", "not_found"),
        ("u-probe", "p1", "refused", "invalid_input"),
    ]


class LandReserve:
    """The land reserve as contracts asks it (landreserve.contract_parcel): HD-01 ready, HD-04 only reserved."""

    HD01 = {
        "code": "HD-01",
        "name": "衡东园一号地块",
        "location": "PARK:hengdong",
        "area_mu": "48",
        "use": "M1",
        "delisting_price": "180000.00",
    }

    def contract_parcel(self, actor, code, project_id):
        if code == "HD-04":
            raise Conflict(
                "parcel HD-04 is reserved: a contract names a parcel ready for supply or in listing", {"parcel": [code]}
            )
        return dict(self.HD01)


def test_a_contract_records_the_parcel_it_supplies_from_the_land_reserve(c):
    c.landreserve = LandReserve()
    agreed(c, "p1")
    with pytest.raises(Conflict) as refused:
        c.draft(IPB, "p1", terms(parcel="HD-04"))
    assert "HD-04 is reserved" in str(refused.value) and c.versions("p1") == []
    c.draft(IPB, "p1", terms(parcel="HD-01"))
    assert c.versions("p1")[0]["terms"]["parcel"] == LandReserve.HD01
    (drafted,) = c.events("contracts.drafted")
    assert drafted["payload"]["parcel"] == {**LandReserve.HD01, "ref": "ZS2026-0001", "project_name": "示例项目1"}
    # the contract's text names the parcel it supplies: its number, where it lies, its area in 亩
    assert "由县土地储备地块供应：地块编号 HD-01（衡东园一号地块），位于衡东工业园，储备面积 48.00 亩" in text_of(
        read_version(c, "p1", 1)
    )
    c.submit(IPB, "p1", {"version": 1})
    c.legal_review(LEGAL, "p1", {"version": 1, "decision": "approve"})
    c.sign(HENGDONG_HEAD, "p1", {"version": 1, "investor_signatory": INVESTOR_SIGNATORY})
    (signed,) = c.events("contracts.signed")
    assert signed["payload"]["terms"]["parcel"]["delisting_price"] == "180000.00"  # accounting's price
    # a draft without a parcel names none, and asks the land reserve nothing
    c.landreserve = None
    agreed(c, "p2", n=2)
    c.draft(IPB, "p2", terms())
    assert c.versions("p2")[0]["terms"]["parcel"] is None
    assert "土地储备" not in text_of(read_version(c, "p2", 1))


# == what is signed is what was decided (R5, R6) ==========================================================
def test_a_draft_is_composed_from_the_decided_terms_and_cannot_type_them_differently(c):
    decide_with = decided(
        "45",
        "150000000",
        "100000000",
        agreed=["供地方式：挂牌出让"],
        policy_terms=[{"text": "地方留成税收奖励年限：3年"}],
    )
    agreed(c, "p1")
    decide(c, "p1", terms=decide_with, round_=1)
    record = c.get_contract(IPB, "p1")
    assert record["decided_terms"] == decide_with and record["party_a"] == "衡东工业园管理委员会"  # its full name
    with pytest.raises(InvalidInput) as refused:
        c.draft(IPB, "p1", terms(land_mu="80", total_investment="150000000", fixed_asset_investment="100000000"))
    assert set(refused.value.details) == {"land_mu"} and c.versions("p1") == []
    # the figures may be left out: the decision's are taken
    c.draft(
        IPB,
        "p1",
        {k: v for k, v in terms().items() if k not in ("total_investment", "fixed_asset_investment", "land_mu")},
    )
    (v1,) = c.versions("p1")
    assert {
        k: v1["terms"][k]
        for k in (
            "land_mu",
            "total_investment",
            "fixed_asset_investment",
            "intensity_wan_per_mu",
            "agreed",
            "policy_terms",
        )
    } == decide_with
    body = text_of(read_version(c, "p1", 1))
    assert "222.22 万元/亩" in body and "供地方式：挂牌出让" in body and "地方留成税收奖励年限：3年" in body
    assert "甲方：衡东工业园管理委员会" in body


def test_a_change_after_the_decision_takes_it_out_of_force_and_the_old_version_cannot_be_signed(c):
    approved(c, "p1")  # v1 approved by LEGAL on the 45-mu decision
    reopen(c, "p1", 2)  # a session changed the land: back to negotiation
    assert c.stored("p1")["state"] == "negotiating" and c.get_contract(IPB, "p1")["decided_terms"] is None
    with pytest.raises(Conflict) as refused:  # the routed signatory, the approved version: still refused
        c.sign(HENGDONG_HEAD, "p1", {"version": 1, "investor_signatory": INVESTOR_SIGNATORY})
    assert refused.value.details == {"state": ["negotiating"]}
    with pytest.raises(Conflict) as refused:
        c.draft(IPB, "p1", terms())
    assert "no decision in force" in refused.value.message
    # the new decision on the route the changed terms give: 80 mu, the principals, the county magistrate signs
    decide(c, "p1", land_mu="80", round_=2, terms=decided("80"))
    row = c.stored("p1")
    assert (row["state"], row["decision_round"], row["route"]["signs"]) == ("agreed", 2, "county_magistrate")
    # v1 carries the old decision: whatever state the contract were in, it is not signed
    with Session(c.provider.engine) as s, s.begin():
        s.execute(models.projects.update().where(models.projects.c.project_id == "p1").values(state="legal_review"))
    with pytest.raises(Conflict) as refused:
        c.sign(MAGISTRATE, "p1", {"version": 1, "investor_signatory": INVESTOR_SIGNATORY})
    assert "land (mu): decided 80, here 45" in refused.value.message
    assert set(refused.value.details) == {"land_mu", "intensity_wan_per_mu"}
    assert c.obligations("p1") == [] and c.events("contracts.signed") == []
    c.draft(IPB, "p1", terms(land_mu="80"))
    c.submit(IPB, "p1", {"version": 2})
    c.legal_review(LEGAL, "p1", {"version": 2, "decision": "approve"})
    with pytest.raises(NotAllowed):  # the decision's route names the county magistrate now
        c.sign(HENGDONG_HEAD, "p1", {"version": 2, "investor_signatory": INVESTOR_SIGNATORY})
    got = c.sign(MAGISTRATE, "p1", {"version": 2, "investor_signatory": INVESTOR_SIGNATORY})
    assert got["state"] == "signed" and c.events("contracts.signed")[0]["payload"]["terms"]["land_mu"] == "80"


def test_a_reopening_that_arrives_after_the_new_decision_changes_nothing(c):
    agreed(c, "p1")
    decide(c, "p1", land_mu="80", round_=2, terms=decided("80"))  # round 2's decision came first
    reopen(c, "p1", 2)
    row = c.stored("p1")
    assert row["state"] == "agreed" and row["decided_terms"]["land_mu"] == "80"
    c.draft(IPB, "p1", terms(land_mu="80"))


def test_a_refusal_leaves_nothing_to_draft_until_a_new_decision(c):
    agreed(c, "p1")
    decide(c, "p1", outcome="refused", round_=1)
    assert c.stored("p1")["state"] == "refused"
    with pytest.raises(Conflict):
        c.draft(IPB, "p1", terms())
    reopen(c, "p1", 2)
    decide(c, "p1", round_=2)
    assert c.draft(IPB, "p1", terms())["state"] == "drafting"


def test_where_the_county_magistrate_or_the_deputy_signs_the_county_government_is_party_a(c):
    approved(c, "p1", land_mu="75")  # escalated: the county magistrate signs
    approved(c, "p2", n=2, unit="TOWN:xintang")  # outside parks within authority: the deputy magistrate
    approved(c, "p3", n=3)  # the park head
    for project, party in (("p1", "示例县人民政府"), ("p2", "示例县人民政府"), ("p3", "衡东工业园管理委员会")):
        assert c.get_contract(IPB, project)["party_a"] == party
        paragraphs = read_version(c, project, 1)["paragraphs"]
        assert f"甲方：{party}" in paragraphs and f"甲方（盖章）：{party}" in paragraphs
        effect = next(p for p in paragraphs if "一式" in p)
        assert "本合同一式十份，甲乙双方各执一份，其余八份由县政府办等单位存档" in effect


def test_an_obligation_due_before_the_signing_date_is_refused(c, clock):
    approved(c, "p1")  # the land-fee obligation is due 2027-01-15
    clock.now = shanghai(2027, 1, 16, 9)
    with pytest.raises(Conflict) as refused:
        c.sign(HENGDONG_HEAD, "p1", {"version": 1, "investor_signatory": INVESTOR_SIGNATORY})
    assert [m.render() for m in refused.value.details["obligations"]] == ["“缴清土地出让金”的到期日为2027年1月15日"]
    assert "before the signing date 2027-01-16" in refused.value.message
    assert c.obligations("p1") == [] and c.stored("p1")["state"] == "legal_review"
    clock.now = shanghai(2027, 1, 15, 9)  # due on the signing date itself: signed
    assert c.sign(HENGDONG_HEAD, "p1", {"version": 1, "investor_signatory": INVESTOR_SIGNATORY})["state"] == "signed"


ADMIN = {"user_id": "u-admin", "position": "ipb_admin", "unit": "IPB"}


def test_an_administrator_sees_what_would_lapse_as_of_a_date_and_nothing_changes(c, clock):
    signed(
        c,
        "p1",
        obligations=[
            {"id": "ob-a", "text": "缴清土地出让金", "due": "2026-09-30", "party": "investor"},
            {"id": "ob-b", "text": "开工建设", "due": "2026-10-20", "party": "investor"},
        ],
    )
    clock.now = shanghai(2026, 9, 1)
    with pytest.raises(NotAllowed):
        c.obligations_outlook(IPB, "2026-10-12")
    with pytest.raises(InvalidInput) as bad:
        c.obligations_outlook(ADMIN, "next week")
    assert "as_of" in bad.value.details
    rows, sent = [c.obligation("p1", k) for k in ("ob-a", "ob-b")], c.events()

    due_day = c.obligations_outlook(ADMIN, "2026-10-10")  # after the National Day holidays: 3 working days after 30 Sep
    assert [(o["key"], o["report_due"], o["provisional"]) for o in due_day["would_lapse"]] == [
        ("ob-a", "2026-10-10", False)
    ]
    assert [(r["key"], r["late"]) for r in due_day["reports_due"]] == [("ob-a", False)]
    later = c.obligations_outlook(ADMIN, "2026-10-21")
    assert [o["key"] for o in later["would_lapse"]] == ["ob-a", "ob-b"] and later["would_lapse"][0][
        "ref"
    ] == "ZS2026-0001"
    assert [(r["key"], r["late"]) for r in later["reports_due"]] == [("ob-a", True)]  # ob-b's report is due 23 Oct
    assert c.obligations_outlook(ADMIN, "2026-09-30") == {"as_of": "2026-09-30", "would_lapse": [], "reports_due": []}
    assert [c.obligation("p1", k) for k in ("ob-a", "ob-b")] == rows and c.events() == sent  # a dry run

    clock.now = shanghai(2026, 10, 12)  # the real scan does what the outlook said: ob-a lapses, its report late
    assert c.check_obligations() == 2
    assert (
        c.obligation("p1", "ob-a")["report_due"] == dt.date(2026, 10, 10) and c.obligation("p1", "ob-a")["red_flag_at"]
    )
    assert c.obligations_outlook(ADMIN, "2026-10-12") == {"as_of": "2026-10-12", "would_lapse": [], "reports_due": []}


SAMPLE_2027 = {
    "holidays": ["2027-01-01", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12"],
    "workdays": ["2027-02-06"],
}


def test_loading_the_year_moves_every_provisional_report_deadline_in_it_and_says_which(c, clock):
    signed(
        c,
        "p1",
        obligations=[
            {"id": "ob", "text": "完成设备安装", "due": "2026-12-30", "party": "investor"},
            {"id": "ob-2", "text": "缴清土地出让金", "due": "2026-11-06", "party": "investor"},
        ],
    )
    clock.now = shanghai(2026, 12, 31, 9)
    assert c.check_obligations() == 3  # both lapse; ob-2's report (due 11 Nov) is late at once
    assert (c.obligation("p1", "ob")["report_due"], c.obligation("p1", "ob")["report_due_provisional"]) == (
        dt.date(2027, 1, 4),
        True,
    )  # Fri 1 Jan 2027 counted as a weekday: no schedule yet
    with pytest.raises(NotAllowed):
        c.load_holidays(IPB, 2027, SAMPLE_2027)
    answer = c.load_holidays(ADMIN, 2027, SAMPLE_2027)
    assert answer == {
        "service": "contracts",
        "year": 2027,
        "moved": [
            {
                "project_id": "p1",
                "ref": "ZS2026-0001",
                "what": to_wire(_("the special report on “{text}”", text="完成设备安装")),
                "from": "2027-01-04",
                "to": "2027-01-05",
                "provisional": False,
            }
        ],
    }  # 1 Jan is a day off: Thu 31 Dec, Mon 4, Tue 5 Jan
    row = c.obligation("p1", "ob")
    assert (row["report_due"], row["report_due_provisional"]) == (dt.date(2027, 1, 5), False)
    (moved,) = c.events("contracts.report_due_moved")
    assert moved["payload"]["obligation"]["report_due"] == "2027-01-05" and moved["payload"]["previous"] == "2027-01-04"
    assert moved["payload"]["responsible_unit"] == "PARK:hengdong"
    assert c.load_holidays(ADMIN, 2027, SAMPLE_2027)["moved"] == []
    clock.now = shanghai(2027, 1, 5, 23)
    assert c.check_obligations() == 0  # not late on its real last day (ob-2's report was late long ago: flagged)
    clock.now = shanghai(2027, 1, 6, 9)
    assert c.check_obligations() == 1


def test_a_report_deadline_is_counted_again_only_while_provisional_and_not_filed():
    calendar = WorkingDayCalendar({2027: SAMPLE_2027})
    ob = {
        "status": "lapsed",
        "due": dt.date(2026, 12, 30),
        "report_due": dt.date(2027, 1, 4),
        "report_due_provisional": True,
        "report": None,
    }
    assert domain.moved_report_deadline(ob, calendar, 3).date == dt.date(2027, 1, 5)
    assert domain.moved_report_deadline({**ob, "report": {"summary": "x"}}, calendar, 3) is None
    assert domain.moved_report_deadline({**ob, "report_due_provisional": False}, calendar, 3) is None
    assert domain.moved_report_deadline({**ob, "status": "met"}, calendar, 3) is None
    assert domain.moved_report_deadline(ob, WorkingDayCalendar({}), 3) is None
